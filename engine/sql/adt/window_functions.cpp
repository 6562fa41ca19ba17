/*-------------------------------------------------------------------------
 * window_functions.cpp
 *   The built-in window functions' registry entries (PostgreSQL 15's
 *   pg_proc rows with prokind 'w'): row_number, rank, dense_rank,
 *   percent_rank, cume_dist, ntile, lag, lead, first_value, last_value,
 *   nth_value. They have no call: only the WindowAgg plan node computes
 *   them, from the rows of the current partition and frame
 *   (executor/node_window.cpp); the analyzer resolves their argument
 *   types like any function's and refuses them without OVER (42809).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/adt/builtins.h"

namespace minipg::sql {

void RegisterWindowFunctions(BuiltinRegistry& r) {
  using T = TypeId;
  auto add = [&r](uint32_t oid, const char* name, std::vector<TypeId> args, TypeId result, bool strict) {
    FunctionInfo f = MakeFunctionInfo(oid, name, std::move(args), result, nullptr, Volatility::kImmutable);
    f.strict = strict;
    f.kind = 'w';
    r.functions.push_back(std::move(f));
  };
  add(3100, "row_number", {}, T::kInt8, false);
  add(3101, "rank", {}, T::kInt8, false);
  add(3102, "dense_rank", {}, T::kInt8, false);
  add(3103, "percent_rank", {}, T::kFloat8, false);
  add(3104, "cume_dist", {}, T::kFloat8, false);
  add(3105, "ntile", {T::kInt4}, T::kInt4, true);
  for (auto [oid, name] : {std::pair{3106u, "lag"}, std::pair{3109u, "lead"}}) {
    add(oid, name, {T::kAnyElement}, T::kAnyElement, true);
    add(oid + 1, name, {T::kAnyElement, T::kInt4}, T::kAnyElement, true);
    add(oid + 2, name, {T::kAnyCompatible, T::kInt4, T::kAnyCompatible}, T::kAnyCompatible, true);
  }
  add(3112, "first_value", {T::kAnyElement}, T::kAnyElement, true);
  add(3113, "last_value", {T::kAnyElement}, T::kAnyElement, true);
  add(3114, "nth_value", {T::kAnyElement, T::kInt4}, T::kAnyElement, true);
}

}  // namespace minipg::sql
