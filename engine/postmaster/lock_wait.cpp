/*-------------------------------------------------------------------------
 * lock_wait.cpp
 *   See lock_wait.h.
 *-------------------------------------------------------------------------
 */
#include "engine/postmaster/lock_wait.h"

#include "engine/postmaster/server_log.h"
#include "engine/storage/lmgr/lock.h"
#include "engine/storage/file_util.h"

namespace minipg {
namespace {

/* The storage layer's flock waits, reported as the lock manager reports its own. */
void ReportLockWait(storage::LockMode mode, std::string_view object, int64_t waited_us) {
  lmgr::ReportFileLockWait(object, mode == storage::LockMode::kExclusive, waited_us);
}

}  // namespace

void InstallLockWaitReporting() {
  storage::SetLockWaitHook(&ReportLockWait);
  lmgr::SetLockLogHook(&LogLine);  // log_lock_waits and the deadlock report
}

}  // namespace minipg
