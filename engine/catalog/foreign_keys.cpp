/*-------------------------------------------------------------------------
 * foreign_keys.cpp
 *   pg_constraint's foreign key rows (foreign_keys.h).
 *-------------------------------------------------------------------------
 */
#include "engine/catalog/foreign_keys.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/client_catalogs.h"
#include "engine/catalog/table_ddl.h"
#include "engine/common/sqlstate.h"
#include "engine/storage/ipc/sinval.h"

namespace minipg::catalog {

namespace {

std::vector<int16_t> Int2s(const storage::Datum& d) {
  std::vector<int16_t> out;
  if (const auto* a = std::get_if<storage::ArrayValue>(&d); a != nullptr && a->data) {
    for (const storage::Datum& e : a->data->elements) out.push_back(static_cast<int16_t>(std::get<int64_t>(e)));
  }
  return out;
}

char Letter(const storage::Datum& d) {
  const auto& s = std::get<std::string>(d);
  return s.empty() ? 'a' : s[0];
}

Oid OidAt(const CatalogRow& r, size_t column) { return static_cast<Oid>(std::get<int64_t>(r.values[column])); }

}  // namespace

Result<std::vector<ForeignKeyDef>> ReadForeignKeys(Oid db) {
  namespace k = pg_constraint;
  auto rows = CatalogScan(*FindSystemCatalog("pg_constraint"), db);
  if (!rows.ok()) return rows.error();
  std::vector<ForeignKeyDef> out;
  for (const CatalogRow& r : *rows) {
    if (std::get<std::string>(r.values[k::kContype]) != "f") continue;
    ForeignKeyDef fk;
    fk.oid = OidAt(r, k::kOid);
    fk.name = std::get<std::string>(r.values[k::kConname]);
    fk.table = OidAt(r, k::kConrelid);
    fk.keys = Int2s(r.values[k::kConkey]);
    fk.ref_table = OidAt(r, k::kConfrelid);
    fk.ref_keys = Int2s(r.values[k::kConfkey]);
    fk.index = OidAt(r, k::kConindid);
    fk.on_update = Letter(r.values[k::kConfupdtype]);
    fk.on_delete = Letter(r.values[k::kConfdeltype]);
    out.push_back(std::move(fk));
  }
  std::sort(out.begin(), out.end(), [](const ForeignKeyDef& a, const ForeignKeyDef& b) { return a.oid < b.oid; });
  return out;
}

Status DeleteForeignKey(Oid db, const ForeignKeyDef& fk) {
  if (Status s = DeleteCatalogRowsWhere(*FindSystemCatalog("pg_constraint"), db, pg_constraint::kOid, fk.oid); !s.ok()) {
    return s;
  }
  storage::CacheInvalidateRelcache(db, fk.table);
  return OkStatus();
}

std::vector<int16_t> AttnumsOf(const storage::TableDef& table, const std::vector<std::string>& names) {
  std::vector<int16_t> out;
  for (const std::string& c : names) {
    for (size_t i = 0; i < table.columns.size(); ++i) {
      if (table.columns[i].name == c) out.push_back(static_cast<int16_t>(i + 1));
    }
  }
  return out;
}

Status ResolveForeignKey(const storage::CatalogSnapshot& tables, const ConstraintSpec& spec, ConstraintRow& con) {
  const storage::TableDef* ref = tables.Find(spec.ref_table);
  if (ref == nullptr) {
    return MakeError(sqlstate::kUndefinedTable, fmt::format("relation \"{}\" does not exist", spec.ref_table));
  }
  con.ref_table = ref->oid;
  con.ref_keys = AttnumsOf(*ref, spec.ref_columns);
  con.on_update = spec.on_update;
  con.on_delete = spec.on_delete;
  std::set<int16_t> wanted(con.ref_keys.begin(), con.ref_keys.end());
  for (const storage::IndexDef& index : ref->indexes) {
    if (index.unique && index.key_attnums.size() == wanted.size() &&
        std::set<int16_t>(index.key_attnums.begin(), index.key_attnums.end()) == wanted) {
      con.index = index.oid;
      return OkStatus();
    }
  }
  return MakeError(sqlstate::kInvalidForeignKey,
                   fmt::format("there is no unique constraint matching given keys for referenced table \"{}\"",
                               spec.ref_table));
}

}  // namespace minipg::catalog
