/*-------------------------------------------------------------------------
 * function_args.h
 *   Reading a built-in's arguments and wrapping its result: what every
 *   module of engine/sql/adt/ registering into builtins.h shares.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "engine/sql/adt/builtins.h"
#include "engine/sql/adt/varchar.h"
#include "engine/sql/types.h"

namespace minipg::sql::adt {

using storage::Datum;
using T = TypeId;

inline int64_t IntArg(const FunctionCall& c, size_t i) { return std::get<int64_t>(c.args[i]); }
inline double FloatArg(const FunctionCall& c, size_t i) {
  const Datum& d = c.args[i];
  if (const int64_t* v = std::get_if<int64_t>(&d)) return static_cast<double>(*v);
  return std::get<double>(d);
}
inline const storage::Numeric& NumericArg(const FunctionCall& c, size_t i) {
  return std::get<storage::Numeric>(c.args[i]);
}
inline const storage::Interval& IntervalArg(const FunctionCall& c, size_t i) {
  return std::get<storage::Interval>(c.args[i]);
}
/* A string argument; a bpchar one without its trailing blanks. */
inline std::string_view TextArg(const FunctionCall& c, size_t i) {
  const auto& s = std::get<std::string>(c.args[i]);
  return i < c.arg_types.size() && c.arg_types[i] == T::kBpchar ? BpcharTrimmed(s) : std::string_view(s);
}

/* A Result<V> as a Result<Datum>. */
template <typename V>
Result<Datum> Wrap(Result<V> r) {
  if (!r.ok()) return r.error();
  return Datum(std::move(*r));
}

/* The argument itself (unary plus). */
inline Result<Datum> Identity(const FunctionCall& c) { return c.args[0]; }

}  // namespace minipg::sql::adt

namespace minipg::sql::adt {

/* The comparison operators every type shares: CompareValues on the two
 * arguments with their types (numeric_ops.cpp). */
Result<Datum> CompareEq(const FunctionCall& c);
Result<Datum> CompareNe(const FunctionCall& c);
Result<Datum> CompareLt(const FunctionCall& c);
Result<Datum> CompareLe(const FunctionCall& c);
Result<Datum> CompareGt(const FunctionCall& c);
Result<Datum> CompareGe(const FunctionCall& c);

/* A double precision result with PostgreSQL's overflow / underflow checks. */
Result<Datum> Float8Result(double r, const FunctionCall& c, bool zero_allowed);
Result<Datum> Float8Power(const FunctionCall& c);
Result<Datum> Float8Sqrt(const FunctionCall& c);
Result<Datum> Float8Cbrt(const FunctionCall& c);

/* Each module's entries (builtins.cpp calls them all). */
void RegisterNumericOperators(BuiltinRegistry& r);
void RegisterMathFunctions(BuiltinRegistry& r);
void RegisterDatetimeOperators(BuiltinRegistry& r);
void RegisterDatetimeFunctions(BuiltinRegistry& r);
void RegisterTextFunctions(BuiltinRegistry& r);
void RegisterLikeOperators(BuiltinRegistry& r);
void RegisterRegexOperators(BuiltinRegistry& r);
void RegisterSeriesFunctions(BuiltinRegistry& r);
void RegisterArrayFunctions(BuiltinRegistry& r);

}  // namespace minipg::sql::adt
