/*-------------------------------------------------------------------------
 * vacuum_horizon.h
 *   Which row versions VACUUM may remove (PostgreSQL's
 *   GetOldestNonRemovableXid in procarray.c): a version whose deleter
 *   committed before every running transaction began can be seen by no one.
 *
 *     horizon = min(next xid, the xid and the snapshot xmin of every
 *                   other process of this database)
 *
 *   A deleter (or an aborted inserter) older than the horizon is gone for
 *   everyone; one at or past it may still be seen by a transaction that is
 *   running: VACUUM keeps it ("dead but not yet removable"). A transaction
 *   left idle in a block with an xid or a snapshot (REPEATABLE READ, or a
 *   READ COMMITTED statement running) holds the horizon back, as in
 *   PostgreSQL.
 *
 * NOTES
 *   The calling process's own xid and xmin are left out: VACUUM's
 *   transaction writes only its pg_class rows and reads with no snapshot
 *   (PostgreSQL's VACUUM takes no xid at all). Only this database's
 *   processes count (PostgreSQL's data_oldest_nonremovable for a table
 *   that is not shared); a process with no database (an auxiliary one)
 *   counts everywhere. Whether an xid is still running is asked of the
 *   proc array (TransactionIdIsInProgress, which finds a subtransaction
 *   through its top-level xid).
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
};

/* The horizon alone. */
TransactionId GetOldestNonRemovableXid();
/* The horizon with what it was computed from. */
VacuumCutoffs GetVacuumCutoffs();

}  // namespace minipg::storage
