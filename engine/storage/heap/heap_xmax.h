/*-------------------------------------------------------------------------
 * heap_xmax.h
 *   What a row version's xmax means to a transaction about to lock,
 *   update or delete it (PostgreSQL's compute_new_xmax_infomask,
 *   DoesMultiXactIdConflict, HeapTupleGetUpdateXid and
 *   GetMultiXactIdHintBits), shared by heapam.cpp (UPDATE, DELETE),
 *   heap_lock.cpp (SELECT ... FOR ...) and the visibility rules.
 *
 *   An xmax is a set of members, each a transaction with a status
 *   (multixact.h): a plain xid is one member, its status read from the
 *   lock bits (a lock-only xmax) or KEYS_UPDATED (an update: kUpdate
 *   when it changed a key column or deleted the row, else kNoKeyUpdate);
 *   a MultiXactId (HEAP_XMAX_IS_MULTI) has its members in pg_multixact.
 *   At most one member is an updater; then LOCK_ONLY is clear.
 *
 *   A newcomer in `mode` (an UPDATE that changes no key column:
 *   kNoKeyExclusive, one that does or a DELETE: kExclusive) looks at
 *   each member of another transaction:
 *     running, its mode conflicts (the tuple lock table) -> wait for it
 *     running, no conflict -> it stays (a member of the new xmax)
 *     aborted, or a finished locker -> gone
 *     a committed updater, conflicting -> kUpdated / kDeleted
 *     a committed updater, no conflict (FOR KEY SHARE beside a non-key
 *       update) -> it stays: the lock goes on this version too
 *   so a FOR KEY SHARE lock and a non-key UPDATE share the row: the old
 *   version's xmax becomes a MultiXact of the locker(s) and the updater
 *   (status nokeyupd), HEAP_KEYS_UPDATED clear, and the new version
 *   carries the lockers as its own lock-only xmax.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <vector>

#include "engine/common/error.h"
#include "engine/storage/heap/heapam.h"
#include "engine/storage/heap/multixact.h"

namespace minipg::storage {

/* PostgreSQL's tuple lock conflict table. */
bool TupleLocksConflict(LockTupleMode held, LockTupleMode wanted);
/* The member status of a lock (is_update false) or an update / delete in
 * `mode`, and the mode a status holds. */
MultiXactStatus StatusOfMode(LockTupleMode mode, bool is_update);
LockTupleMode ModeOfStatus(MultiXactStatus status);

/* The members of the tuple's xmax (empty: none). */
Result<std::vector<MultiXactMember>> XmaxMembers(const HeapTupleHeader& t);

/* The transaction that updated or deleted the version, whatever its fate
 * (PostgreSQL's HeapTupleGetUpdateXid); kInvalidTransactionId when the
 * xmax is none or only locks. */
Result<TransactionId> HeapTupleGetUpdateXid(const HeapTupleHeader& t);

/* What a newcomer in `mode` finds (see the file comment). */
struct XmaxCheck {
  enum class Kind {
    kFree,          // nothing in the way: set ComputeNewXmax's xmax
    kHeld,          // a lock: the own transaction holds one as strong
    kWait,          // wait for wait_for, then look again
    kSelfModified,  // the own transaction updated or deleted it
    kUpdated,       // a committed conflicting update (ctid: the next version)
    kDeleted,       // a committed delete
  } kind = Kind::kFree;
  TransactionId wait_for = kInvalidTransactionId;
  TransactionId update_xid = kInvalidTransactionId;  // the updater, if any
  bool non_key_update = false;  // kFree: a running or committed non-key updater stays
};
Result<XmaxCheck> CheckXmax(const HeapTupleHeader& t, ItemPointer tid, LockTupleMode mode, bool is_update);

/* What CheckXmax's kSelfModified, kUpdated or kDeleted means for the
 * caller (heapam.h's TmFailure: the next version's ctid, the updater). */
TmFailure ChangedRowFailure(const XmaxCheck& c, const HeapTupleHeader& t);

/* An xmax with its infomask bits (HEAP_XMAX_* in infomask, KEYS_UPDATED
 * in infomask2). */
struct NewXmax {
  TransactionId xmax = kInvalidTransactionId;
  uint16_t infomask = 0;
  uint16_t infomask2 = 0;
};
/* The xmax the tuple gets when `xid` locks (is_update false) or updates
 * it in `mode` after CheckXmax said kFree: `xid` alone, or a MultiXact
 * with the members that stay (compute_new_xmax_infomask). */
Result<NewXmax> ComputeNewXmax(const HeapTupleHeader& t, TransactionId xid, LockTupleMode mode, bool is_update);
/* The xmax an update's new version starts with: the old version's
 * lockers that stay (lock-only; none: kInvalidTransactionId). */
Result<NewXmax> XmaxForNewVersion(const HeapTupleHeader& old);

/* The record infobits of xmax bits (compute_infobits). */
uint8_t XmaxInfobits(uint16_t infomask, uint16_t infomask2);
/* Sets the tuple's xmax and its bits (the hints and lock bits cleared
 * first; KEYS_UPDATED and HOT_UPDATED as `x` says). */
void SetTupleXmax(char* tuple, const NewXmax& x);

}  // namespace minipg::storage
