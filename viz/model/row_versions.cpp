/*-------------------------------------------------------------------------
 * row_versions.cpp
 *   Parsing minipg_page_items' rows and deciding which snapshot sees which
 *   row version (row_versions.h), the way PostgreSQL's
 *   HeapTupleSatisfiesMVCC does with XidInMVCCSnapshot.
 *-------------------------------------------------------------------------
 */
#include "viz/model/row_versions.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace minipg::viz {
namespace {

int64_t ToInt(const std::optional<std::string>& text) {
  if (!text) return 0;
  int64_t v = 0;
  std::from_chars(text->data(), text->data() + text->size(), v);
  return v;
}

/* Whether an xid counts as committed: its xact_end said so, or the hint
 * bit on the page does, or it is a special one (1 bootstrap, 2 frozen). */
bool KnownCommitted(int64_t xid, bool hint_committed, const Transactions& txns) {
  if (xid > 0 && xid < 3) return true;
  return hint_committed || txns.Status(xid) == XidStatus::kCommitted;
}

}  // namespace

PageItems ParsePageItems(const std::vector<std::string>& columns,
                         const std::vector<std::vector<std::optional<std::string>>>& rows) {
  PageItems out;
  auto col = [&columns](const char* name) -> std::optional<size_t> {
    auto it = std::find(columns.begin(), columns.end(), name);
    if (it == columns.end()) return std::nullopt;
    return static_cast<size_t>(it - columns.begin());
  };
  auto lp = col("lp"), flags = col("lp_flags"), xmin = col("t_xmin"), xmax = col("t_xmax"),
       ctid = col("t_ctid"), infomask = col("t_infomask"), row = col("t_row");
  auto update = col("update_xid");  // optional: the panel's query adds it
  for (auto [name, c] : {std::pair{"lp", lp}, {"lp_flags", flags}, {"t_xmin", xmin}, {"t_xmax", xmax},
                         {"t_ctid", ctid}, {"t_infomask", infomask}, {"t_row", row}}) {
    if (!c) {
      out.error = fmt::format("minipg_page_items gave no column \"{}\"", name);
      return out;
    }
  }
  for (const auto& r : rows) {
    if (out.versions.size() >= kMaxRowVersions) break;
    auto at = [&r](size_t i) -> std::optional<std::string> { return i < r.size() ? r[i] : std::nullopt; };
    RowVersion v;
    v.lp = ToInt(at(*lp));
    v.lp_flags = ToInt(at(*flags));
    v.xmin = ToInt(at(*xmin));
    v.xmax = ToInt(at(*xmax));
    v.infomask = ToInt(at(*infomask));
    v.ctid = at(*ctid).value_or("");
    v.row = at(*row);
    if (update) v.update_xid = ToInt(at(*update));
    out.versions.push_back(std::move(v));
  }
  return out;
}

bool XidInMVCCSnapshot(int64_t xid, const SnapshotInfo& snap, const Transactions& txns) {
  if (xid < snap.xmin) return false;
  if (xid >= snap.xmax) return true;
  // A subtransaction is not in the proc array: look for its top-level xid.
  int64_t top = txns.TopXid(xid);
  if (top < snap.xmin) return false;
  return std::binary_search(snap.xip.begin(), snap.xip.end(), top);
}

Visibility VisibleTo(const RowVersion& v, const BackendTxn& b, const Transactions& txns) {
  if (!v.HasTuple()) return {Seen::kNoTuple, "the line pointer holds no tuple"};
  if (!b.snapshot) return {Seen::kNoSnapshot, "no snapshot: not in a transaction"};
  const SnapshotInfo& snap = *b.snapshot;
  // The inserter.
  if (b.Owns(v.xmin)) {
    // Inserted by this transaction: seen unless it deleted it too.
    int64_t own_deleter = (v.infomask & kHeapXmaxIsMulti) != 0 ? v.update_xid : v.xmax;
    if (own_deleter != 0 && (v.infomask & (kHeapXmaxInvalid | kHeapXmaxLockOnly)) == 0 && b.Owns(own_deleter)) {
      return {Seen::kInvisible, fmt::format("inserted and deleted by its own transaction {}", v.xmin)};
    }
    return {Seen::kVisible, fmt::format("inserted by its own transaction {}", v.xmin)};
  }
  bool xmin_frozen = (v.infomask & (kHeapXminCommitted | kHeapXminInvalid)) ==
                     (kHeapXminCommitted | kHeapXminInvalid);
  if (!xmin_frozen) {
    if ((v.infomask & kHeapXminInvalid) != 0 || txns.Status(v.xmin) == XidStatus::kAborted) {
      return {Seen::kInvisible, fmt::format("its inserter {} aborted", v.xmin)};
    }
    if (XidInMVCCSnapshot(v.xmin, snap, txns)) {
      return {Seen::kInvisible,
              fmt::format("its inserter {} was in progress when the snapshot was taken", v.xmin)};
    }
    if (!KnownCommitted(v.xmin, (v.infomask & kHeapXminCommitted) != 0, txns)) {
      return {Seen::kInvisible, fmt::format("its inserter {} is not known to have committed", v.xmin)};
    }
  }
  // The deleter (or locker).
  if (v.xmax == 0 || (v.infomask & kHeapXmaxInvalid) != 0) {
    return {Seen::kVisible, fmt::format("inserted by {}, committed before the snapshot; not deleted", v.xmin)};
  }
  if ((v.infomask & kHeapXmaxLockOnly) != 0) {
    return {Seen::kVisible, fmt::format("xmax {} only locked it", v.xmax)};
  }
  // A MultiXact xmax: only its updating member (if any) deletes the version;
  // the others only lock it (PostgreSQL's HeapTupleGetUpdateXid).
  bool multi = (v.infomask & kHeapXmaxIsMulti) != 0;
  if (multi && v.update_xid == 0) {
    return {Seen::kVisible, fmt::format("xmax {} is a MultiXact of lockers only", v.xmax)};
  }
  int64_t deleter = multi ? v.update_xid : v.xmax;
  bool hinted = !multi && (v.infomask & kHeapXmaxCommitted) != 0;
  if (b.Owns(deleter)) {
    return {Seen::kInvisible, fmt::format("deleted by its own transaction {}", deleter)};
  }
  if (txns.Status(deleter) == XidStatus::kAborted) {
    return {Seen::kVisible, fmt::format("its deleter {} aborted", deleter)};
  }
  if (XidInMVCCSnapshot(deleter, snap, txns)) {
    return {Seen::kVisible,
            fmt::format("its deleter {} was in progress when the snapshot was taken", deleter)};
  }
  if (!KnownCommitted(deleter, hinted, txns)) {
    return {Seen::kVisible, fmt::format("its deleter {} is not known to have committed", deleter)};
  }
  return {Seen::kInvisible, fmt::format("deleted by {}, committed before the snapshot", deleter)};
}

}  // namespace minipg::viz
