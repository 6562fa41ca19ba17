/*-------------------------------------------------------------------------
 * checkpoint_request.cpp
 *   A backend's side of CHECKPOINT (see checkpoint_request.h).
 *-------------------------------------------------------------------------
 */
#include "engine/shmem/checkpoint_request.h"

#include <signal.h>
#include <time.h>

#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/shmem/backend_status.h"
#include "engine/shmem/shmem.h"
#include "engine/trace/emitter.h"

namespace minipg::shmem {
namespace {

/* Puts the wait event back however the wait ends. */
struct WaitEventScope {
  explicit WaitEventScope(WaitEvent w) { ReportWaitEvent(w); }
  ~WaitEventScope() { ReportWaitEvent(WaitEvent::kNone); }
};

bool Reached(uint32_t counter, uint32_t ticket) {
  return static_cast<int32_t>(counter - ticket) >= 0;
}

Error RequestFailed(const char* why) {
  return MakeError(sqlstate::kObjectNotInPrerequisiteState,
                   std::string("checkpoint request failed: ") + why);
}

}  // namespace

Status RequestCheckpointAndWait(uint32_t flags) {
  ShmemHeader* h = Header();
  if (h == nullptr || h->checkpointer.pid.load() <= 0)
    return RequestFailed("no checkpointer is running");
  CheckpointerShared& c = h->checkpointer;
  c.flags.fetch_or(flags);  // before the ticket: the checkpoint that serves it sees them
  uint32_t ticket = c.requests.fetch_add(1) + 1;
  pid_t pid = c.pid.load();
  trace::Event(trace::EventType::kSignal)
      .Int("target", pid)
      .Str("signal", "SIGINT")
      .Str("why", "checkpoint request")
      .Emit();
  if (pid <= 0 || kill(pid, SIGINT) != 0) return RequestFailed("could not signal the checkpointer");
  WaitEventScope wait(WaitEvent::kCheckpointDone);
  while (!Reached(c.served.load(), ticket)) {
    if (Status s = CheckForInterrupts(); !s.ok()) return s;
    if (c.pid.load() <= 0) return RequestFailed("the checkpointer exited");
    timespec ts{0, 5'000'000};  // 5 ms; a signal cuts it short
    nanosleep(&ts, nullptr);
  }
  if (Reached(c.failed.load(), ticket)) {
    Error e = MakeError(sqlstate::kInternalError, "checkpoint request failed");
    e.hint = "Consult recent messages in the server log for details.";
    return e;
  }
  return OkStatus();
}

}  // namespace minipg::shmem
