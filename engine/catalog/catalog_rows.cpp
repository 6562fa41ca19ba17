/*-------------------------------------------------------------------------
 * catalog_rows.cpp
 *   pg_class, pg_attribute, pg_type and pg_namespace rows (catalog_rows.h).
 *-------------------------------------------------------------------------
 */
#include "engine/catalog/catalog_rows.h"

#include "engine/catalog/client_catalogs.h"

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
  Oid array;       // typarray, PostgreSQL's
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
    // The catalogs' arrays and regproc (storage/datum.h).
    {CT::kInt2Vector, 22, "int2vector", -1, false, 'b', 'A', false, 21, 1006, 'i', 'p', 0},
    {CT::kRegproc, 24, "regproc", 4, true, 'b', 'N', false, 0, 1008, 'i', 'p', 0},
    {CT::kOidVector, 30, "oidvector", -1, false, 'b', 'A', false, 26, 1013, 'i', 'p', 0},
    {CT::kCharArray, 1002, "_char", -1, false, 'b', 'A', false, 18, 0, 'i', 'x', 0},
    {CT::kNameArray, 1003, "_name", -1, false, 'b', 'A', false, 19, 0, 'i', 'x', kCCollationOid},
    {CT::kInt2Array, 1005, "_int2", -1, false, 'b', 'A', false, 21, 0, 'i', 'x', 0},
    {CT::kInt4Array, 1007, "_int4", -1, false, 'b', 'A', false, 23, 0, 'i', 'x', 0},
    {CT::kTextArray, 1009, "_text", -1, false, 'b', 'A', false, 25, 0, 'i', 'x', kDefaultCollationOid},
    {CT::kOidArray, 1028, "_oid", -1, false, 'b', 'A', false, 26, 0, 'i', 'x', 0},
    {CT::kAclItemArray, 1034, "_aclitem", -1, false, 'b', 'A', false, 1033, 0, 'i', 'x', 0},
    // Arrays of the SQL types, aclitem, and the polymorphic pseudo-types (engine/sql/adt/catalog_types.h).
    {CT::kBoolArray, 1000, "_bool", -1, false, 'b', 'A', false, 16, 0, 'i', 'x', 0},
    {CT::kInt8Array, 1016, "_int8", -1, false, 'b', 'A', false, 20, 0, 'd', 'x', 0},
    {CT::kFloat4Array, 1021, "_float4", -1, false, 'b', 'A', false, 700, 0, 'i', 'x', 0},
    {CT::kFloat8Array, 1022, "_float8", -1, false, 'b', 'A', false, 701, 0, 'd', 'x', 0},
    {CT::kNumericArray, 1231, "_numeric", -1, false, 'b', 'A', false, 1700, 0, 'i', 'x', 0},
    {CT::kVarcharArray, 1015, "_varchar", -1, false, 'b', 'A', false, 1043, 0, 'i', 'x', kDefaultCollationOid},
    {CT::kBpcharArray, 1014, "_bpchar", -1, false, 'b', 'A', false, 1042, 0, 'i', 'x', kDefaultCollationOid},
    {CT::kDateArray, 1182, "_date", -1, false, 'b', 'A', false, 1082, 0, 'i', 'x', 0},
    {CT::kTimestampArray, 1115, "_timestamp", -1, false, 'b', 'A', false, 1114, 0, 'd', 'x', 0},
    {CT::kTimestampTzArray, 1185, "_timestamptz", -1, false, 'b', 'A', false, 1184, 0, 'd', 'x', 0},
    {CT::kIntervalArray, 1187, "_interval", -1, false, 'b', 'A', false, 1186, 0, 'd', 'x', 0},
    {CT::kText, 1033, "aclitem", 12, false, 'b', 'U', false, 0, 1034, 'i', 'p', 0},
    {CT::kText, 2277, "anyarray", -1, false, 'p', 'P', false, 0, 0, 'd', 'x', 0},
    {CT::kText, 2283, "anyelement", 4, true, 'p', 'P', false, 0, 0, 'i', 'p', 0},
    {CT::kText, 2776, "anynonarray", 4, true, 'p', 'P', false, 0, 0, 'i', 'p', 0},
    {CT::kText, 5077, "anycompatible", 4, true, 'p', 'P', false, 0, 0, 'i', 'p', 0},
    {CT::kText, 5078, "anycompatiblearray", -1, false, 'p', 'P', false, 0, 0, 'd', 'x', 0},
    {CT::kText, 2249, "record", -1, false, 'p', 'P', false, 0, 0, 'd', 'x', 0},  // row values (no _record)
    // Transactions: system columns (tid, cid) and the txid functions' types.
    {CT::kText, 27, "tid", 6, false, 'b', 'U', false, 0, 1010, 's', 'p', 0},
    {CT::kInt8, 29, "cid", 4, true, 'b', 'U', false, 0, 1012, 'i', 'p', 0},
    {CT::kInt8, 5069, "xid8", 8, true, 'b', 'U', false, 0, 271, 'd', 'p', 0},
    {CT::kText, 5038, "pg_snapshot", -1, false, 'b', 'U', false, 0, 5039, 'd', 'x', 0},
    {CT::kText, 2970, "txid_snapshot", -1, false, 'b', 'U', false, 0, 2949, 'd', 'x', 0},
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
  row[pg_class::kRelam] = O(rel.am);
  row[pg_class::kRelfilenode] = O(rel.oid);  // no relation mapper, no rewrite: the OID
  row[pg_class::kReltablespace] = O(rel.shared ? storage::kGlobalTablespaceOid : 0);
  row[pg_class::kRelpages] = O(0);
  row[pg_class::kReltuples] = Datum(-1.0);
  row[pg_class::kRelallvisible] = O(0);
  row[pg_class::kReltoastrelid] = O(0);
  row[pg_class::kRelhasindex] = B(false);
  row[pg_class::kRelisshared] = B(rel.shared);
  row[pg_class::kRelpersistence] = C('p');
  row[pg_class::kRelkind] = C(rel.kind);
  row[pg_class::kRelnatts] = O(static_cast<int64_t>(rel.natts));
  row[pg_class::kRelchecks] = O(0);
  for (size_t col : {pg_class::kRelhasrules, pg_class::kRelhastriggers, pg_class::kRelhassubclass,
                     pg_class::kRelrowsecurity, pg_class::kRelforcerowsecurity, pg_class::kRelispartition}) {
    row[col] = B(false);
  }
  row[pg_class::kRelispopulated] = B(true);
  row[pg_class::kRelreplident] = C(rel.nspace == kPgCatalogNamespace || rel.kind == 'i' ? 'n' : 'd');
  row[pg_class::kRelrewrite] = O(0);
  row[pg_class::kRelfrozenxid] = O(rel.kind == 'r' ? rel.frozen_xid : 0);  // an index has none
  row[pg_class::kRelminmxid] = O(rel.kind == 'r' ? 1 : 0);
  if (!rel.options.empty()) {
    std::vector<Datum> options(rel.options.begin(), rel.options.end());
    row[pg_class::kReloptions] = storage::MakeArray(storage::ColumnType::kText, std::move(options));
  }
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
  row[pg_attribute::kAttnotnull] = B(column.not_null);
  row[pg_attribute::kAtthasdef] = B(!column.default_expr.empty());
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
      // nspacl NULL: the default privileges
      {O(kPgCatalogNamespace), N("pg_catalog"), O(storage::kBootstrapSuperuserOid), Datum()},
      {O(kPgToastNamespace), N("pg_toast"), O(storage::kBootstrapSuperuserOid), Datum()},
      {O(kPublicNamespace), N("public"), O(kPgDatabaseOwnerOid), Datum()},
  };
}

namespace {

Datum Int2Array(storage::ColumnType type, const std::vector<int16_t>& values) {
  std::vector<Datum> elements;
  for (int16_t v : values) elements.emplace_back(int64_t{v});
  bool vector = type == storage::ColumnType::kInt2Vector;
  return Datum(storage::MakeArray(storage::ColumnType::kInt2, std::move(elements), vector ? 0 : 1));
}

Datum OidVector(size_t n, Oid value) {
  return Datum(storage::MakeArray(storage::ColumnType::kOid, std::vector<Datum>(n, Datum(int64_t{value})), 0));
}

}  // namespace

storage::Tuple PgIndexRow(const IndexRow& index) {
  namespace i = pg_index;
  storage::Tuple row(i::kNumColumns);  // indexprs, indpred: NULL
  row[i::kIndexrelid] = O(index.index);
  row[i::kIndrelid] = O(index.table);
  row[i::kIndnatts] = O(static_cast<int64_t>(index.keys.size()));
  row[i::kIndnkeyatts] = O(static_cast<int64_t>(index.keys.size()));
  row[i::kIndisunique] = B(index.unique);
  row[i::kIndnullsnotdistinct] = B(false);
  row[i::kIndisprimary] = B(index.primary);
  row[i::kIndisexclusion] = B(false);
  row[i::kIndimmediate] = B(true);
  row[i::kIndisclustered] = B(false);
  row[i::kIndisvalid] = B(true);
  row[i::kIndcheckxmin] = B(false);
  row[i::kIndisready] = B(true);
  row[i::kIndislive] = B(true);
  row[i::kIndisreplident] = B(false);
  row[i::kIndkey] = Int2Array(storage::ColumnType::kInt2Vector, index.keys);
  row[i::kIndcollation] = OidVector(index.keys.size(), 0);
  row[i::kIndclass] = OidVector(index.keys.size(), 1978);  // int4_ops (PostgreSQL: the column type's opclass)
  row[i::kIndoption] = Int2Array(storage::ColumnType::kInt2Vector, std::vector<int16_t>(index.keys.size(), 0));
  return row;
}

storage::Tuple PgConstraintRow(const ConstraintRow& con) {
  namespace k = pg_constraint;
  storage::Tuple row(k::kNumColumns);  // conpfeqop, ..., conexclop: NULL; conbin NULL unless a check
  row[k::kOid] = O(con.oid);
  row[k::kConname] = N(con.name);
  row[k::kConnamespace] = O(con.nspace);
  row[k::kContype] = C(con.type);
  row[k::kCondeferrable] = B(false);
  row[k::kCondeferred] = B(false);
  row[k::kConvalidated] = B(con.validated);
  row[k::kConrelid] = O(con.table);
  row[k::kContypid] = O(0);
  row[k::kConindid] = O(con.index);
  row[k::kConparentid] = O(0);
  row[k::kConfrelid] = O(con.ref_table);
  row[k::kConfupdtype] = C(con.type == 'f' ? con.on_update : ' ');
  row[k::kConfdeltype] = C(con.type == 'f' ? con.on_delete : ' ');
  row[k::kConfmatchtype] = C(con.type == 'f' ? 's' : ' ');
  row[k::kConislocal] = B(true);
  row[k::kConinhcount] = O(0);
  row[k::kConnoinherit] = B(con.type != 'c');
  row[k::kConkey] = Int2Array(storage::ColumnType::kInt2Array, con.keys);
  if (con.type == 'f') row[k::kConfkey] = Int2Array(storage::ColumnType::kInt2Array, con.ref_keys);
  if (con.type == 'c') row[k::kConbin] = N(con.check);
  return row;
}

storage::Tuple PgAttrdefRow(Oid oid, Oid table, int16_t attnum, std::string_view expression) {
  return {O(oid), O(table), O(attnum), N(expression)};
}

storage::Tuple PgSequenceRow(const SequenceRow& seq) {
  return {O(seq.relid), O(seq.type), O(seq.start), O(seq.increment), O(seq.max), O(seq.min), O(seq.cache), B(seq.cycle)};
}

std::vector<storage::Tuple> PgAmRows() {
  // amhandler: the handler functions' OIDs (heap_tableam_handler, bthandler).
  return {
      {O(kHeapTableAmOid), N("heap"), O(3), C('t')},
      {O(kBtreeAmOid), N("btree"), O(330), C('i')},
  };
}

std::vector<storage::Tuple> PgCollationRows() {
  auto row = [](Oid oid, std::string_view name, char provider, std::string_view locale) {
    storage::Tuple r(pg_collation::kNumColumns);  // colliculocale, collversion: NULL
    r[pg_collation::kOid] = O(oid);
    r[pg_collation::kCollname] = N(name);
    r[pg_collation::kCollnamespace] = O(kPgCatalogNamespace);
    r[pg_collation::kCollowner] = O(storage::kBootstrapSuperuserOid);
    r[pg_collation::kCollprovider] = C(provider);
    r[pg_collation::kCollisdeterministic] = B(true);
    r[pg_collation::kCollencoding] = O(-1);
    if (!locale.empty()) {
      r[pg_collation::kCollcollate] = N(locale);
      r[pg_collation::kCollctype] = N(locale);
    }
    return r;
  };
  return {row(kDefaultCollationOid, "default", 'd', ""), row(kCCollationOid, "C", 'c', "C"),
          row(951, "POSIX", 'c', "POSIX")};
}

std::vector<storage::Tuple> PgTablespaceRows() {
  // spcacl, spcoptions: NULL
  return {
      {O(storage::kDefaultTablespaceOid), N("pg_default"), O(storage::kBootstrapSuperuserOid), Datum(), Datum()},
      {O(storage::kGlobalTablespaceOid), N("pg_global"), O(storage::kBootstrapSuperuserOid), Datum(), Datum()},
  };
}

}  // namespace minipg::catalog
