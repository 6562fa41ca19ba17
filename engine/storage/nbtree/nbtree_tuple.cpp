/*-------------------------------------------------------------------------
 * nbtree_tuple.cpp
 *   Forming and reading index tuples (nbtree_tuple.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/nbtree/nbtree_tuple.h"

#include <cstring>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/storage/page/page.h"
#include "engine/storage/page/type_storage.h"

namespace minipg::storage::nbtree {

namespace {

uint16_t Load16(const char* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
void Store16(char* p, uint16_t v) { std::memcpy(p, &v, 2); }

ItemPointer LoadTid(const char* p) {
  return ItemPointer{static_cast<BlockNumber>(Load16(p)) << 16 | Load16(p + 2), Load16(p + 4)};
}
void StoreTid(char* p, ItemPointer tid) {
  Store16(p, static_cast<uint16_t>(tid.block >> 16));
  Store16(p + 2, static_cast<uint16_t>(tid.block & 0xFFFF));
  Store16(p + 4, tid.offset);
}

uint16_t Info(std::string_view t) { return Load16(t.data() + 6); }
bool HasNulls(std::string_view t) { return (Info(t) & kIndexNullMask) != 0; }
size_t DataOffset(std::string_view t) { return HasNulls(t) ? 16 : 8; }

/* The bytes of the key part of a tuple (without a pivot's trailing TID). */
size_t KeyPartSize(std::string_view t) {
  size_t size = IndexTupleSize(t);
  if (BtTupleIsPivot(t) && (Load16(t.data() + 4) & kBtPivotHeapTidAttr) != 0) return size - kMaxAlign;
  return size;
}

}  // namespace

size_t IndexTupleSize(std::string_view tuple) {
  if (tuple.size() < kIndexTupleHeaderSize) return 0;
  return Info(tuple) & kIndexSizeMask;
}

Result<std::string> FormLeafTuple(const std::vector<ColumnDef>& columns, const Tuple& values, ItemPointer heap_tid,
                                  std::string_view index_name) {
  bool nulls = false;
  for (const Datum& d : values) nulls = nulls || IsNull(d);
  std::string out(nulls ? 16 : 8, '\0');
  uint16_t info = 0;
  for (size_t i = 0; i < columns.size(); ++i) {
    const Datum& v = i < values.size() ? values[i] : Datum();
    if (IsNull(v)) continue;
    if (nulls) out[8 + i / 8] = static_cast<char>(out[8 + i / 8] | (1 << (i % 8)));
    if (Status s = AppendDatum(out, columns[i].type, v, columns[i].name); !s.ok()) return s.error();
    if (columns[i].type == ColumnType::kText || columns[i].type == ColumnType::kName) info |= kIndexVarMask;
  }
  size_t size = MaxAlign(out.size());
  out.resize(size, '\0');
  if (size > kBtMaxItemSize) {
    Error e = MakeError(sqlstate::kProgramLimitExceeded,
                        fmt::format("index row size {} exceeds btree version 4 maximum {} for index \"{}\"", size,
                                    kBtMaxItemSize, index_name));
    e.hint =
        "Values larger than 1/3 of a buffer page cannot be indexed.\nConsider a function index of an MD5 hash of the "
        "value, or use full text indexing.";
    return e;
  }
  StoreTid(out.data(), heap_tid);
  Store16(out.data() + 6, static_cast<uint16_t>(size | info | (nulls ? kIndexNullMask : 0)));
  return out;
}

std::string MakePivot(std::string_view first, BlockNumber downlink, size_t ncolumns) {
  ItemPointer heap_tid = BtTupleHeapTid(first);
  std::string out(first.substr(0, KeyPartSize(first)));
  out.resize(MaxAlign(out.size()) + kMaxAlign, '\0');
  auto natts = static_cast<uint16_t>(BtTupleNatts(first, ncolumns));
  StoreTid(out.data(), ItemPointer{downlink, static_cast<OffsetNumber>(natts | kBtPivotHeapTidAttr)});
  uint16_t info = static_cast<uint16_t>((Info(first) & ~kIndexSizeMask) | kIndexAltTidMask | out.size());
  Store16(out.data() + 6, info);
  StoreTid(out.data() + out.size() - 6, heap_tid);
  return out;
}

std::string MinusInfinityPivot(BlockNumber downlink) {
  std::string out(kIndexTupleHeaderSize, '\0');
  StoreTid(out.data(), ItemPointer{downlink, 0});
  Store16(out.data() + 6, static_cast<uint16_t>(kIndexTupleHeaderSize | kIndexAltTidMask));
  return out;
}

bool BtTupleIsPivot(std::string_view tuple) {
  return tuple.size() >= kIndexTupleHeaderSize && (Info(tuple) & kIndexAltTidMask) != 0;
}

size_t BtTupleNatts(std::string_view tuple, size_t ncolumns) {
  if (!BtTupleIsPivot(tuple)) return ncolumns;
  return Load16(tuple.data() + 4) & kBtOffsetMask;
}

ItemPointer BtTupleHeapTid(std::string_view tuple) {
  if (tuple.size() < kIndexTupleHeaderSize) return {};
  if (!BtTupleIsPivot(tuple)) return LoadTid(tuple.data());
  if ((Load16(tuple.data() + 4) & kBtPivotHeapTidAttr) == 0) return {};
  size_t size = IndexTupleSize(tuple);
  if (size < 14 || size > tuple.size()) return {};
  return LoadTid(tuple.data() + size - 6);
}

BlockNumber BtTupleDownlink(std::string_view tuple) {
  if (tuple.size() < kIndexTupleHeaderSize) return kInvalidBlockNumber;
  return LoadTid(tuple.data()).block;
}

Result<Tuple> DeformIndexTuple(const std::vector<ColumnDef>& columns, std::string_view tuple) {
  size_t natts = BtTupleNatts(tuple, columns.size());
  std::string_view body = tuple.substr(0, std::min(tuple.size(), KeyPartSize(tuple)));
  size_t offset = DataOffset(tuple);
  bool nulls = HasNulls(tuple);
  Tuple values;
  values.reserve(natts);
  for (size_t i = 0; i < natts && i < columns.size(); ++i) {
    if (nulls && (static_cast<uint8_t>(tuple[8 + i / 8]) & (1 << (i % 8))) == 0) {
      values.emplace_back();
      continue;
    }
    auto v = ReadDatum(body, offset, columns[i].type);
    if (!v.ok()) return v.error();
    values.push_back(std::move(*v));
  }
  return values;
}

}  // namespace minipg::storage::nbtree
