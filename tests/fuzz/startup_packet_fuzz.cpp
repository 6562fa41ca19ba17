/*-------------------------------------------------------------------------
 * startup_packet_fuzz.cpp
 *   Fuzz target: the bytes a client sends first, read as a backend reads
 *   them (Backend::ReadStartup): MessageReader::ReadStartupPacket over a
 *   socket, DecodeStartupPacket, up to three packets (an SSLRequest or
 *   GSSENCRequest is answered 'N' and followed by another packet).
 *
 *   Checks: a decoded StartupMessage encodes back to a packet that decodes
 *   to the same parameters.
 *-------------------------------------------------------------------------
 */
#include <variant>

#include "engine/common/utf8.h"
#include "engine/protocol/codec.h"
#include "engine/protocol/message_reader.h"
#include "tests/fuzz/fuzz_input.h"

namespace proto = minipg::protocol;

namespace {

void CheckRoundTrip(const proto::StartupMessage& m) {
  std::string packet;
  proto::EncodeStartupMessage(packet, m);
  auto again = proto::DecodeStartupPacket(std::string_view(packet).substr(4));
  if (!again.ok()) minipg::fuzz::Fail("a decoded startup message does not decode once re-encoded");
  const auto* m2 = std::get_if<proto::StartupMessage>(&*again);
  if (m2 == nullptr || m2->params != m.params || m2->protocol != m.protocol) {
    minipg::fuzz::Fail("a startup message changed in an encode/decode round trip");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  minipg::fuzz::SentBytes sent(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!sent.ok()) return 0;
  proto::MessageReader reader(sent.fd(), proto::Peer::kFrontend);
  for (int round = 0; round < 3; ++round) {
    auto packet = reader.ReadStartupPacket();
    if (!packet.ok()) return 0;
    auto decoded = proto::DecodeStartupPacket(*packet);
    if (!decoded.ok()) return 0;
    if (std::holds_alternative<proto::SslRequest>(*decoded) ||
        std::holds_alternative<proto::GssEncRequest>(*decoded)) {
      continue;
    }
    if (const auto* m = std::get_if<proto::StartupMessage>(&*decoded)) {
      (void)minipg::CleanAscii(m->Get("application_name"));
      CheckRoundTrip(*m);
    }
    return 0;
  }
  return 0;
}
