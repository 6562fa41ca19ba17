/*-------------------------------------------------------------------------
 * password.h
 *   Password secrets in PostgreSQL's stored formats (pg_authid.rolpassword):
 *
 *     md5<32 hex digits>        md5(password || role name), for password_encryption = md5
 *     SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
 *                               base64 fields, for password_encryption = scram-sha-256
 *
 *   A clear-text password is never stored. A password given to CREATE ROLE
 *   that already has one of these forms is stored as it is, as PostgreSQL
 *   does (so a dump can restore secrets).
 *
 * NOTES
 *   PostgreSQL runs SASLprep over a SCRAM password first; minipg uses the
 *   password's bytes as they are (the same result for ASCII passwords).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace minipg::auth {

inline constexpr int kScramIterations = 4096;  // PostgreSQL's scram_iterations default
inline constexpr size_t kScramSaltLength = 16;

enum class PasswordType {
  kPlaintext,  // anything else (never stored by minipg)
  kMd5,        // md5 + 32 hex digits
  kScram,      // SCRAM-SHA-256$...
};

PasswordType GetPasswordType(std::string_view secret);

/* The parts of a SCRAM secret, decoded from base64. */
struct ScramSecret {
  int iterations = 0;
  std::string salt;
  std::string stored_key;
  std::string server_key;
};
std::optional<ScramSecret> ParseScramSecret(std::string_view secret);

/* "md5" + md5(password || role). */
std::string EncryptMd5(std::string_view password, std::string_view role);

/* A SCRAM-SHA-256 secret with a random salt (or the given one, for tests). */
std::string EncryptScram(std::string_view password, std::string_view salt = {},
                         int iterations = kScramIterations);

/* What CREATE/ALTER ROLE ... PASSWORD stores, for `password_encryption`
 * ("md5" or "scram-sha-256"). An already-encrypted password is kept. */
std::string EncryptPassword(std::string_view password, std::string_view role,
                            std::string_view method);

/* The answer to AuthenticationMD5Password: "md5" + md5(md5(password || user) || salt). */
std::string Md5Response(std::string_view password, std::string_view user, std::string_view salt);

/* Server checks. A clear-text password (the "password" method) against
 * either kind of secret; an md5 response against an md5 secret. */
bool CheckPlaintextPassword(std::string_view secret, std::string_view role,
                            std::string_view password);
bool CheckMd5Response(std::string_view secret, std::string_view salt, std::string_view response);

}  // namespace minipg::auth
