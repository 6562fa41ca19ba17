/*-------------------------------------------------------------------------
 * parse_expression.cpp
 *   The expression grammar, one function per precedence level, lowest
 *   first (see parser.h for the order).
 *-------------------------------------------------------------------------
 */
#include <algorithm>

#include "engine/common/interrupts.h"
#include "engine/sql/parser_impl.h"

namespace minipg::sql::parser_internal {

Result<RawExprPtr> Parser::ParseOr() {
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

Result<RawExprPtr> Parser::ParseAnd() {
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

Result<RawExprPtr> Parser::ParseNot() {
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
    RawExprPtr e = NewExpr(RawExprKind::kUnary, loc);
    e->op = Op::kNot;
    e->args.push_back(std::move(*arg));
    return e;
  }
  return ParseIs();
}

Result<RawExprPtr> Parser::ParseIs() {
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
      if (AcceptKeyword("distinct")) {
        if (Status s = ExpectKeyword("from"); !s.ok()) {
          return s.error();
        }
        auto right = ParseComparison();
        if (!right.ok()) {
          return right;
        }
        RawExprPtr e = NewExpr(RawExprKind::kDistinct, loc);
        e->negated = negated;
        e->args.push_back(std::move(*left));
        e->args.push_back(std::move(*right));
        *left = std::move(e);
        continue;
      }
      if (IsKeyword("true") || IsKeyword("false") || IsKeyword("unknown")) {
        RawExprPtr e = NewExpr(RawExprKind::kBoolTest, loc);
        e->text = Peek().text;
        ++pos_;
        e->negated = negated;
        e->args.push_back(std::move(*left));
        *left = std::move(e);
        continue;
      }
      if (!AcceptKeyword("null")) {
        return SyntaxError();
      }
    } else if (AcceptKeyword("isnull")) {
    } else if (AcceptKeyword("notnull")) {
      negated = true;
    } else {
      return left;
    }
    RawExprPtr e = NewExpr(RawExprKind::kIsNull, loc);
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

Result<RawExprPtr> Parser::ParseComparison() {
  auto left = ParseConcat();
  if (!left.ok()) {
    return left;
  }
  if (auto op = ComparisonOp()) {
    int loc = Peek().position;
    ++pos_;
    if ((IsKeyword("any") || IsKeyword("some") || IsKeyword("all")) && Peek(1).kind == TokenKind::kPunct &&
        Peek(1).text == "(") {
      SubLinkType type = IsKeyword("all") ? SubLinkType::kAll : SubLinkType::kAny;
      ++pos_;  // ANY / ALL; ParseSubLink takes the "("
      // x op ANY (array): a kSubLink without a subselect, the array in args[1].
      auto sub = IsKeyword("select", 1) || IsKeyword("with", 1) ? ParseSubLink(type, loc) : ParseArrayOperand(type, loc);
      if (!sub.ok()) {
        return sub;
      }
      (*sub)->text = OpName(*op);
      if ((*sub)->args.empty()) {
        (*sub)->args.push_back(std::move(*left));
      } else {
        (*sub)->args[0] = std::move(*left);
      }
      return sub;
    }
    auto right = ParseConcat();
    if (!right.ok()) {
      return right;
    }
    if (ComparisonOp()) {
      return SyntaxError();  // comparisons do not associate: 1 < 2 < 3
    }
    *left = Binary(*op, std::move(*left), std::move(*right), loc);
  }
  for (;;) {
    int loc = Peek().position;
    bool negated = IsKeyword("not") && (IsKeyword("like", 1) || IsKeyword("ilike", 1) || IsKeyword("in", 1) ||
                                        IsKeyword("between", 1) || IsKeyword("similar", 1));
    if (negated) {
      ++pos_;
    }
    if (IsKeyword("like") || IsKeyword("ilike")) {
      auto e = ParseLike(std::move(*left), negated, loc);
      if (!e.ok()) {
        return e;
      }
      *left = std::move(*e);
    } else if (AcceptKeyword("between")) {
      if (IsKeyword("symmetric")) {
        Error e = MakeError(sqlstate::kFeatureNotSupported, "BETWEEN SYMMETRIC is not supported by minipg");
        e.position = Peek().position;
        return e;
      }
      AcceptKeyword("asymmetric");
      RawExprPtr e = NewExpr(RawExprKind::kBetween, loc);
      e->negated = negated;
      e->args.push_back(std::move(*left));
      auto low = ParseConcat();
      if (!low.ok()) {
        return low;
      }
      if (Status s = ExpectKeyword("and"); !s.ok()) {
        return s.error();
      }
      auto high = ParseConcat();
      if (!high.ok()) {
        return high;
      }
      e->args.push_back(std::move(*low));
      e->args.push_back(std::move(*high));
      *left = std::move(e);
    } else if (AcceptKeyword("in")) {
      if (Status s = ExpectPunct("("); !s.ok()) {
        return s.error();
      }
      if (IsKeyword("select") || IsKeyword("with")) {
        // x IN (SELECT ...) is x = ANY (SELECT ...); NOT IN is its negation.
        --pos_;
        auto sub = ParseSubLink(SubLinkType::kAny, loc);
        if (!sub.ok()) {
          return sub;
        }
        (*sub)->text = "=";
        (*sub)->args.push_back(std::move(*left));
        if (negated) {
          RawExprPtr n = NewExpr(RawExprKind::kUnary, loc);
          n->op = Op::kNot;
          n->args.push_back(std::move(*sub));
          *sub = std::move(n);
        }
        *left = std::move(*sub);
        continue;
      }
      RawExprPtr e = NewExpr(RawExprKind::kInList, loc);
      e->negated = negated;
      e->args.push_back(std::move(*left));
      do {
        auto item = ParseExpr();
        if (!item.ok()) {
          return item;
        }
        e->args.push_back(std::move(*item));
      } while (AcceptPunct(","));
      if (Status s = ExpectPunct(")"); !s.ok()) {
        return s.error();
      }
      *left = std::move(e);
    } else if (IsKeyword("similar")) {
      Error e = MakeError(sqlstate::kFeatureNotSupported, "similar is not supported by minipg");
      e.position = Peek().position;
      return e;
    } else {
      return left;
    }
  }
}

Result<RawExprPtr> Parser::ParseLike(RawExprPtr left, bool negated, int loc) {
  bool ilike = IsKeyword("ilike");
  ++pos_;
  auto pattern = ParseConcat();
  if (!pattern.ok()) {
    return pattern;
  }
  if (IsKeyword("escape")) {
    RawExprPtr call = NewExpr(RawExprKind::kFuncCall, Peek().position);
    ++pos_;
    call->text = "like_escape";
    auto escape = ParseConcat();
    if (!escape.ok()) {
      return escape;
    }
    call->args.push_back(std::move(*pattern));
    call->args.push_back(std::move(*escape));
    *pattern = std::move(call);
  }
  RawExprPtr e = NewExpr(RawExprKind::kNamedOp, loc);
  e->text = std::string(negated ? "!" : "") + (ilike ? "~~*" : "~~");
  e->args.push_back(std::move(left));
  e->args.push_back(std::move(*pattern));
  return e;
}

/* An operator named by its symbol (~, !~~*) or as OPERATOR(schema.op);
 * empty if the next tokens are neither. */
Result<std::string> Parser::AcceptNamedOp() {
  if (Peek().kind == TokenKind::kOp && (Peek().text[0] == '~' || Peek().text[0] == '!' || Peek().text == "@>" ||
                                        Peek().text == "<@" || Peek().text == "&&")) {
    return tokens_[pos_++].text;
  }
  if (!(IsKeyword("operator") && Peek(1).kind == TokenKind::kPunct && Peek(1).text == "(")) {
    return std::string();
  }
  pos_ += 2;
  if (Peek().kind == TokenKind::kIdent) {
    if (Peek().text != "pg_catalog") {
      Error e = MakeError(sqlstate::kInvalidSchemaName, fmt::format("schema \"{}\" does not exist", Peek().text));
      e.position = Peek().position;
      return e;
    }
    ++pos_;
    if (Status s = ExpectPunct("."); !s.ok()) {
      return s.error();
    }
  }
  if (Peek().kind != TokenKind::kOp) {
    return SyntaxError();
  }
  std::string name = tokens_[pos_++].text;
  if (Status s = ExpectPunct(")"); !s.ok()) {
    return s.error();
  }
  return name;
}

Result<RawExprPtr> Parser::ParseConcat() {
  auto left = ParseAdditive();
  if (!left.ok()) {
    return left;
  }
  for (;;) {
    int loc = Peek().position;
    bool concat = IsOp("||");
    std::string name;
    if (concat) {
      ++pos_;
    } else {
      auto named = AcceptNamedOp();
      if (!named.ok()) {
        return named.error();
      }
      if (named->empty()) {
        return left;
      }
      name = std::move(*named);
    }
    auto right = ParseAdditive();
    if (!right.ok()) {
      return right;
    }
    if (concat || name == "||") {
      *left = Binary(Op::kConcat, std::move(*left), std::move(*right), loc);
      continue;
    }
    RawExprPtr e = NewExpr(RawExprKind::kNamedOp, loc);
    e->text = std::move(name);
    e->args.push_back(std::move(*left));
    e->args.push_back(std::move(*right));
    *left = std::move(e);
  }
}

Result<RawExprPtr> Parser::ParseAdditive() {
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

Result<RawExprPtr> Parser::ParseMultiplicative() {
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

Result<RawExprPtr> Parser::ParseUnary() {
  if (IsOp("-") || IsOp("+")) {
    if (Status s = CheckStackDepth(); !s.ok()) {
      return s.error();
    }
    bool minus = IsOp("-");
    int loc = Peek().position;
    ++pos_;
    auto arg = ParseUnary();
    if (!arg.ok()) {
      return arg;
    }
    RawExpr& a = **arg;
    if (!minus) {
      // Unary plus is an operator as in PostgreSQL (+ text is 42883); on a
      // number literal it changes nothing, so the literal stands alone.
      if (a.kind == RawExprKind::kIntLiteral || a.kind == RawExprKind::kNumericLiteral) {
        return arg;
      }
      RawExprPtr e = NewExpr(RawExprKind::kUnary, loc);
      e->op = Op::kAdd;  // kUnary with kAdd: prefix +
      e->args.push_back(std::move(*arg));
      return e;
    }
    // Like PostgreSQL's doNegate: -<number> is one constant, so that
    // -2147483648 is an integer.
    if (a.kind == RawExprKind::kIntLiteral || a.kind == RawExprKind::kNumericLiteral) {
      a.text = a.text[0] == '-' ? a.text.substr(1) : "-" + a.text;
      a.location = loc;
      return arg;
    }
    RawExprPtr e = NewExpr(RawExprKind::kUnary, loc);
    e->op = Op::kNeg;
    e->args.push_back(std::move(*arg));
    return e;
  }
  return ParsePostfix();
}

Result<RawExprPtr> Parser::ParsePostfix() {
  auto expr = ParsePrimary();
  if (!expr.ok()) {
    return expr;
  }
  for (;;) {
    if (AcceptKeyword("collate")) {
      // COLLATE "C" / pg_catalog.default: accepted and ignored (minipg compares bytes).
      // Any word, reserved ones too (pg_catalog.default).
      for (bool more = true; more; more = AcceptPunct(".")) {
        if (Peek().kind != TokenKind::kIdent) {
          return SyntaxError();
        }
        ++pos_;
      }
      continue;
    }
    if (IsPunct("[")) {
      auto sub = ParseSubscript(std::move(*expr));
      if (!sub.ok()) return sub;
      *expr = std::move(*sub);
      continue;
    }
    if (!IsOp("::")) {
      break;
    }
    int loc = Peek().position;
    ++pos_;
    auto type = ParseTypeName();
    if (!type.ok()) {
      return type.error();
    }
    RawExprPtr cast = NewExpr(RawExprKind::kCast, loc);
    cast->type_name = std::move(*type);
    cast->args.push_back(std::move(*expr));
    *expr = std::move(cast);
  }
  return expr;
}

Result<RawExprPtr> Parser::ParsePrimary() {
  // Every operand passes here, so every loop of the expression grammar
  // (and of the lists made of expressions) notices a cancel.
  if (Status s = CheckForInterrupts(); !s.ok()) {
    return s.error();
  }
  const Token& t = Peek();
  int loc = t.position;
  switch (t.kind) {
    case TokenKind::kInteger: {
      RawExprPtr e = NewExpr(RawExprKind::kIntLiteral, loc);
      e->text = t.text;
      ++pos_;
      return e;
    }
    case TokenKind::kNumeric: {
      RawExprPtr e = NewExpr(RawExprKind::kNumericLiteral, loc);
      e->text = t.text;
      ++pos_;
      return e;
    }
    case TokenKind::kParam: {
      RawExprPtr e = NewExpr(RawExprKind::kParam, loc);
      e->text = t.text;
      ++pos_;
      return e;
    }
    case TokenKind::kString: {
      RawExprPtr e = NewExpr(RawExprKind::kStringLiteral, loc);
      // Taken, not copied: a long literal is not held twice (the parser
      // never goes back to a token it has passed).
      e->text = std::move(tokens_[pos_].text);
      ++pos_;
      return e;
    }
    case TokenKind::kPunct:
      if (t.text == "(") {
        if (IsKeyword("select", 1) || IsKeyword("with", 1)) {
          return ParseSubLink(SubLinkType::kExpr, loc);
        }
        ++pos_;
        auto inner = ParseExpr();
        if (!inner.ok()) {
          return inner;
        }
        if (IsPunct(",")) {  // (a, b, ...): a row constructor without ROW
          RawExprPtr row = NewExpr(RawExprKind::kRow, loc);
          row->args.push_back(std::move(*inner));
          if (Status s = ParseRowFields(*row); !s.ok()) return s.error();
          return row;
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

Result<RawExprPtr> Parser::ParseIdentExpr() {
  const Token& t = Peek();
  int loc = t.position;
  if (!t.quoted) {
    if (t.text == "true" || t.text == "false") {
      RawExprPtr e = NewExpr(RawExprKind::kBoolLiteral, loc);
      e->bool_value = t.text == "true";
      ++pos_;
      return e;
    }
    if (t.text == "null") {
      ++pos_;
      return NewExpr(RawExprKind::kNullLiteral, loc);
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
      RawExprPtr e = NewExpr(RawExprKind::kCast, loc);
      e->type_name = std::move(*type);
      e->args.push_back(std::move(*arg));
      return e;
    }
    if (t.text == "current_user" || t.text == "session_user" || t.text == "user" ||
        t.text == "current_catalog" || t.text == "current_date" || t.text == "current_timestamp" ||
        t.text == "localtimestamp") {
      RawExprPtr e = NewExpr(RawExprKind::kFuncCall, loc);
      e->text = t.text;
      e->negated = true;  // marks a keyword function called without parentheses
      ++pos_;
      if ((e->text == "current_timestamp" || e->text == "localtimestamp") && AcceptPunct("(")) {
        if (Peek().kind != TokenKind::kInteger) {  // current_timestamp(3): the precision
          return SyntaxError();
        }
        e->args.push_back(NewExpr(RawExprKind::kIntLiteral, Peek().position));
        e->args.back()->text = Peek().text;
        ++pos_;
        if (Status s = ExpectPunct(")"); !s.ok()) {
          return s.error();
        }
      }
      return e;
    }
    if (t.text == "case") {
      return ParseCase();
    }
    if (t.text == "row" && Peek(1).kind == TokenKind::kPunct && Peek(1).text == "(") {  // ROW(a, b), ROW()
      pos_ += 2;
      RawExprPtr row = NewExpr(RawExprKind::kRow, loc);
      if (AcceptPunct(")")) return row;
      auto first = ParseExpr();
      if (!first.ok()) return first;
      row->args.push_back(std::move(*first));
      if (Status s = ParseRowFields(*row); !s.ok()) return s.error();
      return row;
    }
    if ((t.text == "exists" || t.text == "array") && Peek(1).kind == TokenKind::kPunct && Peek(1).text == "(" &&
        (IsKeyword("select", 2) || IsKeyword("with", 2))) {
      ++pos_;
      return ParseSubLink(t.text == "exists" ? SubLinkType::kExists : SubLinkType::kArray, loc);
    }
    if (t.text == "array" && Peek(1).kind == TokenKind::kPunct && Peek(1).text == "[") {
      ++pos_;
      return ParseArrayConstructor(loc);
    }
    if (t.text == "exists" || t.text == "array") {
      Error e = MakeError(sqlstate::kFeatureNotSupported,
                          fmt::format("{} expressions are not supported by minipg", t.text));
      e.position = loc;
      return e;
    }
  }
  if (auto literal = ParseTypedLiteral(); literal.has_value()) {
    return std::move(*literal);
  }
  bool keyword_function = !t.quoted && IsFunctionNameKeyword(t.text) && Peek(1).kind == TokenKind::kPunct &&
                          Peek(1).text == "(";
  auto name = keyword_function ? Result<std::string>(tokens_[pos_++].text) : ParseName();
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
  if (IsPunct("(")) {
    if (auto special = ParseSpecialFunction(*name, loc); special.has_value()) {
      return std::move(*special);
    }
  }
  if (AcceptPunct("(")) {
    RawExprPtr e = NewExpr(RawExprKind::kFuncCall, loc);
    e->text = *name;
    if (IsOp("*")) {
      ++pos_;
      e->star = true;
    } else if (!IsPunct(")")) {
      if (AcceptKeyword("distinct")) {
        e->distinct = true;
      } else {
        AcceptKeyword("all");
      }
      do {
        auto arg = ParseExpr();
        if (!arg.ok()) {
          return arg;
        }
        e->args.push_back(std::move(*arg));
      } while (AcceptPunct(","));
      if (AcceptKeyword("order")) {
        if (Status s = ParseOrderBy(e->agg_order); !s.ok()) return s.error();
      }
    }
    if (Status s = ExpectPunct(")"); !s.ok()) {
      return s.error();
    }
    if (AcceptKeyword("filter")) {
      if (Status s = ExpectPunct("("); !s.ok()) return s.error();
      if (Status s = ExpectKeyword("where"); !s.ok()) return s.error();
      auto cond = ParseExpr();
      if (!cond.ok()) return cond;
      e->agg_filter = std::move(*cond);
      if (Status s = ExpectPunct(")"); !s.ok()) return s.error();
    }
    if (IsKeyword("within")) {  // WITHIN GROUP (ordered-set aggregates): recognised, not yet run
      Error err = MakeError(sqlstate::kFeatureNotSupported, "WITHIN is not supported by minipg");
      err.position = Peek().position;
      return err;
    }
    if (AcceptKeyword("over")) {
      if (Status s = ParseOver(*e); !s.ok()) return s.error();
    }
    return e;
  }
  RawExprPtr e = NewExpr(RawExprKind::kColumnRef, loc);
  e->text = *name;
  if (AcceptPunct(".")) {
    if (IsOp("*")) {  // t.* as a value (count(t.*), row comparison): a row of t
      ++pos_;
      e->kind = RawExprKind::kRow;
      e->star = true;
      e->qualifier = std::move(e->text);
      e->text.clear();
      return e;
    }
    if (Peek().kind != TokenKind::kIdent) {
      return SyntaxError();
    }
    e->qualifier = e->text;
    e->text = Peek().text;
    ++pos_;
  }
  return e;
}

/* type 'string' (date '2024-01-31', timestamp with time zone '...',
 * varchar(3) 'abc'): a cast of the string to the type. Not one when the
 * words are not followed by a string; the position is then restored. */
std::optional<Result<RawExprPtr>> Parser::ParseTypedLiteral() {
  if (!Peek().quoted && IsReserved(Peek().text)) {
    return std::nullopt;  // trim(both 'x' from y): a keyword, not a type
  }
  size_t start = pos_;
  int loc = Peek().position;
  auto type = ParseTypeName();
  if (!type.ok() || Peek().kind != TokenKind::kString) {
    pos_ = start;
    return std::nullopt;
  }
  RawExprPtr literal = NewExpr(RawExprKind::kStringLiteral, Peek().position);
  literal->text = std::move(tokens_[pos_].text);
  ++pos_;
  RawExprPtr cast = NewExpr(RawExprKind::kCast, loc);
  cast->type_name = std::move(*type);
  cast->args.push_back(std::move(literal));
  return Result<RawExprPtr>(std::move(cast));
}

/* The rest of a row constructor's fields after its first, to the ")". */
Status Parser::ParseRowFields(RawExpr& row) {
  while (AcceptPunct(",")) {
    auto field = ParseExpr();
    if (!field.ok()) return field.error();
    row.args.push_back(std::move(*field));
  }
  return ExpectPunct(")");
}

Result<RawExprPtr> Parser::ParseCase() {
  RawExprPtr e = NewExpr(RawExprKind::kCase, Peek().position);
  ++pos_;
  if (!IsKeyword("when")) {
    auto test = ParseExpr();
    if (!test.ok()) {
      return test;
    }
    e->star = true;
    e->args.push_back(std::move(*test));
  }
  if (!IsKeyword("when")) {
    return SyntaxError();
  }
  while (AcceptKeyword("when")) {
    auto when = ParseExpr();
    if (!when.ok()) {
      return when;
    }
    if (Status s = ExpectKeyword("then"); !s.ok()) {
      return s.error();
    }
    auto then = ParseExpr();
    if (!then.ok()) {
      return then;
    }
    e->args.push_back(std::move(*when));
    e->args.push_back(std::move(*then));
  }
  if (AcceptKeyword("else")) {
    auto otherwise = ParseExpr();
    if (!otherwise.ok()) {
      return otherwise;
    }
    e->negated = true;
    e->args.push_back(std::move(*otherwise));
  }
  if (Status s = ExpectKeyword("end"); !s.ok()) {
    return s.error();
  }
  return e;
}


Result<RawExprPtr> Parser::ParseArrayOperand(SubLinkType type, int loc) {
  if (Status s = ExpectPunct("("); !s.ok()) {
    return s.error();
  }
  auto array = ParseExpr();
  if (!array.ok()) {
    return array;
  }
  if (Status s = ExpectPunct(")"); !s.ok()) {
    return s.error();
  }
  RawExprPtr e = NewExpr(RawExprKind::kSubLink, loc);
  e->sublink = type;
  e->args.push_back(nullptr);  // the left operand, set by the caller
  e->args.push_back(std::move(*array));
  return e;
}

Result<RawExprPtr> Parser::ParseSubLink(SubLinkType type, int loc) {
  // Nested subqueries recurse through here.
  if (Status s = CheckStackDepth(); !s.ok()) {
    return s.error();
  }
  if (Status s = ExpectPunct("("); !s.ok()) {
    return s.error();
  }
  // (WITH ... SELECT ...) or (SELECT ...)
  if (!IsKeyword("with")) {
    if (Status s = ExpectKeyword("select"); !s.ok()) {
      return s.error();
    }
    --pos_;
  }
  auto select = ParseSelectStatement();
  if (!select.ok()) {
    return select.error();
  }
  if (Status s = ExpectPunct(")"); !s.ok()) {
    return s.error();
  }
  RawExprPtr e = NewExpr(RawExprKind::kSubLink, loc);
  e->sublink = type;
  e->subselect = std::make_shared<SelectStmt>(std::move(*select));
  return e;
}

}  // namespace minipg::sql::parser_internal
