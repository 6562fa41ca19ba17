/*-------------------------------------------------------------------------
 * crypto.h
 *   The cryptographic building blocks of password authentication, as thin
 *   wrappers over OpenSSL's libcrypto (no primitive is written here):
 *   SHA-256, HMAC-SHA-256, PBKDF2-HMAC-SHA-256, MD5 in hex, base64 and
 *   random bytes. Shared by the server (engine/auth) and the client
 *   (sim/client), so both sides compute the same values the same way.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace minipg::auth {

/* Raw 32-byte digests. */
std::string Sha256(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);
std::string Pbkdf2Sha256(std::string_view password, std::string_view salt, int iterations);

/* MD5 of `data` as 32 lower-case hex digits. */
std::string Md5Hex(std::string_view data);

/* Standard base64 (RFC 4648, with padding). Decode returns nullopt on
 * malformed input. */
std::string Base64Encode(std::string_view data);
std::optional<std::string> Base64Decode(std::string_view text);

/* `n` bytes from OpenSSL's CSPRNG. */
std::string RandomBytes(size_t n);

/* Byte-wise XOR of two equally long strings. */
std::string Xor(std::string_view a, std::string_view b);

/* Compares without an early exit, so timing does not tell how much matched. */
bool ConstantTimeEqual(std::string_view a, std::string_view b);

}  // namespace minipg::auth
