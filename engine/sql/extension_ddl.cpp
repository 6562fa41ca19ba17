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

bool IsExtensionDdl(std::string_view text) {
  std::vector<std::string> w = Words(text);
  return w.size() >= 2 && (w[0] == "create" || w[0] == "drop") && w[1] == "extension";
}

bool ExtensionInstalled(const SessionContext& ctx, std::string_view name) {
  return ReadList(ctx).count(std::string(name)) > 0;
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
    names.insert(name);
  } else {
    if (!present) {
      if (!if_clause) {
        return Result<std::string>(
            MakeError(sqlstate::kUndefinedObject, fmt::format("extension \"{}\" does not exist", name)));
      }
      notice(fmt::format("extension \"{}\" does not exist, skipping", name));
      return Result<std::string>(std::string("DROP EXTENSION"));
    }
    names.erase(name);
  }
  if (Status s = WriteList(ctx, names); !s.ok()) return Result<std::string>(s.error());
  return Result<std::string>(std::string(create ? "CREATE EXTENSION" : "DROP EXTENSION"));
}

}  // namespace minipg::sql
