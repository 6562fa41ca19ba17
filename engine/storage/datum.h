/*-------------------------------------------------------------------------
 * datum.h
 *   One value as the storage layer and the executor hold it in memory, and
 *   the column types a table may have.
 *
 * NOTES
 *   smallint, integer, bigint, oid and xid are all held as int64_t in
 *   memory; the column type says how many bytes the value takes on disk.
 *   double holds real (float4) columns and the SQL layer's numeric literals
 *   (pg_sleep(0.5)). name and "char" are std::string (a "char" is one byte,
 *   an empty string for '\0').
 *   An array (the catalogs' int2vector, oidvector, text[], ...) is an
 *   ArrayValue: one dimension, its elements as Datums of the element type
 *   (NULL elements allowed), shared and never changed once made.
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
  // In memory only, for system views (never stored in a tuple: see
  // IsValidColumnType): timestamp with time zone and inet.
  kTimestampTz = 100,  // int64_t microseconds since the Unix epoch
  kInet = 101,         // std::string
  // Arrays and the reg* types of the catalogs' columns (pgcat, issue 16;
  // numbered from 40 so the scalar types others append stay below):
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
};

struct ArrayData;
/* An array value (see ArrayData); shared, so copying a Datum stays cheap. */
struct ArrayValue {
  std::shared_ptr<const ArrayData> data;
};

/* std::monostate is SQL NULL. */
using Datum = std::variant<std::monostate, bool, int64_t, double, std::string, ArrayValue>;
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
  return t >= ColumnType::kInt2Vector && t <= ColumnType::kAclItemArray;
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
    default:
      return ColumnType::kText;
  }
}

inline bool IsNull(const Datum& d) { return std::holds_alternative<std::monostate>(d); }

/* True if `code` is a ColumnType this version knows. */
inline bool IsValidColumnType(uint8_t code) { return (code >= 1 && code <= 10) || (code >= 40 && code <= 49); }

}  // namespace minipg::storage
