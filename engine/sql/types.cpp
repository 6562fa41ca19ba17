/*-------------------------------------------------------------------------
 * types.cpp
 *   Type metadata, text input/output and casts (see types.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/types.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/sql/adt/catalog_types.h"

namespace minipg::sql {

uint32_t TypeOid(TypeId type) {
  switch (type) {
    case TypeId::kBool:
      return 16;
    case TypeId::kInt4:
      return 23;
    case TypeId::kInt8:
      return 20;
    case TypeId::kText:
    case TypeId::kUnknown:
      return 25;
    case TypeId::kVoid:
      return 2278;
    case TypeId::kNumeric:
      return 1700;
    case TypeId::kTimestampTz:
      return 1184;
    case TypeId::kInet:
      return 869;
    case TypeId::kOid:
      return 26;
    case TypeId::kName:
      return 19;
    case TypeId::kChar:
      return 18;
    case TypeId::kInt2:
      return 21;
    case TypeId::kFloat4:
      return 700;
    case TypeId::kXid:
      return 28;
    MINIPG_CATALOG_TYPE_CASES:
      return FindCatalogType(type)->oid;
  }
  return 25;
}

int16_t TypeLen(TypeId type) {
  switch (type) {
    case TypeId::kBool:
    case TypeId::kChar:
      return 1;
    case TypeId::kInt2:
      return 2;
    case TypeId::kInt4:
    case TypeId::kVoid:
    case TypeId::kOid:
    case TypeId::kFloat4:
    case TypeId::kXid:
      return 4;
    case TypeId::kName:
      return 64;  // NAMEDATALEN, as PostgreSQL reports it
    case TypeId::kInt8:
    case TypeId::kTimestampTz:
      return 8;
    case TypeId::kText:
    case TypeId::kUnknown:
    case TypeId::kNumeric:
    case TypeId::kInet:
      return -1;
    MINIPG_CATALOG_TYPE_CASES:
      return IsRegType(type) || type == TypeId::kAnyElement ? 4 : -1;
  }
  return -1;
}

const char* TypeName(TypeId type) {
  switch (type) {
    case TypeId::kBool:
      return "boolean";
    case TypeId::kInt4:
      return "integer";
    case TypeId::kInt8:
      return "bigint";
    case TypeId::kText:
      return "text";
    case TypeId::kUnknown:
      return "unknown";
    case TypeId::kVoid:
      return "void";
    case TypeId::kNumeric:
      return "numeric";
    case TypeId::kTimestampTz:
      return "timestamp with time zone";
    case TypeId::kInet:
      return "inet";
    case TypeId::kOid:
      return "oid";
    case TypeId::kName:
      return "name";
    case TypeId::kChar:
      return "\"char\"";
    case TypeId::kInt2:
      return "smallint";
    case TypeId::kFloat4:
      return "real";
    case TypeId::kXid:
      return "xid";
    MINIPG_CATALOG_TYPE_CASES:
      return FindCatalogType(type)->name;
  }
  return "unknown";
}

const char* TypeInternalName(TypeId type) {
  switch (type) {
    case TypeId::kBool:
      return "bool";
    case TypeId::kInt4:
      return "int4";
    case TypeId::kInt8:
      return "int8";
    case TypeId::kText:
      return "text";
    case TypeId::kUnknown:
      return "unknown";
    case TypeId::kVoid:
      return "void";
    case TypeId::kNumeric:
      return "numeric";
    case TypeId::kTimestampTz:
      return "timestamptz";
    case TypeId::kInet:
      return "inet";
    case TypeId::kOid:
      return "oid";
    case TypeId::kName:
      return "name";
    case TypeId::kChar:
      return "char";
    case TypeId::kInt2:
      return "int2";
    case TypeId::kFloat4:
      return "float4";
    case TypeId::kXid:
      return "xid";
    MINIPG_CATALOG_TYPE_CASES:
      return FindCatalogType(type)->internal_name;
  }
  return "unknown";
}

std::optional<TypeId> ResolveTypeName(std::string_view name) {
  if (name == "int" || name == "integer" || name == "int4") {
    return TypeId::kInt4;
  }
  if (name == "bigint" || name == "int8") {
    return TypeId::kInt8;
  }
  if (name == "text" || name == "varchar" || name == "char" || name == "character") {
    return TypeId::kText;
  }
  if (name == "boolean" || name == "bool") {
    return TypeId::kBool;
  }
  if (name == "numeric" || name == "decimal") {
    return TypeId::kNumeric;
  }
  if (name == "smallint" || name == "int2") {
    return TypeId::kInt2;
  }
  if (name == "real" || name == "float4") {
    return TypeId::kFloat4;
  }
  if (name == "oid") {
    return TypeId::kOid;
  }
  if (name == "name") {
    return TypeId::kName;
  }
  if (name == "xid") {
    return TypeId::kXid;
  }
  if (name == "\"char\"") {  // as the parser spells a quoted "char"
    return TypeId::kChar;
  }
  return ResolveCatalogTypeName(name);
}

storage::ColumnType ToColumnType(TypeId type) {
  switch (type) {
    case TypeId::kBool:
      return storage::ColumnType::kBool;
    case TypeId::kInt4:
      return storage::ColumnType::kInt4;
    case TypeId::kInt8:
      return storage::ColumnType::kInt8;
    case TypeId::kTimestampTz:
      return storage::ColumnType::kTimestampTz;
    case TypeId::kInet:
      return storage::ColumnType::kInet;
    case TypeId::kOid:
      return storage::ColumnType::kOid;
    case TypeId::kName:
      return storage::ColumnType::kName;
    case TypeId::kChar:
      return storage::ColumnType::kChar;
    case TypeId::kInt2:
      return storage::ColumnType::kInt2;
    case TypeId::kFloat4:
      return storage::ColumnType::kFloat4;
    case TypeId::kXid:
      return storage::ColumnType::kXid;
    MINIPG_CATALOG_TYPE_CASES:
      return FindCatalogType(type)->column;
    default:
      return storage::ColumnType::kText;
  }
}

TypeId FromColumnType(storage::ColumnType type) {
  switch (type) {
    case storage::ColumnType::kBool:
      return TypeId::kBool;
    case storage::ColumnType::kInt4:
      return TypeId::kInt4;
    case storage::ColumnType::kInt8:
      return TypeId::kInt8;
    case storage::ColumnType::kText:
      return TypeId::kText;
    case storage::ColumnType::kTimestampTz:
      return TypeId::kTimestampTz;
    case storage::ColumnType::kInet:
      return TypeId::kInet;
    case storage::ColumnType::kOid:
      return TypeId::kOid;
    case storage::ColumnType::kName:
      return TypeId::kName;
    case storage::ColumnType::kChar:
      return TypeId::kChar;
    case storage::ColumnType::kInt2:
      return TypeId::kInt2;
    case storage::ColumnType::kFloat4:
      return TypeId::kFloat4;
    case storage::ColumnType::kXid:
      return TypeId::kXid;
    case storage::ColumnType::kInt2Vector:
      return TypeId::kInt2Vector;
    case storage::ColumnType::kOidVector:
      return TypeId::kOidVector;
    case storage::ColumnType::kInt2Array:
      return TypeId::kInt2Array;
    case storage::ColumnType::kInt4Array:
      return TypeId::kInt4Array;
    case storage::ColumnType::kTextArray:
      return TypeId::kTextArray;
    case storage::ColumnType::kOidArray:
      return TypeId::kOidArray;
    case storage::ColumnType::kCharArray:
      return TypeId::kCharArray;
    case storage::ColumnType::kNameArray:
      return TypeId::kNameArray;
    case storage::ColumnType::kAclItemArray:
      return TypeId::kAclItemArray;
    case storage::ColumnType::kRegproc:
      return TypeId::kRegproc;
  }
  return TypeId::kText;
}

std::string FormatTimestampTz(int64_t micros) {
  int64_t secs = micros >= 0 ? micros / 1'000'000 : -((-micros + 999'999) / 1'000'000);
  int64_t frac = micros - secs * 1'000'000;
  time_t t = static_cast<time_t>(secs);
  tm parts{};
  gmtime_r(&t, &parts);
  std::string out = fmt::format("{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}", parts.tm_year + 1900, parts.tm_mon + 1,
                                parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec);
  if (frac != 0) {
    std::string digits = fmt::format("{:06d}", frac);
    digits.erase(digits.find_last_not_of('0') + 1);  // PostgreSQL drops trailing zeros
    out += "." + digits;
  }
  return out + "+00";  // TimeZone is UTC
}

std::string FormatFloat4(double value) {
  auto f = static_cast<float>(value);
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "Infinity" : "-Infinity";
  // float4out: the fewest significant digits that read back the same float,
  // printed as %g would with that many (1.5, 611, 1.2345679e+08, 1e-05).
  std::string shortest = fmt::format("{}", f);  // shortest round-trip digits, fixed or exponent
  std::string_view mantissa = std::string_view(shortest).substr(0, shortest.find('e'));
  size_t first = mantissa.find_first_of("123456789");
  size_t last = mantissa.find_last_of("123456789");  // 123456790: the trailing 0 is not a digit of it
  int digits = 1;
  if (first != std::string_view::npos) {
    std::string_view span = mantissa.substr(first, last - first + 1);
    digits = static_cast<int>(span.size() - (span.find('.') != std::string_view::npos ? 1 : 0));
  }
  // Fixed notation for decimal exponents -4 .. 5 (1000, 100000, 0.0001),
  // else exponential (1e+06, 1.2345679e+08), as PostgreSQL's float4out.
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*e", digits - 1, static_cast<double>(f));  // "1.5e+03": its exponent
  int exponent = std::atoi(std::strchr(buf, 'e') + 1);
  if (exponent >= -4 && exponent < 6) {
    std::snprintf(buf, sizeof buf, "%.*f", std::max(0, digits - 1 - exponent), static_cast<double>(f));
  }
  return buf;
}

std::string OutputText(const Datum& value, TypeId type) {
  if (FindCatalogType(type) != nullptr) return CatalogTypeOutputText(value, type);
  if (type == TypeId::kTimestampTz && std::holds_alternative<int64_t>(value)) {
    return FormatTimestampTz(std::get<int64_t>(value));
  }
  if (const bool* b = std::get_if<bool>(&value)) {
    return *b ? "t" : "f";
  }
  if (const int64_t* i = std::get_if<int64_t>(&value)) {
    return std::to_string(*i);
  }
  if (const double* d = std::get_if<double>(&value)) {
    if (type == TypeId::kFloat4) {
      return FormatFloat4(*d);
    }
    return fmt::format("{}", *d);
  }
  if (const std::string* s = std::get_if<std::string>(&value)) {
    return *s;
  }
  (void)type;
  return "";  // void
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

Error InvalidInput(TypeId type, std::string_view text) {
  return MakeError(sqlstate::kInvalidTextRepresentation,
                   fmt::format("invalid input syntax for type {}: \"{}\"", TypeName(type), text));
}

Result<Datum> InputInteger(std::string_view text, TypeId type) {
  std::string_view s = Trim(text);
  std::string_view digits = s;
  if (!digits.empty() && digits.front() == '+') {
    digits.remove_prefix(1);
    s.remove_prefix(1);
  }
  if (!digits.empty() && digits.front() == '-') {
    digits.remove_prefix(1);
  }
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) {
    return InvalidInput(type, text);
  }
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  bool out_of_range = ec == std::errc::result_out_of_range ||
                      (type == TypeId::kInt4 && (v < INT32_MIN || v > INT32_MAX)) ||
                      (type == TypeId::kInt2 && (v < INT16_MIN || v > INT16_MAX));
  if (out_of_range) {
    return MakeError(sqlstate::kNumericValueOutOfRange,
                     fmt::format("value \"{}\" is out of range for type {}", text, TypeName(type)));
  }
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return InvalidInput(type, text);
  }
  return Datum(v);
}

Result<Datum> InputBool(std::string_view text) {
  std::string s(Trim(text));
  for (char& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  auto prefix_of = [&s](std::string_view word, size_t min_len) {
    return s.size() >= min_len && s.size() <= word.size() && word.substr(0, s.size()) == s;
  };
  if (prefix_of("true", 1) || prefix_of("yes", 1) || prefix_of("on", 2) || s == "1") {
    return Datum(true);
  }
  if (prefix_of("false", 1) || prefix_of("no", 1) || prefix_of("off", 2) || s == "0") {
    return Datum(false);
  }
  return InvalidInput(TypeId::kBool, text);
}

Result<Datum> InputNumeric(std::string_view text) {
  std::string s(Trim(text));
  if (s.empty() || s.find_first_not_of("0123456789.eE+-") != std::string::npos) {
    return InvalidInput(TypeId::kNumeric, text);
  }
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) {
    return InvalidInput(TypeId::kNumeric, text);
  }
  if (errno == ERANGE || !std::isfinite(v)) {
    return MakeError(sqlstate::kNumericValueOutOfRange, "value overflows numeric format");
  }
  return Datum(v);
}

/* oid and xid (oidin, xidin): an unsigned 32-bit number; a negative one
 * down to -2^31 wraps around, as in PostgreSQL. */
Result<Datum> InputUnsigned32(std::string_view text, TypeId type) {
  auto v = InputInteger(text, TypeId::kInt8);
  if (!v.ok()) {
    return v.error().sqlstate == std::string_view(sqlstate::kNumericValueOutOfRange)
               ? MakeError(sqlstate::kNumericValueOutOfRange,
                           fmt::format("value \"{}\" is out of range for type {}", text, TypeName(type)))
               : InvalidInput(type, text);
  }
  int64_t n = std::get<int64_t>(*v);
  if (n < INT32_MIN || n > int64_t{UINT32_MAX}) {
    return MakeError(sqlstate::kNumericValueOutOfRange,
                     fmt::format("value \"{}\" is out of range for type {}", text, TypeName(type)));
  }
  return Datum(n < 0 ? n + (int64_t{1} << 32) : n);
}

Result<Datum> InputFloat4(std::string_view text) {
  std::string s(Trim(text));
  std::string lower = s;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "nan") return Datum(std::nan(""));
  if (lower == "infinity" || lower == "inf" || lower == "+infinity" || lower == "+inf") return Datum(HUGE_VAL);
  if (lower == "-infinity" || lower == "-inf") return Datum(-HUGE_VAL);
  auto v = InputNumeric(text);
  if (!v.ok()) return InvalidInput(TypeId::kFloat4, text);
  double d = std::get<double>(*v);
  if (std::fabs(d) > 3.402823466e38) {
    return MakeError(sqlstate::kNumericValueOutOfRange,
                     fmt::format("\"{}\" is out of range for type real", s));
  }
  return Datum(static_cast<double>(static_cast<float>(d)));
}

/* NAMEDATALEN - 1 bytes at most, not splitting a UTF-8 character. */
size_t TruncatedNameLength(std::string_view text) {
  constexpr size_t kMaxNameBytes = 63;
  if (text.size() <= kMaxNameBytes) return text.size();
  size_t n = kMaxNameBytes;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return n;
}


}  // namespace

Result<Datum> CheckInt2(int64_t v) {
  if (v < INT16_MIN || v > INT16_MAX) {
    return MakeError(sqlstate::kNumericValueOutOfRange, "smallint out of range");
  }
  return Datum(v);
}

Result<Datum> CheckInt4(int64_t v) {
  if (v < INT32_MIN || v > INT32_MAX) {
    return MakeError(sqlstate::kNumericValueOutOfRange, "integer out of range");
  }
  return Datum(v);
}

Result<Datum> InputText(std::string_view text, TypeId type) {
  switch (type) {
    case TypeId::kInt2:
    case TypeId::kInt4:
    case TypeId::kInt8:
      return InputInteger(text, type);
    case TypeId::kOid:
    case TypeId::kXid:
      return InputUnsigned32(text, type);
    case TypeId::kFloat4:
      return InputFloat4(text);
    case TypeId::kName:
      // namein: longer names are cut to NAMEDATALEN - 1 bytes (on a character boundary)
      return Datum(std::string(text.substr(0, TruncatedNameLength(text))));
    case TypeId::kChar:
      return Datum(std::string(text.substr(0, text.empty() ? 0 : 1)));  // charin: the first byte
    case TypeId::kBool:
      return InputBool(text);
    case TypeId::kNumeric:
      return InputNumeric(text);
    case TypeId::kText:
    case TypeId::kUnknown:
      return Datum(std::string(text));
    case TypeId::kVoid:
      return Datum(std::monostate{});
    case TypeId::kInet:
      return Datum(std::string(Trim(text)));  // not checked: minipg only shows addresses
    case TypeId::kTimestampTz:
      return MakeError(sqlstate::kFeatureNotSupported,
                       "input of type timestamp with time zone is not supported by minipg");
    MINIPG_CATALOG_TYPE_CASES:
      return CatalogTypeInputText(text, type);
  }
  return InvalidInput(type, text);
}

bool CanCast(TypeId from, TypeId to, CastContext context) {
  if (from == to || from == TypeId::kUnknown) {
    return true;
  }
  if (to == TypeId::kVoid || from == TypeId::kVoid) {
    return false;
  }
  // oid and the reg* types are the same number (binary coercible, implicit
  // both ways); integers become reg* implicitly, reg* integers explicitly.
  if ((IsRegType(from) && to == TypeId::kOid) ||
      (IsRegType(to) && (from == TypeId::kOid || IsInteger(from) || IsRegType(from)))) {
    return true;
  }
  if (IsRegType(from) && IsInteger(to)) {
    return context != CastContext::kImplicit;
  }
  // Widening numbers, integers to oid, name and "char" to text: everywhere.
  if (IsNumber(from) && IsNumber(to) && NumberRank(from) < NumberRank(to)) {
    return true;
  }
  if ((IsInteger(from) && IsUnsigned32(to)) || (IsTextLike(from) && to == TypeId::kText) ||
      (from == TypeId::kText && to == TypeId::kName)) {
    return true;
  }
  if (context == CastContext::kImplicit) {
    return false;
  }
  if (from == TypeId::kOid && IsInteger(to)) {
    return true;
  }
  // Narrowing numbers, and any type to text: on assignment too.
  if (IsNumber(from) && IsNumber(to)) {
    return true;
  }
  if (to == TypeId::kText) {
    return true;
  }
  if (context == CastContext::kAssignment) {
    return false;
  }
  if (from == TypeId::kText) {
    return true;  // through the target type's input function
  }
  return (from == TypeId::kInt4 && to == TypeId::kBool) || (from == TypeId::kBool && to == TypeId::kInt4);
}

Result<Datum> CastValue(const Datum& value, TypeId from, TypeId to) {
  if (storage::IsNull(value) || from == to) {
    return value;
  }
  if (to == TypeId::kText) {
    if (from == TypeId::kBool) {
      return Datum(std::string(std::get<bool>(value) ? "true" : "false"));
    }
    return Datum(OutputText(value, from));
  }
  if (from == TypeId::kText || from == TypeId::kUnknown) {
    return InputText(std::get<std::string>(value), to);
  }
  if (from == TypeId::kBool && to == TypeId::kInt4) {
    return Datum(static_cast<int64_t>(std::get<bool>(value) ? 1 : 0));
  }
  if (from == TypeId::kInt4 && to == TypeId::kBool) {
    return Datum(std::get<int64_t>(value) != 0);
  }
  if (IsTextLike(from) && IsTextLike(to)) {
    return InputText(std::get<std::string>(value), to);  // name cut to 63 bytes, "char" to one
  }
  if ((IsRegType(from) || from == TypeId::kOid) && (IsRegType(to) || to == TypeId::kOid)) {
    return value;  // the same OID
  }
  if (IsRegType(from) && IsInteger(to)) {
    return CastValue(value, TypeId::kOid, to);
  }
  if (IsInteger(from) && (IsUnsigned32(to) || IsRegType(to))) {
    int64_t v = std::get<int64_t>(value);
    if (v < INT32_MIN || v > int64_t{UINT32_MAX}) {
      return MakeError(sqlstate::kNumericValueOutOfRange, "OID out of range");
    }
    return Datum(v < 0 ? v + (int64_t{1} << 32) : v);  // int4 -> oid keeps the bits
  }
  if (from == TypeId::kOid && IsInteger(to)) {
    int64_t v = std::get<int64_t>(value);
    if (to != TypeId::kInt8 && v > INT32_MAX) v -= int64_t{1} << 32;  // oid -> int4 keeps the bits
    return to == TypeId::kInt2 ? CheckInt2(v) : Result<Datum>(Datum(v));
  }
  if (IsInteger(from) && (to == TypeId::kNumeric || to == TypeId::kFloat4)) {
    auto d = static_cast<double>(std::get<int64_t>(value));
    return Datum(to == TypeId::kFloat4 ? static_cast<double>(static_cast<float>(d)) : d);
  }
  if (IsInteger(from) && IsInteger(to)) {
    int64_t v = std::get<int64_t>(value);
    return to == TypeId::kInt4 ? CheckInt4(v) : to == TypeId::kInt2 ? CheckInt2(v) : Result<Datum>(value);
  }
  if (from == TypeId::kNumeric && to == TypeId::kFloat4) {
    return InputFloat4(fmt::format("{}", std::get<double>(value)));
  }
  if (from == TypeId::kFloat4 && to == TypeId::kNumeric) {
    return value;
  }
  if ((from == TypeId::kNumeric || from == TypeId::kFloat4) && IsInteger(to)) {
    double d = std::get<double>(value);
    // numeric rounds half away from zero, float4 to even (rint), as in PostgreSQL
    d = from == TypeId::kNumeric ? std::round(d) : std::nearbyint(d);
    double limit = to == TypeId::kInt2 ? 32768.0 : to == TypeId::kInt4 ? 2147483648.0 : 9223372036854775808.0;
    if (!(d >= -limit && d < limit)) {
      return MakeError(sqlstate::kNumericValueOutOfRange, to == TypeId::kInt2   ? "smallint out of range"
                                                          : to == TypeId::kInt4 ? "integer out of range"
                                                                                : "bigint out of range");
    }
    return Datum(static_cast<int64_t>(d));
  }
  return MakeError(sqlstate::kCannotCoerce, fmt::format("cannot cast type {} to {}", TypeName(from), TypeName(to)));
}

}  // namespace minipg::sql
