/*-------------------------------------------------------------------------
 * extension_ddl.cpp
 *   CREATE and DROP EXTENSION (see extension_ddl.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/extension_ddl.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
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

/* The statement's words, lower-cased unless double-quoted; ";" dropped. */
std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c)) || c == ';') {
      ++i;
    } else if (c == '"') {
      size_t end = text.find('"', i + 1);
      if (end == std::string_view::npos) end = text.size();
      words.emplace_back(text.substr(i + 1, end - i - 1));
      i = end + 1;
    } else {
      size_t start = i;
      while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])) && text[i] != ';') ++i;
      std::string w(text.substr(start, i - start));
      std::transform(w.begin(), w.end(), w.begin(), [](unsigned char ch) { return std::tolower(ch); });
      words.push_back(std::move(w));
    }
  }
  return words;
}

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

bool IsExtensionDdl(std::string_view text) {
  std::vector<std::string> w = Words(text);
  return w.size() >= 2 && (w[0] == "create" || w[0] == "drop") && w[1] == "extension";
}

bool ExtensionInstalled(const SessionContext& ctx, std::string_view name) {
  auto names = Installed(ctx);
  return names.ok() && names->count(std::string(name)) > 0;
}

std::optional<Result<std::string>> RunExtensionDdl(std::string_view text, const SessionContext& ctx) {
  if (!IsExtensionDdl(text)) return std::nullopt;
  std::vector<std::string> w = Words(text);
  bool create = w[0] == "create";
  size_t i = 2;
  bool if_clause = false;
  if (create && w.size() > i + 2 && w[i] == "if" && w[i + 1] == "not" && w[i + 2] == "exists") {
    if_clause = true;
    i += 3;
  } else if (!create && w.size() > i + 1 && w[i] == "if" && w[i + 1] == "exists") {
    if_clause = true;
    i += 2;
  }
  if (i >= w.size()) {
    return Result<std::string>(MakeError(sqlstate::kSyntaxError, "syntax error at end of input"));
  }
  const std::string name = w[i];
  for (size_t j = i + 1; j < w.size(); ++j) {
    if (w[j] != "cascade" && w[j] != "restrict" && w[j] != "with" && w[j] != "schema" && w[j] != "pg_catalog" &&
        w[j] != "public") {
      return Result<std::string>(MakeError(sqlstate::kSyntaxError, fmt::format("syntax error at or near \"{}\"", w[j])));
    }
  }
  auto names = Installed(ctx);
  if (!names.ok()) return Result<std::string>(names.error());
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
        return Result<std::string>(
            MakeError(sqlstate::kDuplicateObject, fmt::format("extension \"{}\" already exists", name)));
      }
      notice(fmt::format("extension \"{}\" already exists, skipping", name));
      return Result<std::string>(std::string("CREATE EXTENSION"));
    }
    if (name != kAvailable) {
      Error e = MakeError(sqlstate::kUndefinedFile, fmt::format("extension \"{}\" is not available", name));
      e.detail = fmt::format(
          "Could not open extension control file \"/usr/share/postgresql/15/extension/{}.control\": No such file or "
          "directory.",
          name);
      e.hint = "The extension must first be installed on the system where PostgreSQL is running.";
      return Result<std::string>(e);
    }
    if (Status s = catalog::LockDatabaseDdl(ctx.data_dir); !s.ok()) return Result<std::string>(s.error());
    const catalog::SystemCatalog& cat = *catalog::FindSystemCatalogByOid(catalog::kExtensionRelationId);
    Status s = catalog::CatalogInsert(cat, catalog::DatabaseOidOf(ctx.data_dir), ExtensionRow(ctx, name));
    if (!s.ok()) return Result<std::string>(s.error());
  } else {
    if (!present) {
      if (!if_clause) {
        return Result<std::string>(
            MakeError(sqlstate::kUndefinedObject, fmt::format("extension \"{}\" does not exist", name)));
      }
      notice(fmt::format("extension \"{}\" does not exist, skipping", name));
      return Result<std::string>(std::string("DROP EXTENSION"));
    }
    if (Status s = catalog::LockDatabaseDdl(ctx.data_dir); !s.ok()) return Result<std::string>(s.error());
    const catalog::SystemCatalog& cat = *catalog::FindSystemCatalogByOid(catalog::kExtensionRelationId);
    Status s = catalog::CatalogDelete(cat, catalog::DatabaseOidOf(ctx.data_dir), names->at(name));
    if (!s.ok()) return Result<std::string>(s.error());
  }
  return Result<std::string>(std::string(create ? "CREATE EXTENSION" : "DROP EXTENSION"));
}

}  // namespace minipg::sql
