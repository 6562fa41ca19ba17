/*-------------------------------------------------------------------------
 * catalog_rows.cpp
 *   pg_class, pg_attribute, pg_type and pg_namespace rows (catalog_rows.h).
 *-------------------------------------------------------------------------
 */
#include "engine/catalog/catalog_rows.h"

#include <string>

namespace minipg::catalog {

namespace {

using storage::Datum;

Datum O(int64_t v) { return Datum(v); }
Datum C(char c) { return Datum(c == '\0' ? std::string() : std::string(1, c)); }
Datum N(std::string_view s) { return Datum(std::string(s)); }
Datum B(bool b) { return Datum(b); }

/* One base type: its pg_type fields that differ between types. */
struct BaseType {
  storage::ColumnType column;  // minipg's column type, or kText for those without one
  Oid oid;
  std::string_view name;
  int16_t len;
  bool byval;
  char type;       // typtype: b base, p pseudo
  char category;   // typcategory
  bool preferred;
  Oid elem;        // typelem (name is an array of char)
  Oid array;       // typarray, PostgreSQL's (minipg has no array types)
  char align;
  char storage;
  Oid collation;
};

using CT = storage::ColumnType;
// PostgreSQL 15's values.
constexpr BaseType kBaseTypes[] = {
    {CT::kBool, 16, "bool", 1, true, 'b', 'B', true, 0, 1000, 'c', 'p', 0},
    {CT::kChar, 18, "char", 1, true, 'b', 'Z', false, 0, 1002, 'c', 'p', 0},
    {CT::kName, 19, "name", 64, false, 'b', 'S', false, 18, 1003, 'c', 'p', kCCollationOid},
    {CT::kInt8, 20, "int8", 8, true, 'b', 'N', false, 0, 1016, 'd', 'p', 0},
    {CT::kInt2, 21, "int2", 2, true, 'b', 'N', false, 0, 1005, 's', 'p', 0},
    {CT::kInt4, 23, "int4", 4, true, 'b', 'N', false, 0, 1007, 'i', 'p', 0},
    {CT::kText, 25, "text", -1, false, 'b', 'S', true, 0, 1009, 'i', 'x', kDefaultCollationOid},
    {CT::kOid, 26, "oid", 4, true, 'b', 'N', true, 0, 1028, 'i', 'p', 0},
    {CT::kXid, 28, "xid", 4, true, 'b', 'U', false, 0, 1011, 'i', 'p', 0},
    {CT::kFloat4, 700, "float4", 4, true, 'b', 'N', false, 0, 1021, 'i', 'p', 0},
    {CT::kInet, 869, "inet", -1, false, 'b', 'I', true, 0, 1041, 'i', 'm', 0},
    {CT::kTimestampTz, 1184, "timestamptz", 8, true, 'b', 'D', true, 0, 1185, 'd', 'p', 0},
    {CT::kNumeric, 1700, "numeric", -1, false, 'b', 'N', false, 0, 1231, 'i', 'm', 0},
    {CT::kFloat8, 701, "float8", 8, true, 'b', 'N', true, 0, 1022, 'd', 'p', 0},
    {CT::kDate, 1082, "date", 4, true, 'b', 'D', false, 0, 1182, 'i', 'p', 0},
    {CT::kTimestamp, 1114, "timestamp", 8, true, 'b', 'D', false, 0, 1115, 'd', 'p', 0},
    {CT::kInterval, 1186, "interval", 16, false, 'b', 'T', true, 0, 1187, 'd', 'p', 0},
    {CT::kVarchar, 1043, "varchar", -1, false, 'b', 'S', false, 0, 1015, 'i', 'x', kDefaultCollationOid},
    {CT::kBpchar, 1042, "bpchar", -1, false, 'b', 'S', false, 0, 1014, 'i', 'x', kDefaultCollationOid},
    {CT::kText, 2278, "void", 4, true, 'p', 'P', false, 0, 0, 'i', 'p', 0},
};

storage::Tuple TypeRow(Oid oid, std::string_view name, Oid nspace, Oid owner, int16_t len, bool byval, char type,
                       char category, bool preferred, Oid relid, Oid elem, Oid array, char align, char storage,
                       Oid collation) {
  storage::Tuple row(pg_type::kNumColumns);
  row[pg_type::kOid] = O(oid);
  row[pg_type::kTypname] = N(name);
  row[pg_type::kTypnamespace] = O(nspace);
  row[pg_type::kTypowner] = O(owner);
  row[pg_type::kTyplen] = O(len);
  row[pg_type::kTypbyval] = B(byval);
  row[pg_type::kTyptype] = C(type);
  row[pg_type::kTypcategory] = C(category);
  row[pg_type::kTypispreferred] = B(preferred);
  row[pg_type::kTypisdefined] = B(true);
  row[pg_type::kTypdelim] = C(',');
  row[pg_type::kTyprelid] = O(relid);
  row[pg_type::kTypelem] = O(elem);
  row[pg_type::kTyparray] = O(array);
  row[pg_type::kTypalign] = C(align);
  row[pg_type::kTypstorage] = C(storage);
  row[pg_type::kTypnotnull] = B(false);
  row[pg_type::kTypbasetype] = O(0);
  row[pg_type::kTyptypmod] = O(-1);
  row[pg_type::kTypndims] = O(0);
  row[pg_type::kTypcollation] = O(collation);
  return row;
}

}  // namespace

TypeInfo TypeInfoOf(storage::ColumnType type) {
  for (const BaseType& t : kBaseTypes) {
    if (t.column == type) return TypeInfo{t.oid, t.name, t.len, t.byval, t.align, t.storage, t.collation};
  }
  return TypeInfoOf(storage::ColumnType::kText);
}

storage::ColumnType ColumnTypeOfTypeOid(Oid type_oid) {
  for (const BaseType& t : kBaseTypes) {
    if (t.oid == type_oid) return t.column;
  }
  return storage::ColumnType::kText;
}

storage::Tuple PgClassRow(const RelationRow& rel) {
  storage::Tuple row(pg_class::kNumColumns);
  row[pg_class::kOid] = O(rel.oid);
  row[pg_class::kRelname] = N(rel.name);
  row[pg_class::kRelnamespace] = O(rel.nspace);
  row[pg_class::kReltype] = O(rel.row_type);
  row[pg_class::kReloftype] = O(0);
  row[pg_class::kRelowner] = O(rel.owner);
  row[pg_class::kRelam] = O(kHeapTableAmOid);
  row[pg_class::kRelfilenode] = O(rel.oid);  // no relation mapper, no rewrite: the OID
  row[pg_class::kReltablespace] = O(rel.shared ? storage::kGlobalTablespaceOid : 0);
  row[pg_class::kRelpages] = O(0);
  row[pg_class::kReltuples] = Datum(-1.0);
  row[pg_class::kRelallvisible] = O(0);
  row[pg_class::kReltoastrelid] = O(0);
  row[pg_class::kRelhasindex] = B(false);
  row[pg_class::kRelisshared] = B(rel.shared);
  row[pg_class::kRelpersistence] = C('p');
  row[pg_class::kRelkind] = C('r');
  row[pg_class::kRelnatts] = O(static_cast<int64_t>(rel.natts));
  row[pg_class::kRelchecks] = O(0);
  for (size_t col : {pg_class::kRelhasrules, pg_class::kRelhastriggers, pg_class::kRelhassubclass,
                     pg_class::kRelrowsecurity, pg_class::kRelforcerowsecurity, pg_class::kRelispartition}) {
    row[col] = B(false);
  }
  row[pg_class::kRelispopulated] = B(true);
  row[pg_class::kRelreplident] = C(rel.nspace == kPgCatalogNamespace ? 'n' : 'd');
  row[pg_class::kRelrewrite] = O(0);
  row[pg_class::kRelfrozenxid] = O(rel.frozen_xid);
  row[pg_class::kRelminmxid] = O(1);
  return row;
}

storage::Tuple PgAttributeRow(Oid relid, const storage::ColumnDef& column, int16_t attnum) {
  TypeInfo t = TypeInfoOf(column.type);
  storage::Tuple row(pg_attribute::kNumColumns);
  row[pg_attribute::kAttrelid] = O(relid);
  row[pg_attribute::kAttname] = N(column.name);
  row[pg_attribute::kAtttypid] = O(t.oid);
  row[pg_attribute::kAttstattarget] = O(-1);
  row[pg_attribute::kAttlen] = O(t.len);
  row[pg_attribute::kAttnum] = O(attnum);
  row[pg_attribute::kAttndims] = O(0);
  row[pg_attribute::kAttcacheoff] = O(-1);
  row[pg_attribute::kAtttypmod] = O(column.typmod);
  row[pg_attribute::kAttbyval] = B(t.byval);
  row[pg_attribute::kAttalign] = C(t.align);
  row[pg_attribute::kAttstorage] = C(t.storage);
  row[pg_attribute::kAttcompression] = C('\0');
  row[pg_attribute::kAttnotnull] = B(false);
  row[pg_attribute::kAtthasdef] = B(false);
  row[pg_attribute::kAtthasmissing] = B(false);
  row[pg_attribute::kAttidentity] = C('\0');
  row[pg_attribute::kAttgenerated] = C('\0');
  row[pg_attribute::kAttisdropped] = B(false);
  row[pg_attribute::kAttislocal] = B(true);
  row[pg_attribute::kAttinhcount] = O(0);
  row[pg_attribute::kAttcollation] = O(t.collation);
  return row;
}

storage::Tuple PgTypeRowType(const RelationRow& rel) {
  return TypeRow(rel.row_type, rel.name, rel.nspace, rel.owner, -1, false, 'c', 'C', false, rel.oid, 0, 0, 'd', 'x',
                 0);
}

std::vector<storage::Tuple> PgTypeBaseRows() {
  std::vector<storage::Tuple> rows;
  for (const BaseType& t : kBaseTypes) {
    rows.push_back(TypeRow(t.oid, t.name, kPgCatalogNamespace, storage::kBootstrapSuperuserOid, t.len, t.byval,
                           t.type, t.category, t.preferred, 0, t.elem, t.array, t.align, t.storage, t.collation));
  }
  return rows;
}

std::vector<storage::Tuple> PgNamespaceRows() {
  return {
      {O(kPgCatalogNamespace), N("pg_catalog"), O(storage::kBootstrapSuperuserOid)},
      {O(kPgToastNamespace), N("pg_toast"), O(storage::kBootstrapSuperuserOid)},
      {O(kPublicNamespace), N("public"), O(kPgDatabaseOwnerOid)},
  };
}

}  // namespace minipg::catalog
