/*-------------------------------------------------------------------------
 * typmod.cpp
 *   Type modifiers: varchar(n), char(n), numeric(p,s), timestamp(p),
 *   interval(p): reading them as written, applying them to a value, and
 *   format_type's spelling (types.h).
 *-------------------------------------------------------------------------
 */
#include <algorithm>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/sql/adt/datetime.h"
#include "engine/sql/adt/numeric.h"
#include "engine/sql/adt/varchar.h"
#include "engine/sql/types.h"

namespace minipg::sql {
namespace {

constexpr int64_t kMaxStringLength = 10485760;  // MaxAttrSize in characters, as PostgreSQL's limit
constexpr int64_t kMaxNumericPrecision = 1000;
constexpr int32_t kMaxTimestampPrecision = 6;
constexpr int32_t kIntervalFullRange = 0x7FFF;  // INTERVAL_FULL_RANGE: every field

Error InvalidModifier(std::string message) {
  return MakeError(sqlstate::kInvalidParameterValue, std::move(message));
}

}  // namespace

Result<int32_t> TypmodFromModifiers(TypeId type, std::span<const int64_t> modifiers) {
  if (modifiers.empty()) {
    return type == TypeId::kBpchar ? 1 + 4 : -1;  // character means character(1)
  }
  switch (type) {
    case TypeId::kVarchar:
    case TypeId::kBpchar: {
      const char* name = type == TypeId::kVarchar ? "varchar" : "char";
      if (modifiers.size() != 1) return InvalidModifier(fmt::format("invalid type modifier"));
      if (modifiers[0] < 1) return InvalidModifier(fmt::format("length for type {} must be at least 1", name));
      if (modifiers[0] > kMaxStringLength) {
        return InvalidModifier(fmt::format("length for type {} cannot exceed {}", name, kMaxStringLength));
      }
      return static_cast<int32_t>(modifiers[0] + 4);
    }
    case TypeId::kNumeric: {
      if (modifiers.size() > 2) return InvalidModifier("invalid NUMERIC type modifier");
      int64_t precision = modifiers[0];
      int64_t scale = modifiers.size() == 2 ? modifiers[1] : 0;
      if (precision < 1 || precision > kMaxNumericPrecision) {
        return InvalidModifier(
            fmt::format("NUMERIC precision {} must be between 1 and {}", precision, kMaxNumericPrecision));
      }
      if (scale < -kMaxNumericPrecision || scale > kMaxNumericPrecision) {
        return InvalidModifier(fmt::format("NUMERIC scale {} must be between {} and {}", scale,
                                           -kMaxNumericPrecision, kMaxNumericPrecision));
      }
      return adt::NumericTypmod(static_cast<int32_t>(precision), static_cast<int32_t>(scale));
    }
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kInterval: {
      const char* name = type == TypeId::kInterval ? "INTERVAL" : "TIMESTAMP";
      if (modifiers.size() != 1) return InvalidModifier("invalid type modifier");
      if (modifiers[0] < 0) {
        return InvalidModifier(fmt::format("{}({}){} precision must not be negative", name, modifiers[0],
                                           type == TypeId::kTimestampTz ? " WITH TIME ZONE" : ""));
      }
      // PostgreSQL warns and reduces a precision above 6 to 6.
      auto precision = static_cast<int32_t>(std::min<int64_t>(modifiers[0], kMaxTimestampPrecision));
      // interval's typmod also holds its fields (YEAR TO MONTH, ...): all of them here.
      return type == TypeId::kInterval ? (kIntervalFullRange << 16) | precision : precision;
    }
    default:
      break;
  }
  return MakeError(sqlstate::kSyntaxError, fmt::format("type modifier is not allowed for type \"{}\"", TypeInternalName(type)));
}

Result<Datum> ApplyTypmod(const Datum& value, TypeId type, int32_t typmod, bool explicit_cast) {
  if (storage::IsNull(value) || typmod < 0) return value;
  switch (type) {
    case TypeId::kVarchar:
    case TypeId::kBpchar: {
      const auto& s = std::get<std::string>(value);
      auto r = type == TypeId::kVarchar ? adt::VarcharApplyTypmod(s, typmod, explicit_cast)
                                        : adt::BpcharApplyTypmod(s, typmod, explicit_cast);
      if (!r.ok()) return r.error();
      return Datum(std::move(*r));
    }
    case TypeId::kNumeric: {
      auto r = adt::NumericApplyTypmod(std::get<storage::Numeric>(value), typmod);
      if (!r.ok()) return r.error();
      return Datum(std::move(*r));
    }
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return Datum(adt::TimestampRoundToPrecision(std::get<int64_t>(value), typmod));
    case TypeId::kInterval: {
      storage::Interval iv = std::get<storage::Interval>(value);
      iv.micros = adt::TimestampRoundToPrecision(iv.micros, typmod & 0xFFFF);
      return Datum(iv);
    }
    default:
      return value;
  }
}

Result<Datum> InputText(std::string_view text, TypeId type, int32_t typmod) {
  auto v = InputText(text, type);
  if (!v.ok()) return v;
  return ApplyTypmod(*v, type, typmod, /*explicit_cast=*/false);
}

std::string FormatType(TypeId type, int32_t typmod) {
  if (typmod < 0) return TypeName(type);
  switch (type) {
    case TypeId::kVarchar:
    case TypeId::kBpchar:
      return fmt::format("{}({})", TypeName(type), typmod - 4);
    case TypeId::kNumeric:
      if (typmod < 4) return TypeName(type);
      return fmt::format("numeric({},{})", ((typmod - 4) >> 16) & 0xFFFF, ((((typmod - 4) & 0x7FF) ^ 1024) - 1024));
    case TypeId::kTimestamp:
      return fmt::format("timestamp({}) without time zone", typmod);
    case TypeId::kTimestampTz:
      return fmt::format("timestamp({}) with time zone", typmod);
    case TypeId::kInterval:
      return fmt::format("interval({})", typmod & 0xFFFF);
    default:
      return TypeName(type);
  }
}

}  // namespace minipg::sql
