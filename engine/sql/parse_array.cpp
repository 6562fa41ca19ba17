/*-------------------------------------------------------------------------
 * parse_array.cpp
 *   Array syntax in expressions, as PostgreSQL's grammar has it:
 *
 *     ARRAY[a, b, ...]       kArrayExpr over the elements (ARRAY[] is empty)
 *     ARRAY[[1,2],[3,4]]     nested: each inner [...] is a kArrayExpr too
 *                            (the analyzer refuses them: minipg keeps one
 *                            dimension)
 *     x[i]                   kSubscript: args {x, i}
 *     x[i:j], x[:j], x[i:]   kSubscript with star set (a slice): args
 *                            {x, i, j}, an omitted bound a null pointer
 *
 *   The type names int[] / text[][] / int ARRAY are ParseTypeName's.
 *-------------------------------------------------------------------------
 */
#include "engine/common/stack_depth.h"
#include "engine/sql/parser_impl.h"

namespace minipg::sql::parser_internal {

Result<RawExprPtr> Parser::ParseArrayConstructor(int loc) {
  if (Status s = CheckStackDepth(); !s.ok()) return s.error();  // nested [[[...]]]
  if (Status s = ExpectPunct("["); !s.ok()) return s.error();
  RawExprPtr e = NewExpr(RawExprKind::kArrayExpr, loc);
  if (AcceptPunct("]")) return e;
  do {
    RawExprPtr item;
    if (IsPunct("[")) {  // a sub-array of a multidimensional one
      auto inner = ParseArrayConstructor(Peek().position);
      if (!inner.ok()) return inner;
      item = std::move(*inner);
    } else {
      auto inner = ParseExpr();
      if (!inner.ok()) return inner;
      item = std::move(*inner);
    }
    e->args.push_back(std::move(item));
  } while (AcceptPunct(","));
  if (Status s = ExpectPunct("]"); !s.ok()) return s.error();
  return e;
}

Result<RawExprPtr> Parser::ParseSubscript(RawExprPtr operand) {
  RawExprPtr e = NewExpr(RawExprKind::kSubscript, Peek().position);
  if (Status s = ExpectPunct("["); !s.ok()) return s.error();
  e->args.push_back(std::move(operand));
  auto bound = [this]() -> Result<RawExprPtr> {
    if (IsPunct(":") || IsPunct("]")) return RawExprPtr();  // omitted (slices only)
    return ParseExpr();
  };
  auto lower = bound();
  if (!lower.ok()) return lower;
  e->args.push_back(std::move(*lower));
  if (AcceptPunct(":")) {
    e->star = true;
    auto upper = bound();
    if (!upper.ok()) return upper;
    e->args.push_back(std::move(*upper));
  } else if (e->args[1] == nullptr) {
    return SyntaxError();  // x[]
  }
  if (Status s = ExpectPunct("]"); !s.ok()) return s.error();
  return e;
}

}  // namespace minipg::sql::parser_internal
