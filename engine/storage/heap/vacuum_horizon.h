/*-------------------------------------------------------------------------
 * vacuum_horizon.h
 *   Which row versions VACUUM may remove (PostgreSQL's
 *   GetOldestNonRemovableXid in procarray.c): a version whose deleter
 *   committed before every running transaction began can be seen by no one.
 *
 *     horizon = min(next xid, the xid of every running transaction of
 *                   this database)
 *
 *   A deleter (or an aborted inserter) older than the horizon is gone for
 *   everyone; one at or past it may still be seen by a transaction that is
 *   running: VACUUM keeps it ("dead but not yet removable"). A transaction
 *   left idle in a block with an xid holds the horizon back, as in
 *   PostgreSQL.
 *
 * NOTES
 *   Until snapshots arrive (issue 17's snapshot part), a running
 *   transaction is seen through its xid in the process array, not its
 *   snapshot's xmin: a transaction that has not written yet does not hold
 *   the horizon back. The calling process's own xid is left out: VACUUM's
 *   transaction writes only its pg_class rows (PostgreSQL's VACUUM takes
 *   no xid at all). Only this database's transactions count (PostgreSQL's
 *   data_oldest_nonremovable for a table that is not shared); a process
 *   with no database (an auxiliary one) counts everywhere.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <vector>

#include "engine/storage/block.h"

namespace minipg::storage {

/* What VACUUM decides with, taken once at its start. */
struct VacuumCutoffs {
  TransactionId oldest_xmin = kFirstNormalTransactionId;  // the horizon
  TransactionId next_xid = kFirstNormalTransactionId;     // ReadNextTransactionId() then
  std::vector<TransactionId> running;                     // the running xids then (not this process's)
  /* Whether `xid` (in progress in pg_xact) may still be running: it was
   * running then, or began since. One neither died in a crash. */
  bool MayBeRunning(TransactionId xid) const;
};

/* The horizon alone. */
TransactionId GetOldestNonRemovableXid();
/* The horizon with what it was computed from. */
VacuumCutoffs GetVacuumCutoffs();

}  // namespace minipg::storage
