/*-------------------------------------------------------------------------
 * client_copy.cpp
 *   The client's side of the copy sub-protocol, as libpq and psql do it:
 *
 *     CopyInResponse  -> send the source's data as CopyData messages, then
 *                        CopyDone (or CopyFail if the source fails)
 *     CopyOutResponse -> then CopyData... CopyDone: each CopyData goes to
 *                        the sink
 *
 *   Then the usual CommandComplete ("COPY n") or ErrorResponse, and
 *   ReadyForQuery, read by Query().
 *
 * NOTES
 *   If the server rejects the data part-way (a bad row) it sends its error
 *   and ReadyForQuery at once and ignores the rest of our CopyData, as
 *   PostgreSQL does; we finish sending and then read its answer, so the
 *   exchange stays in step.
 *-------------------------------------------------------------------------
 */
#include <istream>
#include <ostream>

#include "engine/common/sqlstate.h"
#include "sim/client/client.h"

namespace minipg::client {
namespace proto = protocol;

namespace {
constexpr size_t kCopyChunk = 64u << 10;
}  // namespace

Result<QueryResult> Connection::Query(std::string_view sql, CopyInSource in, CopyOutSink out) {
  copy_in_ = std::move(in);
  copy_out_ = std::move(out);
  auto r = Query(sql);
  copy_in_ = nullptr;
  copy_out_ = nullptr;
  return r;
}

Result<QueryResult> Connection::CopyIn(std::string_view sql, std::istream& in) {
  std::string buf(kCopyChunk, '\0');
  return Query(
      sql,
      [&in, &buf]() -> Result<std::optional<std::string>> {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        std::streamsize n = in.gcount();
        if (n > 0) return std::optional<std::string>(buf.substr(0, static_cast<size_t>(n)));
        if (in.bad()) return MakeError(sqlstate::kIoError, "aborted because of read failure");
        return std::optional<std::string>();
      },
      nullptr);
}

Result<QueryResult> Connection::CopyOut(std::string_view sql, std::ostream& out) {
  return Query(sql, nullptr, [&out](std::string_view data) -> Status {
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out) return MakeError(sqlstate::kIoError, "could not write COPY data");
    return OkStatus();
  });
}

Status Connection::HandleCopyMessage(const proto::Message& msg) {
  switch (msg.type) {
    case proto::be::kCopyInResponse: {
      auto r = proto::DecodeCopyResponse(msg.body);
      if (!r.ok()) return r.error();
      std::string out;
      if (!copy_in_) {
        proto::EncodeCopyFail(out, "COPY FROM STDIN needs a data source (Connection::CopyIn)");
        return proto::WriteAll(fd_, out);
      }
      for (;;) {
        auto chunk = copy_in_();
        if (!chunk.ok()) {
          proto::EncodeCopyFail(out, chunk.error().message);
          break;
        }
        if (!chunk->has_value()) {
          proto::EncodeCopyDone(out);
          break;
        }
        proto::EncodeCopyData(out, **chunk);
        if (out.size() >= kCopyChunk) {
          if (Status s = proto::WriteAll(fd_, out); !s.ok()) return s;
          out.clear();
        }
      }
      return proto::WriteAll(fd_, out);
    }
    case proto::be::kCopyOutResponse: {
      auto r = proto::DecodeCopyResponse(msg.body);
      if (!r.ok()) return r.error();
      return OkStatus();
    }
    case proto::be::kCopyData:
      return copy_out_ ? copy_out_(msg.body) : OkStatus();
    default:  // CopyDone: the CommandComplete follows
      return OkStatus();
  }
}

}  // namespace minipg::client
