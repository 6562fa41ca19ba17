/*-------------------------------------------------------------------------
 * scram.cpp
 *   SCRAM-SHA-256 server and client (see scram.h for the exchange).
 *
 * NOTES
 *   Messages are comma-separated "k=value" attributes in a fixed order;
 *   anything else is malformed (08P01, as PostgreSQL's read_attr_value).
 *-------------------------------------------------------------------------
 */
#include "engine/auth/scram.h"

#include <fmt/format.h>

#include <vector>

#include "engine/auth/crypto.h"
#include "engine/common/sqlstate.h"

namespace minipg::auth {

namespace {

Error Malformed(std::string detail) {
  Error e = MakeError(sqlstate::kProtocolViolation, "malformed SCRAM message", Severity::kFatal);
  e.detail = std::move(detail);
  return e;
}

/* Reads "k=value" for attribute `k` at the front of `in`, consuming the
 * following ',' if any. */
std::optional<std::string> ReadAttr(std::string_view& in, char k) {
  if (in.size() < 2 || in[0] != k || in[1] != '=') return std::nullopt;
  size_t comma = in.find(',');
  std::string value(
      in.substr(2, comma == std::string_view::npos ? std::string_view::npos : comma - 2));
  in.remove_prefix(comma == std::string_view::npos ? in.size() : comma + 1);
  return value;
}

std::string NewNonce() {
  return Base64Encode(RandomBytes(18));
}

bool PrintableNonce(std::string_view nonce) {
  if (nonce.empty()) return false;
  for (char c : nonce) {
    if (c < 0x21 || c > 0x7e || c == ',') return false;
  }
  return true;
}

}  // namespace

ScramServer::ScramServer(std::optional<ScramSecret> secret, std::string server_nonce)
    : server_nonce_(server_nonce.empty() ? NewNonce() : std::move(server_nonce)) {
  if (secret) {
    secret_ = std::move(*secret);
  } else {
    doomed_ = true;
    secret_.iterations = kScramIterations;
    secret_.salt = RandomBytes(kScramSaltLength);
    secret_.stored_key = RandomBytes(32);
    secret_.server_key = RandomBytes(32);
  }
}

Result<std::string> ScramServer::HandleClientFirst(std::string_view message) {
  std::string_view in = message;
  if (in.empty()) return Malformed("The message is empty.");
  char cbind = in[0];
  if (cbind == 'p') {
    return MakeError(sqlstate::kProtocolViolation, "channel binding is not supported by minipg",
                     Severity::kFatal);
  }
  if ((cbind != 'n' && cbind != 'y') || in.size() < 2 || in[1] != ',') {
    return Malformed("Unexpected channel-binding flag.");
  }
  in.remove_prefix(2);
  if (!in.empty() && in[0] == 'a') {
    return MakeError(sqlstate::kFeatureNotSupported,
                     "client uses authorization identity, but it is not supported",
                     Severity::kFatal);
  }
  if (in.empty() || in[0] != ',') return Malformed("Unexpected attribute in client-first-message.");
  in.remove_prefix(1);
  gs2_header_ = std::string(message.substr(0, message.size() - in.size()));
  client_first_bare_ = std::string(in);
  if (!ReadAttr(in, 'n')) return Malformed("Expected attribute \"n\".");
  auto cnonce = ReadAttr(in, 'r');
  if (!cnonce || !PrintableNonce(*cnonce)) return Malformed("Expected attribute \"r\".");
  nonce_ = *cnonce + server_nonce_;
  server_first_ =
      fmt::format("r={},s={},i={}", nonce_, Base64Encode(secret_.salt), secret_.iterations);
  return server_first_;
}

Result<std::string> ScramServer::HandleClientFinal(std::string_view message) {
  std::string_view in = message;
  auto cbind = ReadAttr(in, 'c');
  if (!cbind) return Malformed("Expected attribute \"c\".");
  auto cbind_raw = Base64Decode(*cbind);
  if (!cbind_raw || *cbind_raw != gs2_header_) {
    return Malformed("SCRAM channel binding check failed.");
  }
  auto nonce = ReadAttr(in, 'r');
  if (!nonce) return Malformed("Expected attribute \"r\".");
  if (*nonce != nonce_) return Malformed("Nonce does not match.");
  size_t proof_at = message.rfind(",p=");
  if (proof_at == std::string_view::npos) return Malformed("Expected attribute \"p\".");
  auto proof = Base64Decode(message.substr(proof_at + 3));
  if (!proof || proof->size() != 32) return Malformed("Malformed proof in client-final-message.");

  std::string auth_message =
      client_first_bare_ + "," + server_first_ + "," + std::string(message.substr(0, proof_at));
  std::string client_key = Xor(*proof, HmacSha256(secret_.stored_key, auth_message));
  if (doomed_ || !ConstantTimeEqual(Sha256(client_key), secret_.stored_key)) {
    return MakeError(sqlstate::kInvalidPassword, "SCRAM proof does not match", Severity::kFatal);
  }
  return "v=" + Base64Encode(HmacSha256(secret_.server_key, auth_message));
}

ScramClient::ScramClient(std::string password, std::string user, std::string client_nonce)
    : password_(std::move(password)),
      user_(std::move(user)),
      client_nonce_(client_nonce.empty() ? NewNonce() : std::move(client_nonce)) {}

std::string ScramClient::ClientFirst() {
  client_first_bare_ = "n=" + user_ + ",r=" + client_nonce_;
  return "n,," + client_first_bare_;
}

Result<std::string> ScramClient::HandleServerFirst(std::string_view message) {
  std::string server_first(message);
  std::string_view in = message;
  auto nonce = ReadAttr(in, 'r');
  auto salt_b64 = ReadAttr(in, 's');
  auto iter = ReadAttr(in, 'i');
  if (!nonce || !salt_b64 || !iter || nonce->substr(0, client_nonce_.size()) != client_nonce_ ||
      nonce->size() <= client_nonce_.size()) {
    return MakeError(sqlstate::kProtocolViolation,
                     "malformed SCRAM message (invalid server-first-message)");
  }
  auto salt = Base64Decode(*salt_b64);
  int iterations = std::atoi(iter->c_str());
  if (!salt || iterations <= 0) {
    return MakeError(sqlstate::kProtocolViolation,
                     "malformed SCRAM message (invalid salt or iteration count)");
  }
  std::string salted = Pbkdf2Sha256(password_, *salt, iterations);
  std::string client_key = HmacSha256(salted, "Client Key");
  std::string stored_key = Sha256(client_key);
  server_key_ = HmacSha256(salted, "Server Key");
  std::string without_proof = "c=biws,r=" + *nonce;
  auth_message_ = client_first_bare_ + "," + server_first + "," + without_proof;
  std::string proof = Xor(client_key, HmacSha256(stored_key, auth_message_));
  return without_proof + ",p=" + Base64Encode(proof);
}

Status ScramClient::HandleServerFinal(std::string_view message) {
  std::string_view in = message;
  auto verifier = ReadAttr(in, 'v');
  if (!verifier) {
    return MakeError(sqlstate::kProtocolViolation,
                     "malformed SCRAM message (invalid server-final-message)");
  }
  if (*verifier != Base64Encode(HmacSha256(server_key_, auth_message_))) {
    return MakeError(sqlstate::kInvalidPassword, "invalid SCRAM server signature");
  }
  return OkStatus();
}

}  // namespace minipg::auth
