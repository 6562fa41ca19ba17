/*-------------------------------------------------------------------------
 * parse_expression.cpp
 *   The expression grammar, one function per precedence level, lowest
 *   first (see parser.h for the order).
 *-------------------------------------------------------------------------
 */
#include "engine/common/interrupts.h"
#include "engine/sql/parser_impl.h"

namespace minipg::sql::parser_internal {

Result<ExprPtr> Parser::ParseOr() {
  auto left = ParseAnd();
  if (!left.ok()) {
    return left;
  }
  while (IsKeyword("or")) {
    int loc = Peek().position;
    ++pos_;
    auto right = ParseAnd();
    if (!right.ok()) {
      return right;
    }
    *left = Binary(Op::kOr, std::move(*left), std::move(*right), loc);
  }
  return left;
}

Result<ExprPtr> Parser::ParseAnd() {
  auto left = ParseNot();
  if (!left.ok()) {
    return left;
  }
  while (IsKeyword("and")) {
    int loc = Peek().position;
    ++pos_;
    auto right = ParseNot();
    if (!right.ok()) {
      return right;
    }
    *left = Binary(Op::kAnd, std::move(*left), std::move(*right), loc);
  }
  return left;
}

Result<ExprPtr> Parser::ParseNot() {
  if (IsKeyword("not")) {
    if (Status s = CheckStackDepth(); !s.ok()) {
      return s.error();
    }
    int loc = Peek().position;
    ++pos_;
    auto arg = ParseNot();
    if (!arg.ok()) {
      return arg;
    }
    ExprPtr e = NewExpr(ExprKind::kUnary, loc);
    e->op = Op::kNot;
    e->args.push_back(std::move(*arg));
    return e;
  }
  return ParseIs();
}

Result<ExprPtr> Parser::ParseIs() {
  auto left = ParseComparison();
  if (!left.ok()) {
    return left;
  }
  for (;;) {
    int loc = Peek().position;
    bool negated = false;
    if (IsKeyword("is")) {
      ++pos_;
      negated = AcceptKeyword("not");
      if (!AcceptKeyword("null")) {
        return SyntaxError();
      }
    } else if (AcceptKeyword("isnull")) {
    } else if (AcceptKeyword("notnull")) {
      negated = true;
    } else {
      return left;
    }
    ExprPtr e = NewExpr(ExprKind::kIsNull, loc);
    e->negated = negated;
    e->args.push_back(std::move(*left));
    *left = std::move(e);
  }
}

std::optional<Op> Parser::ComparisonOp() const {
  if (Peek().kind != TokenKind::kOp) {
    return std::nullopt;
  }
  const std::string& t = Peek().text;
  if (t == "=") return Op::kEq;
  if (t == "<>") return Op::kNe;
  if (t == "<") return Op::kLt;
  if (t == "<=") return Op::kLe;
  if (t == ">") return Op::kGt;
  if (t == ">=") return Op::kGe;
  return std::nullopt;
}

Result<ExprPtr> Parser::ParseComparison() {
  auto left = ParseConcat();
  if (!left.ok()) {
    return left;
  }
  if (auto op = ComparisonOp()) {
    int loc = Peek().position;
    ++pos_;
    auto right = ParseConcat();
    if (!right.ok()) {
      return right;
    }
    if (ComparisonOp()) {
      return SyntaxError();  // comparisons do not associate: 1 < 2 < 3
    }
    *left = Binary(*op, std::move(*left), std::move(*right), loc);
  }
  for (std::string_view word : {"like", "ilike", "in", "between", "similar"}) {
    if (IsKeyword(word) || (IsKeyword("not") && IsKeyword(word, 1))) {
      Error e = MakeError(sqlstate::kFeatureNotSupported,
                          fmt::format("{} is not supported by minipg", word));
      e.position = Peek().position;
      return e;
    }
  }
  return left;
}

Result<ExprPtr> Parser::ParseConcat() {
  auto left = ParseAdditive();
  if (!left.ok()) {
    return left;
  }
  while (IsOp("||")) {
    int loc = Peek().position;
    ++pos_;
    auto right = ParseAdditive();
    if (!right.ok()) {
      return right;
    }
    *left = Binary(Op::kConcat, std::move(*left), std::move(*right), loc);
  }
  return left;
}

Result<ExprPtr> Parser::ParseAdditive() {
  auto left = ParseMultiplicative();
  if (!left.ok()) {
    return left;
  }
  while (IsOp("+") || IsOp("-")) {
    Op op = IsOp("+") ? Op::kAdd : Op::kSub;
    int loc = Peek().position;
    ++pos_;
    auto right = ParseMultiplicative();
    if (!right.ok()) {
      return right;
    }
    *left = Binary(op, std::move(*left), std::move(*right), loc);
  }
  return left;
}

Result<ExprPtr> Parser::ParseMultiplicative() {
  auto left = ParseUnary();
  if (!left.ok()) {
    return left;
  }
  while (IsOp("*") || IsOp("/") || IsOp("%")) {
    Op op = IsOp("*") ? Op::kMul : IsOp("/") ? Op::kDiv : Op::kMod;
    int loc = Peek().position;
    ++pos_;
    auto right = ParseUnary();
    if (!right.ok()) {
      return right;
    }
    *left = Binary(op, std::move(*left), std::move(*right), loc);
  }
  return left;
}

Result<ExprPtr> Parser::ParseUnary() {
  if (IsOp("-") || IsOp("+")) {
    if (Status s = CheckStackDepth(); !s.ok()) {
      return s.error();
    }
    bool minus = IsOp("-");
    int loc = Peek().position;
    ++pos_;
    auto arg = ParseUnary();
    if (!arg.ok() || !minus) {
      return arg;
    }
    Expr& a = **arg;
    // Like PostgreSQL's doNegate: -<number> is one constant, so that
    // -2147483648 is an integer.
    if (a.kind == ExprKind::kIntLiteral || a.kind == ExprKind::kNumericLiteral) {
      a.text = a.text[0] == '-' ? a.text.substr(1) : "-" + a.text;
      a.location = loc;
      return arg;
    }
    ExprPtr e = NewExpr(ExprKind::kUnary, loc);
    e->op = Op::kNeg;
    e->args.push_back(std::move(*arg));
    return e;
  }
  return ParsePostfix();
}

Result<ExprPtr> Parser::ParsePostfix() {
  auto expr = ParsePrimary();
  if (!expr.ok()) {
    return expr;
  }
  while (IsOp("::")) {
    int loc = Peek().position;
    ++pos_;
    auto type = ParseTypeName();
    if (!type.ok()) {
      return type.error();
    }
    ExprPtr cast = NewExpr(ExprKind::kCast, loc);
    cast->type_name = std::move(*type);
    cast->args.push_back(std::move(*expr));
    *expr = std::move(cast);
  }
  return expr;
}

Result<ExprPtr> Parser::ParsePrimary() {
  // Every operand passes here, so every loop of the expression grammar
  // (and of the lists made of expressions) notices a cancel.
  if (Status s = CheckForInterrupts(); !s.ok()) {
    return s.error();
  }
  const Token& t = Peek();
  int loc = t.position;
  switch (t.kind) {
    case TokenKind::kInteger: {
      ExprPtr e = NewExpr(ExprKind::kIntLiteral, loc);
      e->text = t.text;
      ++pos_;
      return e;
    }
    case TokenKind::kNumeric: {
      ExprPtr e = NewExpr(ExprKind::kNumericLiteral, loc);
      e->text = t.text;
      ++pos_;
      return e;
    }
    case TokenKind::kParam: {
      ExprPtr e = NewExpr(ExprKind::kParam, loc);
      e->text = t.text;
      ++pos_;
      return e;
    }
    case TokenKind::kString: {
      ExprPtr e = NewExpr(ExprKind::kStringLiteral, loc);
      // Taken, not copied: a long literal is not held twice (the parser
      // never goes back to a token it has passed).
      e->text = std::move(tokens_[pos_].text);
      ++pos_;
      return e;
    }
    case TokenKind::kPunct:
      if (t.text == "(") {
        ++pos_;
        if (IsKeyword("select")) {
          Error e = MakeError(sqlstate::kFeatureNotSupported, "subqueries are not supported by minipg");
          e.position = Peek().position;
          return e;
        }
        auto inner = ParseExpr();
        if (!inner.ok()) {
          return inner;
        }
        if (Status s = ExpectPunct(")"); !s.ok()) {
          return s.error();
        }
        return inner;
      }
      return SyntaxError();
    case TokenKind::kIdent:
      return ParseIdentExpr();
    default:
      return SyntaxError();
  }
}

Result<ExprPtr> Parser::ParseIdentExpr() {
  const Token& t = Peek();
  int loc = t.position;
  if (!t.quoted) {
    if (t.text == "true" || t.text == "false") {
      ExprPtr e = NewExpr(ExprKind::kBoolLiteral, loc);
      e->bool_value = t.text == "true";
      ++pos_;
      return e;
    }
    if (t.text == "null") {
      ++pos_;
      return NewExpr(ExprKind::kNullLiteral, loc);
    }
    if (t.text == "cast") {
      ++pos_;
      if (Status s = ExpectPunct("("); !s.ok()) {
        return s.error();
      }
      auto arg = ParseExpr();
      if (!arg.ok()) {
        return arg;
      }
      if (Status s = ExpectKeyword("as"); !s.ok()) {
        return s.error();
      }
      auto type = ParseTypeName();
      if (!type.ok()) {
        return type.error();
      }
      if (Status s = ExpectPunct(")"); !s.ok()) {
        return s.error();
      }
      ExprPtr e = NewExpr(ExprKind::kCast, loc);
      e->type_name = std::move(*type);
      e->args.push_back(std::move(*arg));
      return e;
    }
    if (t.text == "current_user" || t.text == "session_user" || t.text == "user" ||
        t.text == "current_catalog") {
      ExprPtr e = NewExpr(ExprKind::kFuncCall, loc);
      e->text = t.text;
      e->negated = true;  // marks a keyword function called without parentheses
      ++pos_;
      return e;
    }
    if (t.text == "case" || t.text == "exists" || t.text == "array") {
      Error e = MakeError(sqlstate::kFeatureNotSupported,
                          fmt::format("{} expressions are not supported by minipg", t.text));
      e.position = loc;
      return e;
    }
  }
  auto name = ParseName();
  if (!name.ok()) {
    return name.error();
  }
  // schema.function(...): functions live in pg_catalog.
  if (IsPunct(".") && Peek(1).kind == TokenKind::kIdent && Peek(2).kind == TokenKind::kPunct &&
      Peek(2).text == "(") {
    if (*name != "pg_catalog") {
      Error e = MakeError(sqlstate::kInvalidSchemaName, fmt::format("schema \"{}\" does not exist", *name));
      e.position = loc;
      return e;
    }
    ++pos_;
    name = Peek().text;
    ++pos_;
  }
  if (AcceptPunct("(")) {
    ExprPtr e = NewExpr(ExprKind::kFuncCall, loc);
    e->text = *name;
    if (IsOp("*")) {
      ++pos_;
      e->star = true;
    } else if (!IsPunct(")")) {
      do {
        auto arg = ParseExpr();
        if (!arg.ok()) {
          return arg;
        }
        e->args.push_back(std::move(*arg));
      } while (AcceptPunct(","));
    }
    if (Status s = ExpectPunct(")"); !s.ok()) {
      return s.error();
    }
    return e;
  }
  ExprPtr e = NewExpr(ExprKind::kColumnRef, loc);
  e->text = *name;
  if (AcceptPunct(".")) {
    if (Peek().kind != TokenKind::kIdent) {
      return SyntaxError();
    }
    e->qualifier = e->text;
    e->text = Peek().text;
    ++pos_;
  }
  return e;
}

}  // namespace minipg::sql::parser_internal
