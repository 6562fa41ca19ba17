/*-------------------------------------------------------------------------
 * heap_tuple.h
 *   A table row as it is stored on a heap page: PostgreSQL's
 *   HeapTupleHeaderData, then an optional null bitmap, then the values,
 *   each at its type's alignment (type_storage.h).
 *
 *   Tuple header (all integers little-endian):
 *
 *     OFFSET  SIZE  DESCRIPTION
 *          0     4  t_xmin: the inserting transaction
 *          4     4  t_xmax: the deleting or locking transaction, 0 if none
 *          8     4  t_cid: command id within the inserting (or deleting)
 *                   transaction
 *         12     6  t_ctid: block (high 16 bits, then low 16 bits) and
 *                   offset number of this tuple or of its newer version
 *         18     2  t_infomask2: number of attributes (low 11 bits) and
 *                   HOT flags
 *         20     2  t_infomask: kHeap* flag bits below
 *         22     1  t_hoff: offset of the first value (a multiple of 8)
 *         23     *  t_bits: null bitmap, one bit per attribute (1 = not
 *                   null), present only with kHeapHasNull
 *     t_hoff     *  the values of the non-null attributes, in order
 *
 * NOTES
 *   The flag values are PostgreSQL's, so pageinspect-style output reads the
 *   same; what they mean for visibility arrives with the next issues. There
 *   is no TOAST: a row longer than kMaxHeapTupleSize is refused with
 *   PostgreSQL's "row is too big" error.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/error.h"
#include "engine/storage/block.h"
#include "engine/storage/catalog.h"
#include "engine/storage/datum.h"
#include "engine/storage/page/page.h"

namespace minipg::storage {

using CommandId = uint32_t;
inline constexpr CommandId kFirstCommandId = 0;

/* A tuple's address: PostgreSQL's ItemPointerData (a "TID", shown (0,1)). */
struct ItemPointer {
  BlockNumber block = kInvalidBlockNumber;
  OffsetNumber offset = kInvalidOffsetNumber;
  bool IsValid() const { return offset != kInvalidOffsetNumber; }
  friend bool operator==(const ItemPointer&, const ItemPointer&) = default;
};

/* t_infomask bits (PostgreSQL's values). */
inline constexpr uint16_t kHeapHasNull = 0x0001;         // has a null bitmap
inline constexpr uint16_t kHeapHasVarWidth = 0x0002;     // has variable-width values
inline constexpr uint16_t kHeapHasExternal = 0x0004;     // has TOAST pointers (never, here)
inline constexpr uint16_t kHeapHasOidOld = 0x0008;       // pre-12 OID column (never)
inline constexpr uint16_t kHeapXmaxKeyshrLock = 0x0010;  // xmax is a key-share locker
inline constexpr uint16_t kHeapComboCid = 0x0020;        // t_cid is a combo cid
inline constexpr uint16_t kHeapXmaxExclLock = 0x0040;    // xmax is an exclusive locker
inline constexpr uint16_t kHeapXmaxLockOnly = 0x0080;    // xmax only locked the row
inline constexpr uint16_t kHeapXminCommitted = 0x0100;   // hint: xmin committed
inline constexpr uint16_t kHeapXminInvalid = 0x0200;     // hint: xmin aborted
inline constexpr uint16_t kHeapXminFrozen = kHeapXminCommitted | kHeapXminInvalid;
inline constexpr uint16_t kHeapXmaxCommitted = 0x0400;   // hint: xmax committed
inline constexpr uint16_t kHeapXmaxInvalid = 0x0800;     // hint: xmax aborted or none
inline constexpr uint16_t kHeapXmaxIsMulti = 0x1000;     // xmax is a MultiXactId
inline constexpr uint16_t kHeapUpdated = 0x2000;         // this is an updated version
inline constexpr uint16_t kHeapMovedOff = 0x4000;        // old VACUUM FULL (never)
inline constexpr uint16_t kHeapMovedIn = 0x8000;         // old VACUUM FULL (never)

/* t_infomask2 bits (PostgreSQL's values). */
inline constexpr uint16_t kHeapNattsMask = 0x07FF;    // number of attributes
inline constexpr uint16_t kHeapKeysUpdated = 0x2000;  // an update changed a key column
inline constexpr uint16_t kHeapHotUpdated = 0x4000;   // updated in place (HOT)
inline constexpr uint16_t kHeapOnlyTuple = 0x8000;    // a HOT tuple: no index entries

inline constexpr size_t kHeapTupleHeaderSize = 23;  // SizeofHeapTupleHeader
inline constexpr size_t kMaxHeapAttributeNumber = 1600;
/* The longest tuple a page holds: 8192 - MAXALIGN(24 + 4) (MaxHeapTupleSize). */
inline constexpr size_t kMaxHeapTupleSize = kBlockSize - MaxAlign(kPageHeaderSize + kItemIdSize);

/* The header fields, decoded. */
struct HeapTupleHeader {
  TransactionId xmin = kInvalidTransactionId;
  TransactionId xmax = kInvalidTransactionId;
  CommandId cid = kFirstCommandId;
  ItemPointer ctid;
  uint16_t infomask2 = 0;
  uint16_t infomask = 0;
  uint8_t hoff = 0;
  uint16_t natts() const { return infomask2 & kHeapNattsMask; }
};

/* Builds the bytes of a new row for insertion by `xmin` in command `cid`:
 * xmax 0 with kHeapXmaxInvalid, ctid invalid until the caller places the
 * tuple and sets it to its own TID (HeapTupleSetCtid), as heap_insert does.
 * Errors: a value of the wrong kind or out of range, more than 1600
 * columns, or a row longer than kMaxHeapTupleSize (54000). */
Result<std::string> HeapFormTuple(const std::vector<ColumnDef>& columns, const Tuple& values,
                                  TransactionId xmin, CommandId cid);

/* The header of a stored tuple; XX001 if it is too short or its t_hoff or
 * null bitmap do not fit. */
Result<HeapTupleHeader> HeapTupleGetHeader(std::string_view tuple);

/* The row's values for `columns`: attributes the tuple lacks (columns added
 * later) are NULL. XX001 for a tuple that does not decode. Only the first
 * `upto` columns are read if it is given (the rest left NULL), as
 * PostgreSQL's slot_getsomeattrs. */
Result<Tuple> HeapDeformTuple(const std::vector<ColumnDef>& columns, std::string_view tuple,
                              size_t upto = SIZE_MAX);

/* Changes a stored tuple in place (on its page; `tuple` is at least
 * kHeapTupleHeaderSize bytes). HeapTupleSetXmax clears the xmax hint and
 * lock bits, and sets kHeapXmaxInvalid when `xmax` is 0. */
void HeapTupleSetXmin(char* tuple, TransactionId xmin);
void HeapTupleSetXmax(char* tuple, TransactionId xmax);
void HeapTupleSetCid(char* tuple, CommandId cid);
void HeapTupleSetCtid(char* tuple, ItemPointer ctid);
/* Sets, then clears, bits of t_infomask (hint bits) / t_infomask2. */
void HeapTupleSetInfomask(char* tuple, uint16_t set, uint16_t clear = 0);
void HeapTupleSetInfomask2(char* tuple, uint16_t set, uint16_t clear = 0);

}  // namespace minipg::storage
