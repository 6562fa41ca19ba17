/*-------------------------------------------------------------------------
 * parse_from.cpp
 *   The FROM clause's grammar: tables, subqueries, VALUES lists and
 *   function calls, each with an optional alias and column aliases, joined
 *   by commas, JOIN ... ON / USING, NATURAL, CROSS and outer joins, nested
 *   with parentheses; and the VALUES statement.
 *
 *     from_item  := primary { [NATURAL] [INNER | LEFT | RIGHT | FULL [OUTER]] JOIN primary
 *                             [ON expr | USING (col, ...)] | CROSS JOIN primary }
 *     primary    := table [alias] | name(args) [alias] | (SELECT ...) alias
 *                 | (VALUES ...) alias | (from_item) [alias]
 *     alias      := [AS] name [(col, ...)]
 *-------------------------------------------------------------------------
 */
#include "engine/common/interrupts.h"
#include "engine/sql/parser_impl.h"

namespace minipg::sql::parser_internal {

Status Parser::ParseValuesRows(std::vector<std::vector<RawExprPtr>>& rows) {
  do {
    if (Status s = ExpectPunct("("); !s.ok()) {
      return s;
    }
    std::vector<RawExprPtr> row;
    do {
      bool last = Peek(1).kind == TokenKind::kPunct && (Peek(1).text == "," || Peek(1).text == ")");
      if (IsKeyword("default") && last) {  // the analyzer allows it only in INSERT
        row.push_back(NewExpr(RawExprKind::kSetToDefault, Peek().position));
        ++pos_;
        continue;
      }
      auto expr = ParseExpr();
      if (!expr.ok()) {
        return expr.error();
      }
      row.push_back(std::move(*expr));
    } while (AcceptPunct(","));
    if (Status s = ExpectPunct(")"); !s.ok()) {
      return s;
    }
    rows.push_back(std::move(row));
  } while (AcceptPunct(","));
  return OkStatus();
}

Result<SelectStmt> Parser::ParseValuesStmt() {
  SelectStmt values;
  values.is_values = true;
  if (Status s = ParseValuesRows(values.values); !s.ok()) {
    return s.error();
  }
  return values;
}

Status Parser::ParseFromList(std::vector<FromItemPtr>& from) {
  do {
    auto item = ParseFromItem();
    if (!item.ok()) {
      return item.error();
    }
    from.push_back(std::move(*item));
  } while (AcceptPunct(","));
  return OkStatus();
}

Status Parser::ParseAlias(FromItem& item, bool bare) {
  if (AcceptKeyword("as")) {
    auto alias = ParseName();
    if (!alias.ok()) {
      return alias.error();
    }
    item.alias = *alias;
  } else if (bare && Peek().kind == TokenKind::kIdent && (Peek().quoted || !IsReserved(Peek().text))) {
    item.alias = Peek().text;
    ++pos_;
  } else {
    return OkStatus();
  }
  if (IsPunct("(")) {
    auto cols = ParseOptionalColumnList();
    if (!cols.ok()) {
      return cols.error();
    }
    item.column_aliases = std::move(*cols);
  }
  return OkStatus();
}

Result<FromItemPtr> Parser::ParseFromItem() {
  auto left = ParseFromPrimary();
  if (!left.ok()) {
    return left;
  }
  FromItemPtr item = std::move(*left);
  for (;;) {
    if (Status s = CheckForInterrupts(); !s.ok()) {
      return s.error();
    }
    auto join = std::make_unique<FromItem>();
    join->kind = FromItem::Kind::kJoin;
    join->location = Peek().position;
    if (AcceptKeyword("cross")) {
      if (Status s = ExpectKeyword("join"); !s.ok()) {
        return s.error();
      }
      join->cross = true;
    } else {
      size_t start = pos_;
      join->natural = AcceptKeyword("natural");
      if (AcceptKeyword("left")) {
        join->join_type = JoinType::kLeft;
        AcceptKeyword("outer");
      } else if (AcceptKeyword("right")) {
        join->join_type = JoinType::kRight;
        AcceptKeyword("outer");
      } else if (AcceptKeyword("full")) {
        join->join_type = JoinType::kFull;
        AcceptKeyword("outer");
      } else {
        AcceptKeyword("inner");
      }
      if (!AcceptKeyword("join")) {
        if (pos_ != start) {
          return SyntaxError();
        }
        return item;  // no more joins
      }
    }
    auto right = ParseFromPrimary();
    if (!right.ok()) {
      return right;
    }
    join->left = std::move(item);
    join->right = std::move(*right);
    if (!join->cross && !join->natural) {
      if (AcceptKeyword("on")) {
        auto on = ParseExpr();
        if (!on.ok()) {
          return on.error();
        }
        join->on = std::move(*on);
      } else if (AcceptKeyword("using")) {
        join->has_using = true;
        if (!IsPunct("(")) {
          return SyntaxError();
        }
        auto cols = ParseOptionalColumnList();
        if (!cols.ok()) {
          return cols.error();
        }
        join->using_columns = std::move(*cols);
      } else {
        return SyntaxError();  // a qualified join needs ON or USING, as in PostgreSQL
      }
    }
    item = std::move(join);
  }
}

Result<FromItemPtr> Parser::ParseFromPrimary() {
  // Nested parentheses and subqueries recurse through here.
  if (Status s = CheckStackDepth(); !s.ok()) {
    return s.error();
  }
  auto item = std::make_unique<FromItem>();
  item->location = Peek().position;
  if (AcceptKeyword("lateral")) {
    auto lateral = ParseFromPrimary();
    if (lateral.ok()) (*lateral)->lateral = true;
    return lateral;
  }
  if (AcceptPunct("(")) {
    if (IsKeyword("select") || IsKeyword("values") || IsKeyword("with") ||
        (IsPunct("(") && (IsKeyword("select", 1) || IsKeyword("values", 1)))) {
      item->kind = FromItem::Kind::kSubquery;
      Result<SelectStmt> sub = AcceptKeyword("values") ? ParseValuesStmt() : ParseSelectStatement();
      if (!sub.ok()) {
        return sub.error();
      }
      if (!sub->unsupported.empty()) {
        return MakeError(sqlstate::kFeatureNotSupported,
                         fmt::format("{} is not supported by minipg", sub->unsupported));
      }
      item->subquery = std::make_unique<SelectStmt>(std::move(*sub));
      if (Status s = ExpectPunct(")"); !s.ok()) {
        return s.error();
      }
    } else {
      auto inner = ParseFromItem();
      if (!inner.ok()) {
        return inner;
      }
      if (Status s = ExpectPunct(")"); !s.ok()) {
        return s.error();
      }
      item = std::move(*inner);
    }
  } else {
    auto table = ParseQualifiedTableName();
    if (!table.ok()) {
      return table.error();
    }
    if (IsPunct("(")) {
      // name(args): a function in FROM.
      item->kind = FromItem::Kind::kFunction;
      RawExprPtr call = NewExpr(RawExprKind::kFuncCall, table->location);
      call->text = table->name;
      call->qualifier = table->schema;
      ++pos_;
      if (!IsPunct(")")) {
        do {
          auto arg = ParseExpr();
          if (!arg.ok()) {
            return arg.error();
          }
          call->args.push_back(std::move(*arg));
        } while (AcceptPunct(","));
      }
      if (Status s = ExpectPunct(")"); !s.ok()) {
        return s.error();
      }
      item->function = std::move(call);
      item->table = std::move(*table);
      if (IsKeyword("with") && IsKeyword("ordinality", 1)) {
        pos_ += 2;
        item->ordinality = true;
      }
    } else {
      item->table = std::move(*table);
    }
  }
  if (Status s = ParseAlias(*item, true); !s.ok()) {
    return s.error();
  }
  return item;
}

}  // namespace minipg::sql::parser_internal
