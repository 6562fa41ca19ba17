/*-------------------------------------------------------------------------
 * nbtree_compare.h
 *   The one ordering of a B-tree: key values compared column by column by
 *   their type, NULLs after every value (ASC NULLS LAST, PostgreSQL's
 *   default), then the heap TID (nbtree_tuple.h). Searching compares a
 *   search key (PostgreSQL's BTScanInsert) with a tuple on a page.
 *
 *   Order of each type: integers (smallint, integer, bigint, oid, xid) and
 *   real by value (NaN after every number, as PostgreSQL sorts it),
 *   boolean false < true, text / name / "char" byte by byte (the C
 *   collation: what minipg's ORDER BY does today, engine/sql's
 *   CompareValues on std::string).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "engine/common/error.h"
#include "engine/storage/catalog.h"
#include "engine/storage/datum.h"
#include "engine/storage/page/heap_tuple.h"

namespace minipg::storage::nbtree {

/* <0, 0, >0; a NULL is greater than any value and equal to a NULL. */
int BtCompareDatum(ColumnType type, const Datum& a, const Datum& b);
int BtCompareTid(ItemPointer a, ItemPointer b);

/* Where a search goes: `values` for the first values.size() key columns,
 * then, with every column given, the heap TID. When every given value is
 * equal to the tuple's and there is no TID to compare, the key sorts just
 * before those tuples (bias -1: "the first tuple >= key") or just after
 * them (bias +1: "the first tuple > key"): a search key never equals a
 * tuple unless its TID does. */
struct BtSearchKey {
  Tuple values;
  std::optional<ItemPointer> heap_tid;
  int bias = -1;
};

/* The key compared with a tuple of the page (leaf tuple or pivot; the
 * "minus infinity" pivot is below every key). XX001 if the tuple does not
 * decode. */
Result<int> BtCompareKey(const std::vector<ColumnDef>& columns, const BtSearchKey& key, std::string_view tuple);

/* True when the tuples' key values are all equal and none is NULL (a
 * unique index's conflict; the TIDs are not compared). */
bool BtKeysEqualNotNull(const std::vector<ColumnDef>& columns, const Tuple& a, const Tuple& b);

}  // namespace minipg::storage::nbtree
