/*-------------------------------------------------------------------------
 * casts.cpp
 *   PostgreSQL 15's casts between the built-in types and the conversions
 *   (casts.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/adt/casts.h"

#include <climits>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/sql/adt/datetime.h"
#include "engine/sql/adt/float.h"
#include "engine/sql/adt/numeric.h"
#include "engine/sql/adt/varchar.h"
#include "engine/sql/types.h"

namespace minipg::sql::adt {
namespace {

using T = TypeId;
using storage::Datum;

// pg_cast's rows for the types minipg has (select castsource::regtype,
// casttarget::regtype, castcontext from pg_cast), plus int -> xid, which
// minipg's catalog queries rely on.
constexpr CastRule kRules[] = {
    {T::kInt2, T::kInt4, 'i'},      {T::kInt2, T::kInt8, 'i'},      {T::kInt2, T::kFloat4, 'i'},
    {T::kInt2, T::kFloat8, 'i'},    {T::kInt2, T::kNumeric, 'i'},   {T::kInt2, T::kOid, 'i'},
    {T::kInt4, T::kInt2, 'a'},      {T::kInt4, T::kInt8, 'i'},      {T::kInt4, T::kFloat4, 'i'},
    {T::kInt4, T::kFloat8, 'i'},    {T::kInt4, T::kNumeric, 'i'},   {T::kInt4, T::kOid, 'i'},
    {T::kInt4, T::kBool, 'e'},      {T::kInt4, T::kChar, 'e'},      {T::kInt8, T::kInt2, 'a'},
    {T::kInt8, T::kInt4, 'a'},      {T::kInt8, T::kFloat4, 'i'},    {T::kInt8, T::kFloat8, 'i'},
    {T::kInt8, T::kNumeric, 'i'},   {T::kInt8, T::kOid, 'i'},       {T::kFloat4, T::kInt2, 'a'},
    {T::kFloat4, T::kInt4, 'a'},    {T::kFloat4, T::kInt8, 'a'},    {T::kFloat4, T::kFloat8, 'i'},
    {T::kFloat4, T::kNumeric, 'a'}, {T::kFloat8, T::kInt2, 'a'},    {T::kFloat8, T::kInt4, 'a'},
    {T::kFloat8, T::kInt8, 'a'},    {T::kFloat8, T::kFloat4, 'a'},  {T::kFloat8, T::kNumeric, 'a'},
    {T::kNumeric, T::kInt2, 'a'},   {T::kNumeric, T::kInt4, 'a'},   {T::kNumeric, T::kInt8, 'a'},
    {T::kNumeric, T::kFloat4, 'i'}, {T::kNumeric, T::kFloat8, 'i'}, {T::kBool, T::kInt4, 'e'},
    {T::kOid, T::kInt4, 'a'},       {T::kOid, T::kInt8, 'a'},       {T::kInt2, T::kXid, 'i'},
    {T::kInt4, T::kXid, 'i'},       {T::kInt8, T::kXid, 'i'},
    // The string types.
    {T::kText, T::kBpchar, 'i'},    {T::kText, T::kVarchar, 'i'},   {T::kText, T::kName, 'i'},
    {T::kText, T::kChar, 'a'},      {T::kBpchar, T::kText, 'i'},    {T::kBpchar, T::kVarchar, 'i'},
    {T::kBpchar, T::kName, 'i'},    {T::kBpchar, T::kChar, 'a'},    {T::kVarchar, T::kText, 'i'},
    {T::kVarchar, T::kBpchar, 'i'}, {T::kVarchar, T::kName, 'i'},   {T::kVarchar, T::kChar, 'a'},
    {T::kName, T::kText, 'i'},      {T::kName, T::kBpchar, 'a'},    {T::kName, T::kVarchar, 'a'},
    {T::kChar, T::kText, 'i'},      {T::kChar, T::kBpchar, 'a'},    {T::kChar, T::kVarchar, 'a'},
    {T::kChar, T::kInt4, 'e'},
    // Dates and times.
    {T::kDate, T::kTimestamp, 'i'}, {T::kDate, T::kTimestampTz, 'i'}, {T::kTimestamp, T::kDate, 'a'},
    {T::kTimestamp, T::kTimestampTz, 'i'}, {T::kTimestampTz, T::kDate, 'a'}, {T::kTimestampTz, T::kTimestamp, 'a'},
};

Error OutOfRange(TypeId to) {
  const char* name = to == T::kInt2 ? "smallint" : to == T::kInt4 ? "integer" : "bigint";
  return MakeError(sqlstate::kNumericValueOutOfRange, fmt::format("{} out of range", name));
}

Result<Datum> IntegerInRange(int64_t v, TypeId to) {
  if (to == T::kInt2 && (v < INT16_MIN || v > INT16_MAX)) return OutOfRange(to);
  if (to == T::kInt4 && (v < INT32_MIN || v > INT32_MAX)) return OutOfRange(to);
  return Datum(v);
}

/* A string value's text: bpchar loses its padding, as bpchar's cast to text does. */
std::string StringOf(const Datum& value, TypeId from) {
  const auto& s = std::get<std::string>(value);
  return from == T::kBpchar ? std::string(BpcharTrimmed(s)) : s;
}

Result<Datum> FromFloat(double d, TypeId from, TypeId to) {
  switch (to) {
    case T::kInt2:
    case T::kInt4:
    case T::kInt8: {
      d = std::nearbyint(d);  // rint: half to even, as PostgreSQL's float casts
      double limit = to == T::kInt2 ? 32768.0 : to == T::kInt4 ? 2147483648.0 : 9223372036854775808.0;
      if (!(d >= -limit && d < limit)) return OutOfRange(to);
      return Datum(static_cast<int64_t>(d));
    }
    case T::kFloat4: {
      auto f = static_cast<float>(d);
      if (std::isinf(f) && !std::isinf(d)) {
        return MakeError(sqlstate::kNumericValueOutOfRange, "value out of range: overflow");
      }
      if (f == 0 && d != 0) return MakeError(sqlstate::kNumericValueOutOfRange, "value out of range: underflow");
      return Datum(static_cast<double>(f));
    }
    case T::kFloat8:
      return Datum(d);
    case T::kNumeric:
      return Datum(NumericFromDouble(d, from == T::kFloat4 ? 6 : 15));
    default:
      break;
  }
  return MakeError(sqlstate::kCannotCoerce, fmt::format("cannot cast type {} to {}", TypeName(from), TypeName(to)));
}

}  // namespace

std::span<const CastRule> CastRules() { return kRules; }

const CastRule* FindCastRule(TypeId source, TypeId target) {
  for (const CastRule& r : kRules) {
    if (r.source == source && r.target == target) return &r;
  }
  return nullptr;
}

bool IsStringType(TypeId t) {
  return t == T::kText || t == T::kVarchar || t == T::kBpchar || t == T::kName;
}

Result<Datum> ConvertValue(const Datum& value, TypeId from, TypeId to) {
  if (IsStringType(to) || to == T::kChar) {
    std::string text = IsStringType(from) || from == T::kChar ? StringOf(value, from)
                       : from == T::kBool                    ? std::string(std::get<bool>(value) ? "true" : "false")
                                                             : OutputText(value, from);
    if (to == T::kName || to == T::kChar) return InputText(text, to);  // name cut to 63 bytes, "char" to one
    return Datum(std::move(text));
  }
  if (IsStringType(from) || from == T::kUnknown) return InputText(StringOf(value, from), to);
  if (from == T::kChar && to == T::kInt4) {
    const auto& s = std::get<std::string>(value);
    return Datum(int64_t{s.empty() ? 0 : static_cast<signed char>(s[0])});
  }
  if (from == T::kInt4 && to == T::kChar) {
    return Datum(std::string(1, static_cast<char>(std::get<int64_t>(value))));
  }
  if (from == T::kBool && to == T::kInt4) return Datum(int64_t{std::get<bool>(value) ? 1 : 0});
  if (from == T::kInt4 && to == T::kBool) return Datum(std::get<int64_t>(value) != 0);
  if (IsInteger(from) && IsUnsigned32(to)) {
    int64_t v = std::get<int64_t>(value);
    if (v < INT32_MIN || v > int64_t{UINT32_MAX}) return MakeError(sqlstate::kNumericValueOutOfRange, "OID out of range");
    return Datum(v < 0 ? v + (int64_t{1} << 32) : v);  // int4 -> oid keeps the bits
  }
  if (from == T::kOid && IsInteger(to)) {
    int64_t v = std::get<int64_t>(value);
    if (to != T::kInt8 && v > INT32_MAX) v -= int64_t{1} << 32;  // oid -> int4 keeps the bits
    return IntegerInRange(v, to);
  }
  if (IsInteger(from)) {
    int64_t v = std::get<int64_t>(value);
    if (IsInteger(to)) return IntegerInRange(v, to);
    if (to == T::kNumeric) return Datum(NumericFromInt(v));
    if (to == T::kFloat4) return Datum(static_cast<double>(static_cast<float>(v)));
    if (to == T::kFloat8) return Datum(static_cast<double>(v));
  }
  if (from == T::kFloat4 || from == T::kFloat8) return FromFloat(std::get<double>(value), from, to);
  if (from == T::kNumeric) {
    const auto& n = std::get<storage::Numeric>(value);
    if (IsInteger(to)) {
      auto v = to == T::kInt2   ? NumericToInt(n, INT16_MIN, INT16_MAX, "smallint")
               : to == T::kInt4 ? NumericToInt(n, INT32_MIN, INT32_MAX, "integer")
                                : NumericToInt(n, INT64_MIN, INT64_MAX, "bigint");
      if (!v.ok()) return v.error();
      return Datum(*v);
    }
    if (to == T::kFloat8) return Datum(NumericToDouble(n));
    if (to == T::kFloat4) return FromFloat(NumericToDouble(n), T::kFloat8, T::kFloat4);
  }
  if (from == T::kDate && (to == T::kTimestamp || to == T::kTimestampTz)) {
    return Datum(DateToTimestamp(std::get<int64_t>(value)));
  }
  if ((from == T::kTimestamp || from == T::kTimestampTz) && to == T::kDate) {
    return Datum(TimestampToDate(std::get<int64_t>(value)));
  }
  if ((from == T::kTimestamp && to == T::kTimestampTz) || (from == T::kTimestampTz && to == T::kTimestamp)) {
    return value;  // TimeZone is UTC: the same instant reads the same
  }
  return MakeError(sqlstate::kCannotCoerce, fmt::format("cannot cast type {} to {}", TypeName(from), TypeName(to)));
}

}  // namespace minipg::sql::adt
