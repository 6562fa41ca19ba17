/*-------------------------------------------------------------------------
 * crash.cpp
 *   The deliberate crash behind minipg_crash().
 *-------------------------------------------------------------------------
 */
#include "engine/common/crash.h"

#include <signal.h>
#include <unistd.h>

namespace minipg {

void CrashThisProcess() {
  // Restore the default action so no handler (AddressSanitizer installs one
  // for SIGSEGV) turns the crash into a report and a clean exit.
  signal(SIGSEGV, SIG_DFL);
  sigset_t segv;
  sigemptyset(&segv);
  sigaddset(&segv, SIGSEGV);
  sigprocmask(SIG_UNBLOCK, &segv, nullptr);
  raise(SIGSEGV);
  _exit(139);  // not reached
}

}  // namespace minipg
