/*-------------------------------------------------------------------------
 * datum.h
 *   One value as the storage layer and the executor hold it in memory, and
 *   the column types a table may have.
 *
 * NOTES
 *   smallint, integer, bigint, oid and xid are all held as int64_t in
 *   memory; the column type says how many bytes the value takes on disk.
 *   double holds real (float4) and double precision (float8). name and "char" are std::string (a "char" is one byte,
 *   an empty string for '\0').
 *   An array (the catalogs' int2vector, oidvector, text[], ...) is an
 *   ArrayValue: one dimension, its elements as Datums of the element type
 *   (NULL elements allowed), shared and never changed once made; SQL's
 *   multidimensional arrays are not kept (ARRAY[[1]] is refused, 0A000).
 *   The date and time types count from one epoch, the Unix epoch
 *   (1970-01-01 00:00 UTC), unlike PostgreSQL's 2000-01-01: a date is int32
 *   days, a timestamp / timestamptz int64 microseconds, held as int64_t;
 *   +/-infinity are INT32_MIN/MAX (dates) and INT64_MIN/MAX (timestamps), as
 *   in PostgreSQL. numeric is a Numeric,
 *   interval an Interval, varchar and bpchar (character(n)) std::string.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace minipg::storage {

/* A column's type (the numbers may be on disk, as in the old catalog
 * file's format: never renumber, only append). pg_attribute.atttypid is
 * the PostgreSQL type OID of each (engine/catalog/catalog_rows.h). */
enum class ColumnType : uint8_t {
  kBool = 1,  // boolean: 1 byte on disk
  kInt4 = 2,  // integer: 4 bytes
  kInt8 = 3,  // bigint: 8 bytes
  kText = 4,  // text: 4-byte length + bytes
  // The types PostgreSQL's system catalogs use (engine/catalog/):
  kOid = 5,     // oid: 4 bytes, unsigned
  kName = 6,    // name: stored as text (PostgreSQL: 64 fixed bytes)
  kChar = 7,    // "char": 1 byte
  kInt2 = 8,    // smallint: 2 bytes
  kFloat4 = 9,  // real: 4-byte IEEE float
  kXid = 10,    // xid: 4 bytes, unsigned (relfrozenxid)
  // The SQL data types (engine/sql/adt/):
  kNumeric = 11,    // numeric: varlena: 1 byte kind/sign, 2 bytes scale, the decimal digits (1 a byte)
  kFloat8 = 12,     // double precision: 8-byte IEEE double
  kDate = 13,       // date: 4 bytes, days since 1970-01-01
  kTimestamp = 14,  // timestamp without time zone: 8 bytes, microseconds since 1970-01-01 00:00
  kInterval = 15,   // interval: 16 bytes (int64 microseconds, int32 days, int32 months)
  kVarchar = 16,    // character varying(n): as text
  kBpchar = 17,     // character(n): as text, blank-padded to n
  // Arrays and the reg* types of the catalogs' columns (numbered from 40 so
  // scalar types appended above stay below):
  kInt2Vector = 40,    // int2vector (pg_index.indkey): an ArrayValue of int2
  kOidVector = 41,     // oidvector (pg_proc.proargtypes): an ArrayValue of oid
  kInt2Array = 42,     // smallint[]
  kInt4Array = 43,     // integer[]
  kTextArray = 44,     // text[] (reloptions)
  kOidArray = 45,      // oid[] (polroles)
  kCharArray = 46,     // "char"[] (stxkind)
  kNameArray = 47,     // name[]
  kAclItemArray = 48,  // aclitem[] (relacl, datacl): elements kept as their text ("=c/postgres")
  kRegproc = 49,       // regproc (pg_operator.oprcode): an oid, printed as the function's name
  // Arrays of the SQL data types (engine/sql/adt/catalog_types.h), as the
  // catalogs' arrays: an ArrayValue of the element type.
  kBoolArray = 50,         // boolean[]
  kInt8Array = 51,         // bigint[]
  kFloat4Array = 52,       // real[]
  kFloat8Array = 53,       // double precision[]
  kNumericArray = 54,      // numeric[]
  kVarcharArray = 55,      // character varying[]
  kBpcharArray = 56,       // character[]
  kDateArray = 57,         // date[]
  kTimestampArray = 58,    // timestamp[]
  kTimestampTzArray = 59,  // timestamptz[]
  kIntervalArray = 60,     // interval[]
  // timestamp with time zone: 8 bytes, microseconds since the Unix epoch.
  // inet: in memory only, for system views (never stored in a tuple).
  kTimestampTz = 100,
  kInet = 101,  // std::string
};

/* An exact decimal: sign * digits * 10^-scale, or NaN / +-Infinity
 * (PostgreSQL 15's numeric). The arithmetic is in engine/sql/adt/numeric.h. */
struct Numeric {
  enum class Kind : uint8_t { kFinite, kNaN, kPositiveInfinity, kNegativeInfinity };
  Kind kind = Kind::kFinite;
  bool negative = false;    // never set for zero
  std::string digits = "0"; // the unscaled absolute value in decimal, no leading zeros ("12345", scale 2: 123.45)
  int32_t scale = 0;        // display scale: how many of the digits follow the decimal point (>= 0)
  bool operator==(const Numeric&) const = default;  // same representation (1.0 and 1.00 differ)
};

/* An interval, as PostgreSQL keeps it: months, days and microseconds apart
 * (a month is not a fixed number of days, nor a day of hours across DST). */
struct Interval {
  int32_t months = 0;
  int32_t days = 0;
  int64_t micros = 0;
  bool operator==(const Interval&) const = default;
};

struct ArrayData;
/* An array value (see ArrayData); shared, so copying a Datum stays cheap. */
struct ArrayValue {
  std::shared_ptr<const ArrayData> data;
};

/* std::monostate is SQL NULL. */
using Datum = std::variant<std::monostate, bool, int64_t, double, std::string, ArrayValue, Numeric, Interval>;
using Tuple = std::vector<Datum>;

/* A one-dimensional array: PostgreSQL's '{1,2}' (or int2vector '1 2'). */
struct ArrayData {
  ColumnType element = ColumnType::kText;  // the elements' type (kInt2, kOid, kText, kName, kChar, kInt4)
  std::vector<Datum> elements;             // in order; std::monostate for a NULL element
  int32_t lower_bound = 1;                 // the first subscript (1 unless written '[0:1]={...}')
};

inline ArrayValue MakeArray(ColumnType element, std::vector<Datum> elements, int32_t lower_bound = 1) {
  return ArrayValue{std::make_shared<const ArrayData>(ArrayData{element, std::move(elements), lower_bound})};
}

inline bool operator==(const ArrayValue& a, const ArrayValue& b) {
  if (a.data == b.data) return true;
  if (!a.data || !b.data) return false;
  return a.data->element == b.data->element && a.data->lower_bound == b.data->lower_bound &&
         a.data->elements == b.data->elements;
}

/* Whether a column type is an array, and its elements' type (kText for
 * aclitem[], whose items minipg keeps as text). */
inline bool IsArrayColumnType(ColumnType t) {
  return (t >= ColumnType::kInt2Vector && t <= ColumnType::kAclItemArray) ||
         (t >= ColumnType::kBoolArray && t <= ColumnType::kIntervalArray);
}
inline ColumnType ArrayElementColumnType(ColumnType t) {
  switch (t) {
    case ColumnType::kInt2Vector:
    case ColumnType::kInt2Array:
      return ColumnType::kInt2;
    case ColumnType::kOidVector:
    case ColumnType::kOidArray:
      return ColumnType::kOid;
    case ColumnType::kInt4Array:
      return ColumnType::kInt4;
    case ColumnType::kCharArray:
      return ColumnType::kChar;
    case ColumnType::kNameArray:
      return ColumnType::kName;
    case ColumnType::kBoolArray: return ColumnType::kBool;
    case ColumnType::kInt8Array: return ColumnType::kInt8;
    case ColumnType::kFloat4Array: return ColumnType::kFloat4;
    case ColumnType::kFloat8Array: return ColumnType::kFloat8;
    case ColumnType::kNumericArray: return ColumnType::kNumeric;
    case ColumnType::kVarcharArray: return ColumnType::kVarchar;
    case ColumnType::kBpcharArray: return ColumnType::kBpchar;
    case ColumnType::kDateArray: return ColumnType::kDate;
    case ColumnType::kTimestampArray: return ColumnType::kTimestamp;
    case ColumnType::kTimestampTzArray: return ColumnType::kTimestampTz;
    case ColumnType::kIntervalArray: return ColumnType::kInterval;
    default:
      return ColumnType::kText;
  }
}

inline bool IsNull(const Datum& d) { return std::holds_alternative<std::monostate>(d); }

/* True if `code` is a ColumnType this version knows. */
inline bool IsValidColumnType(uint8_t code) {
  return (code >= 1 && code <= 17) || (code >= 40 && code <= 60) || code == 100;
}

}  // namespace minipg::storage
