/*-------------------------------------------------------------------------
 * relcache.h
 *   This backend's cache of its database's tables (PostgreSQL's relcache
 *   and the syscache over pg_class / pg_attribute, in one): name, OID,
 *   owner, columns and indexes of each table, read from pg_class,
 *   pg_attribute and pg_index once and then kept (CREATE / DROP INDEX
 *   invalidate their table).
 *
 *     first use        every table read (one scan of pg_class, one of
 *                      pg_attribute)
 *     a relation's     kRelcache invalidation (CREATE / DROP TABLE here or
 *     invalidation     in another backend) -> that relation marked stale;
 *                      the next use re-reads the stale relations only
 *     reset            kResetAll (this process missed messages), or a
 *                      database change -> everything re-read at next use
 *
 *   A statement starts with RelcacheAcceptInvalidations() (the backend's
 *   AcceptInvalidationMessages): the messages other backends sent since the
 *   last statement. No statement re-reads the catalogs otherwise.
 *
 * NOTES
 *   The current transaction's own CREATE / DROP TABLE invalidate at once
 *   (sinval applies queued messages here when they are queued), so its
 *   next statement sees them; if it aborts, they are applied again (the
 *   cache never keeps a rolled-back table).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <vector>

#include "engine/catalog/system_catalog.h"
#include "engine/common/error.h"

namespace minipg::catalog {

/* Once per process (a backend's session) before the first use: an empty
 * cache, listening to the invalidation messages. */
void RelcacheInit();

/* The tables of database `db` (schema public), from the cache. */
Result<storage::CatalogSnapshot> RelcacheTables(Oid db);

/* The tables of database `db` read from its catalogs now, not cached
 * (another database's, for DROP ROLE's checks). */
Result<std::vector<storage::TableDef>> ReadTables(Oid db);

/* Relation `relid` of database `db` changed: re-read it at next use. */
void RelcacheInvalidateRelation(Oid db, Oid relid);
/* Everything re-read at next use. */
void RelcacheInvalidateAll();

/* At the start of a statement: the invalidations other backends sent. */
void RelcacheAcceptInvalidations();

/* How many times this process has scanned pg_class for the cache (tests). */
uint64_t RelcacheCatalogReads();

}  // namespace minipg::catalog
