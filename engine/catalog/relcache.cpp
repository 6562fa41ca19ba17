/*-------------------------------------------------------------------------
 * relcache.cpp
 *   The backend's cache of its tables (relcache.h).
 *-------------------------------------------------------------------------
 */
#include "engine/catalog/relcache.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/catalog_rows.h"
#include "engine/catalog/client_catalogs.h"
#include "engine/storage/heap/heapam.h"
#include "engine/storage/ipc/sinval.h"

namespace minipg::catalog {

namespace {

struct Cache {
  Oid db = 0;
  bool valid = false;            // `tables` holds every table of `db`
  std::map<Oid, storage::TableDef> tables;
  std::set<Oid> stale;           // relations to re-read before the next use
  uint64_t reads = 0;
};
Cache g_cache;

/* A message of the shared invalidation queue (or this transaction's own,
 * at once and again if it aborts). Catalog-wide (kCatcache) messages are
 * not needed: every change of a table comes with its kRelcache message. */
void OnInvalidation(const storage::SharedInvalMessage& msg) {
  using Kind = storage::SharedInvalMessage::Kind;
  if (msg.kind == Kind::kResetAll) {
    RelcacheInvalidateAll();
  } else if (msg.kind == Kind::kRelcache) {
    RelcacheInvalidateRelation(msg.db, msg.id);
  }
}

/* A scan key for catalog rows about one of `tables`: their `column` holds
 * its OID. The other rows are not decoded (the system catalogs' own rows
 * are most of pg_class and pg_attribute). */
storage::ScanKey AboutTables(size_t column, const std::map<Oid, storage::TableDef>& tables) {
  return {column, [&tables](const storage::Datum& d) {
            const int64_t* oid = std::get_if<int64_t>(&d);
            return oid != nullptr && tables.count(static_cast<Oid>(*oid)) != 0;
          }};
}

/* The indexes of `tables` from pg_index (their names from pg_class), in
 * OID order. */
Status ReadIndexes(Oid db, const std::map<Oid, std::string>& names, std::map<Oid, storage::TableDef>& tables) {
  if (names.empty()) return OkStatus();
  storage::ScanKey key = AboutTables(pg_index::kIndrelid, tables);
  auto rows = CatalogScan(*FindSystemCatalog("pg_index"), db, &key);
  if (!rows.ok()) return rows.error();
  std::map<Oid, std::pair<Oid, storage::IndexDef>> found;  // index OID -> (table, index)
  for (const CatalogRow& r : *rows) {
    auto oid = static_cast<Oid>(std::get<int64_t>(r.values[pg_index::kIndexrelid]));
    auto table = static_cast<Oid>(std::get<int64_t>(r.values[pg_index::kIndrelid]));
    auto name = names.find(oid);
    if (name == names.end() || tables.count(table) == 0) continue;
    storage::IndexDef index;
    index.oid = oid;
    index.name = name->second;
    index.unique = std::get<bool>(r.values[pg_index::kIndisunique]);
    index.primary = std::get<bool>(r.values[pg_index::kIndisprimary]);
    if (const auto* keys = std::get_if<storage::ArrayValue>(&r.values[pg_index::kIndkey]); keys != nullptr && keys->data) {
      for (const storage::Datum& k : keys->data->elements) index.key_attnums.push_back(static_cast<int16_t>(std::get<int64_t>(k)));
    }
    found[oid] = {table, std::move(index)};
  }
  for (auto& [oid, entry] : found) tables[entry.first].indexes.push_back(std::move(entry.second));
  return OkStatus();
}

/* The tables' column defaults (pg_attrdef) and CHECK constraints
 * (pg_constraint contype 'c', in OID order). */
Status ReadConstraints(Oid db, std::map<Oid, storage::TableDef>& tables) {
  storage::ScanKey default_key = AboutTables(pg_attrdef::kAdrelid, tables);
  auto defaults = CatalogScan(*FindSystemCatalog("pg_attrdef"), db, &default_key);
  if (!defaults.ok()) return defaults.error();
  for (const CatalogRow& r : *defaults) {
    auto it = tables.find(static_cast<Oid>(std::get<int64_t>(r.values[pg_attrdef::kAdrelid])));
    int64_t attnum = std::get<int64_t>(r.values[pg_attrdef::kAdnum]);
    if (it == tables.end() || attnum < 1 || static_cast<size_t>(attnum) > it->second.columns.size()) continue;
    it->second.columns[static_cast<size_t>(attnum - 1)].default_expr = std::get<std::string>(r.values[pg_attrdef::kAdbin]);
  }
  storage::ScanKey constraint_key = AboutTables(pg_constraint::kConrelid, tables);
  auto constraints = CatalogScan(*FindSystemCatalog("pg_constraint"), db, &constraint_key);
  if (!constraints.ok()) return constraints.error();
  std::map<Oid, std::pair<Oid, storage::CheckDef>> checks;  // by OID: creation order
  for (const CatalogRow& r : *constraints) {
    if (std::get<std::string>(r.values[pg_constraint::kContype]) != "c") continue;
    auto table = static_cast<Oid>(std::get<int64_t>(r.values[pg_constraint::kConrelid]));
    if (tables.count(table) == 0) continue;
    checks[static_cast<Oid>(std::get<int64_t>(r.values[pg_constraint::kOid]))] = {
        table, storage::CheckDef{std::get<std::string>(r.values[pg_constraint::kConname]),
                                 std::get<std::string>(r.values[pg_constraint::kConbin])}};
  }
  for (auto& [oid, entry] : checks) tables[entry.first].checks.push_back(std::move(entry.second));
  return OkStatus();
}

/* The views' stored queries (pg_rewrite.ev_action of their _RETURN rule). */
Status ReadViewQueries(Oid db, std::map<Oid, storage::TableDef>& tables) {
  if (std::none_of(tables.begin(), tables.end(), [](const auto& t) { return t.second.kind == 'v'; })) return OkStatus();
  storage::ScanKey key = AboutTables(pg_rewrite::kEvClass, tables);
  auto rules = CatalogScan(*FindSystemCatalog("pg_rewrite"), db, &key);
  if (!rules.ok()) return rules.error();
  for (const CatalogRow& r : *rules) {
    auto it = tables.find(static_cast<Oid>(std::get<int64_t>(r.values[pg_rewrite::kEvClass])));
    if (it == tables.end() || it->second.kind != 'v') continue;
    it->second.view_query = std::get<std::string>(r.values[pg_rewrite::kEvAction]);
  }
  return OkStatus();
}

/* The tables' column statistics (pg_statistic, ANALYZE's). */
Status ReadStatistics(Oid db, std::map<Oid, storage::TableDef>& tables) {
  storage::ScanKey key = AboutTables(pg_statistic::kStarelid, tables);
  auto rows = CatalogScan(*FindSystemCatalog("pg_statistic"), db, &key);
  if (!rows.ok()) return rows.error();
  std::map<Oid, std::vector<storage::ColumnStats>> found;
  for (const CatalogRow& r : *rows) {
    auto it = tables.find(static_cast<Oid>(std::get<int64_t>(r.values[pg_statistic::kStarelid])));
    if (it == tables.end() || std::get<bool>(r.values[pg_statistic::kStainherit])) continue;
    storage::ColumnStats st;
    st.attnum = static_cast<int16_t>(std::get<int64_t>(r.values[pg_statistic::kStaattnum]));
    st.null_frac = std::get<double>(r.values[pg_statistic::kStanullfrac]);
    st.width = static_cast<int32_t>(std::get<int64_t>(r.values[pg_statistic::kStawidth]));
    st.n_distinct = std::get<double>(r.values[pg_statistic::kStadistinct]);
    for (size_t slot = 0; slot < static_cast<size_t>(pg_statistic::kNumSlots); ++slot) {
      int64_t kind = std::get<int64_t>(r.values[pg_statistic::kStakind1 + slot]);
      std::vector<double> numbers;
      std::vector<std::string> values;
      if (const auto* a = std::get_if<storage::ArrayValue>(&r.values[pg_statistic::kStanumbers1 + slot])) {
        for (const storage::Datum& d : a->data->elements) numbers.push_back(std::get<double>(d));
      }
      if (const auto* a = std::get_if<storage::ArrayValue>(&r.values[pg_statistic::kStavalues1 + slot])) {
        for (const storage::Datum& d : a->data->elements) values.push_back(std::get<std::string>(d));
      }
      if (kind == pg_statistic::kKindMcv) {
        st.mcv_values = std::move(values);
        st.mcv_freqs = std::move(numbers);
      } else if (kind == pg_statistic::kKindHistogram) {
        st.histogram = std::move(values);
      } else if (kind == pg_statistic::kKindCorrelation && !numbers.empty()) {
        st.has_correlation = true;
        st.correlation = numbers[0];
      }
    }
    found[it->first].push_back(std::move(st));
  }
  for (auto& [oid, stats] : found) {
    std::sort(stats.begin(), stats.end(), [](const auto& a, const auto& b) { return a.attnum < b.attnum; });
    tables[oid].stats = std::make_shared<const std::vector<storage::ColumnStats>>(std::move(stats));
  }
  return OkStatus();
}

/* Tables of `db` from pg_class and pg_attribute; only those in `only` if
 * it is given. */
Result<std::map<Oid, storage::TableDef>> Read(Oid db, const std::set<Oid>* only) {
  ++g_cache.reads;
  storage::ScanKey in_public{pg_class::kRelnamespace, [](const storage::Datum& d) {
                               const int64_t* nspace = std::get_if<int64_t>(&d);
                               return nspace != nullptr && *nspace == kPublicNamespace;
                             }};
  auto classes = CatalogScan(*FindSystemCatalog("pg_class"), db, &in_public);
  if (!classes.ok()) return classes.error();
  std::map<Oid, storage::TableDef> tables;
  std::map<Oid, std::string> index_names;
  for (const CatalogRow& r : *classes) {
    auto oid = static_cast<Oid>(std::get<int64_t>(r.values[pg_class::kOid]));
    if (std::get<int64_t>(r.values[pg_class::kRelnamespace]) != kPublicNamespace) continue;
    if (std::get<std::string>(r.values[pg_class::kRelkind]) == "i") {
      index_names[oid] = std::get<std::string>(r.values[pg_class::kRelname]);
    }
    const std::string& kind = std::get<std::string>(r.values[pg_class::kRelkind]);
    if (kind != "r" && kind != "S" && kind != "v") continue;
    if (only != nullptr && only->count(oid) == 0) continue;
    storage::TableDef& t = tables[oid];
    t.oid = oid;
    t.name = std::get<std::string>(r.values[pg_class::kRelname]);
    t.kind = kind[0];
    t.owner = static_cast<Oid>(std::get<int64_t>(r.values[pg_class::kRelowner]));
    t.columns.resize(static_cast<size_t>(std::get<int64_t>(r.values[pg_class::kRelnatts])));
    if (const double* tuples = std::get_if<double>(&r.values[pg_class::kReltuples])) t.reltuples = *tuples;
    if (const int64_t* pages = std::get_if<int64_t>(&r.values[pg_class::kRelpages])) t.relpages = *pages;
    if (const int64_t* vis = std::get_if<int64_t>(&r.values[pg_class::kRelallvisible])) t.relallvisible = *vis;
    if (const int64_t* x = std::get_if<int64_t>(&r.values[pg_class::kRelfrozenxid])) t.relfrozenxid = static_cast<uint32_t>(*x);
  }
  if (tables.empty()) return tables;
  storage::ScanKey attribute_key = AboutTables(pg_attribute::kAttrelid, tables);
  auto attributes = CatalogScan(*FindSystemCatalog("pg_attribute"), db, &attribute_key);
  if (!attributes.ok()) return attributes.error();
  for (const CatalogRow& r : *attributes) {
    auto it = tables.find(static_cast<Oid>(std::get<int64_t>(r.values[pg_attribute::kAttrelid])));
    int64_t attnum = std::get<int64_t>(r.values[pg_attribute::kAttnum]);
    if (it == tables.end() || attnum < 1 || static_cast<size_t>(attnum) > it->second.columns.size()) continue;
    storage::ColumnDef& c = it->second.columns[static_cast<size_t>(attnum - 1)];
    c.name = std::get<std::string>(r.values[pg_attribute::kAttname]);
    c.type = ColumnTypeOfTypeOid(static_cast<Oid>(std::get<int64_t>(r.values[pg_attribute::kAtttypid])));
    c.typmod = static_cast<int32_t>(std::get<int64_t>(r.values[pg_attribute::kAtttypmod]));
    c.not_null = std::get<bool>(r.values[pg_attribute::kAttnotnull]);
  }
  if (Status s = ReadIndexes(db, index_names, tables); !s.ok()) return s.error();
  if (Status s = ReadConstraints(db, tables); !s.ok()) return s.error();
  if (Status s = ReadViewQueries(db, tables); !s.ok()) return s.error();
  if (Status s = ReadStatistics(db, tables); !s.ok()) return s.error();
  return tables;
}

}  // namespace

void RelcacheInit() {
  RelcacheInvalidateAll();
  storage::RegisterInvalidationCallback(OnInvalidation);
}

Result<storage::CatalogSnapshot> RelcacheTables(Oid db) {
  if (!g_cache.valid || g_cache.db != db) {
    auto all = Read(db, nullptr);
    if (!all.ok()) return all.error();
    g_cache.db = db;
    g_cache.tables = std::move(*all);
    g_cache.stale.clear();
    g_cache.valid = true;
  } else if (!g_cache.stale.empty()) {
    auto fresh = Read(db, &g_cache.stale);
    if (!fresh.ok()) return fresh.error();
    for (Oid oid : g_cache.stale) g_cache.tables.erase(oid);
    g_cache.tables.merge(*fresh);
    g_cache.stale.clear();
  }
  storage::CatalogSnapshot snapshot;
  for (const auto& [oid, t] : g_cache.tables) snapshot.tables.push_back(t);  // by OID: creation order
  return snapshot;
}

Result<std::vector<storage::TableDef>> ReadTables(Oid db) {
  auto all = Read(db, nullptr);
  if (!all.ok()) return all.error();
  std::vector<storage::TableDef> out;
  for (auto& [oid, t] : *all) out.push_back(std::move(t));
  return out;
}

void RelcacheInvalidateRelation(Oid db, Oid relid) {
  if (db != g_cache.db) return;
  g_cache.stale.insert(relid);
}

void RelcacheInvalidateAll() {
  g_cache.valid = false;
  g_cache.tables.clear();
  g_cache.stale.clear();
}

void RelcacheAcceptInvalidations() {
  storage::AcceptInvalidationMessages();
}

uint64_t RelcacheCatalogReads() { return g_cache.reads; }

}  // namespace minipg::catalog
