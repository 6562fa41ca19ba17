/*-------------------------------------------------------------------------
 * nbtree.h
 *   B-tree indexes (PostgreSQL's nbtree in spirit; Lehman & Yao's tree
 *   with right-links and high keys): the access method the executor and
 *   CREATE INDEX call. An index is a relation of 8 KiB pages read and
 *   changed through shared buffers, every change WAL-logged (Btree rmgr,
 *   engine/storage/wal/btree_records.h) and replayed by recovery.
 *
 *     BtreeBuild   CREATE INDEX: the table's entries sorted, leaf pages
 *                  filled left to right, each level above built from the
 *                  one below, every page logged whole, the metapage last
 *     BtreeInsert  one entry (an INSERT's row): descend to the leaf, check
 *                  uniqueness, add the tuple, splitting pages as needed
 *     BtreeScan    the heap TIDs whose keys satisfy the scan keys, in key
 *                  order, forward or backward
 *
 *   Pages: nbtree_page.h; tuples: nbtree_tuple.h; the ordering:
 *   nbtree_compare.h; invariants: README.md in this folder.
 *
 * NOTES
 *   Concurrency as PostgreSQL's: a reader holds one content lock at a time
 *   and, when a page split under it (its key is at or past the high key),
 *   moves right along the right-links. An inserter locks its leaf
 *   exclusively; a split holds the page and its new right half (and the
 *   old right sibling while relinking it), logs them, lets them go, then
 *   inserts the downlink into the parent level.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/error.h"
#include "engine/storage/block.h"
#include "engine/storage/catalog.h"
#include "engine/storage/datum.h"
#include "engine/storage/heap/heap_dirty.h"
#include "engine/storage/heap/vacuumlazy.h"
#include "engine/storage/page/heap_tuple.h"

namespace minipg::storage::nbtree {

class BtBuf;

/* One index as the access method needs it. */
struct BtreeIndex {
  RelFileLocator rel;               // its file: base/<db>/<relfilenode>
  std::string name;                 // for messages: unique constraint "t_pkey"
  std::vector<ColumnDef> columns;   // the key columns, in index order (names as the table's)
  bool unique = false;
};

/* A value as text for a message's DETAIL (the SQL layer's output
 * function); nullptr: the storage layer's own (integers in decimal, text
 * as is, booleans t/f). */
using BtValueText = std::string (*)(ColumnType type, const Datum& value);

/* What the heap row at this TID is to a unique check (a unique index's
 * equal key conflicts only with a live row; one an in-progress
 * transaction inserts or deletes is waited for): the caller looks at the
 * heap tuple as heap_dirty.h does. */
using BtHeapTupleIsLive = std::function<Result<DirtyTuple>(ItemPointer heap_tid)>;

/* ---- building ------------------------------------------------------------ */

struct BtBuildEntry {
  Tuple key;            // one value per key column
  ItemPointer heap_tid;
};

/* Builds the index in its empty main fork (the file exists, 0 blocks) from
 * every entry, sorted here. A unique index refuses two equal keys with
 * none NULL: 23505 could not create unique index "i", DETAIL Key (a)=(1)
 * is duplicated. No entries: only the metapage (root none). */
Status BtreeBuild(const BtreeIndex& index, std::vector<BtBuildEntry> entries, BtValueText value_text = nullptr);

/* ---- inserting ----------------------------------------------------------- */

/* Adds the entry for a new heap row. A unique index with an equal key
 * (none NULL) whose heap row `is_live` says is live: 23505 duplicate key
 * value violates unique constraint "i", DETAIL Key (a)=(1) already exists;
 * if a transaction in progress inserts or deletes that row, the pages are
 * let go, its end waited for (WaitForTransactionEnd) and the insert
 * starts over (PostgreSQL's _bt_doinsert). `is_live` may be empty for a
 * non-unique index. */
Status BtreeInsert(const BtreeIndex& index, const Tuple& key, ItemPointer heap_tid,
                   const BtHeapTupleIsLive& is_live = {}, BtValueText value_text = nullptr);

/* ---- scanning ------------------------------------------------------------ */

/* PostgreSQL's B-tree strategy numbers. */
enum class BtStrategy : uint8_t {
  kLess = 1,
  kLessEqual = 2,
  kEqual = 3,
  kGreaterEqual = 4,
  kGreater = 5,
  kIsNull = 6,     // "column IS NULL" (value unused): the NULLs, which sort last
  kIsNotNull = 7,  // "column IS NOT NULL" (value unused)
};

/* "column <strategy> value" (column: 0-based position in the index). A
 * NULL value matches nothing, and no key matches a NULL in the index but
 * kIsNull's. */
struct BtScanKey {
  size_t column = 0;
  BtStrategy strategy = BtStrategy::kEqual;
  Datum value;
};

enum class BtScanDirection : uint8_t { kForward, kBackward };

/* An index scan. The first Next() descends to where the first match may
 * be (PostgreSQL's _bt_first, from the =, >= and > keys of the leading
 * columns going forward, =, <= and < going backward), later ones step
 * through the leaf level. A page's matching items are copied out under
 * its share lock; nothing is held between calls. The scan ends at the
 * first item that fails a key no later item can pass (a "required" key).
 * Items inserted into pages not yet read may be seen, as in PostgreSQL
 * (MVCC then decides, in the heap). */
class BtreeScan {
 public:
  BtreeScan(BtreeIndex index, std::vector<BtScanKey> keys, BtScanDirection dir = BtScanDirection::kForward);
  /* The next matching heap TID, nullopt at the end. */
  Result<std::optional<ItemPointer>> Next();
  /* The key values of the item Next() last returned (index-only scans). */
  const Tuple& key() const { return items_[pos_ - 1].key; }
  /* Pages read so far (tests: a point lookup reads a few). */
  uint64_t pages_read() const { return pages_read_; }

 private:
  struct Item {
    ItemPointer heap_tid;
    Tuple key;
  };
  Status First();
  /* The page's matches from `start` (its first, or last, data item when
   * none) in scan direction; notes where to go next. */
  Status ReadItems(const BtBuf& buf, std::optional<OffsetNumber> start);
  /* The page whose right-link is `block`, starting from its left-link
   * `prev` and moving right past pages split off meanwhile. */
  Result<BtBuf> LeftSibling(BlockNumber block, BlockNumber prev);
  /* 1: the item matches; 0: skip it; -1: no later item can match. */
  int Check(const Tuple& key) const;

  BtreeIndex index_;
  std::vector<BtScanKey> keys_;
  BtScanDirection dir_;
  bool started_ = false;
  bool done_ = false;
  std::vector<Item> items_;   // the current page's matches, in scan order
  size_t pos_ = 0;
  std::vector<bool> required_;  // per key: a failure ends the scan in its direction
  BlockNumber page_ = 0;        // the page items_ came from
  BlockNumber sibling_ = 0;     // the next page in scan direction (0: none)
  uint64_t pages_read_ = 0;
};

/* Levels above the leaves (the metapage's btm_level; 0 for an empty index
 * or a root that is a leaf): the planner's descent cost. */
Result<uint32_t> BtreeHeight(const BtreeIndex& index);

/* ---- vacuuming ----------------------------------------------------------- */

/* VACUUM's pass over the index (nbtree_vacuum.cpp): every leaf item whose
 * heap TID `is_dead` says is being removed goes, one Btree VACUUM record
 * per leaf page changed. Counts the index's pages and the entries left. */
Result<storage::IndexVacuumResult> BtreeBulkDelete(const BtreeIndex& index, const storage::TidIsDead& is_dead);

/* ---- checking ------------------------------------------------------------ */

/* amcheck's bt_index_check in spirit: every level from the root down,
 * each page's items in order, every item below its page's high key and
 * at or above the pivot that leads to the page, sibling links that agree
 * both ways, levels one apart. XX002 naming the first broken page. The
 * index must not change meanwhile. Returns the number of leaf tuples. */
Result<uint64_t> BtreeCheck(const BtreeIndex& index);

}  // namespace minipg::storage::nbtree
