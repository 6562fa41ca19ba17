/*-------------------------------------------------------------------------
 * extension_ddl.cpp
 *   CREATE and DROP EXTENSION (see extension_ddl.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/extension_ddl.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <vector>

#include "engine/common/sqlstate.h"

namespace minipg::sql {
namespace {

constexpr std::string_view kAvailable = "pg_buffercache";

std::filesystem::path ListPath(const SessionContext& ctx) {
  return ctx.data_dir / "minipg_extensions";
}

std::set<std::string> ReadList(const SessionContext& ctx) {
  std::set<std::string> names;
  std::ifstream in(ListPath(ctx));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) names.insert(line);
  }
  return names;
}

Status WriteList(const SessionContext& ctx, const std::set<std::string>& names) {
  auto tmp = ListPath(ctx);
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (const std::string& n : names) out << n << '\n';
    out.flush();
    if (!out) {
      return MakeError(sqlstate::kIoError, fmt::format("could not write file \"{}\"", tmp.string()));
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, ListPath(ctx), ec);
  if (ec) {
    return MakeError(sqlstate::kIoError, fmt::format("could not rename file \"{}\": {}", tmp.string(), ec.message()));
  }
  return OkStatus();
}

}  // namespace

bool ExtensionInstalled(const SessionContext& ctx, std::string_view name) {
  return ReadList(ctx).count(std::string(name)) > 0;
}

Result<std::string> RunExtensionDdl(const ExtensionDdl& ddl, const SessionContext& ctx) {
  bool create = ddl.create;
  bool if_clause = ddl.if_clause;
  const std::string& name = ddl.name;
  std::set<std::string> names = ReadList(ctx);
  bool present = names.count(name) > 0;
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
    names.insert(name);
  } else {
    if (!present) {
      if (!if_clause) {
        return (
            MakeError(sqlstate::kUndefinedObject, fmt::format("extension \"{}\" does not exist", name)));
      }
      notice(fmt::format("extension \"{}\" does not exist, skipping", name));
      return (std::string("DROP EXTENSION"));
    }
    names.erase(name);
  }
  if (Status s = WriteList(ctx, names); !s.ok()) return (s.error());
  return (std::string(create ? "CREATE EXTENSION" : "DROP EXTENSION"));
}

}  // namespace minipg::sql
