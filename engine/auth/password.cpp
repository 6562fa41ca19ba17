/*-------------------------------------------------------------------------
 * password.cpp
 *   Password secrets (formats in password.h).
 *-------------------------------------------------------------------------
 */
#include "engine/auth/password.h"

#include <cctype>
#include <charconv>

#include "engine/auth/crypto.h"

namespace minipg::auth {

namespace {

constexpr std::string_view kScramPrefix = "SCRAM-SHA-256$";

}  // namespace

PasswordType GetPasswordType(std::string_view secret) {
  if (secret.size() == 35 && secret.substr(0, 3) == "md5") {
    bool hex = true;
    for (char c : secret.substr(3)) hex = hex && std::isxdigit(static_cast<unsigned char>(c));
    if (hex) return PasswordType::kMd5;
  }
  if (ParseScramSecret(secret)) return PasswordType::kScram;
  return PasswordType::kPlaintext;
}

std::optional<ScramSecret> ParseScramSecret(std::string_view secret) {
  if (secret.substr(0, kScramPrefix.size()) != kScramPrefix) return std::nullopt;
  std::string_view rest = secret.substr(kScramPrefix.size());
  size_t colon1 = rest.find(':');
  size_t dollar = rest.find('$');
  if (colon1 == std::string_view::npos || dollar == std::string_view::npos || dollar < colon1)
    return std::nullopt;
  size_t colon2 = rest.find(':', dollar);
  if (colon2 == std::string_view::npos) return std::nullopt;
  ScramSecret s;
  std::string_view iter = rest.substr(0, colon1);
  auto [p, ec] = std::from_chars(iter.data(), iter.data() + iter.size(), s.iterations);
  if (ec != std::errc() || p != iter.data() + iter.size() || s.iterations <= 0) return std::nullopt;
  auto salt = Base64Decode(rest.substr(colon1 + 1, dollar - colon1 - 1));
  auto stored = Base64Decode(rest.substr(dollar + 1, colon2 - dollar - 1));
  auto server = Base64Decode(rest.substr(colon2 + 1));
  if (!salt || !stored || !server || salt->empty() || stored->size() != 32 ||
      server->size() != 32) {
    return std::nullopt;
  }
  s.salt = std::move(*salt);
  s.stored_key = std::move(*stored);
  s.server_key = std::move(*server);
  return s;
}

std::string EncryptMd5(std::string_view password, std::string_view role) {
  std::string input(password);
  input += role;
  return "md5" + Md5Hex(input);
}

std::string EncryptScram(std::string_view password, std::string_view salt, int iterations) {
  std::string real_salt = salt.empty() ? RandomBytes(kScramSaltLength) : std::string(salt);
  std::string salted = Pbkdf2Sha256(password, real_salt, iterations);
  std::string stored_key = Sha256(HmacSha256(salted, "Client Key"));
  std::string server_key = HmacSha256(salted, "Server Key");
  return std::string(kScramPrefix) + std::to_string(iterations) + ":" + Base64Encode(real_salt) +
         "$" + Base64Encode(stored_key) + ":" + Base64Encode(server_key);
}

std::string EncryptPassword(std::string_view password, std::string_view role,
                            std::string_view method) {
  if (GetPasswordType(password) != PasswordType::kPlaintext) return std::string(password);
  if (method == "md5") return EncryptMd5(password, role);
  return EncryptScram(password);
}

std::string Md5Response(std::string_view password, std::string_view user, std::string_view salt) {
  std::string inner = EncryptMd5(password, user).substr(3);
  inner += salt;
  return "md5" + Md5Hex(inner);
}

bool CheckPlaintextPassword(std::string_view secret, std::string_view role,
                            std::string_view password) {
  switch (GetPasswordType(secret)) {
    case PasswordType::kMd5:
      return ConstantTimeEqual(EncryptMd5(password, role), secret);
    case PasswordType::kScram: {
      auto s = ParseScramSecret(secret);
      std::string salted = Pbkdf2Sha256(password, s->salt, s->iterations);
      return ConstantTimeEqual(Sha256(HmacSha256(salted, "Client Key")), s->stored_key);
    }
    case PasswordType::kPlaintext:
      break;
  }
  return false;
}

bool CheckMd5Response(std::string_view secret, std::string_view salt, std::string_view response) {
  if (GetPasswordType(secret) != PasswordType::kMd5) return false;
  std::string inner(secret.substr(3));
  inner += salt;
  return ConstantTimeEqual("md5" + Md5Hex(inner), response);
}

}  // namespace minipg::auth
