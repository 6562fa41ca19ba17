/*-------------------------------------------------------------------------
 * parse_polymorphic.cpp
 *   Polymorphic functions and operators (PostgreSQL's
 *   check/enforce_generic_type_consistency): a candidate declared over
 *   pseudo-types gets the actual types its inputs give them, before
 *   candidate selection compares it with the others.
 *
 *     anyelement, anynonarray   one type T, the same for every such argument
 *     anyarray                  T[] (its elements are the anyelement's T)
 *     anycompatible             the common type C of every such argument
 *                               and of the elements of anycompatiblearray
 *                               ones (select_common_type's rules)
 *     anycompatiblearray        C[]
 *
 *   An undecided literal ('{1,2}', NULL) takes the type the others give;
 *   when none gives one, anyelement cannot be decided (42804 "could not
 *   determine polymorphic type because input has type unknown") and
 *   anycompatible becomes text, as in PostgreSQL.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/adt/catalog_types.h"
#include "engine/sql/analyzer_impl.h"

namespace minipg::sql::analyzer_internal {

int SelectCommonType(const std::vector<TypeId>& types, TypeId* out) {
  TypeId chosen = TypeId::kUnknown;
  for (size_t i = 0; i < types.size(); ++i) {
    TypeId t = types[i];
    if (t == TypeId::kUnknown || t == chosen) continue;
    if (chosen == TypeId::kUnknown) {
      chosen = t;
      continue;
    }
    if (TypeCategory(t) != TypeCategory(chosen)) return static_cast<int>(i);
    if (!IsPreferredType(chosen) && CanCoerceImplicit(chosen, t) && !CanCoerceImplicit(t, chosen)) chosen = t;
  }
  *out = chosen;
  return -1;
}

PolymorphicResult ResolvePolymorphic(const std::vector<TypeId>& declared, const std::vector<TypeId>& inputs,
                                     TypeId result) {
  PolymorphicResult r;
  r.args = declared;
  r.result = result;
  bool any_poly = IsPolymorphicType(result);
  for (TypeId t : declared) any_poly = any_poly || IsPolymorphicType(t);
  if (!any_poly) return r;
  TypeId element = TypeId::kUnknown;  // anyelement's T
  bool has_element_family = false;
  std::vector<TypeId> compatible;  // the types anycompatible's C is the common type of
  bool has_compatible_family = false;
  for (size_t i = 0; i < declared.size() && i < inputs.size(); ++i) {
    TypeId d = declared[i];
    TypeId in = inputs[i];
    if (d == TypeId::kAnyElement || d == TypeId::kAnyNonArray || d == TypeId::kAnyArray) {
      has_element_family = true;
      if (in == TypeId::kUnknown) continue;
      TypeId t = in;
      if (d == TypeId::kAnyArray) {
        if (!IsArrayType(in)) return r.Fail();
        t = ElementTypeOf(in);
      } else if (IsPolymorphicType(in) || (d == TypeId::kAnyNonArray && IsArrayType(in))) {
        return r.Fail();
      }
      if (element != TypeId::kUnknown && element != t) return r.Fail();
      element = t;
    } else if (d == TypeId::kAnyCompatible || d == TypeId::kAnyCompatibleArray) {
      has_compatible_family = true;
      if (in == TypeId::kUnknown) continue;
      if (d == TypeId::kAnyCompatibleArray) {
        if (!IsArrayType(in)) return r.Fail();
        compatible.push_back(ElementTypeOf(in));
      } else {
        compatible.push_back(in);
      }
    }
  }
  if (has_element_family && element == TypeId::kUnknown) {
    r.undecided = true;
    return r.Fail();
  }
  TypeId common = TypeId::kText;
  if (has_compatible_family && SelectCommonType(compatible, &common) >= 0) return r.Fail();
  if (common == TypeId::kUnknown) common = TypeId::kText;
  auto actual = [&](TypeId d) -> TypeId {
    switch (d) {
      case TypeId::kAnyElement:
      case TypeId::kAnyNonArray: return element;
      case TypeId::kAnyArray: return ArrayTypeOf(element);
      case TypeId::kAnyCompatible: return common;
      case TypeId::kAnyCompatibleArray: return ArrayTypeOf(common);
      default: return d;
    }
  };
  for (size_t i = 0; i < r.args.size(); ++i) {
    // An anyarray input keeps its own type (int2vector stays int2vector).
    if (r.args[i] == TypeId::kAnyArray && i < inputs.size() && inputs[i] != TypeId::kUnknown) {
      r.args[i] = inputs[i];
      continue;
    }
    r.args[i] = actual(r.args[i]);
    if (r.args[i] == TypeId::kVoid) return r.Fail();  // no array type of that element type
  }
  r.result = actual(result);
  if (r.result == TypeId::kVoid) return r.Fail();
  return r;
}

}  // namespace minipg::sql::analyzer_internal
