/*-------------------------------------------------------------------------
 * describe.cpp
 *   minipsql's describe commands, printed as psql 15 prints them:
 *
 *     \d NAME          a table's columns
 *     \d, \dt [PAT]    List of relations   (pg_catalog.pg_tables)
 *     \l [PAT]         List of databases   (pg_catalog.pg_database)
 *     \du [PAT]        List of roles       (pg_catalog.pg_roles, pg_auth_members)
 *
 *   Each asks the server with one plain query that minipg and PostgreSQL
 *   both answer (no joins, CASE or regular expressions, which minipg lacks),
 *   and shapes the answer here: psql does the same for \du's Attributes
 *   column, and we also do it for what psql computes in SQL (the owner
 *   names apart). PAT is psql's pattern: * and ? are wildcards, and
 *   letters fold to lower case unless the pattern is "double-quoted".
 *
 * NOTES
 *   \d NAME asks for the table's columns with "SELECT * FROM NAME LIMIT 0",
 *   so it shows names and types only (no collations, defaults or indexes).
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <map>

#include "sim/minipsql/shell.h"

namespace minipg::minipsql {

namespace {

using Row = protocol::DataRow;

/* The SQL name of a type by its OID, as \d prints it. */
std::string TypeNameOf(int32_t oid) {
  switch (oid) {
    case 16:
      return "boolean";
    case 18:
      return "\"char\"";
    case 19:
      return "name";
    case 20:
      return "bigint";
    case 21:
      return "smallint";
    case 23:
      return "integer";
    case 25:
      return "text";
    case 26:
      return "oid";
    case 700:
      return "real";
    case 701:
      return "double precision";
    case 1042:
      return "character";
    case 1043:
      return "character varying";
    case 1082:
      return "date";
    case 1114:
      return "timestamp without time zone";
    case 1184:
      return "timestamp with time zone";
    case 1700:
      return "numeric";
    case 2278:
      return "void";
    default:
      return fmt::format("oid {}", oid);
  }
}

/* A result table with text columns named `names`, to fill and print. */
client::StatementResult Table(std::initializer_list<const char*> names) {
  client::StatementResult table;
  for (const char* name : names) {
    protocol::FieldDescription f;
    f.name = name;
    f.type_oid = 25;  // text: left-aligned
    table.fields.push_back(f);
  }
  return table;
}

std::string Value(const Row& row, size_t i) {
  return i < row.size() && row[i] ? *row[i] : std::string();
}
bool True(const Row& row, size_t i) {
  return Value(row, i) == "t";
}

/* psql's pattern: true if `name` matches (or there is no pattern). */
bool Matches(const std::string& pattern, const std::string& name) {
  if (pattern.empty()) return true;
  std::string p = pattern;
  if (p.size() >= 2 && p.front() == '"' && p.back() == '"') {
    p = p.substr(1, p.size() - 2);
  } else {
    std::transform(p.begin(), p.end(), p.begin(), [](unsigned char c) { return std::tolower(c); });
  }
  return fnmatch(p.c_str(), name.c_str(), 0) == 0;
}

/* "{=c/postgres,postgres=CTc/postgres}" -> one privilege per line. */
std::string AclLines(const std::string& acl) {
  std::string inner = acl.size() >= 2 && acl.front() == '{' ? acl.substr(1, acl.size() - 2) : acl;
  std::replace(inner.begin(), inner.end(), ',', '\n');
  return inner;
}

/* \du's Attributes cell, built as psql 15's describeRoles builds it from
 * the columns of `kRolesSql`. */
std::string RoleAttributes(const Row& r) {
  std::vector<std::string> attrs;
  if (True(r, 1)) attrs.push_back("Superuser");
  if (!True(r, 2)) attrs.push_back("No inheritance");
  if (True(r, 3)) attrs.push_back("Create role");
  if (True(r, 4)) attrs.push_back("Create DB");
  if (!True(r, 5)) attrs.push_back("Cannot login");
  if (True(r, 8)) attrs.push_back("Replication");
  if (True(r, 9)) attrs.push_back("Bypass RLS");
  std::string out = fmt::format("{}", fmt::join(attrs, ", "));
  int conns = std::stoi(Value(r, 6).empty() ? "-1" : Value(r, 6));
  if (conns >= 0) {
    if (!out.empty()) out += "\n";
    out += conns == 0   ? std::string("No connections")
           : conns == 1 ? std::string("1 connection")
                        : fmt::format("{} connections", conns);
  }
  if (!Value(r, 7).empty()) {
    if (!out.empty()) out += "\n";
    out += "Password valid until " + Value(r, 7);
  }
  return out;
}

constexpr const char* kTablesSql =
    "SELECT schemaname, tablename, tableowner FROM pg_catalog.pg_tables "
    "WHERE schemaname <> 'pg_catalog' AND schemaname <> 'information_schema' ORDER BY 1, 2";
constexpr const char* kDatabasesSql =
    "SELECT d.datname, pg_catalog.pg_get_userbyid(d.datdba), "
    "pg_catalog.pg_encoding_to_char(d.encoding), d.datcollate, d.datctype, d.daticulocale, "
    "d.datlocprovider, d.datacl FROM pg_catalog.pg_database d ORDER BY 1";
constexpr const char* kRolesSql =
    "SELECT r.rolname, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, r.rolcanlogin, "
    "r.rolconnlimit, r.rolvaliduntil, r.rolreplication, r.rolbypassrls, r.oid "
    "FROM pg_catalog.pg_roles r ORDER BY 1";
constexpr const char* kMembersSql = "SELECT roleid, member FROM pg_catalog.pg_auth_members";

}  // namespace

std::optional<std::vector<Row>> Shell::CatalogRows(const std::string& cmd, const char* sql,
                                                   int lineno) {
  auto r = conn_->Query(sql);
  if (!r.ok()) {
    PrintResult(sql, r, lineno, false);
    return std::nullopt;
  }
  if (r->error || r->statements.empty()) {
    // A server without these catalogs: say so rather than show our SQL's error.
    PrintMessage(fmt::format("\\{} is not supported by this server: {}", cmd,
                             r->error ? r->error->message : "no result"),
                 lineno);
    return std::nullopt;
  }
  return std::move(r->statements.back().rows);
}

bool Shell::CmdDescribe(const std::string& cmd, const std::vector<std::string>& args, int lineno) {
  if (cmd == "d" && !args.empty()) return DescribeTable(args[0], lineno);
  std::string pattern = args.empty() ? std::string() : args[0];
  PrintOptions o = print_;
  client::StatementResult table;
  if (cmd == "d" || cmd == "dt") {
    auto rows = CatalogRows(cmd, kTablesSql, lineno);
    if (!rows) return false;
    table = Table({"Schema", "Name", "Type", "Owner"});
    for (const Row& r : *rows) {
      if (!Matches(pattern, Value(r, 1))) continue;
      table.rows.push_back({Value(r, 0), Value(r, 1), std::string("table"), Value(r, 2)});
    }
    if (table.rows.empty()) {
      PrintMessage(pattern.empty() ? std::string("Did not find any relations.")
                                   : fmt::format("Did not find any relation named \"{}\".", pattern),
                   lineno);
      return true;
    }
    o.title = "List of relations";
  } else if (cmd == "l" || cmd == "list") {
    auto rows = CatalogRows(cmd, kDatabasesSql, lineno);
    if (!rows) return false;
    table = Table({"Name", "Owner", "Encoding", "Collate", "Ctype", "ICU Locale", "Locale Provider",
                   "Access privileges"});
    for (const Row& r : *rows) {
      if (!Matches(pattern, Value(r, 0))) continue;
      std::string provider = Value(r, 6) == "i" ? "icu" : Value(r, 6) == "c" ? "libc" : Value(r, 6);
      table.rows.push_back({Value(r, 0), Value(r, 1), Value(r, 2), Value(r, 3), Value(r, 4),
                            Value(r, 5), provider, AclLines(Value(r, 7))});
    }
    o.title = "List of databases";
  } else {
    auto roles = CatalogRows(cmd, kRolesSql, lineno);
    if (!roles) return false;
    auto members = CatalogRows(cmd, kMembersSql, lineno);
    if (!members) return false;
    std::map<std::string, std::string> name_of;  // role OID -> name
    for (const Row& r : *roles) name_of[Value(r, 10)] = Value(r, 0);
    table = Table({"Role name", "Attributes", "Member of"});
    for (const Row& r : *roles) {
      const std::string name = Value(r, 0);
      // Without a pattern psql hides the predefined pg_* roles.
      if (pattern.empty() ? name.rfind("pg_", 0) == 0 : !Matches(pattern, name)) continue;
      std::vector<std::string> member_of;
      for (const Row& m : *members) {
        if (Value(m, 1) == Value(r, 10)) member_of.push_back(name_of[Value(m, 0)]);
      }
      std::sort(member_of.begin(), member_of.end());
      table.rows.push_back(
          {name, RoleAttributes(r), fmt::format("{{{}}}", fmt::join(member_of, ","))});
    }
    o.title = "List of roles";
    o.footer = false;
  }
  std::fputs(FormatResult(table, o).c_str(), stdout);
  std::fflush(stdout);
  return true;
}

bool Shell::DescribeTable(const std::string& name, int lineno) {
  // Every server can say what columns a SELECT * returns.
  auto r = conn_->Query(fmt::format("SELECT * FROM {} LIMIT 0", name));
  if (!r.ok()) return PrintResult("", r, lineno, false);
  if (r->error || r->statements.empty()) {
    PrintMessage(fmt::format("Did not find any relation named \"{}\".", name), lineno);
    return false;
  }
  client::StatementResult table = Table({"Column", "Type", "Collation", "Nullable", "Default"});
  for (const auto& f : r->statements.back().fields) {
    table.rows.push_back(
        {f.name, TypeNameOf(f.type_oid), std::string(), std::string(), std::string()});
  }
  PrintOptions o = print_;
  o.title =
      fmt::format("Table \"{}\"", name.find('.') == std::string::npos ? "public." + name : name);
  o.footer = false;
  o.expanded = false;
  std::fputs(FormatResult(table, o).c_str(), stdout);
  std::fflush(stdout);
  return true;
}

}  // namespace minipg::minipsql
