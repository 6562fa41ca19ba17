/*-------------------------------------------------------------------------
 * parse_catalog_ddl.cpp
 *   The grammars of the database / role statements and of CREATE / DROP
 *   EXTENSION (catalog_ddl_stmt.h), called by the main parser.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/catalog_ddl_stmt.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "engine/common/sqlstate.h"
#include "engine/sql/lexer.h"

namespace minipg::sql {

namespace {

class DdlParser {
 public:
  DdlParser(std::string_view text, std::vector<Token> tokens)
      : text_(text), tokens_(std::move(tokens)) {}

  std::optional<Result<CatalogDdl>> Parse() {
    CatalogDdl ddl;
    if (Is("create") && Is("database", 1)) {
      pos_ += 2;
      ddl.kind = CatalogDdl::Kind::kCreateDatabase;
      Status s = ParseNames(ddl, false);
      if (s.ok()) s = ParseDatabaseOwner(ddl);
      return Finish(ddl, s);
    }
    if (Is("drop") && Is("database", 1)) {
      pos_ += 2;
      ddl.kind = CatalogDdl::Kind::kDropDatabase;
      ddl.if_exists = IfExists();
      return Finish(ddl, ParseNames(ddl, false));
    }
    bool user = Is("user", 1);
    if ((Is("create") || Is("alter") || Is("drop")) && (Is("role", 1) || user)) {
      std::string verb = Peek().text;
      pos_ += 2;
      if (verb == "drop") {
        ddl.kind = CatalogDdl::Kind::kDropRole;
        ddl.if_exists = IfExists();
        return Finish(ddl, ParseNames(ddl, true));
      }
      ddl.kind = verb == "create" ? CatalogDdl::Kind::kCreateRole : CatalogDdl::Kind::kAlterRole;
      if (verb == "create" && user) ddl.login = true;  // CREATE USER = CREATE ROLE ... LOGIN
      Status s = ParseNames(ddl, false);
      if (s.ok()) s = ParseOptions(ddl);
      return Finish(ddl, s);
    }
    if (Is("grant") || Is("revoke")) {
      if (IsPrivilegeGrant()) return std::nullopt;  // GRANT ... ON ...: not a role
      bool grant = Is("grant");
      ++pos_;
      ddl.kind = grant ? CatalogDdl::Kind::kGrantRole : CatalogDdl::Kind::kRevokeRole;
      if (!grant && Is("admin") && Is("option", 1)) return Unsupported("REVOKE ADMIN OPTION FOR");
      Status s = ParseNames(ddl, true);
      if (s.ok()) s = Accept(grant ? "to" : "from") ? ParseGrantees(ddl) : SyntaxError();
      if (s.ok() && grant && Accept("with")) {
        if (Is("admin")) return Unsupported("WITH ADMIN OPTION");
        s = SyntaxError();
      }
      if (s.ok() && Is("granted") && Is("by", 1)) return Unsupported("GRANTED BY");
      if (s.ok() && !grant && (Is("cascade") || Is("restrict"))) ++pos_;  // no ADMIN OPTION: nothing cascades
      return Finish(ddl, s);
    }
    return std::nullopt;
  }

 private:
  /* GRANT/REVOKE of privileges on objects have ON; of roles, never. */
  bool IsPrivilegeGrant() const {
    for (size_t i = 0; i < tokens_.size(); ++i) {
      if (Is("on", i - pos_)) return true;
    }
    return false;
  }
  std::optional<Result<CatalogDdl>> Unsupported(std::string_view what) const {
    return Result<CatalogDdl>(
        MakeError(sqlstate::kFeatureNotSupported, fmt::format("{} is not supported by minipg", what)));
  }
  /* TO/FROM role [, ...]: CURRENT_USER and SESSION_USER are kept as "" (the
   * session's role; no identifier is empty). */
  Status ParseGrantees(CatalogDdl& ddl) {
    do {
      const Token& t = Peek();
      if (t.kind != TokenKind::kIdent) return SyntaxError();
      bool me = !t.quoted && (t.text == "current_user" || t.text == "session_user");
      ddl.grantees.push_back(me ? std::string() : t.text);
      ++pos_;
    } while (Peek().kind == TokenKind::kPunct && Peek().text == "," && ++pos_);
    return OkStatus();
  }
  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  bool Is(std::string_view word, size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    return t.kind == TokenKind::kIdent && !t.quoted && t.text == word;
  }
  bool Accept(std::string_view word) {
    if (!Is(word)) return false;
    ++pos_;
    return true;
  }
  Error SyntaxError() const {
    return SyntaxErrorAt(text_, Peek());
  }
  bool IfExists() {
    if (Is("if") && Is("exists", 1)) {
      pos_ += 2;
      return true;
    }
    return false;
  }
  Status ParseNames(CatalogDdl& ddl, bool list) {
    do {
      const Token& t = Peek();
      if (t.kind != TokenKind::kIdent) return SyntaxError();
      ddl.names.push_back(t.text);
      ++pos_;
    } while (list && Peek().kind == TokenKind::kPunct && Peek().text == "," && ++pos_);
    return OkStatus();
  }
  /* [WITH] OWNER [=] role: the one CREATE DATABASE option minipg takes. */
  Status ParseDatabaseOwner(CatalogDdl& ddl) {
    if (Is("with") && Is("owner", 1)) ++pos_;
    if (!Accept("owner")) return OkStatus();
    if (Peek().kind == TokenKind::kOp && Peek().text == "=") ++pos_;
    if (Peek().kind != TokenKind::kIdent) return SyntaxError();
    ddl.owner = Peek().text;
    ++pos_;
    return OkStatus();
  }
  Status Set(std::optional<bool>& field, bool value) {
    if (field.has_value()) return Conflicting();
    field = value;
    return OkStatus();
  }
  Error Conflicting() const {
    Error e = MakeError(sqlstate::kSyntaxError, "conflicting or redundant options");
    e.position = Peek().position;
    return e;
  }
  Status ParseOptions(CatalogDdl& ddl) {
    Accept("with");
    bool seen_login = false;
    while (Peek().kind == TokenKind::kIdent && !Peek().quoted) {
      std::string word = Peek().text;
      Status s = OkStatus();
      if (word == "superuser" || word == "nosuperuser") {
        s = Set(ddl.superuser, word == "superuser");
      } else if (word == "login" || word == "nologin") {
        if (seen_login) return Conflicting();
        seen_login = true;
        ddl.login = word == "login";
      } else if (word == "createdb" || word == "nocreatedb") {
        s = Set(ddl.createdb, word == "createdb");
      } else if (word == "password" || word == "encrypted") {
        if (word == "encrypted") {
          ++pos_;
          if (!Is("password")) return SyntaxError();
        }
        if (ddl.set_password) return Conflicting();
        ++pos_;
        ddl.set_password = true;
        if (Peek().kind == TokenKind::kString) {
          ddl.password = Peek().text;
        } else if (!Is("null")) {
          return SyntaxError();
        }
      } else if (word == "createrole" || word == "nocreaterole" || word == "inherit" ||
                 word == "noinherit" || word == "replication" || word == "noreplication" ||
                 word == "bypassrls" || word == "nobypassrls" || word == "connection" ||
                 word == "valid" || word == "in" || word == "role" || word == "admin" ||
                 word == "sysid") {
        std::string upper = word;
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return MakeError(sqlstate::kFeatureNotSupported,
                         fmt::format("role option \"{}\" is not supported by minipg", upper));
      } else {
        return SyntaxError();
      }
      if (!s.ok()) return s;
      ++pos_;
    }
    return OkStatus();
  }
  std::optional<Result<CatalogDdl>> Finish(CatalogDdl& ddl, const Status& s) {
    if (!s.ok()) return Result<CatalogDdl>(s.error());
    if (Peek().kind != TokenKind::kEnd) {
      if (ddl.kind == CatalogDdl::Kind::kCreateDatabase && Peek().kind == TokenKind::kIdent) {
        return Result<CatalogDdl>(MakeError(sqlstate::kFeatureNotSupported,
                                            "CREATE DATABASE options are not supported by minipg"));
      }
      return Result<CatalogDdl>(SyntaxError());
    }
    return Result<CatalogDdl>(std::move(ddl));
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

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

}  // namespace

std::optional<Result<CatalogDdl>> ParseCatalogDdl(std::string_view text) {
  auto tokens = Lex(text);
  if (!tokens.ok()) return std::nullopt;
  DdlParser parser(text, std::move(*tokens));
  return parser.Parse();
}

std::optional<Result<ExtensionDdl>> ParseExtensionDdl(std::string_view text) {
  std::vector<std::string> w = Words(text);
  if (!(w.size() >= 2 && (w[0] == "create" || w[0] == "drop") && w[1] == "extension")) return std::nullopt;
  ExtensionDdl ddl;
  ddl.create = w[0] == "create";
  size_t i = 2;
  if (ddl.create && w.size() > i + 2 && w[i] == "if" && w[i + 1] == "not" && w[i + 2] == "exists") {
    ddl.if_clause = true;
    i += 3;
  } else if (!ddl.create && w.size() > i + 1 && w[i] == "if" && w[i + 1] == "exists") {
    ddl.if_clause = true;
    i += 2;
  }
  if (i >= w.size()) {
    return Result<ExtensionDdl>(MakeError(sqlstate::kSyntaxError, "syntax error at end of input"));
  }
  ddl.name = w[i];
  for (size_t j = i + 1; j < w.size(); ++j) {
    if (w[j] != "cascade" && w[j] != "restrict" && w[j] != "with" && w[j] != "schema" && w[j] != "pg_catalog" &&
        w[j] != "public") {
      return Result<ExtensionDdl>(
          MakeError(sqlstate::kSyntaxError, fmt::format("syntax error at or near \"{}\"", w[j])));
    }
  }
  return Result<ExtensionDdl>(std::move(ddl));
}

}  // namespace minipg::sql
