/*-------------------------------------------------------------------------
 * parse_array_expr.cpp
 *   ARRAY[...] constructors and subscripts, from parse trees to typed
 *   trees (PostgreSQL's transformArrayExpr and transformContainerSubscripts):
 *
 *     ARRAY[a, b]         the elements' common type T (select_common_type),
 *                         each converted to it; of type T[]. All constants:
 *                         folded to one array constant, as PostgreSQL's
 *                         planner does. ARRAY[]::int[] and ARRAY['1']::int[]
 *                         take the element type from the cast.
 *     x[i]                x's element type; i converted to integer
 *     x[i:j]              x's own type (a slice)
 *
 * NOTES
 *   minipg keeps one dimension: ARRAY[[1,2],[3,4]] and ARRAY[ARRAY[1]] are
 *   refused with 0A000, and x[i][j] subscripts a one-dimensional array
 *   once too often (NULL, as in PostgreSQL).
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include "engine/sql/adt/catalog_types.h"
#include "engine/sql/analyzer_impl.h"

namespace minipg::sql::analyzer_internal {

namespace {

Error MultiDimensional(int location) {
  return ErrorAt(sqlstate::kFeatureNotSupported, "multidimensional arrays are not supported by minipg", location);
}

}  // namespace

Result<ExprPtr> Analyzer::BindArrayExpr(const RawExpr& e, ParseState& ps, TypeId array_type) {
  const bool from_cast = array_type != TypeId::kVoid;
  std::vector<ExprPtr> items;
  for (const RawExprPtr& a : e.args) {
    if (a->kind == RawExprKind::kArrayExpr) {
      // ARRAY[[1,2],[3]]: PostgreSQL checks the sub-arrays' sizes first.
      for (const RawExprPtr& other : e.args) {
        if (other->kind != RawExprKind::kArrayExpr || other->args.size() != a->args.size()) {
          return ErrorAt(sqlstate::kArraySubscriptError,
                         "multidimensional arrays must have array expressions with matching dimensions",
                         other->location);
        }
      }
      return MultiDimensional(e.location);
    }
    auto b = Bind(*a, ps);
    if (!b.ok()) return b;
    if ((*b)->kind == ExprKind::kConst && (*b)->type == TypeId::kUnknown) (*b)->untyped = true;  // NULL
    items.push_back(std::move(*b));
  }
  TypeId element = TypeId::kVoid;
  if (array_type != TypeId::kVoid) {
    element = ElementTypeOf(array_type);
  } else if (items.empty()) {
    Error err = ErrorAt(sqlstate::kIndeterminateDatatype, "cannot determine type of empty array", e.location);
    err.hint = "Explicitly cast to the desired type, for example ARRAY[]::integer[].";
    return err;
  } else {
    std::vector<const Expr*> views;
    for (const ExprPtr& i : items) views.push_back(i.get());
    auto common = CommonType(views, "ARRAY");
    if (!common.ok()) return common.error();
    element = *common;
    if (IsArrayType(element)) return MultiDimensional(e.location);
    array_type = ArrayTypeOf(element);
    if (array_type == TypeId::kVoid) {
      return ErrorAt(sqlstate::kUndefinedObject,
                     fmt::format("could not find array type for data type {}", TypeName(element)), e.location);
    }
  }
  bool constant = true;
  ExprPtr out = MakeExpr(ExprKind::kArrayExpr, array_type, e.location);
  for (ExprPtr& item : items) {
    TypeId from = item->untyped ? TypeId::kUnknown : item->type;
    int location = item->location;
    auto c = Coerce(std::move(item), element, from_cast ? CastContext::kExplicit : CastContext::kImplicit);
    if (!c.ok()) {
      if (c.error().sqlstate == kCannotCoerce) {
        return ErrorAt(kCannotCoerce, fmt::format("cannot cast type {} to {}", TypeName(from), TypeName(element)),
                       location);
      }
      return c;
    }
    constant = constant && (*c)->kind == ExprKind::kConst;
    out->args.push_back(std::move(*c));
  }
  if (!constant) return out;
  std::vector<storage::Datum> values;
  for (const ExprPtr& c : out->args) values.push_back(c->value);
  storage::ColumnType column = storage::ArrayElementColumnType(ToColumnType(array_type));
  return MakeConst(array_type, storage::MakeArray(column, std::move(values)), e.location);
}

Result<ExprPtr> Analyzer::BindSubscript(const RawExpr& e, ParseState& ps) {
  auto array = Bind(*e.args[0], ps);
  if (!array.ok()) return array;
  TypeId type = (*array)->untyped ? TypeId::kUnknown : (*array)->type;
  if (!IsArrayType(type)) {
    return ErrorAt(sqlstate::kDatatypeMismatch,
                   fmt::format("cannot subscript type {} because it does not support subscripting", TypeName(type)),
                   e.args[0]->location);
  }
  ExprPtr out = MakeExpr(ExprKind::kSubscript, e.star ? type : ElementTypeOf(type), e.location);
  out->negated = e.star;
  out->param = 0;
  out->args.push_back(std::move(*array));
  for (size_t i = 1; i < e.args.size(); ++i) {
    if (e.args[i] == nullptr) {  // an omitted bound of a slice
      out->param |= i == 1 ? 1 : 2;
      out->args.push_back(MakeConst(TypeId::kInt4, std::monostate{}, e.location));
      continue;
    }
    auto bound = Bind(*e.args[i], ps);
    if (!bound.ok()) return bound;
    auto c = Coerce(std::move(*bound), TypeId::kInt4, CastContext::kAssignment);
    if (!c.ok()) {
      return ErrorAt(sqlstate::kDatatypeMismatch, "array subscript must have type integer", e.args[i]->location);
    }
    out->args.push_back(std::move(*c));
  }
  return out;
}

}  // namespace minipg::sql::analyzer_internal
