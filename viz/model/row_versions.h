/*-------------------------------------------------------------------------
 * row_versions.h
 *   The Row versions view's model: the row versions of one heap page, as
 *   `SELECT * FROM minipg_page_items('t', 0)` lists them (pageinspect's
 *   heap_page_items columns plus t_row), and for each backend whether its
 *   snapshot sees each version, decided by PostgreSQL's rule
 *   (HeapTupleSatisfiesMVCC) from the snapshot the backend last took and
 *   the transaction outcomes the viewer has seen (transactions.h).
 *
 *   A version is visible to a snapshot when
 *     its inserter (t_xmin) is the backend's own transaction, or is not in
 *       the snapshot (XidInMVCCSnapshot) and is known to have committed
 *       (from its xact_end, or the page's hint bit HEAP_XMIN_COMMITTED);
 *     and its deleter (t_xmax) is none, aborted, only a locker, in the
 *       snapshot, or not known to have committed; a deleter that is the
 *       backend's own transaction hides it.
 *   An xid in progress or not known to have committed is not visible.
 *
 * NOTES
 *   Simplification: command ids are not in the stream, so a version the
 *   backend's own transaction inserted counts as seen and one it deleted
 *   as not (as if the statement came after them). Plain C++; no drawing.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "viz/model/transactions.h"

namespace minipg::viz {

/* t_infomask bits (PostgreSQL's htup_details.h). */
inline constexpr int64_t kHeapXmaxLockOnly = 0x0080;
inline constexpr int64_t kHeapXminCommitted = 0x0100;
inline constexpr int64_t kHeapXminInvalid = 0x0200;
inline constexpr int64_t kHeapXmaxCommitted = 0x0400;
inline constexpr int64_t kHeapXmaxInvalid = 0x0800;
inline constexpr int64_t kHeapXmaxIsMulti = 0x1000;

/* Line pointer flags (lp_flags). */
inline constexpr int64_t kLpUnused = 0;
inline constexpr int64_t kLpNormal = 1;
inline constexpr int64_t kLpRedirect = 2;
inline constexpr int64_t kLpDead = 3;

inline constexpr size_t kMaxRowVersions = 2048;  // line pointers listed (a page holds far fewer)

struct RowVersion {
  int64_t lp = 0;
  int64_t lp_flags = 0;
  int64_t xmin = 0;
  int64_t xmax = 0;
  int64_t infomask = 0;
  std::string ctid;                // "(0,1)"
  std::optional<std::string> row;  // t_row: "(1,alice)"; nullopt for an unused pointer
  int64_t update_xid = 0;          // a MultiXact xmax's updating member (update_xid column), 0: none
  bool HasTuple() const { return lp_flags == kLpNormal; }
};

/* Parses minipg_page_items' result (column names, rows of text values);
 * the versions, or an error naming the column that is missing. */
struct PageItems {
  std::vector<RowVersion> versions;
  std::string error;
};
PageItems ParsePageItems(const std::vector<std::string>& columns,
                         const std::vector<std::vector<std::optional<std::string>>>& rows);

enum class Seen {
  kVisible,
  kInvisible,
  kNoSnapshot,  // the backend has no snapshot now (no transaction, or it just ended)
  kNoTuple,     // the line pointer holds no tuple (unused, dead, redirect)
};

struct Visibility {
  Seen seen = Seen::kNoSnapshot;
  std::string why;  // "xmin 745 was in progress when the snapshot was taken"
};

/* XidInMVCCSnapshot: whether `xid` counts as still running for `snap`
 * (a subtransaction's xid looked up as its top-level one). */
bool XidInMVCCSnapshot(int64_t xid, const SnapshotInfo& snap, const Transactions& txns);

/* Whether `backend`'s last snapshot sees `v` (HeapTupleSatisfiesMVCC). */
Visibility VisibleTo(const RowVersion& v, const BackendTxn& backend, const Transactions& txns);

}  // namespace minipg::viz
