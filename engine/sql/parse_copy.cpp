/*-------------------------------------------------------------------------
 * parse_copy.cpp
 *   The grammar of COPY (see docs/sql.md), both option syntaxes:
 *
 *     COPY t [(a, b)] FROM 'file' | STDIN [[WITH] (FORMAT csv, HEADER, ...)]
 *     COPY t [(a, b)] TO 'file' | STDOUT [...]
 *     COPY (SELECT ...) TO 'file' | STDOUT [...]
 *     old spellings: [WITH] [BINARY] [DELIMITER [AS] 'c'] [NULL [AS] 's']
 *                    [CSV [HEADER] [QUOTE [AS] 'q'] [ESCAPE [AS] 'e']]
 *
 *   psql's \copy sends "COPY ... FROM STDIN" followed by whatever options
 *   the user typed, so the old spellings matter.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/parser_impl.h"

namespace minipg::sql::parser_internal {

Result<StatementPtr> Parser::ParseCopy() {
  CopyStmt copy;
  if (AcceptPunct("(")) {
    int select_start = Peek().position;
    size_t first = pos_;
    if (!AcceptKeyword("select")) {
      return SyntaxError();
    }
    auto select = ParseSelect();
    if (!select.ok()) {
      return select.error();
    }
    copy.query = std::make_unique<Statement>();
    copy.query->node = std::move(*select);
    copy.query->location = select_start;
    copy.query->text = std::string(
        text_.substr(tokens_[first].offset, tokens_[pos_ - 1].end - tokens_[first].offset));
    if (Status s = ExpectPunct(")"); !s.ok()) {
      return s.error();
    }
  } else {
    auto table = ParseTableRef(false);
    if (!table.ok()) {
      return table.error();
    }
    copy.table = std::move(*table);
    auto columns = ParseOptionalColumnList();
    if (!columns.ok()) {
      return columns.error();
    }
    copy.columns = std::move(*columns);
  }
  if (IsKeyword("from") && !copy.query) {
    copy.is_from = true;
  } else if (!IsKeyword("to")) {
    return SyntaxError();
  }
  ++pos_;
  if (IsKeyword("program")) {
    SkipStatement();
    return Make(UnsupportedStmt{"COPY ... PROGRAM"});
  }
  if (Peek().kind == TokenKind::kString) {
    copy.filename = Peek().text;
    ++pos_;
  } else if (!AcceptKeyword("stdin") && !AcceptKeyword("stdout")) {
    return SyntaxError();
  }
  auto options = ParseCopyOptions();
  if (!options.ok()) {
    return options.error();
  }
  copy.options = std::move(*options);
  if (IsKeyword("where")) {
    SkipStatement();
    return Make(UnsupportedStmt{"COPY ... WHERE"});
  }
  return Make(std::move(copy));
}

Result<std::vector<CopyOptionItem>> Parser::ParseCopyOptions() {
  std::vector<CopyOptionItem> items;
  bool with = AcceptKeyword("with");
  if (AcceptPunct("(")) {
    // The new syntax: ( name [value] [, ...] ).
    do {
      CopyOptionItem item;
      item.location = Peek().position;
      if (Peek().kind != TokenKind::kIdent) {
        return SyntaxError();
      }
      item.name = Peek().text;
      ++pos_;
      const Token& v = Peek();
      if (v.kind == TokenKind::kString || v.kind == TokenKind::kIdent ||
          v.kind == TokenKind::kInteger || v.kind == TokenKind::kNumeric) {
        item.value = v.text;
        ++pos_;
      } else if (IsOp("*")) {
        item.value = "*";
        ++pos_;
      } else if (IsPunct("(")) {
        // A column list (FORCE_QUOTE (a, b)): kept as text; not supported later.
        std::string list;
        while (!IsPunct(")") && Peek().kind != TokenKind::kEnd) {
          list += Peek().text;
          ++pos_;
        }
        if (Status s = ExpectPunct(")"); !s.ok()) {
          return s.error();
        }
        item.value = list;
      }
      items.push_back(std::move(item));
    } while (AcceptPunct(","));
    if (Status s = ExpectPunct(")"); !s.ok()) {
      return s.error();
    }
    return items;
  }
  (void)with;
  // The old syntax: a sequence of keywords, some with a value.
  for (;;) {
    CopyOptionItem item;
    item.location = Peek().position;
    auto string_value = [this, &item]() -> Status {
      AcceptKeyword("as");
      if (Peek().kind != TokenKind::kString) {
        return SyntaxError();
      }
      item.value = Peek().text;
      ++pos_;
      return OkStatus();
    };
    if (AcceptKeyword("binary")) {
      item.name = "format";
      item.value = "binary";
    } else if (AcceptKeyword("csv")) {
      item.name = "format";
      item.value = "csv";
    } else if (AcceptKeyword("header")) {
      item.name = "header";
    } else if (AcceptKeyword("freeze")) {
      item.name = "freeze";
    } else if (IsKeyword("delimiter") || IsKeyword("null") || IsKeyword("quote") ||
               IsKeyword("escape") || IsKeyword("encoding")) {
      item.name = Peek().text;
      ++pos_;
      if (Status s = string_value(); !s.ok()) {
        return s.error();
      }
    } else if (AcceptKeyword("force")) {
      item.name = AcceptKeyword("quote")  ? "force_quote"
                  : AcceptKeyword("not")  ? (AcceptKeyword("null"), "force_not_null")
                  : AcceptKeyword("null") ? "force_null"
                                          : "force";
      while (!IsPunct(";") && Peek().kind != TokenKind::kEnd && !IsKeyword("csv") &&
             !IsKeyword("header")) {
        ++pos_;  // the column list or '*': not supported, reported by name later
      }
    } else {
      break;
    }
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace minipg::sql::parser_internal
