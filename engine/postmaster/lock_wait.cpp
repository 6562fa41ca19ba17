/*-------------------------------------------------------------------------
 * lock_wait.cpp
 *   See lock_wait.h.
 *-------------------------------------------------------------------------
 */
#include "engine/postmaster/lock_wait.h"

#include "engine/shmem/backend_status.h"
#include "engine/storage/file_util.h"
#include "engine/trace/emitter.h"

namespace minipg {
namespace {

void ReportLockWait(storage::LockMode mode, std::string_view object, int64_t waited_us) {
  const char* mode_name = mode == storage::LockMode::kShared ? "shared" : "exclusive";
  if (waited_us < 0) {
    shmem::ReportWaitEvent(shmem::WaitEvent::kLockRelation);
    trace::Event(trace::EventType::kLockWait).Str("lock", object).Str("mode", mode_name).Emit();
    return;
  }
  shmem::ReportWaitEvent(shmem::WaitEvent::kNone);
  trace::Event(trace::EventType::kLockAcquired)
      .Str("lock", object)
      .Str("mode", mode_name)
      .Int("waited_us", waited_us)
      .Emit();
}

}  // namespace

void InstallLockWaitReporting() { storage::SetLockWaitHook(&ReportLockWait); }

}  // namespace minipg
