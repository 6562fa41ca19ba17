/*-------------------------------------------------------------------------
 * parse_explain.cpp
 *   The grammar of EXPLAIN, ANALYZE and VACUUM (see docs/sql.md, "Plans"):
 *
 *     EXPLAIN [ANALYZE] [VERBOSE] statement
 *     EXPLAIN (option [value] [, ...]) statement
 *         options ANALYZE, VERBOSE, COSTS, BUFFERS, TIMING, SUMMARY take a
 *         boolean (on/off, true/false, 1/0; none means on); FORMAT TEXT|JSON
 *     ANALYZE [VERBOSE] [t [, ...]]
 *     VACUUM [FULL] [FREEZE] [VERBOSE] [ANALYZE] [t [, ...]], or VACUUM (options) [t, ...]
 *
 *   The explained statement is a SELECT, VALUES, INSERT (or, once they
 *   exist, UPDATE and DELETE): anything else is a syntax error there, as
 *   in PostgreSQL.
 *-------------------------------------------------------------------------
 */
#include <algorithm>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/sql/parser_impl.h"

namespace minipg::sql::parser_internal {

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

/* An option's optional boolean value: nothing, ON/OFF, TRUE/FALSE, 1/0. */
Result<bool> Parser::ParseOptionBool(const std::string& option) {
  if (IsPunct(",") || IsPunct(")")) return true;
  const Token& t = Peek();
  std::string word = Lower(t.text);
  ++pos_;
  if (word == "on" || word == "true" || word == "1" || word == "yes") return true;
  if (word == "off" || word == "false" || word == "0" || word == "no") return false;
  return MakeError(sqlstate::kSyntaxError, fmt::format("{} requires a Boolean value", option));
}

Result<StatementPtr> Parser::ParseExplain() {
  ExplainStmt explain;
  bool timing_set = false;
  if (AcceptPunct("(")) {
    do {
      if (Peek().kind != TokenKind::kIdent) return SyntaxError();
      std::string option = Lower(Peek().text);
      int option_position = Peek().position;
      ++pos_;
      if (option == "format") {
        std::string format = Lower(Peek().text);
        ++pos_;
        if (format == "json") {
          explain.json = true;
        } else if (format == "xml" || format == "yaml") {
          return MakeError(sqlstate::kFeatureNotSupported, fmt::format("EXPLAIN format {} is not supported", format));
        } else if (format != "text") {
          return MakeError(sqlstate::kInvalidParameterValue,
                           fmt::format("unrecognized value for EXPLAIN option \"format\": \"{}\"", format));
        }
        continue;
      }
      auto value = ParseOptionBool(option);
      if (!value.ok()) return value.error();
      if (option == "analyze") {
        explain.analyze = *value;
      } else if (option == "verbose") {
        explain.verbose = *value;
      } else if (option == "costs") {
        explain.costs = *value;
      } else if (option == "buffers") {
        explain.buffers = *value;
      } else if (option == "timing") {
        explain.timing = *value;
        timing_set = true;
      } else if (option == "summary") {
        explain.summary = *value;
      } else if (option == "settings" || option == "wal") {
        // accepted: minipg has nothing more to show for them
      } else {
        Error e = MakeError(sqlstate::kSyntaxError, fmt::format("unrecognized EXPLAIN option \"{}\"", option));
        e.position = option_position;
        return e;
      }
    } while (AcceptPunct(","));
    if (Status s = ExpectPunct(")"); !s.ok()) return s.error();
  } else {
    explain.analyze = AcceptKeyword("analyze") || AcceptKeyword("analyse");
    explain.verbose = AcceptKeyword("verbose");
  }
  if (timing_set && explain.timing && !explain.analyze) {
    return MakeError(sqlstate::kInvalidParameterValue, "EXPLAIN option TIMING requires ANALYZE");
  }
  if (!(IsKeyword("select") || IsKeyword("values") || IsKeyword("insert") || IsKeyword("update") ||
        IsKeyword("delete") || IsKeyword("with") || IsPunct("(") || (IsKeyword("create") && IsKeyword("table", 1)))) {
    return SyntaxError();
  }
  size_t first = pos_;
  auto inner = ParseStatement();
  if (!inner.ok()) return inner.error();
  (*inner)->location = tokens_[first].position;
  (*inner)->text = std::string(text_.substr(tokens_[first].offset, tokens_[pos_ - 1].end - tokens_[first].offset));
  explain.query = std::move(*inner);
  return Make(std::move(explain));
}

Result<StatementPtr> Parser::ParseVacuum(bool vacuum) {
  VacuumStmt stmt;
  stmt.vacuum = vacuum;
  stmt.analyze = !vacuum;
  if (vacuum && AcceptPunct("(")) {
    do {
      std::string option = Lower(Peek().text);
      ++pos_;
      auto value = ParseOptionBool(option);
      if (!value.ok()) return value.error();
      if (option == "analyze" || option == "analyse") stmt.analyze = *value;
      if (option == "verbose") stmt.verbose = *value;
      if (option == "freeze") stmt.freeze = *value;
    } while (AcceptPunct(","));
    if (Status s = ExpectPunct(")"); !s.ok()) return s.error();
  }
  for (;;) {
    if (vacuum && AcceptKeyword("full")) continue;
    if (vacuum && AcceptKeyword("freeze")) {
      stmt.freeze = true;
      continue;
    }
    if (AcceptKeyword("verbose")) {
      stmt.verbose = true;
      continue;
    }
    if (vacuum && (AcceptKeyword("analyze") || AcceptKeyword("analyse"))) {
      stmt.analyze = true;
      continue;
    }
    break;
  }
  if (IsPunct(";") || Peek().kind == TokenKind::kEnd) return Make(std::move(stmt));
  do {
    auto table = ParseQualifiedTableName();
    if (!table.ok()) return table.error();
    if (AcceptPunct("(")) {  // a column list: statistics for every column are gathered anyway
      while (!IsPunct(")") && Peek().kind != TokenKind::kEnd) ++pos_;
      if (Status s = ExpectPunct(")"); !s.ok()) return s.error();
    }
    stmt.tables.push_back(std::move(*table));
  } while (AcceptPunct(","));
  return Make(std::move(stmt));
}

}  // namespace minipg::sql::parser_internal
