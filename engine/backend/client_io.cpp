/*-------------------------------------------------------------------------
 * client_io.cpp
 *   A backend waiting on its client: for the next message (the reader's
 *   wait), for room to send (SendToClient).
 *
 * NOTES
 *   Neither recv() nor send() on the client ever blocks: when the socket is
 *   not ready the backend waits in WaitForClient(), which also wakes when a
 *   signal handler sets the latch (engine/common/latch.h). What a wake-up
 *   means is the caller's to decide:
 *     - reading, the reader's interrupt hook (idle: a terminate or a
 *       timeout ends the session, a cancel is forgotten; in COPY FROM STDIN
 *       only a die acts and a cancel stays pending for the next row);
 *     - sending to a client that does not read, only a die acts: the
 *       session ends without sending anything (the client is not reading
 *       it), as PostgreSQL's ProcessClientWriteInterrupt does. A cancel or
 *       statement_timeout stays pending and acts once the client reads and
 *       the statement goes on, as in PostgreSQL.
 *-------------------------------------------------------------------------
 */
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "engine/backend/backend_internal.h"
#include "engine/common/interrupts.h"
#include "engine/common/latch.h"
#include "engine/common/sqlstate.h"
#include "engine/shmem/backend_status.h"

namespace minipg::backend {

void WaitForClient(int fd, short events) {
  // pg_stat_activity's wait_event says which way we wait, as PostgreSQL's does.
  shmem::ReportWaitEvent((events & POLLOUT) != 0 ? shmem::WaitEvent::kClientWrite : shmem::WaitEvent::kClientRead);
  (void)WaitLatchOrSocket(fd, events);
  shmem::ReportWaitEvent(shmem::WaitEvent::kNone);
}

Status Backend::SendToClient(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(info_.sock, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    int err = errno;
    if (n < 0 && err == EINTR) continue;
    if (n < 0 && (err == EAGAIN || err == EWOULDBLOCK)) {
      // Blocked: the flag is read before the wait, and a die that lands in
      // between sets the latch, so the wait returns at once.
      if (!CheckForDieInterrupt().ok()) DieBlockedOnClient();
      WaitForClient(info_.sock, POLLOUT);
      continue;
    }
    return MakeError(sqlstate::kConnectionException,
                     fmt::format("could not send data to client: {}", std::strerror(err)), Severity::kFatal);
  }
  return OkStatus();
}

void Backend::DieBlockedOnClient() {
  SendError(CheckForDieInterrupt().error());  // the log and the event stream hear of it;
  out_.clear();                               // the client, who does not read, does not
  EndSession("fatal", 1);
}

}  // namespace minipg::backend
