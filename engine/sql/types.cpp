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
#include "engine/sql/adt/casts.h"
#include "engine/sql/adt/datetime.h"
#include "engine/sql/adt/float.h"
#include "engine/sql/adt/numeric.h"

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
    case TypeId::kFloat8:
      return 701;
    case TypeId::kDate:
      return 1082;
    case TypeId::kTimestamp:
      return 1114;
    case TypeId::kInterval:
      return 1186;
    case TypeId::kVarchar:
      return 1043;
    case TypeId::kBpchar:
      return 1042;
    case TypeId::kAny:
      return 2276;
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
    case TypeId::kDate:
    case TypeId::kAny:
      return 4;
    case TypeId::kInterval:
      return 16;
    case TypeId::kName:
      return 64;  // NAMEDATALEN, as PostgreSQL reports it
    case TypeId::kInt8:
    case TypeId::kTimestampTz:
    case TypeId::kFloat8:
    case TypeId::kTimestamp:
      return 8;
    case TypeId::kVarchar:
    case TypeId::kBpchar:
    case TypeId::kText:
    case TypeId::kUnknown:
    case TypeId::kNumeric:
    case TypeId::kInet:
      return -1;
    MINIPG_CATALOG_TYPE_CASES:
      if (type == TypeId::kAclItem) return 12;  // PostgreSQL's AclItem struct
      if (type == TypeId::kXid8) return 8;
      if (type == TypeId::kCid) return 4;
      if (type == TypeId::kTid) return 6;
      return IsRegType(type) || type == TypeId::kAnyElement || type == TypeId::kAnyNonArray ||
                     type == TypeId::kAnyCompatible
                 ? 4
                 : -1;
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
    case TypeId::kFloat8:
      return "double precision";
    case TypeId::kDate:
      return "date";
    case TypeId::kTimestamp:
      return "timestamp without time zone";
    case TypeId::kInterval:
      return "interval";
    case TypeId::kVarchar:
      return "character varying";
    case TypeId::kBpchar:
      return "character";
    case TypeId::kAny:
      return "\"any\"";
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
    case TypeId::kFloat8:
      return "float8";
    case TypeId::kDate:
      return "date";
    case TypeId::kTimestamp:
      return "timestamp";
    case TypeId::kInterval:
      return "interval";
    case TypeId::kVarchar:
      return "varchar";
    case TypeId::kBpchar:
      return "bpchar";
    case TypeId::kAny:
      return "any";
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
  if (name == "text") {
    return TypeId::kText;
  }
  if (name == "varchar" || name == "character varying") {
    return TypeId::kVarchar;
  }
  if (name == "char" || name == "character" || name == "bpchar") {
    return TypeId::kBpchar;  // character(n): unquoted char is not the one-byte "char"
  }
  if (name == "double precision" || name == "float8" || name == "float") {
    return TypeId::kFloat8;
  }
  if (name == "date") {
    return TypeId::kDate;
  }
  if (name == "timestamp" || name == "timestamp without time zone") {
    return TypeId::kTimestamp;
  }
  if (name == "timestamptz" || name == "timestamp with time zone") {
    return TypeId::kTimestampTz;
  }
  if (name == "interval") {
    return TypeId::kInterval;
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
    case TypeId::kNumeric:
      return storage::ColumnType::kNumeric;
    case TypeId::kFloat8:
      return storage::ColumnType::kFloat8;
    case TypeId::kDate:
      return storage::ColumnType::kDate;
    case TypeId::kTimestamp:
      return storage::ColumnType::kTimestamp;
    case TypeId::kInterval:
      return storage::ColumnType::kInterval;
    case TypeId::kVarchar:
      return storage::ColumnType::kVarchar;
    case TypeId::kBpchar:
      return storage::ColumnType::kBpchar;
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
    case storage::ColumnType::kBoolArray: return TypeId::kBoolArray;
    case storage::ColumnType::kInt8Array: return TypeId::kInt8Array;
    case storage::ColumnType::kFloat4Array: return TypeId::kFloat4Array;
    case storage::ColumnType::kFloat8Array: return TypeId::kFloat8Array;
    case storage::ColumnType::kNumericArray: return TypeId::kNumericArray;
    case storage::ColumnType::kVarcharArray: return TypeId::kVarcharArray;
    case storage::ColumnType::kBpcharArray: return TypeId::kBpcharArray;
    case storage::ColumnType::kDateArray: return TypeId::kDateArray;
    case storage::ColumnType::kTimestampArray: return TypeId::kTimestampArray;
    case storage::ColumnType::kTimestampTzArray: return TypeId::kTimestampTzArray;
    case storage::ColumnType::kIntervalArray: return TypeId::kIntervalArray;
    case storage::ColumnType::kRegproc:
      return TypeId::kRegproc;
    case storage::ColumnType::kNumeric:
      return TypeId::kNumeric;
    case storage::ColumnType::kFloat8:
      return TypeId::kFloat8;
    case storage::ColumnType::kDate:
      return TypeId::kDate;
    case storage::ColumnType::kTimestamp:
      return TypeId::kTimestamp;
    case storage::ColumnType::kInterval:
      return TypeId::kInterval;
    case storage::ColumnType::kVarchar:
      return TypeId::kVarchar;
    case storage::ColumnType::kBpchar:
      return TypeId::kBpchar;
  }
  return TypeId::kText;
}

std::string FormatTimestampTz(int64_t micros) { return adt::TimestampOut(micros, /*with_tz=*/true); }

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
  if (const auto* n = std::get_if<storage::Numeric>(&value)) {
    return adt::NumericOut(*n);
  }
  if (const auto* iv = std::get_if<storage::Interval>(&value)) {
    return adt::IntervalOut(*iv);
  }
  if (const int64_t* i = std::get_if<int64_t>(&value)) {
    switch (type) {
      case TypeId::kTimestampTz:
        return adt::TimestampOut(*i, /*with_tz=*/true);
      case TypeId::kTimestamp:
        return adt::TimestampOut(*i, /*with_tz=*/false);
      case TypeId::kDate:
        return adt::DateOut(*i);
      default:
        break;
    }
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
    return adt::Float8Out(*d);
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
  auto v = adt::Float8In(text, "real");
  if (!v.ok()) return v.error();
  double d = *v;
  if (std::isfinite(d) && (std::fabs(d) > 3.40282347e38 || (d != 0 && std::fabs(d) < 1.17549435e-38))) {
    return MakeError(sqlstate::kNumericValueOutOfRange,
                     fmt::format("\"{}\" is out of range for type real", Trim(text)));
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
    case TypeId::kNumeric: {
      auto n = adt::NumericIn(text);
      if (!n.ok()) return n.error();
      return Datum(std::move(*n));
    }
    case TypeId::kFloat8: {
      auto d = adt::Float8In(text);
      if (!d.ok()) return d.error();
      return Datum(*d);
    }
    case TypeId::kDate:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      auto v = type == TypeId::kDate ? adt::DateIn(text) : adt::TimestampIn(text, type == TypeId::kTimestampTz);
      if (!v.ok()) return v.error();
      return Datum(*v);
    }
    case TypeId::kInterval: {
      auto v = adt::IntervalIn(text);
      if (!v.ok()) return v.error();
      return Datum(*v);
    }
    case TypeId::kText:
    case TypeId::kVarchar:
    case TypeId::kBpchar:
    case TypeId::kUnknown:
      return Datum(std::string(text));
    case TypeId::kAny:
      break;
    case TypeId::kVoid:
      return Datum(std::monostate{});
    case TypeId::kInet:
      return Datum(std::string(Trim(text)));  // not checked: minipg only shows addresses
    MINIPG_CATALOG_TYPE_CASES:
      return CatalogTypeInputText(text, type);
  }
  return InvalidInput(type, text);
}

bool CanCast(TypeId from, TypeId to, CastContext context) {
  if (from == to || from == TypeId::kUnknown) {
    return true;
  }
  if (to == TypeId::kVoid || from == TypeId::kVoid || to == TypeId::kAny || from == TypeId::kAny) {
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
  // An array to another array type: as its elements cast (int[] -> bigint[] implicitly);
  // int2vector and oidvector are binary coercible to int2[] and oid[] only.
  if (IsArrayType(from) && IsArrayType(to)) {
    if (from == TypeId::kInt2Vector || from == TypeId::kOidVector) return to == ArrayTypeOf(ElementTypeOf(from));
    return CanCast(ElementTypeOf(from), ElementTypeOf(to), context);
  }
  auto allowed = [context](char castcontext) {
    switch (context) {
      case CastContext::kImplicit:
        return castcontext == 'i';
      case CastContext::kAssignment:
        return castcontext != 'e';
      case CastContext::kExplicit:
        return true;
    }
    return false;
  };
  if (const adt::CastRule* rule = adt::FindCastRule(from, to)) {
    return allowed(rule->context);
  }
  // PostgreSQL's automatic I/O conversion casts: to a string type on
  // assignment, from one only when written.
  if (adt::IsStringType(to)) {
    return allowed('a');
  }
  return adt::IsStringType(from) && allowed('e');
}

Result<Datum> CastValue(const Datum& value, TypeId from, TypeId to) {
  if (storage::IsNull(value) || from == to) {
    return value;
  }
  if ((IsRegType(from) || from == TypeId::kOid) && (IsRegType(to) || to == TypeId::kOid)) {
    return value;  // the same OID
  }
  if (IsArrayType(from) && IsArrayType(to) && std::holds_alternative<storage::ArrayValue>(value)) {
    // Element by element (PostgreSQL's array_map over the element cast).
    const storage::ArrayData& a = *std::get<storage::ArrayValue>(value).data;
    std::vector<Datum> items;
    for (const Datum& d : a.elements) {
      auto v = CastValue(d, ElementTypeOf(from), ElementTypeOf(to));
      if (!v.ok()) return v;
      items.push_back(std::move(*v));
    }
    return Datum(storage::MakeArray(storage::ArrayElementColumnType(ToColumnType(to)), std::move(items),
                                    a.lower_bound));
  }
  if (IsRegType(from) && IsInteger(to)) {
    return CastValue(value, TypeId::kOid, to);
  }
  if (IsInteger(from) && IsRegType(to)) {
    auto oid = CastValue(value, from, TypeId::kOid);
    if (!oid.ok()) return oid;
    return *oid;
  }
  if (FindCatalogType(from) != nullptr && adt::IsStringType(to)) {
    return Datum(OutputText(value, from));
  }
  if (adt::IsStringType(from) && FindCatalogType(to) != nullptr) {
    return InputText(std::get<std::string>(value), to);
  }
  return adt::ConvertValue(value, from, to);
}

}  // namespace minipg::sql
