/*-------------------------------------------------------------------------
 * catalog_rows.h
 *   The rows that describe a relation and the types: what bootstrap writes
 *   for the catalogs themselves and CREATE TABLE writes for a table
 *   (PostgreSQL's heap_create_with_catalog: pg_class, pg_attribute and the
 *   row type in pg_type), with PostgreSQL's values for what minipg cannot
 *   fill yet.
 *
 * NOTES
 *   A new table has relpages 0 and reltuples -1 (never vacuumed or
 *   analyzed), as in PostgreSQL; minipg has no VACUUM or ANALYZE yet, so
 *   they stay so. It has no TOAST table (reltoastrelid 0) and no array
 *   type (typarray 0).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string_view>
#include <vector>

#include "engine/catalog/system_catalog.h"
#include "engine/storage/datum.h"

namespace minipg::catalog {

/* What pg_type and pg_attribute say of a column type. */
struct TypeInfo {
  Oid oid;
  std::string_view name;  // typname: "int4"
  int16_t len;            // typlen: -1 variable
  bool byval;
  char align;             // typalign: c, s, i, d
  char storage;           // typstorage: p plain, x extended, m main
  Oid collation;          // typcollation: 100 for text, 950 for name
};
TypeInfo TypeInfoOf(storage::ColumnType type);
/* The column type of a pg_type OID (pg_attribute.atttypid); text for a
 * type minipg has no column type for. */
storage::ColumnType ColumnTypeOfTypeOid(Oid type_oid);

/* A relation's pg_class row: a table (relkind 'r') in `nspace`, or an
 * index (relkind 'i', relam 403 btree, no row type). */
struct RelationRow {
  char kind = 'r';
  Oid am = kHeapTableAmOid;
  Oid oid = 0;
  std::string_view name;
  Oid nspace = kPublicNamespace;
  Oid row_type = 0;
  Oid owner = storage::kBootstrapSuperuserOid;
  bool shared = false;
  size_t natts = 0;
  storage::TransactionId frozen_xid = storage::kFirstNormalTransactionId;  // relfrozenxid
};
storage::Tuple PgClassRow(const RelationRow& rel);

/* Column `attnum` (1-based) of relation `relid`. */
storage::Tuple PgAttributeRow(Oid relid, const storage::ColumnDef& column, int16_t attnum);

/* The composite type of a relation's rows (typtype 'c'). */
storage::Tuple PgTypeRowType(const RelationRow& rel);

/* The base types minipg has, as pg_type rows (bool, int4, text, ...). */
std::vector<storage::Tuple> PgTypeBaseRows();

/* pg_catalog, pg_toast and public. */
std::vector<storage::Tuple> PgNamespaceRows();

}  // namespace minipg::catalog
