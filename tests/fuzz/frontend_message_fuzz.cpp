/*-------------------------------------------------------------------------
 * frontend_message_fuzz.cpp
 *   Fuzz target: the typed messages a client sends after its startup
 *   packet, read and handled as far as a backend does without a session:
 *
 *     framing      MessageReader::ReadMessage over a socket (type and
 *                  length checked before the body is read)
 *     decoding     the codec's decoder for every frontend message type
 *     handling     Bind's parameter values checked against each parameter
 *                  type (sql::ParamToText, then BinaryOutput as a binary
 *                  result column would), Parse's parameter type OIDs,
 *                  and the SCRAM exchange (a 'p' message is a
 *                  SASLInitialResponse, then a SASLResponse, as
 *                  Backend::AuthScram reads them)
 *
 *   Checks: every message that decodes encodes back to bytes that decode
 *   to the same message (compared as their encodings).
 *-------------------------------------------------------------------------
 */
#include <optional>
#include <string>

#include "engine/auth/password.h"
#include "engine/auth/scram.h"
#include "engine/protocol/auth_messages.h"
#include "engine/protocol/codec.h"
#include "engine/protocol/message_reader.h"
#include "engine/sql/params.h"
#include "tests/fuzz/fuzz_input.h"

namespace proto = minipg::protocol;
namespace sql = minipg::sql;

namespace {

/* Decoding `encoded`'s body and encoding the result must give `encoded` again. */
template <typename Decode, typename Encode>
void CheckStable(const std::string& encoded, Decode decode, Encode encode, const char* what) {
  auto again = decode(std::string_view(encoded).substr(5));
  if (!again.ok()) minipg::fuzz::Fail(what);
  std::string encoded_again;
  encode(encoded_again, *again);
  if (encoded_again != encoded) minipg::fuzz::Fail(what);
}

void EncodeParseMessage(std::string& out, const proto::ParseMessage& m) { proto::EncodeParse(out, m); }
void EncodeBindMessage(std::string& out, const proto::BindMessage& m) { proto::EncodeBind(out, m); }
void EncodeExecuteMessage(std::string& out, const proto::ExecuteMessage& m) {
  proto::EncodeExecute(out, m.portal, m.max_rows);
}

/* The OIDs a Parse may give a parameter that Bind checks values against. */
constexpr uint32_t kParamOids[] = {sql::kOidBool, sql::kOidInt2, sql::kOidInt4, sql::kOidInt8,
                                   sql::kOidText, sql::kOidVarchar, sql::kOidNumeric};

/* What ExecBind does with each value, for every type it could have. */
void CheckBindValues(const proto::BindMessage& m) {
  for (size_t i = 0; i < m.params.size(); ++i) {
    sql::ParamValue v;
    v.bytes = m.params[i];
    v.format = m.param_formats.empty()       ? sql::kFormatText
               : m.param_formats.size() == 1 ? m.param_formats[0]
               : i < m.param_formats.size()  ? m.param_formats[i]
                                             : sql::kFormatText;
    for (uint32_t oid : kParamOids) {
      auto type = sql::ParamTypeFromOid(oid);
      if (!type.ok()) continue;
      auto text = sql::ParamToText(v, *type, oid, static_cast<int>(i + 1));
      if (text.ok() && text->has_value() && sql::HasBinaryOutput(*type)) {
        (void)sql::BinaryOutput(**text, *type);
      }
    }
  }
}

const minipg::auth::ScramSecret& TestSecret() {
  static const auto secret = minipg::auth::ParseScramSecret(
      minipg::auth::EncryptScram("secret", "fixed-salt-16byt", 16));
  if (!secret) minipg::fuzz::Fail("cannot make the test SCRAM secret");
  return *secret;
}

class Handler {
 public:
  void Handle(const proto::Message& msg) {
    std::string encoded;
    switch (msg.type) {
      case proto::fe::kQuery:
        (void)proto::DecodeQuery(msg.body);
        break;
      case proto::fe::kParse:
        if (auto m = proto::DecodeParse(msg.body); m.ok()) {
          for (uint32_t oid : m->param_types) (void)sql::ParamTypeFromOid(oid);
          EncodeParseMessage(encoded, *m);
          CheckStable(encoded, proto::DecodeParse, EncodeParseMessage, "Parse changed in a round trip");
        }
        break;
      case proto::fe::kBind:
        if (auto m = proto::DecodeBind(msg.body); m.ok()) {
          CheckBindValues(*m);
          EncodeBindMessage(encoded, *m);
          CheckStable(encoded, proto::DecodeBind, EncodeBindMessage, "Bind changed in a round trip");
        }
        break;
      case proto::fe::kDescribe:
      case proto::fe::kClose:
        if (auto m = proto::DecodeDescribe(msg.body); m.ok()) {
          proto::EncodeDescribe(encoded, m->kind, m->name);
          auto again = proto::DecodeDescribe(std::string_view(encoded).substr(5));
          if (!again.ok() || again->kind != m->kind || again->name != m->name) {
            minipg::fuzz::Fail("Describe changed in a round trip");
          }
        }
        break;
      case proto::fe::kExecute:
        if (auto m = proto::DecodeExecute(msg.body); m.ok()) {
          EncodeExecuteMessage(encoded, *m);
          CheckStable(encoded, proto::DecodeExecute, EncodeExecuteMessage, "Execute changed in a round trip");
        }
        break;
      case proto::fe::kCopyFail:
        (void)proto::DecodeCopyFail(msg.body);
        break;
      case proto::fe::kPasswordMessage:
        HandlePassword(msg.body);
        break;
      default:  // Sync, Flush, Terminate, CopyData, CopyDone, FunctionCall: no body to decode
        break;
    }
  }

 private:
  void HandlePassword(std::string_view body) {
    (void)proto::DecodePasswordMessage(body);
    if (!scram_) {
      auto initial = proto::DecodeSaslInitialResponse(body);
      if (!initial.ok()) return;
      scram_.emplace(TestSecret(), "fixed-server-nonce");
      if (!scram_->HandleClientFirst(initial->data).ok()) scram_.reset();
      return;
    }
    (void)scram_->HandleClientFinal(body);
    scram_.reset();
  }

  std::optional<minipg::auth::ScramServer> scram_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  minipg::fuzz::SentBytes sent(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!sent.ok()) return 0;
  proto::MessageReader reader(sent.fd(), proto::Peer::kFrontend);
  Handler handler;
  for (;;) {
    auto msg = reader.ReadMessage();
    if (!msg.ok()) return 0;  // EOF or a protocol violation: the backend ends the session
    handler.Handle(*msg);
  }
}
