/*-------------------------------------------------------------------------
 * auth.cpp
 *   Client-side authentication (see auth.h).
 *-------------------------------------------------------------------------
 */
#include "sim/client/auth.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/auth/password.h"
#include "engine/common/sqlstate.h"
#include "engine/protocol/protocol.h"

namespace minipg::client {

namespace proto = protocol;

Result<std::string> ClientAuth::Respond(const proto::AuthenticationRequest& request) {
  std::string out;
  bool needs_password = request.code == proto::kAuthCleartextPassword ||
                        request.code == proto::kAuthMd5Password || request.code == proto::kAuthSasl;
  if (needs_password && password_.empty()) {
    return MakeError(sqlstate::kConnectionException, kNoPasswordSupplied);
  }
  switch (request.code) {
    case proto::kAuthCleartextPassword:
      proto::EncodePasswordMessage(out, password_);
      return out;
    case proto::kAuthMd5Password:
      if (request.data.size() != 4) {
        return MakeError(sqlstate::kProtocolViolation, "invalid AuthenticationMD5Password message");
      }
      proto::EncodePasswordMessage(out, auth::Md5Response(password_, user_, request.data));
      return out;
    case proto::kAuthSasl: {
      if (std::find(request.mechanisms.begin(), request.mechanisms.end(), auth::kScramMechanism) ==
          request.mechanisms.end()) {
        return MakeError(sqlstate::kFeatureNotSupported,
                         "none of the server's SASL authentication mechanisms are supported");
      }
      // Like libpq, the user name travels in the startup packet, not here.
      scram_ = std::make_unique<auth::ScramClient>(password_);
      proto::EncodeSaslInitialResponse(out, auth::kScramMechanism, scram_->ClientFirst());
      return out;
    }
    case proto::kAuthSaslContinue: {
      if (!scram_)
        return MakeError(sqlstate::kProtocolViolation, "unexpected SASL continue message");
      auto final_message = scram_->HandleServerFirst(request.data);
      if (!final_message.ok()) return final_message.error();
      proto::EncodeSaslResponse(out, *final_message);
      return out;
    }
    case proto::kAuthSaslFinal: {
      if (!scram_) return MakeError(sqlstate::kProtocolViolation, "unexpected SASL final message");
      if (Status s = scram_->HandleServerFinal(request.data); !s.ok()) return s.error();
      return out;
    }
    default:
      return MakeError(
          sqlstate::kFeatureNotSupported,
          fmt::format("authentication method {} not supported by this client", request.code));
  }
}

}  // namespace minipg::client
