/*-------------------------------------------------------------------------
 * system_catalog.cpp
 *   The list of system catalogs and their columns (system_catalog.h).
 *-------------------------------------------------------------------------
 */
#include "engine/catalog/system_catalog.h"

namespace minipg::catalog {

namespace {

using storage::ColumnType;
constexpr ColumnType kOidT = ColumnType::kOid;
constexpr ColumnType kNameT = ColumnType::kName;
constexpr ColumnType kCharT = ColumnType::kChar;
constexpr ColumnType kBoolT = ColumnType::kBool;
constexpr ColumnType kInt2T = ColumnType::kInt2;
constexpr ColumnType kInt4T = ColumnType::kInt4;

const SystemCatalog kPgType{
    kTypeRelationId, "pg_type", false,
    {{"oid", kOidT},           {"typname", kNameT},       {"typnamespace", kOidT},  {"typowner", kOidT},
     {"typlen", kInt2T},       {"typbyval", kBoolT},      {"typtype", kCharT},      {"typcategory", kCharT},
     {"typispreferred", kBoolT}, {"typisdefined", kBoolT}, {"typdelim", kCharT},    {"typrelid", kOidT},
     {"typelem", kOidT},       {"typarray", kOidT},       {"typalign", kCharT},     {"typstorage", kCharT},
     {"typnotnull", kBoolT},   {"typbasetype", kOidT},    {"typtypmod", kInt4T},    {"typndims", kInt4T},
     {"typcollation", kOidT}},
    71};

const SystemCatalog kPgAttribute{
    kAttributeRelationId, "pg_attribute", false,
    {{"attrelid", kOidT},       {"attname", kNameT},      {"atttypid", kOidT},       {"attstattarget", kInt4T},
     {"attlen", kInt2T},        {"attnum", kInt2T},       {"attndims", kInt4T},      {"attcacheoff", kInt4T},
     {"atttypmod", kInt4T},     {"attbyval", kBoolT},     {"attalign", kCharT},      {"attstorage", kCharT},
     {"attcompression", kCharT}, {"attnotnull", kBoolT},  {"atthasdef", kBoolT},     {"atthasmissing", kBoolT},
     {"attidentity", kCharT},   {"attgenerated", kCharT}, {"attisdropped", kBoolT},  {"attislocal", kBoolT},
     {"attinhcount", kInt4T},   {"attcollation", kOidT}},
    75};

const SystemCatalog kPgClass{
    kRelationRelationId, "pg_class", false,
    {{"oid", kOidT},                {"relname", kNameT},         {"relnamespace", kOidT},
     {"reltype", kOidT},            {"reloftype", kOidT},        {"relowner", kOidT},
     {"relam", kOidT},              {"relfilenode", kOidT},      {"reltablespace", kOidT},
     {"relpages", kInt4T},          {"reltuples", ColumnType::kFloat4}, {"relallvisible", kInt4T},
     {"reltoastrelid", kOidT},      {"relhasindex", kBoolT},     {"relisshared", kBoolT},
     {"relpersistence", kCharT},    {"relkind", kCharT},         {"relnatts", kInt2T},
     {"relchecks", kInt2T},         {"relhasrules", kBoolT},     {"relhastriggers", kBoolT},
     {"relhassubclass", kBoolT},    {"relrowsecurity", kBoolT},  {"relforcerowsecurity", kBoolT},
     {"relispopulated", kBoolT},    {"relreplident", kCharT},    {"relispartition", kBoolT},
     {"relrewrite", kOidT},         {"relfrozenxid", ColumnType::kXid}, {"relminmxid", ColumnType::kXid}},
    83};

const SystemCatalog kPgNamespace{
    kNamespaceRelationId, "pg_namespace", false,
    {{"oid", kOidT}, {"nspname", kNameT}, {"nspowner", kOidT}},
    10047};

const SystemCatalog kPgIndex{
    kIndexRelationId, "pg_index", false,
    {{"indexrelid", kOidT},       {"indrelid", kOidT},        {"indnatts", kInt2T},
     {"indnkeyatts", kInt2T},     {"indisunique", kBoolT},    {"indnullsnotdistinct", kBoolT},
     {"indisprimary", kBoolT},    {"indisexclusion", kBoolT}, {"indimmediate", kBoolT},
     {"indisclustered", kBoolT},  {"indisvalid", kBoolT},     {"indcheckxmin", kBoolT},
     {"indisready", kBoolT},      {"indislive", kBoolT},      {"indisreplident", kBoolT},
     {"indkey", ColumnType::kText}},
    10007};

/* The shared catalogs (global/), PostgreSQL 15's columns less rolvaliduntil
 * (a timestamptz on disk); datacl, an aclitem[] there, is text here and
 * always NULL (no privileges granted on databases yet: PostgreSQL's default). */
const SystemCatalog kPgDatabase{
    kDatabaseRelationId, "pg_database", true,
    {{"oid", kOidT},            {"datname", kNameT},         {"datdba", kOidT},
     {"encoding", kInt4T},      {"datlocprovider", kCharT},  {"datistemplate", kBoolT},
     {"datallowconn", kBoolT},  {"datconnlimit", kInt4T},    {"datfrozenxid", ColumnType::kXid},
     {"datminmxid", ColumnType::kXid}, {"dattablespace", kOidT}, {"datcollate", ColumnType::kText},
     {"datctype", ColumnType::kText}, {"daticulocale", ColumnType::kText},
     {"datcollversion", ColumnType::kText}, {"datacl", ColumnType::kText}},
    1248};

const SystemCatalog kPgAuthid{
    kAuthIdRelationId, "pg_authid", true,
    {{"oid", kOidT},             {"rolname", kNameT},        {"rolsuper", kBoolT},
     {"rolinherit", kBoolT},     {"rolcreaterole", kBoolT},  {"rolcreatedb", kBoolT},
     {"rolcanlogin", kBoolT},    {"rolreplication", kBoolT}, {"rolbypassrls", kBoolT},
     {"rolconnlimit", kInt4T},   {"rolpassword", ColumnType::kText}},
    2842};

const SystemCatalog kPgAuthMembers{
    kAuthMemRelationId, "pg_auth_members", true,
    {{"roleid", kOidT}, {"member", kOidT}, {"grantor", kOidT}, {"admin_option", kBoolT}},
    2843};

}  // namespace

const std::vector<const SystemCatalog*>& SystemCatalogs() {
  // pg_type, pg_attribute, pg_class first, as PostgreSQL's bootstrap makes them.
  static const std::vector<const SystemCatalog*> all = {&kPgType,  &kPgAttribute, &kPgClass,
                                                        &kPgNamespace, &kPgIndex, &kPgDatabase,
                                                        &kPgAuthid, &kPgAuthMembers};
  return all;
}

const SystemCatalog* FindSystemCatalog(std::string_view name) {
  for (const SystemCatalog* c : SystemCatalogs()) {
    if (c->name == name) return c;
  }
  return nullptr;
}

const SystemCatalog* FindSystemCatalogByOid(Oid oid) {
  for (const SystemCatalog* c : SystemCatalogs()) {
    if (c->oid == oid) return c;
  }
  return nullptr;
}

storage::TableDef SystemCatalogTableDef(const SystemCatalog& cat) {
  storage::TableDef def;
  def.oid = cat.oid;
  def.name = std::string(cat.name);
  def.owner = storage::kBootstrapSuperuserOid;
  def.columns = cat.columns;
  def.shared = cat.shared;
  return def;
}

}  // namespace minipg::catalog

namespace minipg::catalog {

const storage::TableDef* FindSystemCatalogTable(std::string_view name) {
  static const std::vector<storage::TableDef> tables = [] {
    std::vector<storage::TableDef> out;
    for (const SystemCatalog* c : SystemCatalogs()) out.push_back(SystemCatalogTableDef(*c));
    return out;
  }();
  for (const storage::TableDef& t : tables) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

}  // namespace minipg::catalog
