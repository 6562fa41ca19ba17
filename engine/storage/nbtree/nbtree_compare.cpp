/*-------------------------------------------------------------------------
 * nbtree_compare.cpp
 *   The B-tree ordering (nbtree_compare.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/nbtree/nbtree_compare.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "engine/storage/nbtree/nbtree_tuple.h"

namespace minipg::storage::nbtree {

namespace {

template <typename T>
int Cmp(const T& a, const T& b) {
  return a < b ? -1 : b < a ? 1 : 0;
}

/* numeric's order (PostgreSQL's cmp_numerics): -Infinity < finite values
 * < +Infinity < NaN; 1.5 = 1.50. */
int CmpNumeric(const Numeric& a, const Numeric& b) {
  auto rank = [](const Numeric& n) {
    switch (n.kind) {
      case Numeric::Kind::kNegativeInfinity: return 0;
      case Numeric::Kind::kFinite: return 1;
      case Numeric::Kind::kPositiveInfinity: return 2;
      case Numeric::Kind::kNaN: return 3;
    }
    return 3;
  };
  if (rank(a) != rank(b) || a.kind != Numeric::Kind::kFinite) return Cmp(rank(a), rank(b));
  if (a.negative != b.negative) return a.negative ? -1 : 1;
  // The absolute values at one scale, without leading zeros.
  int32_t scale = std::max(a.scale, b.scale);
  auto digits = [scale](const Numeric& n) {
    std::string d = n.digits + std::string(static_cast<size_t>(scale - n.scale), '0');
    size_t first = d.find_first_not_of('0');
    return first == std::string::npos ? std::string() : d.substr(first);
  };
  std::string x = digits(a);
  std::string y = digits(b);
  int c = x.size() != y.size() ? Cmp(x.size(), y.size()) : Cmp(x, y);
  return a.negative ? -c : c;
}

/* interval's order (PostgreSQL's interval_cmp_value): by its span with a
 * month of 30 days and a day of 24 hours. */
int CmpInterval(const Interval& a, const Interval& b) {
  auto span = [](const Interval& i) {
    constexpr __int128 kDayMicros = 86400LL * 1000000LL;
    return (static_cast<__int128>(i.months) * 30 + i.days) * kDayMicros + i.micros;
  };
  return Cmp(span(a), span(b));
}

}  // namespace

int BtCompareDatum(ColumnType /*type: every stored type's order follows from its Datum*/, const Datum& a,
                   const Datum& b) {
  bool an = IsNull(a);
  bool bn = IsNull(b);
  if (an || bn) return an == bn ? 0 : an ? 1 : -1;
  if (a.index() != b.index()) return Cmp(a.index(), b.index());
  if (const auto* x = std::get_if<int64_t>(&a)) return Cmp(*x, std::get<int64_t>(b));
  if (const auto* x = std::get_if<double>(&a)) {
    double y = std::get<double>(b);
    if (std::isnan(*x) || std::isnan(y)) return std::isnan(*x) == std::isnan(y) ? 0 : std::isnan(*x) ? 1 : -1;
    return Cmp(*x, y);
  }
  if (const auto* x = std::get_if<bool>(&a)) return Cmp(*x, std::get<bool>(b));
  if (const auto* x = std::get_if<std::string>(&a)) {
    int c = x->compare(std::get<std::string>(b));  // unsigned bytes: the C collation
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  if (const auto* x = std::get_if<Numeric>(&a)) return CmpNumeric(*x, std::get<Numeric>(b));
  if (const auto* x = std::get_if<Interval>(&a)) return CmpInterval(*x, std::get<Interval>(b));
  return 0;  // arrays: never an index key
}

int BtCompareTid(ItemPointer a, ItemPointer b) {
  if (a.block != b.block) return Cmp(a.block, b.block);
  return Cmp(a.offset, b.offset);
}

Result<int> BtCompareKey(const std::vector<ColumnDef>& columns, const BtSearchKey& key, std::string_view tuple) {
  size_t natts = BtTupleNatts(tuple, columns.size());
  if (natts == 0) return 1;  // minus infinity
  auto values = DeformIndexTuple(columns, tuple);
  if (!values.ok()) return values.error();
  size_t n = std::min(key.values.size(), values->size());
  for (size_t i = 0; i < n; ++i) {
    int c = BtCompareDatum(columns[i].type, key.values[i], (*values)[i]);
    if (c != 0) return c;
  }
  if (key.values.size() < columns.size() || !key.heap_tid) return key.bias;
  ItemPointer tid = BtTupleHeapTid(tuple);
  if (!tid.IsValid()) return 1;  // a pivot without a TID: the TID is minus infinity
  return BtCompareTid(*key.heap_tid, tid);
}

bool BtKeysEqualNotNull(const std::vector<ColumnDef>& columns, const Tuple& a, const Tuple& b) {
  if (a.size() < columns.size() || b.size() < columns.size()) return false;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (IsNull(a[i]) || IsNull(b[i])) return false;
    if (BtCompareDatum(columns[i].type, a[i], b[i]) != 0) return false;
  }
  return true;
}

}  // namespace minipg::storage::nbtree
