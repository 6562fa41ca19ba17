/*-------------------------------------------------------------------------
 * aggregates.h
 *   The built-in aggregate functions (PostgreSQL's pg_aggregate rows with
 *   their pg_proc OIDs): count, sum, avg, min, max over minipg's types,
 *   string_agg, bool_and, bool_or, every, array_agg; one table so pg_proc can list
 *   them later. The executor's Agg node
 *   (executor/node_agg.cpp) keeps one transition state per aggregate and
 *   group and feeds it row by row.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/common/error.h"
#include "engine/sql/session.h"
#include "engine/storage/datum.h"

namespace minipg::sql {

enum class AggKind : char { kCountStar, kCount, kSum, kAvg, kMin, kMax, kStringAgg, kBoolAnd, kBoolOr, kArrayAgg };

struct AggregateInfo {
  uint32_t oid = 0;         // pg_proc.oid of the aggregate
  const char* name = "";    // pg_proc.proname
  AggKind kind = AggKind::kCount;
  TypeId arg = TypeId::kVoid;  // the argument's type; kVoid for count(*), kUnknown for count("any")
  TypeId result = TypeId::kInt8;
  TypeId arg2 = TypeId::kVoid;  // a second argument's type (string_agg's delimiter); kVoid if none
};

/* Every built-in aggregate, in pg_proc OID order. */
const std::vector<AggregateInfo>& Aggregates();
/* Whether `name` is an aggregate function's name. */
bool IsAggregateName(std::string_view name);

/* One aggregate's running state for one group. */
struct AggTransition {
  int64_t count = 0;        // rows seen (non-NULL arguments)
  storage::Datum value;     // sum / min / max so far; NULL before the first row
  std::vector<storage::Datum> items;  // array_agg: every value so far, NULLs too
};

/* Feeds one argument value (ignored if NULL, except by count(*)); `arg2`
 * is the second argument's value for an aggregate that has one. */
Status AggAdvance(const AggregateInfo& agg, AggTransition& state, const storage::Datum& arg,
                  const storage::Datum& arg2 = storage::Datum());
/* The aggregate's result for a group; `result_type` is the call's
 * (array_agg's array type, resolved from its argument). */
Result<storage::Datum> AggFinal(const AggregateInfo& agg, const AggTransition& state,
                                TypeId result_type = TypeId::kVoid);

}  // namespace minipg::sql
