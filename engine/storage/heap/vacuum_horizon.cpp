/*-------------------------------------------------------------------------
 * vacuum_horizon.cpp
 *   The removable horizon from the process array (see vacuum_horizon.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap/vacuum_horizon.h"

#include <algorithm>
#include <string>

#include "engine/shmem/backend_status.h"
#include "engine/storage/heap/procarray.h"
#include "engine/storage/heap/transam.h"

namespace minipg::storage {

VacuumCutoffs GetVacuumCutoffs() {
  VacuumCutoffs c;
  // The next xid first: a transaction that takes an xid after it is read
  // is past it, whether or not the process array below shows it.
  c.next_xid = ReadNextTransactionId();
  c.oldest_xmin = c.next_xid;
  int my_slot = shmem::MySlot();
  std::vector<shmem::BackendStatusCopy> procs = shmem::ReadProcArray();
  std::string my_database;
  for (const shmem::BackendStatusCopy& p : procs) {
    if (p.slot == my_slot) my_database = p.database;
  }
  for (const shmem::BackendStatusCopy& p : procs) {
    if (p.slot == my_slot) continue;
    // Another database's transactions cannot see this one's tables.
    if (!my_database.empty() && !p.database.empty() && p.database != my_database) continue;
    ProcArrayEntry e = ProcArrayEntryOf(p.slot);
    for (TransactionId x : {e.xid, e.xmin, static_cast<TransactionId>(p.xid)}) {
      if (x != kInvalidTransactionId) c.oldest_xmin = std::min(c.oldest_xmin, x);
    }
  }
  return c;
}

TransactionId GetOldestNonRemovableXid() { return GetVacuumCutoffs().oldest_xmin; }

}  // namespace minipg::storage
