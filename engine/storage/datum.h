/*-------------------------------------------------------------------------
 * datum.h
 *   One value as the storage layer and the executor hold it in memory, and
 *   the column types a table may have.
 *
 * NOTES
 *   integer and bigint are both held as int64_t in memory; the column type
 *   says how many bytes the value takes on disk. double exists only for the
 *   SQL layer's numeric literals (pg_sleep(0.5)); no table column holds one.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace minipg::storage {

/* A column's type, as stored in the catalog file (the numbers are on disk:
 * never renumber). */
enum class ColumnType : uint8_t {
  kBool = 1,  // boolean: 1 byte on disk
  kInt4 = 2,  // integer: 4 bytes
  kInt8 = 3,  // bigint: 8 bytes
  kText = 4,  // text: 4-byte length + bytes
  // In memory only, for system views (never in the catalog file: see
  // IsValidColumnType): timestamp with time zone and inet.
  kTimestampTz = 100,  // int64_t microseconds since the Unix epoch
  kInet = 101,         // std::string
};

/* std::monostate is SQL NULL. */
using Datum = std::variant<std::monostate, bool, int64_t, double, std::string>;
using Tuple = std::vector<Datum>;

inline bool IsNull(const Datum& d) { return std::holds_alternative<std::monostate>(d); }

/* True if `code` is a ColumnType this version knows. */
inline bool IsValidColumnType(uint8_t code) { return code >= 1 && code <= 4; }

}  // namespace minipg::storage
