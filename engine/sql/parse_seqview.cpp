/*-------------------------------------------------------------------------
 * parse_seqview.cpp
 *   The grammar of CREATE SEQUENCE, CREATE [OR REPLACE] VIEW and DROP
 *   SEQUENCE / DROP VIEW (PostgreSQL's gram.y CreateSeqStmt, ViewStmt,
 *   DropStmt).
 *-------------------------------------------------------------------------
 */
#include <cerrno>
#include <cstdlib>

#include "engine/common/sqlstate.h"
#include "engine/sql/parser_impl.h"

namespace minipg::sql::parser_internal {

/* A signed integer of a sequence option (-5, 10). */
Result<int64_t> Parser::ParseSignedInteger() {
  bool negative = false;
  if (IsOp("-") || IsOp("+")) {
    negative = Peek().text == "-";
    ++pos_;
  }
  if (Peek().kind != TokenKind::kInteger) return SyntaxError();
  std::string digits = (negative ? "-" : "") + Peek().text;
  errno = 0;
  long long v = std::strtoll(digits.c_str(), nullptr, 10);
  if (errno == ERANGE) return SyntaxError();
  ++pos_;
  return static_cast<int64_t>(v);
}

Result<StatementPtr> Parser::ParseCreateSequence() {
  CreateSequenceStmt seq;
  if (IsKeyword("if") && IsKeyword("not", 1)) {
    pos_ += 2;
    if (Status s = ExpectKeyword("exists"); !s.ok()) return s.error();
    seq.if_not_exists = true;
  }
  auto name = ParseQualifiedTableName();
  if (!name.ok()) return name.error();
  seq.name = std::move(*name);
  auto number = [&](std::optional<int64_t>& into) -> Status {
    auto v = ParseSignedInteger();
    if (!v.ok()) return v.error();
    into = *v;
    return OkStatus();
  };
  std::optional<int64_t> none;
  for (;;) {
    Status s = OkStatus();
    if (AcceptKeyword("as")) {
      auto type = ParseTypeName();
      if (!type.ok()) return type.error();
      seq.as = std::move(*type);
    } else if (AcceptKeyword("increment")) {
      AcceptKeyword("by");
      s = number(seq.increment);
    } else if (AcceptKeyword("minvalue")) {
      s = number(seq.min);
    } else if (AcceptKeyword("maxvalue")) {
      s = number(seq.max);
    } else if (AcceptKeyword("start")) {
      AcceptKeyword("with");
      s = number(seq.start);
    } else if (AcceptKeyword("cache")) {
      s = number(seq.cache);
    } else if (AcceptKeyword("cycle")) {
      seq.cycle = true;
    } else if (AcceptKeyword("no")) {
      if (AcceptKeyword("cycle")) {
        seq.cycle = false;
      } else if (!AcceptKeyword("minvalue") && !AcceptKeyword("maxvalue")) {
        return SyntaxError();
      }
    } else if (AcceptKeyword("owned")) {
      if (Status by = ExpectKeyword("by"); !by.ok()) return by.error();
      seq.owned_location = Peek().position;
      if (AcceptKeyword("none")) {
        seq.owned_by.clear();
        continue;
      }
      do {
        auto part = ParseName();
        if (!part.ok()) return part.error();
        seq.owned_by.push_back(*part);
      } while (AcceptPunct("."));
    } else {
      break;
    }
    if (!s.ok()) return s.error();
  }
  return Make(std::move(seq));
}

Result<StatementPtr> Parser::ParseCreateView(bool replace) {
  CreateViewStmt view;
  view.replace = replace;
  auto name = ParseQualifiedTableName();
  if (!name.ok()) return name.error();
  view.name = std::move(*name);
  if (IsPunct("(")) {
    auto cols = ParseColumnList();
    if (!cols.ok()) return cols.error();
    view.columns = std::move(*cols);
  }
  if (Status s = ExpectKeyword("as"); !s.ok()) return s.error();
  size_t first = pos_;
  auto select = ParseSelectStatement();
  if (!select.ok()) return select.error();
  const Token& start = tokens_[first];
  const Token& last = tokens_[pos_ - 1];
  view.query_text = std::string(text_.substr(start.offset, last.end - start.offset));
  view.query = std::make_shared<SelectStmt>(std::move(*select));
  return Make(std::move(view));
}

Result<StatementPtr> Parser::ParseDropRelation(StatementKind kind) {
  DropRelationStmt drop;
  drop.kind = kind;
  auto names = ParseDropNames(drop.if_exists);
  if (!names.ok()) return names.error();
  drop.names = std::move(*names);
  if (AcceptKeyword("cascade")) {
    drop.cascade = true;
  } else {
    AcceptKeyword("restrict");
  }
  return Make(std::move(drop));
}

}  // namespace minipg::sql::parser_internal
