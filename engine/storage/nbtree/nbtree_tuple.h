/*-------------------------------------------------------------------------
 * nbtree_tuple.h
 *   Index tuples, as PostgreSQL's itup.h and nbtree.h lay them out.
 *
 *   IndexTupleData (all integers little-endian):
 *     OFFSET  SIZE  DESCRIPTION
 *          0     4  t_tid block (high 16 bits, then low 16 bits)
 *          4     2  t_tid offset number
 *          6     2  t_info: size in bytes (bits 0-12) | 0x2000 pivot
 *                   (INDEX_ALT_TID_MASK) | 0x4000 has var-width values |
 *                   0x8000 has nulls
 *          8     4  null bitmap, one bit per key column, 1 = not null
 *                   (only with "has nulls")
 *      8/16      *  the key values, each at its type's alignment, as in a
 *                   heap tuple (type_storage.h)
 *
 *   A leaf tuple's t_tid is the heap row it points at. A pivot tuple (a
 *   high key, or a downlink in an internal page) has the pivot bit; its
 *   t_tid block is the child it leads to (downlinks) and its t_tid offset
 *   the number of key values it keeps (0: "minus infinity", the first
 *   downlink of an internal page) | 0x1000 when a heap TID follows: the
 *   last 6 bytes of the tuple, which is MAXALIGN(key part) + 8 long.
 *
 * NOTES
 *   The heap TID is the last key column (PostgreSQL 12's "heapkeyspace"):
 *   every leaf tuple is unique, so equal keys sort by TID and a pivot
 *   separates two pages exactly. minipg never truncates suffix columns: a
 *   pivot keeps every key value and the heap TID.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/error.h"
#include "engine/storage/block.h"
#include "engine/storage/catalog.h"
#include "engine/storage/datum.h"
#include "engine/storage/page/heap_tuple.h"

namespace minipg::storage::nbtree {

inline constexpr uint16_t kIndexSizeMask = 0x1FFF;
inline constexpr uint16_t kIndexAltTidMask = 0x2000;
inline constexpr uint16_t kIndexVarMask = 0x4000;
inline constexpr uint16_t kIndexNullMask = 0x8000;
inline constexpr uint16_t kBtPivotHeapTidAttr = 0x1000;
inline constexpr uint16_t kBtOffsetMask = 0x0FFF;
inline constexpr size_t kIndexTupleHeaderSize = 8;
/* The longest leaf tuple: a third of a page, less a pivot's heap TID
 * (PostgreSQL's BTMaxItemSize, 2704 bytes). */
inline constexpr size_t kBtMaxItemSize = 2704;

/* t_info's size (0 if the bytes are too short to say). */
size_t IndexTupleSize(std::string_view tuple);

/* A leaf tuple for `values` (one per key column) pointing at `heap_tid`.
 * 54000 when it is longer than kBtMaxItemSize. */
Result<std::string> FormLeafTuple(const std::vector<ColumnDef>& columns, const Tuple& values, ItemPointer heap_tid,
                                  std::string_view index_name);

/* The pivot separating a page from the one whose first tuple is `first`
 * (leaf or pivot of an index of `ncolumns` key columns): its key values
 * and heap TID, leading to `downlink`. */
std::string MakePivot(std::string_view first, BlockNumber downlink, size_t ncolumns);
/* The "minus infinity" first downlink of an internal page. */
std::string MinusInfinityPivot(BlockNumber downlink);

bool BtTupleIsPivot(std::string_view tuple);
/* How many key values the tuple holds (a leaf tuple: every column). */
size_t BtTupleNatts(std::string_view tuple, size_t ncolumns);
/* The heap TID: t_tid of a leaf tuple, the trailing one of a pivot (an
 * invalid TID when it has none). */
ItemPointer BtTupleHeapTid(std::string_view tuple);
BlockNumber BtTupleDownlink(std::string_view tuple);

/* The tuple's key values (as many as BtTupleNatts). XX001 if they do not
 * decode. */
Result<Tuple> DeformIndexTuple(const std::vector<ColumnDef>& columns, std::string_view tuple);

}  // namespace minipg::storage::nbtree
