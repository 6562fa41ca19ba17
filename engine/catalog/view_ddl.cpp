/*-------------------------------------------------------------------------
 * view_ddl.cpp
 *   CREATE [OR REPLACE] VIEW / DROP VIEW through the catalogs (view_ddl.h).
 *-------------------------------------------------------------------------
 */
#include "engine/catalog/view_ddl.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/catalog_rows.h"
#include "engine/catalog/client_catalogs.h"
#include "engine/catalog/table_ddl.h"
#include "engine/common/sqlstate.h"
#include "engine/storage/heap/transam.h"
#include "engine/storage/ipc/sinval.h"

namespace minipg::catalog {

namespace {

using storage::Datum;

Datum O(int64_t v) { return Datum(v); }
Datum C(char c) { return Datum(std::string(1, c)); }

const std::string& Relkind(const CatalogRow& row) { return std::get<std::string>(row.values[pg_class::kRelkind]); }

/* Removes a view's rows (pg_class, pg_attribute, pg_type, pg_rewrite and
 * the rule's pg_depend rows). */
Status DeleteViewRows(Oid db, const CatalogRow& row) {
  int64_t oid = std::get<int64_t>(row.values[pg_class::kOid]);
  if (Status s = CatalogDelete(*FindSystemCatalog("pg_class"), db, row.tid); !s.ok()) return s;
  if (Status s = DeleteCatalogRowsWhere(*FindSystemCatalog("pg_attribute"), db, pg_attribute::kAttrelid, oid); !s.ok()) {
    return s;
  }
  if (Status s = DeleteCatalogRowsWhere(*FindSystemCatalog("pg_type"), db, pg_type::kTyprelid, oid); !s.ok()) return s;
  auto rules = CatalogScan(*FindSystemCatalog("pg_rewrite"), db);
  if (!rules.ok()) return rules.error();
  for (const CatalogRow& r : *rules) {
    if (std::get<int64_t>(r.values[pg_rewrite::kEvClass]) != oid) continue;
    int64_t rule = std::get<int64_t>(r.values[pg_rewrite::kOid]);
    if (Status s = DeleteCatalogRowsWhere(*FindSystemCatalog("pg_depend"), db, pg_depend::kObjid, rule); !s.ok()) {
      return s;
    }
    if (Status s = CatalogDelete(*FindSystemCatalog("pg_rewrite"), db, r.tid); !s.ok()) return s;
  }
  storage::CacheInvalidateRelcache(db, static_cast<Oid>(oid));
  return OkStatus();
}

}  // namespace

Result<bool> CreateViewWithCatalog(const std::filesystem::path& db_dir, std::string_view name,
                                   const std::vector<storage::ColumnDef>& columns, std::string_view query,
                                   const std::vector<Oid>& reads, Oid owner, bool replace) {
  if (Status s = LockDatabaseDdl(db_dir); !s.ok()) return s.error();
  Oid db = DatabaseOidOf(db_dir);
  auto existing = FindRelationRow(db, name);
  if (!existing.ok()) return existing.error();
  RelationRow rel;
  rel.kind = 'v';
  rel.am = 0;
  rel.name = name;
  rel.owner = owner;
  rel.natts = columns.size();
  if (existing->has_value()) {
    if (!replace) return false;
    if (Relkind(**existing) != "v") return WrongRelationKind(name, "view", Relkind(**existing));
    // OR REPLACE: the same OID and row type, the rows written anew.
    rel.oid = static_cast<Oid>(std::get<int64_t>((**existing).values[pg_class::kOid]));
    rel.row_type = static_cast<Oid>(std::get<int64_t>((**existing).values[pg_class::kReltype]));
    if (Status s = DeleteViewRows(db, **existing); !s.ok()) return s.error();
  } else {
    rel.oid = NewRelationOid(db);
    rel.row_type = storage::GetNewObjectId();
  }
  storage::Tuple cls = PgClassRow(rel);
  cls[pg_class::kRelhasrules] = Datum(true);
  cls[pg_class::kRelfilenode] = O(0);  // no file
  cls[pg_class::kRelreplident] = C('n');
  if (Status s = InsertRelationRows(db, rel, cls, columns); !s.ok()) return s.error();
  Oid rule = storage::GetNewObjectId();
  storage::Tuple rewrite = {O(rule), Datum(std::string("_RETURN")), O(rel.oid), C('1'), C('O'), Datum(true),
                            Datum(std::string("<>")), Datum(std::string(query))};
  if (Status s = CatalogInsert(*FindSystemCatalog("pg_rewrite"), db, rewrite); !s.ok()) return s.error();
  const SystemCatalog& depend = *FindSystemCatalog("pg_depend");
  auto dep = [&](Oid ref, char type) {
    return storage::Tuple{O(kRewriteRelationId), O(rule), O(0), O(kRelationRelationId), O(ref), O(0), C(type)};
  };
  if (Status s = CatalogInsert(depend, db, dep(rel.oid, 'i')); !s.ok()) return s.error();
  for (Oid ref : reads) {
    if (ref == rel.oid) continue;
    if (Status s = CatalogInsert(depend, db, dep(ref, 'n')); !s.ok()) return s.error();
  }
  storage::CacheInvalidateRelcache(db, rel.oid);
  return true;
}

Result<bool> DropViewWithCatalog(const std::filesystem::path& db_dir, std::string_view name) {
  if (Status s = LockDatabaseDdl(db_dir); !s.ok()) return s.error();
  Oid db = DatabaseOidOf(db_dir);
  auto existing = FindRelationRow(db, name);
  if (!existing.ok()) return existing.error();
  if (!existing->has_value()) return false;
  if (Relkind(**existing) != "v") return WrongRelationKind(name, "view", Relkind(**existing));
  auto oid = static_cast<Oid>(std::get<int64_t>((**existing).values[pg_class::kOid]));
  if (Status s = CheckNoDependentViews(db, oid, "view", name); !s.ok()) return s.error();
  if (Status s = DeleteViewRows(db, **existing); !s.ok()) return s.error();
  return true;
}

Status CheckNoDependentViews(Oid db, Oid relid, std::string_view what, std::string_view name) {
  auto deps = CatalogScan(*FindSystemCatalog("pg_depend"), db);
  if (!deps.ok()) return deps.error();
  std::vector<int64_t> rules;
  for (const CatalogRow& d : *deps) {
    if (std::get<int64_t>(d.values[pg_depend::kRefobjid]) != relid) continue;
    if (std::get<int64_t>(d.values[pg_depend::kClassid]) != kRewriteRelationId) continue;
    if (std::get<std::string>(d.values[pg_depend::kDeptype]) != "n") continue;
    rules.push_back(std::get<int64_t>(d.values[pg_depend::kObjid]));
  }
  if (rules.empty()) return OkStatus();
  auto rewrites = CatalogScan(*FindSystemCatalog("pg_rewrite"), db);
  if (!rewrites.ok()) return rewrites.error();
  auto classes = CatalogScan(*FindSystemCatalog("pg_class"), db);
  if (!classes.ok()) return classes.error();
  std::map<int64_t, std::string> views;  // by OID: creation order, as PostgreSQL lists them
  for (const CatalogRow& r : *rewrites) {
    if (std::find(rules.begin(), rules.end(), std::get<int64_t>(r.values[pg_rewrite::kOid])) == rules.end()) continue;
    int64_t view = std::get<int64_t>(r.values[pg_rewrite::kEvClass]);
    for (const CatalogRow& c : *classes) {
      if (std::get<int64_t>(c.values[pg_class::kOid]) == view) views[view] = std::get<std::string>(c.values[pg_class::kRelname]);
    }
  }
  std::string detail;
  for (const auto& [oid, view] : views) {
    detail += fmt::format("{}view {} depends on {} {}", detail.empty() ? "" : "\n", view, what, name);
  }
  Error e = MakeError(sqlstate::kDependentObjectsStillExist,
                      fmt::format("cannot drop {} {} because other objects depend on it", what, name));
  e.detail = detail;
  e.hint = "Use DROP ... CASCADE to drop the dependent objects too.";
  return e;
}

}  // namespace minipg::catalog
