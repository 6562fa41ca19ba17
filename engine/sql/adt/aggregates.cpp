/*-------------------------------------------------------------------------
 * aggregates.cpp
 *   The aggregate table and the transition and final functions: sums of
 *   smallint/integer in bigint (22003 past it), of bigint and numeric in
 *   numeric, of real/double in double; avg as numeric (the sum divided by
 *   the count at numeric division's scale) except for floating point;
 *   min/max by the typed comparison (CompareValues).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/adt/aggregates.h"

#include <cmath>

#include "engine/common/sqlstate.h"
#include "engine/sql/adt/numeric.h"
#include "engine/sql/types.h"

namespace minipg::sql {

namespace {

using storage::Datum;
using T = TypeId;

std::vector<AggregateInfo> MakeTable() {
  std::vector<AggregateInfo> t;
  auto add = [&t](uint32_t oid, const char* name, AggKind kind, TypeId arg, TypeId result) {
    t.push_back(AggregateInfo{oid, name, kind, arg, result});
  };
  add(2100, "avg", AggKind::kAvg, T::kInt8, T::kNumeric);
  add(2101, "avg", AggKind::kAvg, T::kInt4, T::kNumeric);
  add(2102, "avg", AggKind::kAvg, T::kInt2, T::kNumeric);
  add(2103, "avg", AggKind::kAvg, T::kNumeric, T::kNumeric);
  add(2104, "avg", AggKind::kAvg, T::kFloat4, T::kFloat8);
  add(2105, "avg", AggKind::kAvg, T::kFloat8, T::kFloat8);
  add(2107, "sum", AggKind::kSum, T::kInt8, T::kNumeric);
  add(2108, "sum", AggKind::kSum, T::kInt4, T::kInt8);
  add(2109, "sum", AggKind::kSum, T::kInt2, T::kInt8);
  add(2110, "sum", AggKind::kSum, T::kFloat4, T::kFloat4);
  add(2111, "sum", AggKind::kSum, T::kFloat8, T::kFloat8);
  add(2114, "sum", AggKind::kSum, T::kNumeric, T::kNumeric);
  struct Ordered {
    TypeId type;
    uint32_t max_oid;
    uint32_t min_oid;
  };
  for (Ordered o : {Ordered{T::kInt8, 2115, 2131}, Ordered{T::kInt4, 2116, 2132}, Ordered{T::kInt2, 2117, 2133},
                    Ordered{T::kOid, 2118, 2134}, Ordered{T::kFloat4, 2119, 2135}, Ordered{T::kFloat8, 2120, 2136},
                    Ordered{T::kDate, 2122, 2138}, Ordered{T::kTimestamp, 2126, 2142},
                    Ordered{T::kTimestampTz, 2127, 2143}, Ordered{T::kText, 2129, 2145},
                    Ordered{T::kNumeric, 2130, 2146}}) {
    add(o.max_oid, "max", AggKind::kMax, o.type, o.type);
    add(o.min_oid, "min", AggKind::kMin, o.type, o.type);
  }
  add(2147, "count", AggKind::kCount, T::kUnknown, T::kInt8);
  add(2517, "bool_and", AggKind::kBoolAnd, T::kBool, T::kBool);
  add(2518, "bool_or", AggKind::kBoolOr, T::kBool, T::kBool);
  add(2519, "every", AggKind::kBoolAnd, T::kBool, T::kBool);
  add(2803, "count", AggKind::kCountStar, T::kVoid, T::kInt8);
  add(3538, "string_agg", AggKind::kStringAgg, T::kText, T::kText);
  t.back().arg2 = T::kText;
  add(2335, "array_agg", AggKind::kArrayAgg, T::kAnyNonArray, T::kAnyArray);
  return t;
}

storage::Numeric AsNumeric(const Datum& d) {
  if (const auto* n = std::get_if<storage::Numeric>(&d)) return *n;
  return adt::NumericFromInt(std::get<int64_t>(d));
}

}  // namespace

const std::vector<AggregateInfo>& Aggregates() {
  static const std::vector<AggregateInfo> table = MakeTable();
  return table;
}

bool IsAggregateName(std::string_view name) {
  for (const AggregateInfo& a : Aggregates()) {
    if (name == a.name) return true;
  }
  return false;
}

Status AggAdvance(const AggregateInfo& agg, AggTransition& state, const Datum& arg, const Datum& arg2) {
  if (agg.kind == AggKind::kCountStar) {
    ++state.count;
    return OkStatus();
  }
  if (agg.kind == AggKind::kArrayAgg) {  // keeps NULLs
    ++state.count;
    state.items.push_back(arg);
    return OkStatus();
  }
  if (storage::IsNull(arg)) return OkStatus();
  ++state.count;
  bool first = storage::IsNull(state.value);
  switch (agg.kind) {
    case AggKind::kCountStar:
    case AggKind::kCount:
    case AggKind::kArrayAgg:
      return OkStatus();
    case AggKind::kMin:
    case AggKind::kMax: {
      if (first) {
        state.value = arg;
        return OkStatus();
      }
      int c = CompareValues(arg, agg.arg, state.value, agg.arg);
      if (agg.kind == AggKind::kMin ? c < 0 : c > 0) state.value = arg;
      return OkStatus();
    }
    case AggKind::kStringAgg: {
      // Each value after the first is preceded by its own row's delimiter.
      const std::string& v = std::get<std::string>(arg);
      if (first) {
        state.value = v;
      } else {
        std::string& acc = std::get<std::string>(state.value);
        if (!storage::IsNull(arg2)) acc += std::get<std::string>(arg2);
        acc += v;
      }
      return OkStatus();
    }
    case AggKind::kBoolAnd:
    case AggKind::kBoolOr: {
      bool v = std::get<bool>(arg);
      state.value = first ? v : (agg.kind == AggKind::kBoolAnd ? std::get<bool>(state.value) && v
                                                                : std::get<bool>(state.value) || v);
      return OkStatus();
    }
    case AggKind::kSum:
    case AggKind::kAvg:
      break;
  }
  if (agg.arg == T::kFloat4 || agg.arg == T::kFloat8) {
    double v = std::get<double>(arg);
    double sum = first ? v : std::get<double>(state.value) + v;
    if (agg.kind == AggKind::kSum && agg.arg == T::kFloat4) sum = static_cast<float>(sum);  // float4pl
    state.value = sum;
    return OkStatus();
  }
  if (agg.kind == AggKind::kSum && (agg.arg == T::kInt2 || agg.arg == T::kInt4)) {
    int64_t v = std::get<int64_t>(arg);
    int64_t sum = first ? 0 : std::get<int64_t>(state.value);
    int64_t out = 0;
    if (__builtin_add_overflow(sum, v, &out)) {
      return MakeError(sqlstate::kNumericValueOutOfRange, "bigint out of range");
    }
    state.value = out;
    return OkStatus();
  }
  state.value = first ? AsNumeric(arg) : adt::NumericAdd(std::get<storage::Numeric>(state.value), AsNumeric(arg));
  return OkStatus();
}

Result<Datum> AggFinal(const AggregateInfo& agg, const AggTransition& state, TypeId result_type) {
  switch (agg.kind) {
    case AggKind::kArrayAgg:
      if (state.count == 0) return Datum();
      return Datum(storage::MakeArray(storage::ArrayElementColumnType(ToColumnType(result_type)), state.items));
    case AggKind::kCountStar:
    case AggKind::kCount:
      return Datum(state.count);
    case AggKind::kMin:
    case AggKind::kMax:
    case AggKind::kStringAgg:
    case AggKind::kBoolAnd:
    case AggKind::kBoolOr:
      return state.value;
    case AggKind::kSum:
      return state.value;
    case AggKind::kAvg:
      break;
  }
  if (state.count == 0) return Datum();
  if (agg.result == T::kFloat8) {
    return Datum(std::get<double>(state.value) / static_cast<double>(state.count));
  }
  auto avg = adt::NumericDiv(std::get<storage::Numeric>(state.value), adt::NumericFromInt(state.count));
  if (!avg.ok()) return avg.error();
  return Datum(*avg);
}

}  // namespace minipg::sql
