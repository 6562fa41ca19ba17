/*-------------------------------------------------------------------------
 * copy.cpp
 *   The copy sub-protocol, the backend's side (WireCopyChannel). The SQL
 *   layer (engine/sql/copy_command.cpp) drives it:
 *
 *     COPY ... TO STDOUT    -> CopyOutResponse, CopyData (one per row),
 *                              CopyDone, then CommandComplete "COPY n"
 *     COPY ... FROM STDIN   -> CopyInResponse; the client sends CopyData...
 *                              then CopyDone (-> CommandComplete "COPY n")
 *                              or CopyFail (-> 57014 "COPY from stdin
 *                              failed: <its message>")
 *
 * NOTES
 *   During copy-in, Flush and Sync are ignored (libpq may send them without
 *   noticing the COPY), as PostgreSQL does; any other message is 08P01
 *   "unexpected message type 0x51 during COPY from stdin", after which
 *   PostgreSQL ends the session because the protocol is out of step.
 *   After an error the client's remaining CopyData/CopyDone are ignored by
 *   the message loop, which is how PostgreSQL recovers too.
 *   While waiting for copy data only a terminate (or fast shutdown) acts
 *   at once. A cancel or statement_timeout stays pending, as in PostgreSQL:
 *   the next message from the client (CopyData or CopyDone) fails the COPY
 *   with 57014, on the line it reached. It is never forgotten, as it is
 *   when the session is idle.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include "engine/backend/backend_internal.h"
#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/common/utf8.h"

namespace minipg::backend {

namespace {
constexpr size_t kCopyFlushThreshold = 64u << 10;
}  // namespace

WireCopyChannel::~WireCopyChannel() {
  if (hook_saved_) backend_.reader_.SetInterruptHook(std::move(saved_hook_));
}

Status WireCopyChannel::BeginOut(int columns) {
  proto::EncodeCopyOutResponse(backend_.out_, static_cast<int16_t>(columns));
  return OkStatus();
}

Status WireCopyChannel::Send(std::string_view data) {
  proto::EncodeCopyData(backend_.out_, data);
  if (backend_.out_.size() > kCopyFlushThreshold) backend_.Flush();
  return OkStatus();
}

Status WireCopyChannel::EndOut() {
  proto::EncodeCopyDone(backend_.out_);
  return OkStatus();
}

Status WireCopyChannel::BeginIn(int columns) {
  proto::EncodeCopyInResponse(backend_.out_, static_cast<int16_t>(columns));
  backend_.Flush();  // the client waits for this before it sends data
  if (!hook_saved_) {
    saved_hook_ = backend_.reader_.interrupt_hook();
    hook_saved_ = true;
  }
  backend_.reader_.SetInterruptHook([]() -> Status { return CheckForDieInterrupt(); });
  return OkStatus();
}

Result<std::optional<std::string>> WireCopyChannel::Receive() {
  for (;;) {
    auto msg = backend_.reader_.ReadMessage();
    if (!msg.ok()) {
      if (backend_.reader_.eof()) {
        return MakeError(sqlstate::kConnectionFailure,
                         "unexpected EOF on client connection with an open transaction");
      }
      return msg.error();  // a malformed message (FATAL), a cancel, a terminate
    }
    switch (msg->type) {
      case proto::fe::kCopyData:
        return std::optional<std::string>(std::move(msg->body));
      case proto::fe::kCopyDone:
        return std::optional<std::string>();
      case proto::fe::kCopyFail: {
        // Its message is text from the client: a body that does not decode
        // or is not UTF-8 is an ERROR in its own right, as in PostgreSQL.
        auto why = proto::DecodeCopyFail(msg->body);
        if (!why.ok()) {
          Error e = why.error();
          e.severity = Severity::kError;
          return e;
        }
        if (Status s = VerifyUtf8(*why); !s.ok()) return s.error();
        return MakeError(sqlstate::kQueryCanceled, fmt::format("COPY from stdin failed: {}", *why));
      }
      case proto::fe::kFlush:
      case proto::fe::kSync:
        continue;  // ignored for clients that send them without noticing the COPY
      default:
        lost_sync_ = true;
        return MakeError(sqlstate::kProtocolViolation,
                         fmt::format("unexpected message type 0x{:02X} during COPY from stdin",
                                     static_cast<unsigned char>(msg->type)));
    }
  }
}

}  // namespace minipg::backend
