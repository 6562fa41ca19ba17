/*-------------------------------------------------------------------------
 * compare.cpp
 *   CompareValues (types.h): the one ordering of every type's values that
 *   comparison operators, sorting and B-tree keys share.
 *
 * NOTES
 *   Text compares byte by byte (the "C" collation); bpchar ignores its
 *   trailing blanks. Floats order NaN above everything and equal to itself,
 *   as PostgreSQL's float comparisons do. A date against a timestamp
 *   compares as midnight of that date. Arrays compare element by element.
 *-------------------------------------------------------------------------
 */
#include <cmath>
#include <string_view>

#include "engine/sql/adt/catalog_types.h"
#include "engine/sql/adt/datetime.h"
#include "engine/sql/adt/numeric.h"
#include "engine/sql/adt/varchar.h"
#include "engine/sql/types.h"

namespace minipg::sql {
namespace {

template <typename V>
int Order(const V& x, const V& y) {
  return x < y ? -1 : y < x ? 1 : 0;
}

int CompareFloats(double x, double y) {
  if (std::isnan(x) || std::isnan(y)) return std::isnan(x) == std::isnan(y) ? 0 : std::isnan(x) ? 1 : -1;
  return Order(x, y);
}

}  // namespace

/* Two arrays as PostgreSQL's array_cmp orders them: element by element
 * (a NULL element after any other, two NULLs equal), then the shorter
 * first, then by lower bound. */
static int CompareArrays(const storage::ArrayValue& a, TypeId ta, const storage::ArrayValue& b, TypeId tb) {
  static const storage::ArrayData kEmpty;
  const storage::ArrayData& x = a.data ? *a.data : kEmpty;
  const storage::ArrayData& y = b.data ? *b.data : kEmpty;
  TypeId ex = ElementTypeOf(ta);
  TypeId ey = ElementTypeOf(tb);
  for (size_t i = 0; i < x.elements.size() && i < y.elements.size(); ++i) {
    bool nx = storage::IsNull(x.elements[i]);
    bool ny = storage::IsNull(y.elements[i]);
    if (nx || ny) {
      if (nx != ny) return nx ? 1 : -1;
      continue;
    }
    if (int c = CompareValues(x.elements[i], ex, y.elements[i], ey); c != 0) return c;
  }
  if (x.elements.size() != y.elements.size()) return x.elements.size() < y.elements.size() ? -1 : 1;
  return Order(x.lower_bound, y.lower_bound);
}

int CompareValues(const Datum& a, TypeId ta, const Datum& b, TypeId tb) {
  if (const auto* x = std::get_if<storage::ArrayValue>(&a)) {
    if (const auto* y = std::get_if<storage::ArrayValue>(&b)) return CompareArrays(*x, ta, *y, tb);
  }
  if (const auto* x = std::get_if<storage::Numeric>(&a)) {
    if (const auto* y = std::get_if<storage::Numeric>(&b)) return adt::NumericCompare(*x, *y);
  }
  if (const auto* x = std::get_if<storage::Interval>(&a)) {
    if (const auto* y = std::get_if<storage::Interval>(&b)) return adt::IntervalCompare(*x, *y);
  }
  if (const double* x = std::get_if<double>(&a)) {
    if (const double* y = std::get_if<double>(&b)) return CompareFloats(*x, *y);
  }
  if (const int64_t* x = std::get_if<int64_t>(&a)) {
    if (const int64_t* y = std::get_if<int64_t>(&b)) {
      if (ta == TypeId::kDate && tb != TypeId::kDate) return Order(adt::DateToTimestamp(*x), *y);
      if (tb == TypeId::kDate && ta != TypeId::kDate) return Order(*x, adt::DateToTimestamp(*y));
      return Order(*x, *y);
    }
  }
  if (const auto* x = std::get_if<std::string>(&a)) {
    if (const auto* y = std::get_if<std::string>(&b)) {
      std::string_view sx = ta == TypeId::kBpchar ? adt::BpcharTrimmed(*x) : std::string_view(*x);
      std::string_view sy = tb == TypeId::kBpchar ? adt::BpcharTrimmed(*y) : std::string_view(*y);
      int c = sx.compare(sy);
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
  }
  if (const bool* x = std::get_if<bool>(&a)) {
    if (const bool* y = std::get_if<bool>(&b)) return Order(*x, *y);
  }
  return Order(a.index(), b.index());  // different representations: never for well-typed operands
}

}  // namespace minipg::sql
