/*-------------------------------------------------------------------------
 * table_ddl.h
 *   CREATE TABLE and DROP TABLE as catalog rows (PostgreSQL's
 *   heap_create_with_catalog / heap_drop_with_catalog), in the current
 *   transaction:
 *
 *     create  DDL lock -> name free in pg_class? -> OIDs (GetNewObjectId)
 *             -> relation file (removed if the transaction aborts)
 *             -> pg_type row type, pg_class row, pg_attribute rows
 *             -> relcache invalidation of the new relation
 *     drop    DDL lock -> its pg_class row -> delete it, its pg_attribute
 *             and pg_type rows -> file removed when the transaction commits
 *             -> relcache invalidation
 *
 * NOTES
 *   DDL of one database is serialized by the DDL lock, an ExclusiveLock of
 *   the lock manager (storage/lmgr/lock.h) on the database's public schema,
 *   taken by the first DDL statement of a transaction and held until it
 *   ends; so two transactions never both create the same name, and a DDL
 *   that waits for another shows in pg_locks, can be cancelled and takes
 *   part in deadlock detection. Readers take no such lock: they see the
 *   committed catalog rows (and their own transaction's).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/catalog_rows.h"
#include "engine/catalog/system_catalog.h"
#include "engine/common/error.h"

namespace minipg::catalog {

/* Takes the database's DDL lock until the transaction ends (at once if
 * this transaction holds it already). */
Status LockDatabaseDdl(const std::filesystem::path& db_dir);

/* Creating relation `name` in public: whether the name is free as far as
 * committed catalog rows (and the own transaction's) say, asked before
 * the DDL lock. A creator holding the lock is not seen: if the name is
 * taken once the lock is ours, that creator committed while we waited,
 * which PostgreSQL reports as the unique violation of its catalog index
 * (CreatedMeanwhile) where a name taken before gets 42P07. */
Result<bool> RelationNameFree(Oid db, std::string_view name);
/* 23505 of catalog index `index` (columns `columns`) for relation `name`:
 * "pg_type_typname_nsp_index", "typname, typnamespace" (a table's row type),
 * "pg_class_relname_nsp_index", "relname, relnamespace" (an index). */
Error CreatedMeanwhile(std::string_view index, std::string_view columns, std::string_view name);

/* Creates table `name` in public, owned by `owner`, with storage
 * parameters `options` (pg_class.reloptions: "fillfactor=100"). False
 * (nothing done) if a relation of that name exists. */
Result<bool> CreateTableWithCatalog(const std::filesystem::path& db_dir, std::string_view name,
                                    const std::vector<storage::ColumnDef>& columns, Oid owner,
                                    const std::vector<std::string>& options = {});

/* Drops table `name` of public, and its indexes. False if there is none;
 * 42809 "x" is not a table when it is an index. */
Result<bool> DropTableWithCatalog(const std::filesystem::path& db_dir, std::string_view name);

/* ---- shared with index_ddl ---------------------------------------------- */

/* The pg_class row of relation `name` in public (any relkind), if any. */
Result<std::optional<CatalogRow>> FindRelationRow(Oid db, std::string_view name);
/* A new OID whose relation file does not exist yet (GetNewRelFileNumber). */
Oid NewRelationOid(Oid db);
/* 42809 `"x" is not a <what>` with the HINT of the DROP for its relkind. */
Error WrongRelationKind(std::string_view name, std::string_view what, const std::string& kind);
/* A new relation's pg_type row type, its pg_class row `class_row`, its
 * columns' pg_attribute rows and their defaults' pg_attrdef rows. */
Status InsertRelationRows(Oid db, const RelationRow& rel, const storage::Tuple& class_row,
                          const std::vector<storage::ColumnDef>& columns);
/* Deletes every row of `cat` whose column `col` is `value`. */
Status DeleteCatalogRowsWhere(const SystemCatalog& cat, Oid db, size_t col, int64_t value);

}  // namespace minipg::catalog
