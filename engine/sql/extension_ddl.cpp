/*-------------------------------------------------------------------------
 * extension_ddl.cpp
 *   CREATE and DROP EXTENSION (see extension_ddl.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/extension_ddl.h"

#include <fmt/format.h>

#include <map>
#include <vector>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/client_catalogs.h"
#include "engine/catalog/shared_catalogs.h"
#include "engine/catalog/table_ddl.h"
#include "engine/common/sqlstate.h"
#include "engine/storage/heap/transam.h"

namespace minipg::sql {
namespace {

constexpr std::string_view kAvailable = "pg_buffercache";
constexpr std::string_view kAvailableVersion = "1.3";  // PostgreSQL 15's pg_buffercache

/* The database's pg_extension rows, by name. */
Result<std::map<std::string, storage::ItemPointer>> Installed(const SessionContext& ctx) {
  auto rows = catalog::CatalogScan(*catalog::FindSystemCatalogByOid(catalog::kExtensionRelationId),
                                   catalog::DatabaseOidOf(ctx.data_dir));
  if (!rows.ok()) return rows.error();
  std::map<std::string, storage::ItemPointer> names;
  for (const catalog::CatalogRow& r : *rows) {
    names[std::get<std::string>(r.values[catalog::pg_extension::kExtname])] = r.tid;
  }
  return names;
}

/* pg_buffercache's pg_extension row, owned by the current user, in public
 * (where PostgreSQL's CREATE EXTENSION puts it: the first schema of the path). */
storage::Tuple ExtensionRow(const SessionContext& ctx, std::string_view name) {
  namespace e = catalog::pg_extension;
  storage::Tuple row(e::kNumColumns);  // extconfig, extcondition: NULL
  int64_t owner = storage::kBootstrapSuperuserOid;
  if (auto global = catalog::LoadGlobalCatalog(ctx.cluster_dir); global.ok()) {
    if (const storage::RoleDef* role = global->FindRole(ctx.user)) owner = role->oid;
  }
  row[e::kOid] = int64_t{storage::GetNewObjectId()};
  row[e::kExtname] = std::string(name);
  row[e::kExtowner] = owner;
  row[e::kExtnamespace] = int64_t{catalog::kPublicNamespace};
  row[e::kExtrelocatable] = true;
  row[e::kExtversion] = std::string(kAvailableVersion);
  return row;
}

}  // namespace

bool ExtensionInstalled(const SessionContext& ctx, std::string_view name) {
  auto names = Installed(ctx);
  return names.ok() && names->count(std::string(name)) > 0;
}

Result<std::string> RunExtensionDdl(const ExtensionDdl& ddl, const SessionContext& ctx) {
  bool create = ddl.create;
  bool if_clause = ddl.if_clause;
  const std::string& name = ddl.name;
  auto names = Installed(ctx);
  if (!names.ok()) return names.error();
  bool present = names->count(name) > 0;
  auto notice = [&](std::string message) {
    if (ctx.notice) {
      Error n = MakeError(create ? sqlstate::kDuplicateObject : sqlstate::kUndefinedObject, std::move(message));
      n.severity = Severity::kNotice;
      ctx.notice(n);
    }
  };
  if (create) {
    if (present) {
      if (!if_clause) {
        return (
            MakeError(sqlstate::kDuplicateObject, fmt::format("extension \"{}\" already exists", name)));
      }
      notice(fmt::format("extension \"{}\" already exists, skipping", name));
      return (std::string("CREATE EXTENSION"));
    }
    if (name != kAvailable) {
      Error e = MakeError(sqlstate::kUndefinedFile, fmt::format("extension \"{}\" is not available", name));
      e.detail = fmt::format(
          "Could not open extension control file \"/usr/share/postgresql/15/extension/{}.control\": No such file or "
          "directory.",
          name);
      e.hint = "The extension must first be installed on the system where PostgreSQL is running.";
      return (e);
    }
    if (Status s = catalog::LockDatabaseDdl(ctx.data_dir); !s.ok()) return Result<std::string>(s.error());
    const catalog::SystemCatalog& cat = *catalog::FindSystemCatalogByOid(catalog::kExtensionRelationId);
    Status s = catalog::CatalogInsert(cat, catalog::DatabaseOidOf(ctx.data_dir), ExtensionRow(ctx, name));
    if (!s.ok()) return Result<std::string>(s.error());
  } else {
    if (!present) {
      if (!if_clause) {
        return (
            MakeError(sqlstate::kUndefinedObject, fmt::format("extension \"{}\" does not exist", name)));
      }
      notice(fmt::format("extension \"{}\" does not exist, skipping", name));
      return (std::string("DROP EXTENSION"));
    }
    if (Status s = catalog::LockDatabaseDdl(ctx.data_dir); !s.ok()) return Result<std::string>(s.error());
    const catalog::SystemCatalog& cat = *catalog::FindSystemCatalogByOid(catalog::kExtensionRelationId);
    Status s = catalog::CatalogDelete(cat, catalog::DatabaseOidOf(ctx.data_dir), names->at(name));
    if (!s.ok()) return Result<std::string>(s.error());
  }
  return std::string(create ? "CREATE EXTENSION" : "DROP EXTENSION");
}

}  // namespace minipg::sql
