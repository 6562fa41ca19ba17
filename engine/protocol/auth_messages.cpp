/*-------------------------------------------------------------------------
 * auth_messages.cpp
 *   Encoding and decoding of the authentication messages (auth_messages.h).
 *-------------------------------------------------------------------------
 */
#include "engine/protocol/auth_messages.h"

#include "engine/protocol/codec.h"
#include "engine/protocol/protocol.h"

namespace minipg::protocol {

void EncodeAuthenticationMd5Password(std::string& out, std::string_view salt) {
  MessageWriter(out).Begin(be::kAuthentication).Int32(kAuthMd5Password).Bytes(salt).End();
}

void EncodeAuthenticationSasl(std::string& out, const std::vector<std::string>& mechanisms) {
  MessageWriter w(out);
  w.Begin(be::kAuthentication).Int32(kAuthSasl);
  for (const std::string& m : mechanisms) w.CString(m);
  w.Byte('\0').End();
}

void EncodeAuthenticationSaslData(std::string& out, int32_t code, std::string_view data) {
  MessageWriter(out).Begin(be::kAuthentication).Int32(code).Bytes(data).End();
}

Result<AuthenticationRequest> DecodeAuthenticationRequest(std::string_view body) {
  MessageCursor c(body);
  auto code = c.Int32();
  if (!code.ok()) return code.error();
  AuthenticationRequest req;
  req.code = *code;
  if (req.code == kAuthSasl) {
    for (;;) {
      auto name = c.CString();
      if (!name.ok()) return name.error();
      if (name->empty()) break;
      req.mechanisms.emplace_back(*name);
    }
  } else {
    auto rest = c.Bytes(c.Remaining());
    if (!rest.ok()) return rest.error();
    req.data = std::string(*rest);
  }
  return req;
}

void EncodePasswordMessage(std::string& out, std::string_view password) {
  MessageWriter(out).Begin(fe::kPasswordMessage).CString(password).End();
}

void EncodeSaslInitialResponse(std::string& out, std::string_view mechanism,
                               std::string_view data) {
  MessageWriter(out)
      .Begin(fe::kPasswordMessage)
      .CString(mechanism)
      .Int32(static_cast<int32_t>(data.size()))
      .Bytes(data)
      .End();
}

void EncodeSaslResponse(std::string& out, std::string_view data) {
  MessageWriter(out).Begin(fe::kPasswordMessage).Bytes(data).End();
}

Result<std::string> DecodePasswordMessage(std::string_view body) {
  MessageCursor c(body);
  auto password = c.CString();
  if (!password.ok()) return password.error();
  if (!c.AtEnd()) return ProtocolError("invalid password packet size");
  return std::string(*password);
}

Result<SaslInitialResponse> DecodeSaslInitialResponse(std::string_view body) {
  MessageCursor c(body);
  auto mechanism = c.CString();
  if (!mechanism.ok()) return mechanism.error();
  auto len = c.Int32();
  if (!len.ok()) return len.error();
  SaslInitialResponse r;
  r.mechanism = std::string(*mechanism);
  if (*len >= 0) {
    auto data = c.Bytes(static_cast<size_t>(*len));
    if (!data.ok()) return data.error();
    r.data = std::string(*data);
  }
  if (!c.AtEnd()) return ProtocolError("malformed SASLInitialResponse message");
  return r;
}

}  // namespace minipg::protocol
