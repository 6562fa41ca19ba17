/*-------------------------------------------------------------------------
 * heap_tuple.cpp
 *   Forming and deforming heap tuples (heap_tuple.h): the header and the
 *   null bitmap here, each value's bytes in type_storage.cpp.
 *
 * NOTES
 *   Deforming reads bytes from disk: every length and offset is checked
 *   against the tuple's size before it is used.
 *-------------------------------------------------------------------------
 */
#include "engine/storage/page/heap_tuple.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/storage/page/type_storage.h"

namespace minipg::storage {

namespace {

constexpr size_t kXminOffset = 0;
constexpr size_t kXmaxOffset = 4;
constexpr size_t kCidOffset = 8;
constexpr size_t kCtidOffset = 12;  // bi_hi, bi_lo, ip_posid
constexpr size_t kInfomask2Offset = 18;
constexpr size_t kInfomaskOffset = 20;
constexpr size_t kHoffOffset = 22;
constexpr size_t kBitsOffset = 23;

template <typename T>
T Load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <typename T>
void Store(char* p, T v) {
  std::memcpy(p, &v, sizeof v);
}

size_t BitmapLen(size_t natts) { return (natts + 7) / 8; }

Error Corrupt(std::string message) {
  return MakeError(sqlstate::kDataCorrupted, "heap tuple is corrupt: " + std::move(message));
}

}  // namespace

Result<std::string> HeapFormTuple(const std::vector<ColumnDef>& columns, const Tuple& values,
                                  TransactionId xmin, CommandId cid) {
  if (columns.size() > kMaxHeapAttributeNumber) {
    return MakeError(sqlstate::kTooManyColumns,
                     fmt::format("number of columns ({}) exceeds limit ({})", columns.size(),
                                 kMaxHeapAttributeNumber));
  }
  if (values.size() != columns.size()) {
    return MakeError(sqlstate::kInternalError,
                     fmt::format("a row of {} values for {} columns", values.size(),
                                 columns.size()));
  }
  uint16_t infomask = kHeapXmaxInvalid;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (IsNull(values[i])) {
      infomask |= kHeapHasNull;
    } else if (columns[i].type == ColumnType::kText) {
      infomask |= kHeapHasVarWidth;
    }
  }
  size_t header = kHeapTupleHeaderSize;
  if ((infomask & kHeapHasNull) != 0) header += BitmapLen(columns.size());
  size_t hoff = MaxAlign(header);

  std::string out(hoff, '\0');
  char* p = out.data();
  Store<uint32_t>(p + kXminOffset, xmin);
  Store<uint32_t>(p + kXmaxOffset, kInvalidTransactionId);
  Store<uint32_t>(p + kCidOffset, cid);
  Store<uint16_t>(p + kInfomask2Offset, static_cast<uint16_t>(columns.size()));
  Store<uint16_t>(p + kInfomaskOffset, infomask);
  Store<uint8_t>(p + kHoffOffset, static_cast<uint8_t>(hoff));
  HeapTupleSetCtid(p, ItemPointer{});
  for (size_t i = 0; i < columns.size(); ++i) {
    if (IsNull(values[i])) continue;
    if ((infomask & kHeapHasNull) != 0) {
      out[kBitsOffset + i / 8] = static_cast<char>(out[kBitsOffset + i / 8] | (1 << (i % 8)));
    }
    Status s = AppendDatum(out, columns[i].type, values[i], columns[i].name);
    if (!s.ok()) return s.error();
  }
  if (out.size() > kMaxHeapTupleSize) {
    return MakeError(sqlstate::kProgramLimitExceeded,
                     fmt::format("row is too big: size {}, maximum size {}", out.size(),
                                 kMaxHeapTupleSize));
  }
  return out;
}

Result<HeapTupleHeader> HeapTupleGetHeader(std::string_view tuple) {
  if (tuple.size() < kHeapTupleHeaderSize) {
    return Corrupt(fmt::format("{} bytes, shorter than its header", tuple.size()));
  }
  const char* p = tuple.data();
  HeapTupleHeader h;
  h.xmin = Load<uint32_t>(p + kXminOffset);
  h.xmax = Load<uint32_t>(p + kXmaxOffset);
  h.cid = Load<uint32_t>(p + kCidOffset);
  h.ctid.block = uint32_t{Load<uint16_t>(p + kCtidOffset)} << 16 | Load<uint16_t>(p + kCtidOffset + 2);
  h.ctid.offset = Load<uint16_t>(p + kCtidOffset + 4);
  h.infomask2 = Load<uint16_t>(p + kInfomask2Offset);
  h.infomask = Load<uint16_t>(p + kInfomaskOffset);
  h.hoff = Load<uint8_t>(p + kHoffOffset);
  size_t header = kHeapTupleHeaderSize;
  if ((h.infomask & kHeapHasNull) != 0) header += BitmapLen(h.natts());
  if (h.hoff < header || h.hoff > tuple.size()) {
    return Corrupt(fmt::format("t_hoff {} with {} attributes in {} bytes", h.hoff, h.natts(),
                               tuple.size()));
  }
  return h;
}

Result<Tuple> HeapDeformTuple(const std::vector<ColumnDef>& columns, std::string_view tuple, size_t upto) {
  auto header = HeapTupleGetHeader(tuple);
  if (!header.ok()) return header.error();
  size_t natts = header->natts();
  if (natts > columns.size()) {
    return Corrupt(fmt::format("{} attributes, but the table has {} columns", natts,
                               columns.size()));
  }
  bool has_nulls = (header->infomask & kHeapHasNull) != 0;
  Tuple row(columns.size());  // std::monostate: NULL
  size_t offset = header->hoff;
  for (size_t i = 0; i < std::min(natts, upto); ++i) {
    if (has_nulls && (tuple[kBitsOffset + i / 8] & (1 << (i % 8))) == 0) continue;
    auto value = ReadDatum(tuple, offset, columns[i].type);
    if (!value.ok()) return value.error();
    row[i] = std::move(*value);
  }
  return row;
}

void HeapTupleSetXmin(char* tuple, TransactionId xmin) { Store<uint32_t>(tuple + kXminOffset, xmin); }

void HeapTupleSetXmax(char* tuple, TransactionId xmax) {
  Store<uint32_t>(tuple + kXmaxOffset, xmax);
  constexpr uint16_t kXmaxBits = kHeapXmaxCommitted | kHeapXmaxInvalid | kHeapXmaxIsMulti |
                                 kHeapXmaxLockOnly | kHeapXmaxKeyshrLock | kHeapXmaxExclLock;
  HeapTupleSetInfomask(tuple, xmax == kInvalidTransactionId ? kHeapXmaxInvalid : 0,
                       xmax == kInvalidTransactionId ? kXmaxBits & ~kHeapXmaxInvalid : kXmaxBits);
}

void HeapTupleSetCid(char* tuple, CommandId cid) { Store<uint32_t>(tuple + kCidOffset, cid); }

void HeapTupleSetCtid(char* tuple, ItemPointer ctid) {
  Store<uint16_t>(tuple + kCtidOffset, static_cast<uint16_t>(ctid.block >> 16));
  Store<uint16_t>(tuple + kCtidOffset + 2, static_cast<uint16_t>(ctid.block & 0xFFFF));
  Store<uint16_t>(tuple + kCtidOffset + 4, ctid.offset);
}

void HeapTupleSetInfomask(char* tuple, uint16_t set, uint16_t clear) {
  auto v = Load<uint16_t>(tuple + kInfomaskOffset);
  Store<uint16_t>(tuple + kInfomaskOffset, static_cast<uint16_t>((v | set) & ~clear));
}

void HeapTupleSetInfomask2(char* tuple, uint16_t set, uint16_t clear) {
  auto v = Load<uint16_t>(tuple + kInfomask2Offset);
  Store<uint16_t>(tuple + kInfomask2Offset, static_cast<uint16_t>((v | set) & ~clear));
}

}  // namespace minipg::storage
