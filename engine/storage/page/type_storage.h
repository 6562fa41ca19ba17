/*-------------------------------------------------------------------------
 * type_storage.h
 *   How each column type's value is laid out inside a heap tuple: its
 *   length, its alignment (PostgreSQL's typlen and typalign), and the
 *   encoding and decoding of one value. Every per-type rule of the tuple
 *   format lives here: a new type (issue 16) is one entry in StorageOf and
 *   one case in AppendDatum and ReadDatum.
 *
 *     type      typlen  typalign  on disk
 *     boolean        1  char (1)  one byte, 0 or 1
 *     integer        4  int (4)   int32, little-endian
 *     bigint         8  double(8) int64, little-endian
 *     text          -1  int (4)   varlena: a 1-byte header, unaligned, when
 *                                 the value is at most 126 bytes; else a
 *                                 4-byte header at a 4-byte boundary
 *     arrays        -1  int (4)   varlena with a 4-byte header: PostgreSQL's
 *     (int2vector,                ArrayType (ndim, dataoffset, elemtype,
 *      oid[], ...)                length, lower bound, NULL bitmap, the
 *                                 elements as above): AppendArray
 *
 *   Varlena headers, as PostgreSQL's on a little-endian machine:
 *     1-byte: (total length << 1) | 1, total = 1 + data bytes (<= 127)
 *     4-byte: total length << 2 (low two bits 00), total = 4 + data bytes
 *   The byte 0x01 (a TOAST pointer) and a 4-byte header with low bits 10
 *   (compressed) are not produced and are refused on reading.
 *
 * NOTES
 *   Alignment is counted from the tuple's first byte, which sits at an
 *   8-byte boundary on its page, so it is the alignment on the page too.
 *   Padding bytes are zero; a reader that finds a nonzero byte where a
 *   text value may start knows it is a 1-byte header (PostgreSQL's
 *   att_align_pointer rule).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/common/error.h"
#include "engine/storage/datum.h"

namespace minipg::storage {

/* A type's storage: PostgreSQL's pg_type.typlen / typalign. */
struct TypeStorage {
  int16_t len;    // bytes, or -1 for a varlena
  uint8_t align;  // 1, 2, 4 or 8
};

/* The storage of `type`; an error for a type that cannot be in a table. */
Result<TypeStorage> StorageOf(ColumnType type);

/* Appends `value` (not NULL) to `out`, whose first byte is the tuple's
 * first, padding with zeros to the type's alignment first. `column` names
 * the column in errors. */
Status AppendDatum(std::string& out, ColumnType type, const Datum& value, std::string_view column);

/* Reads one value of `type` from `tuple` at `offset` (before alignment),
 * and moves `offset` past it. Never reads past `tuple`'s end: an error
 * (XX001) says where it would have. */
Result<Datum> ReadDatum(std::string_view tuple, size_t& offset, ColumnType type);

/* An array column's value (type: kInt2Vector ... kAclItemArray), as
 * AppendDatum / ReadDatum do it. */
Status AppendArray(std::string& out, ColumnType type, const ArrayData& array, std::string_view column);
Result<Datum> ReadArray(std::string_view tuple, size_t& offset, ColumnType type);

}  // namespace minipg::storage
