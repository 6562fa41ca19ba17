/*-------------------------------------------------------------------------
 * auth_messages.h
 *   The authentication exchange's messages, both directions.
 *
 *   Backend -> frontend, 'R' Authentication (int32 code, then):
 *     code 3   AuthenticationCleartextPassword   nothing
 *     code 5   AuthenticationMD5Password         4-byte salt
 *     code 10  AuthenticationSASL                mechanism names, each NUL-ended, then a NUL
 *     code 11  AuthenticationSASLContinue        SASL data (server-first-message)
 *     code 12  AuthenticationSASLFinal           SASL data (server-final-message)
 *
 *   Frontend -> backend, all with type 'p' (the backend knows which from
 *   what it asked):
 *     PasswordMessage      the password (or md5 response) as a NUL-ended string
 *     SASLInitialResponse  mechanism name NUL-ended, int32 length (-1 = none), data
 *     SASLResponse         data (the whole body)
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/error.h"

namespace minipg::protocol {

void EncodeAuthenticationMd5Password(std::string& out, std::string_view salt);
void EncodeAuthenticationSasl(std::string& out, const std::vector<std::string>& mechanisms);
/* code kAuthSaslContinue or kAuthSaslFinal. */
void EncodeAuthenticationSaslData(std::string& out, int32_t code, std::string_view data);

/* An Authentication message as a client reads it. */
struct AuthenticationRequest {
  int32_t code = 0;
  std::string data;                     // md5 salt or SASL data
  std::vector<std::string> mechanisms;  // AuthenticationSASL
};
Result<AuthenticationRequest> DecodeAuthenticationRequest(std::string_view body);

void EncodePasswordMessage(std::string& out, std::string_view password);
void EncodeSaslInitialResponse(std::string& out, std::string_view mechanism, std::string_view data);
void EncodeSaslResponse(std::string& out, std::string_view data);

Result<std::string> DecodePasswordMessage(std::string_view body);
struct SaslInitialResponse {
  std::string mechanism;
  std::string data;
};
Result<SaslInitialResponse> DecodeSaslInitialResponse(std::string_view body);

}  // namespace minipg::protocol
