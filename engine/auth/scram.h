/*-------------------------------------------------------------------------
 * scram.h
 *   SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding: the
 *   server's and the client's halves of the exchange.
 *
 *     client                                   server
 *     client-first   n,,n=,r=<cnonce>   --->
 *                                       <---   server-first  r=<cnonce><snonce>,s=<salt>,i=<iter>
 *     client-final   c=biws,r=<nonce>,p=<ClientProof>  --->
 *                                       <---   server-final  v=<ServerSignature>
 *
 *     SaltedPassword  = PBKDF2-HMAC-SHA-256(password, salt, iter)
 *     ClientKey       = HMAC(SaltedPassword, "Client Key"); StoredKey = SHA-256(ClientKey)
 *     ServerKey       = HMAC(SaltedPassword, "Server Key")
 *     AuthMessage     = client-first-bare "," server-first "," client-final-without-proof
 *     ClientProof     = ClientKey XOR HMAC(StoredKey, AuthMessage)
 *     ServerSignature = HMAC(ServerKey, AuthMessage)
 *
 *   The server knows only StoredKey and ServerKey (the stored secret): it
 *   recovers ClientKey from the proof and checks SHA-256(ClientKey).
 *
 * NOTES
 *   As in PostgreSQL, the user name inside client-first is ignored (the
 *   startup packet's counts) and a role without a usable SCRAM secret still
 *   goes through a full exchange with a made-up salt, then fails: the
 *   client cannot tell a wrong password from a missing role.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/auth/password.h"
#include "engine/common/error.h"

namespace minipg::auth {

inline constexpr const char* kScramMechanism = "SCRAM-SHA-256";

class ScramServer {
 public:
  /* `secret` nullopt = a doomed (mock) exchange. `server_nonce` is drawn
   * at random unless given (tests). */
  explicit ScramServer(std::optional<ScramSecret> secret, std::string server_nonce = {});

  /* Takes client-first, returns server-first. 08P01 for a malformed message. */
  Result<std::string> HandleClientFirst(std::string_view message);
  /* Takes client-final, returns server-final; 28P01-worthy failures come
   * back as an Error with sqlstate 28P01 (the caller words the message). */
  Result<std::string> HandleClientFinal(std::string_view message);

 private:
  ScramSecret secret_;
  bool doomed_ = false;
  std::string server_nonce_;
  std::string client_first_bare_, server_first_, nonce_, gs2_header_;
};

class ScramClient {
 public:
  explicit ScramClient(std::string password, std::string user = {}, std::string client_nonce = {});

  std::string ClientFirst();
  /* Takes server-first, returns client-final. */
  Result<std::string> HandleServerFirst(std::string_view message);
  /* Checks the server's signature: a server that does not know the secret fails here. */
  Status HandleServerFinal(std::string_view message);

 private:
  std::string password_, user_, client_nonce_;
  std::string client_first_bare_, auth_message_, server_key_;
};

}  // namespace minipg::auth
