/*-------------------------------------------------------------------------
 * auth.h
 *   The client's half of authentication: answers AuthenticationCleartext-
 *   Password, AuthenticationMD5Password and the SCRAM-SHA-256 SASL
 *   exchange, as libpq does, with the crypto shared with the server
 *   (engine/auth).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <memory>
#include <string>

#include "engine/auth/scram.h"
#include "engine/common/error.h"
#include "engine/protocol/auth_messages.h"

namespace minipg::client {

/* libpq's message when the server wants a password and there is none. */
inline constexpr const char* kNoPasswordSupplied = "fe_sendauth: no password supplied";

class ClientAuth {
 public:
  ClientAuth(std::string user, std::string password)
      : user_(std::move(user)), password_(std::move(password)) {}

  /* The bytes (a whole 'p' message) answering one Authentication request
   * other than AuthenticationOk; empty when nothing is to be sent
   * (SASLFinal, after checking the server's signature). */
  Result<std::string> Respond(const protocol::AuthenticationRequest& request);

 private:
  std::string user_, password_;
  std::unique_ptr<auth::ScramClient> scram_;
};

}  // namespace minipg::client
