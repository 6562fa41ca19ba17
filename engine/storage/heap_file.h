/*-------------------------------------------------------------------------
 * heap_file.h
 *   A table's rows: an append-only file of length-prefixed, checksummed
 *   records, one file per table (base/<OID>).
 *
 *   File header:
 *
 *     OFFSET  SIZE  DESCRIPTION
 *          0     8  magic "MPGHEAP1"
 *          8     4  format version (1), little-endian
 *         12     4  table OID, little-endian
 *
 *   Then records, back to back:
 *
 *     OFFSET  SIZE  DESCRIPTION
 *          0     4  payload length L (little-endian; at most kMaxRecordSize)
 *          4     4  CRC-32 of bytes 0..3 and the payload
 *          8     L  payload: one tuple (below)
 *
 *   Tuple (the payload):
 *
 *     OFFSET  SIZE  DESCRIPTION
 *          0     2  number of attributes N
 *          2     B  null bitmap, B = (N + 7) / 8; bit i (LSB first) set = column i is NULL
 *        2+B     *  each non-NULL column in order: boolean 1 byte (0/1), integer 4 bytes,
 *                   bigint 8 bytes (two's complement, little-endian), text 4-byte length
 *                   + UTF-8 bytes
 *
 * NOTES
 *   Torn writes: a record is valid only if it is complete and its CRC
 *   matches. Readers stop at the first invalid record, which can only be a
 *   tail left by a writer that crashed mid-append: a writer, holding the
 *   exclusive lock, first finds the end of the valid records and truncates
 *   anything after it before appending, so garbage never sits between valid
 *   records.
 *   Concurrency: readers hold a shared flock() on the table file while they
 *   read it (the whole file is read at once: a scan sees one moment), writers
 *   an exclusive one while they append. Appends are fdatasync()ed before the
 *   lock is released, so an INSERT is durable when it returns.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/error.h"
#include "engine/storage/catalog.h"
#include "engine/storage/datum.h"

namespace minipg::storage {

inline constexpr size_t kHeapHeaderSize = 16;
inline constexpr size_t kRecordHeaderSize = 8;
inline constexpr uint32_t kMaxRecordSize = 64u << 20;

/* Tuple payload encoding (exposed for tests). Values must match the column
 * types (int64_t for integer and bigint, bool, std::string, or NULL). */
std::string EncodeTuple(const std::vector<ColumnDef>& columns, const Tuple& tuple);
Result<Tuple> DecodeTuple(const std::vector<ColumnDef>& columns, std::string_view payload);

/* Writes a new, empty heap file for a table (header only), fsynced. */
Status CreateHeapFile(const std::filesystem::path& path, uint32_t oid);

/* Appends rows to a table in one locked, fdatasync()ed write. */
Status HeapAppend(const std::filesystem::path& data_dir, const TableDef& table,
                  const std::vector<Tuple>& rows);

/* A sequential scan: Open() reads the file under a shared lock, Next()
 * decodes one record at a time. */
class HeapScan {
 public:
  HeapScan(std::filesystem::path data_dir, TableDef table);
  Status Open();
  /* The next row, nullopt at the end (or at a torn trailing record). */
  Result<std::optional<Tuple>> Next();

 private:
  std::filesystem::path data_dir_;
  TableDef table_;
  std::string bytes_;
  size_t pos_ = 0;
};

/* Reads all rows (a convenience over HeapScan). */
Result<std::vector<Tuple>> HeapReadAll(const std::filesystem::path& data_dir, const TableDef& table);

}  // namespace minipg::storage
