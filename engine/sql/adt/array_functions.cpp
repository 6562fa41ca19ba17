/*-------------------------------------------------------------------------
 * array_functions.cpp
 *   PostgreSQL 15's array functions and operators over one-dimensional
 *   arrays (storage::ArrayData), registered with their pg_proc and
 *   pg_operator OIDs and polymorphic signatures (anyarray, anyelement,
 *   anycompatible...: parser/parse_polymorphic.cpp gives each call its
 *   actual types, which arrive in FunctionCall::arg_types):
 *
 *     comparison  = <> < <= > >=   element by element (CompareValues)
 *     containment @> <@ &&         by element equality, NULL elements never match
 *     ||                           array_cat, array_append, array_prepend
 *     array_to_string string_to_array array_length array_lower array_upper
 *     array_ndims array_dims cardinality array_position array_positions
 *     unnest (set-returning)
 *
 * NOTES
 *   The "concatenating" functions are not strict, as in PostgreSQL: a NULL
 *   array is an empty one (array_append(NULL, 1) is {1}).
 *-------------------------------------------------------------------------
 */
#include <memory>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/sql/adt/catalog_types.h"
#include "engine/sql/adt/function_args.h"

namespace minipg::sql::adt {
namespace {

using storage::ArrayData;
using storage::ArrayValue;

const ArrayData& ArrayOf(const Datum& d) {
  static const ArrayData kEmpty;
  const ArrayValue* a = std::get_if<ArrayValue>(&d);
  return a != nullptr && a->data ? *a->data : kEmpty;
}

/* The element type of the call's argument `i` (an array): from its
 * resolved type, else (a caller passing the declared anyarray) its value. */
TypeId ElementArg(const FunctionCall& c, size_t i) {
  TypeId t = i < c.arg_types.size() ? ElementTypeOf(c.arg_types[i]) : TypeId::kVoid;
  return t != TypeId::kVoid ? t : FromColumnType(ArrayOf(c.args[i]).element);
}

/* An array of the result type's elements. */
Datum ArrayResult(const FunctionCall& c, std::vector<Datum> items, int32_t lower_bound = 1) {
  storage::ColumnType column = storage::ArrayElementColumnType(ToColumnType(c.result_type));
  int32_t lower = items.empty() ? 1 : lower_bound;
  return Datum(storage::MakeArray(column, std::move(items), lower));
}

/* Two non-NULL elements are equal (the element type's = operator). */
bool ElementsEqual(const Datum& a, const Datum& b, TypeId type) { return CompareValues(a, type, b, type) == 0; }

/* ---- containment ------------------------------------------------------------------ */

/* Whether every non-NULL element of `inner` equals some element of
 * `outer` (all: @>), or some one does (&&); a NULL element of `inner`
 * fails @> (PostgreSQL's array_contain_compare). */
bool ArrayContains(const ArrayData& outer, const ArrayData& inner, TypeId type, bool all) {
  for (const Datum& x : inner.elements) {
    if (storage::IsNull(x)) {
      if (all) return false;
      continue;
    }
    bool found = false;
    for (const Datum& y : outer.elements) {
      if (!storage::IsNull(y) && ElementsEqual(x, y, type)) {
        found = true;
        break;
      }
    }
    if (found && !all) return true;
    if (!found && all) return false;
  }
  return all;
}

Result<Datum> ArrayContainsOp(const FunctionCall& c) {
  return Datum(ArrayContains(ArrayOf(c.args[0]), ArrayOf(c.args[1]), ElementArg(c, 0), true));
}
Result<Datum> ArrayContainedOp(const FunctionCall& c) {
  return Datum(ArrayContains(ArrayOf(c.args[1]), ArrayOf(c.args[0]), ElementArg(c, 0), true));
}
Result<Datum> ArrayOverlapOp(const FunctionCall& c) {
  return Datum(ArrayContains(ArrayOf(c.args[0]), ArrayOf(c.args[1]), ElementArg(c, 0), false));
}

/* ---- concatenation ----------------------------------------------------------------- */

Result<Datum> ArrayAppend(const FunctionCall& c) {
  const ArrayData& a = ArrayOf(c.args[0]);
  std::vector<Datum> items = a.elements;
  items.push_back(c.args[1]);
  return ArrayResult(c, std::move(items), a.elements.empty() ? 1 : a.lower_bound);
}

Result<Datum> ArrayPrepend(const FunctionCall& c) {
  const ArrayData& a = ArrayOf(c.args[1]);
  std::vector<Datum> items{c.args[0]};
  items.insert(items.end(), a.elements.begin(), a.elements.end());
  return ArrayResult(c, std::move(items), a.elements.empty() ? 1 : a.lower_bound);
}

Result<Datum> ArrayCat(const FunctionCall& c) {
  if (storage::IsNull(c.args[0]) && storage::IsNull(c.args[1])) return Datum();
  if (storage::IsNull(c.args[0])) return c.args[1];
  if (storage::IsNull(c.args[1])) return c.args[0];
  const ArrayData& a = ArrayOf(c.args[0]);
  const ArrayData& b = ArrayOf(c.args[1]);
  std::vector<Datum> items = a.elements;
  items.insert(items.end(), b.elements.begin(), b.elements.end());
  return ArrayResult(c, std::move(items), a.elements.empty() ? b.lower_bound : a.lower_bound);
}

/* ---- text ------------------------------------------------------------------------- */

Result<Datum> ArrayToString(const FunctionCall& c) {
  if (storage::IsNull(c.args[0]) || storage::IsNull(c.args[1])) return Datum();
  const ArrayData& a = ArrayOf(c.args[0]);
  const std::string& sep = std::get<std::string>(c.args[1]);
  const std::string* null_text = c.args.size() > 2 ? std::get_if<std::string>(&c.args[2]) : nullptr;
  TypeId element = ElementArg(c, 0);
  std::string out;
  bool first = true;
  for (const Datum& e : a.elements) {
    if (storage::IsNull(e) && null_text == nullptr) continue;
    if (!first) out += sep;
    first = false;
    out += storage::IsNull(e) ? *null_text : OutputText(e, element);
  }
  return Datum(out);
}

/* string_to_array(s, delimiter [, null_string]): a NULL delimiter splits
 * into characters, an empty one gives s whole; '' gives {}. */
Result<Datum> StringToArray(const FunctionCall& c) {
  if (storage::IsNull(c.args[0])) return Datum();
  const std::string& s = std::get<std::string>(c.args[0]);
  const std::string* delim = std::get_if<std::string>(&c.args[1]);
  const std::string* null_text = c.args.size() > 2 ? std::get_if<std::string>(&c.args[2]) : nullptr;
  std::vector<std::string> parts;
  if (s.empty()) {
    // no elements
  } else if (delim == nullptr) {
    for (size_t i = 0; i < s.size();) {  // one UTF-8 character each
      size_t n = 1;
      while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
      parts.push_back(s.substr(i, n));
      i += n;
    }
  } else if (delim->empty()) {
    parts.push_back(s);
  } else {
    size_t start = 0;
    for (size_t at; (at = s.find(*delim, start)) != std::string::npos; start = at + delim->size()) {
      parts.push_back(s.substr(start, at - start));
    }
    parts.push_back(s.substr(start));
  }
  std::vector<Datum> items;
  for (std::string& p : parts) {
    items.push_back(null_text != nullptr && p == *null_text ? Datum() : Datum(std::move(p)));
  }
  return ArrayResult(c, std::move(items));
}

/* ---- dimensions ---------------------------------------------------------------------- */

/* array_length / array_lower / array_upper of dimension `dim`: NULL for an
 * empty array or a dimension it has not. */
Result<Datum> ArrayDimension(const FunctionCall& c, char what) {
  const ArrayData& a = ArrayOf(c.args[0]);
  if (a.elements.empty() || IntArg(c, 1) != 1) return Datum();
  auto n = static_cast<int64_t>(a.elements.size());
  return Datum(what == 'n' ? n : what == 'l' ? int64_t{a.lower_bound} : a.lower_bound + n - 1);
}
Result<Datum> ArrayLength(const FunctionCall& c) { return ArrayDimension(c, 'n'); }
Result<Datum> ArrayLower(const FunctionCall& c) { return ArrayDimension(c, 'l'); }
Result<Datum> ArrayUpper(const FunctionCall& c) { return ArrayDimension(c, 'u'); }

Result<Datum> ArrayNdims(const FunctionCall& c) {
  if (ArrayOf(c.args[0]).elements.empty()) return Datum();
  return Datum(int64_t{1});
}

Result<Datum> ArrayDims(const FunctionCall& c) {
  const ArrayData& a = ArrayOf(c.args[0]);
  if (a.elements.empty()) return Datum();
  return Datum(fmt::format("[{}:{}]", a.lower_bound, a.lower_bound + static_cast<int64_t>(a.elements.size()) - 1));
}

Result<Datum> Cardinality(const FunctionCall& c) {
  return Datum(static_cast<int64_t>(ArrayOf(c.args[0]).elements.size()));
}

/* ---- searching ------------------------------------------------------------------------ */

/* The subscripts of the elements not distinct from `x` (NULL finds NULL),
 * from subscript `start` on; at most one if `first_only`. */
std::vector<Datum> Positions(const FunctionCall& c, const Datum& x, int64_t start, bool first_only) {
  const ArrayData& a = ArrayOf(c.args[0]);
  TypeId type = ElementArg(c, 0);
  std::vector<Datum> found;
  for (size_t i = 0; i < a.elements.size(); ++i) {
    int64_t subscript = a.lower_bound + static_cast<int64_t>(i);
    if (subscript < start) continue;
    const Datum& e = a.elements[i];
    bool match = storage::IsNull(e) || storage::IsNull(x) ? storage::IsNull(e) && storage::IsNull(x)
                                                            : ElementsEqual(e, x, type);
    if (!match) continue;
    found.emplace_back(subscript);
    if (first_only) break;
  }
  return found;
}

Result<Datum> ArrayPosition(const FunctionCall& c) {
  if (storage::IsNull(c.args[0])) return Datum();
  int64_t start = INT64_MIN;
  if (c.args.size() > 2) {
    if (storage::IsNull(c.args[2])) {
      return MakeError(sqlstate::kNullValueNotAllowed, "initial position must not be null");
    }
    start = IntArg(c, 2);
  }
  std::vector<Datum> found = Positions(c, c.args[1], start, true);
  return found.empty() ? Datum() : found[0];
}

Result<Datum> ArrayPositions(const FunctionCall& c) {
  if (storage::IsNull(c.args[0])) return Datum();
  return ArrayResult(c, Positions(c, c.args[1], INT64_MIN, false));
}

/* unnest: the elements, one row each, from the shared array (no copy). */
class UnnestState : public SetFunctionState {
 public:
  explicit UnnestState(ArrayValue array) : array_(std::move(array)) {}
  Result<bool> Next(Datum* out) override {
    if (!array_.data || next_ >= array_.data->elements.size()) return false;
    *out = array_.data->elements[next_++];
    return true;
  }

 private:
  ArrayValue array_;
  size_t next_ = 0;
};

Result<std::unique_ptr<SetFunctionState>> Unnest(const FunctionCall& c) {
  const ArrayValue* a = std::get_if<ArrayValue>(&c.args[0]);
  return std::unique_ptr<SetFunctionState>(std::make_unique<UnnestState>(a != nullptr ? *a : ArrayValue{}));
}

}  // namespace

void RegisterArrayFunctions(BuiltinRegistry& r) {
  constexpr Volatility kI = Volatility::kImmutable;
  auto add = [&r](uint32_t oid, const char* name, std::vector<TypeId> args, TypeId result, FunctionImpl call,
                  bool strict = true) {
    FunctionInfo f = MakeFunctionInfo(oid, name, std::move(args), result, call, kI);
    f.strict = strict;
    r.functions.push_back(std::move(f));
  };
  // PostgreSQL 15's OIDs and signatures.
  add(395, "array_to_string", {T::kAnyArray, T::kText}, T::kText, ArrayToString);
  add(384, "array_to_string", {T::kAnyArray, T::kText, T::kText}, T::kText, ArrayToString, false);
  add(394, "string_to_array", {T::kText, T::kText}, T::kTextArray, StringToArray, false);
  add(376, "string_to_array", {T::kText, T::kText, T::kText}, T::kTextArray, StringToArray, false);
  add(2176, "array_length", {T::kAnyArray, T::kInt4}, T::kInt4, ArrayLength);
  add(2091, "array_lower", {T::kAnyArray, T::kInt4}, T::kInt4, ArrayLower);
  add(2092, "array_upper", {T::kAnyArray, T::kInt4}, T::kInt4, ArrayUpper);
  add(748, "array_ndims", {T::kAnyArray}, T::kInt4, ArrayNdims);
  add(747, "array_dims", {T::kAnyArray}, T::kText, ArrayDims);
  add(4051, "cardinality", {T::kAnyArray}, T::kInt4, Cardinality);
  add(3277, "array_position", {T::kAnyCompatibleArray, T::kAnyCompatible}, T::kInt4, ArrayPosition, false);
  add(3278, "array_position", {T::kAnyCompatibleArray, T::kAnyCompatible, T::kInt4}, T::kInt4, ArrayPosition,
      false);
  add(3279, "array_positions", {T::kAnyCompatibleArray, T::kAnyCompatible}, T::kInt4Array, ArrayPositions, false);
  add(378, "array_append", {T::kAnyCompatibleArray, T::kAnyCompatible}, T::kAnyCompatibleArray, ArrayAppend, false);
  add(379, "array_prepend", {T::kAnyCompatible, T::kAnyCompatibleArray}, T::kAnyCompatibleArray, ArrayPrepend,
      false);
  add(383, "array_cat", {T::kAnyCompatibleArray, T::kAnyCompatibleArray}, T::kAnyCompatibleArray, ArrayCat, false);
  FunctionInfo unnest;
  unnest.oid = 2331;
  unnest.name = "unnest";
  unnest.args = {T::kAnyArray};
  unnest.result = T::kAnyElement;
  unnest.call_set = Unnest;
  r.functions.push_back(std::move(unnest));

  auto op = [&r](uint32_t oid, const char* name, TypeId left, TypeId right, TypeId result, FunctionImpl call,
                 const char* commutator, const char* negator) {
    OperatorInfo o;
    o.oid = oid;
    o.name = name;
    o.left = left;
    o.right = right;
    o.result = result;
    o.call = call;
    o.commutator = commutator;
    o.negator = negator;
    r.operators.push_back(o);
  };
  op(1070, "=", T::kAnyArray, T::kAnyArray, T::kBool, CompareEq, "=", "<>");
  op(1071, "<>", T::kAnyArray, T::kAnyArray, T::kBool, CompareNe, "<>", "=");
  op(1072, "<", T::kAnyArray, T::kAnyArray, T::kBool, CompareLt, ">", ">=");
  op(1073, ">", T::kAnyArray, T::kAnyArray, T::kBool, CompareGt, "<", "<=");
  op(1074, "<=", T::kAnyArray, T::kAnyArray, T::kBool, CompareLe, ">=", ">");
  op(1075, ">=", T::kAnyArray, T::kAnyArray, T::kBool, CompareGe, "<=", "<");
  op(2750, "&&", T::kAnyArray, T::kAnyArray, T::kBool, ArrayOverlapOp, "&&", "");
  op(2751, "@>", T::kAnyArray, T::kAnyArray, T::kBool, ArrayContainsOp, "<@", "");
  op(2752, "<@", T::kAnyArray, T::kAnyArray, T::kBool, ArrayContainedOp, "@>", "");
  op(349, "||", T::kAnyCompatibleArray, T::kAnyCompatible, T::kAnyCompatibleArray, ArrayAppend, "", "");
  op(374, "||", T::kAnyCompatible, T::kAnyCompatibleArray, T::kAnyCompatibleArray, ArrayPrepend, "", "");
  op(375, "||", T::kAnyCompatibleArray, T::kAnyCompatibleArray, T::kAnyCompatibleArray, ArrayCat, "", "");
  for (size_t i = r.operators.size() - 3; i < r.operators.size(); ++i) r.operators[i].strict = false;  // as their functions
}

}  // namespace minipg::sql::adt
