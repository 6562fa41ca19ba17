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

#include <cstdint>
#include <limits>
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
  std::vector<std::string> options;  // reloptions ("fillfactor=100"); empty: NULL
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

/* An index's pg_index row (its pg_class row: PgClassRow with relkind 'i',
 * relam kBtreeAmOid). `keys` are the table's attnums, 1-based. */
struct IndexRow {
  Oid index = 0;
  Oid table = 0;
  std::vector<int16_t> keys;
  bool unique = false;
  bool primary = false;
};
storage::Tuple PgIndexRow(const IndexRow& index);

/* A table constraint's pg_constraint row (PostgreSQL's CreateConstraintEntry):
 * contype 'p' primary key, 'u' unique, 'f' foreign key, 'c' check. */
struct ConstraintRow {
  Oid oid = 0;
  std::string_view name;
  char type = 'c';
  Oid table = 0;
  std::vector<int16_t> keys;         // conkey: the constrained columns
  Oid index = 0;                     // conindid: the index of a p / u / f constraint
  Oid ref_table = 0;                 // confrelid (f)
  std::vector<int16_t> ref_keys{};   // confkey (f)
  char on_update = 'a', on_delete = 'a';  // confupdtype / confdeltype: a no action, r, c, n, d
  std::string_view check{};          // conbin (c): the expression as pg_get_expr prints it
  Oid nspace = kPublicNamespace;
  bool validated = true;             // convalidated (false: ADD ... NOT VALID until VALIDATE CONSTRAINT)
};
storage::Tuple PgConstraintRow(const ConstraintRow& con);

/* A column default's pg_attrdef row: adbin is the expression's SQL text as
 * pg_get_expr prints it ("nextval('orders_id_seq'::regclass)"). The
 * column's pg_attribute row says atthasdef. */
storage::Tuple PgAttrdefRow(Oid oid, Oid table, int16_t attnum, std::string_view expression);

/* A sequence's pg_sequence row (its pg_class row: relkind 'S'), with
 * PostgreSQL's defaults for CREATE SEQUENCE s (bigint, 1, 1, 1 ..
 * 9223372036854775807, cache 1, no cycle). */
struct SequenceRow {
  Oid relid = 0;
  Oid type = 20;  // seqtypid: int8
  int64_t start = 1, increment = 1, max = std::numeric_limits<int64_t>::max(), min = 1, cache = 1;
  bool cycle = false;
};
storage::Tuple PgSequenceRow(const SequenceRow& seq);

/* The access methods minipg has (pg_am): heap and btree, PostgreSQL's rows. */
std::vector<storage::Tuple> PgAmRows();
/* The collations (pg_collation): default, C and POSIX, PostgreSQL's rows. */
std::vector<storage::Tuple> PgCollationRows();
/* The tablespaces (pg_tablespace, shared): pg_default and pg_global. */
std::vector<storage::Tuple> PgTablespaceRows();

}  // namespace minipg::catalog
