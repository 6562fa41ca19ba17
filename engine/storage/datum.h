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
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
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
};

/* std::monostate is SQL NULL. */
using Datum = std::variant<std::monostate, bool, int64_t, double, std::string>;
using Tuple = std::vector<Datum>;

inline bool IsNull(const Datum& d) { return std::holds_alternative<std::monostate>(d); }

/* True if `code` is a ColumnType this version knows. */
inline bool IsValidColumnType(uint8_t code) { return code >= 1 && code <= 10; }

}  // namespace minipg::storage
