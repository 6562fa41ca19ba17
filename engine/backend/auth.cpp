/*-------------------------------------------------------------------------
 * auth.cpp
 *   Client authentication, as PostgreSQL's ClientAuthentication() and the
 *   checks InitPostgres() makes after it:
 *
 *     1. pg_hba.conf: the first line matching (local or host address,
 *        database, user) decides the method; no line -> FATAL 28000.
 *     2. the method's exchange (trust: none; reject: FATAL 28000;
 *        password / md5 / scram-sha-256: ask, read 'p' messages, check
 *        against the role's stored secret) -> FATAL 28P01 when it fails.
 *     3. AuthenticationOk, then: the role exists (28000), may log in
 *        (28000), is a superuser if only superuser_reserved_connections
 *        slots are left (53300), and the database exists (3D000).
 *
 * NOTES
 *   An unknown role or one without a password fails a password method with
 *   the same 28P01 as a wrong password (SCRAM even runs a full mock
 *   exchange): the client cannot probe which roles exist. The server log's
 *   DETAIL line says what really happened, and names the pg_hba.conf line.
 *   A client that hangs up when asked for a password (psql does this, then
 *   prompts and reconnects) ends the backend quietly with exit code 0.
 *   authentication_timeout (armed by Run) covers the whole exchange.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include "engine/catalog/shared_catalogs.h"
#include "engine/auth/crypto.h"
#include "engine/auth/hba.h"
#include "engine/auth/password.h"
#include "engine/auth/scram.h"
#include "engine/backend/backend_internal.h"
#include "engine/common/sqlstate.h"
#include "engine/postmaster/server_log.h"
#include "engine/protocol/auth_messages.h"
#include "engine/shmem/backend_status.h"
#include "engine/storage/global_catalog.h"
#include "engine/trace/emitter.h"

namespace minipg::backend {

using trace::EventType;

void Backend::AuthFatal(const Error& e, std::string_view reason, std::string_view log_detail) {
  trace::Event(EventType::kAuthFailed)
      .Str("reason", reason)
      .Str("sqlstate", e.sqlstate)
      .Str("method", auth_method_)
      .Emit();
  Error fatal = e;
  fatal.severity = Severity::kFatal;
  SendError(fatal);
  if (!log_detail.empty()) LogLine("DETAIL", log_detail);
  (void)SendToClient(out_);  // best effort: the client may be gone
  out_.clear();
  EndSession("fatal", 1);
}

std::string Backend::ReadAuthResponse(const char* what) {
  auto msg = reader_.ReadMessage();
  if (!msg.ok()) {
    if (reader_.eof()) EndSession("eof", 0);  // the client hung up to ask its user for a password
    Fatal(msg.error());                       // authentication_timeout, or a broken message
  }
  if (msg->type != proto::fe::kPasswordMessage) {
    Fatal(MakeError(sqlstate::kProtocolViolation,
                    fmt::format("expected {} response, got message type {}", what,
                                static_cast<int>(msg->type))));
  }
  return std::move(msg->body);
}

bool Backend::AuthPassword(const std::string& secret, bool role_exists) {
  proto::EncodeAuthenticationRequest(out_, proto::kAuthCleartextPassword);
  Flush();
  auto password = proto::DecodePasswordMessage(ReadAuthResponse("password"));
  if (!password.ok()) Fatal(password.error());
  return role_exists && !secret.empty() && !password->empty() &&
         auth::CheckPlaintextPassword(secret, user_, *password);
}

bool Backend::AuthMd5(const std::string& secret) {
  // An md5 exchange needs an md5 secret; with a SCRAM secret (or none) the
  // md5 method uses SCRAM instead, as PostgreSQL does.
  if (auth::GetPasswordType(secret) != auth::PasswordType::kMd5) return AuthScram(secret);
  std::string salt = auth::RandomBytes(4);
  proto::EncodeAuthenticationMd5Password(out_, salt);
  Flush();
  auto response = proto::DecodePasswordMessage(ReadAuthResponse("password"));
  if (!response.ok()) Fatal(response.error());
  return auth::CheckMd5Response(secret, salt, *response);
}

bool Backend::AuthScram(const std::string& secret) {
  auth_method_ = "scram-sha-256";
  // Without a usable SCRAM secret the exchange still runs, doomed to fail.
  auth::ScramServer server(auth::ParseScramSecret(secret));
  proto::EncodeAuthenticationSasl(out_, {auth::kScramMechanism});
  Flush();
  auto initial = proto::DecodeSaslInitialResponse(ReadAuthResponse("SASL"));
  if (!initial.ok()) Fatal(initial.error());
  if (initial->mechanism != auth::kScramMechanism) {
    Fatal(MakeError(sqlstate::kProtocolViolation,
                    "client selected an invalid SASL authentication mechanism"));
  }
  auto server_first = server.HandleClientFirst(initial->data);
  if (!server_first.ok()) Fatal(server_first.error());
  proto::EncodeAuthenticationSaslData(out_, proto::kAuthSaslContinue, *server_first);
  Flush();
  auto server_final = server.HandleClientFinal(ReadAuthResponse("SASL"));
  if (!server_final.ok()) {
    if (server_final.error().sqlstate == sqlstate::kInvalidPassword) return false;
    Fatal(server_final.error());
  }
  proto::EncodeAuthenticationSaslData(out_, proto::kAuthSaslFinal, *server_final);
  return true;
}

void Backend::Authenticate() {
  SetState(SessionState::kAuthenticating);
  if (user_.empty()) {
    Fatal(MakeError(sqlstate::kInvalidAuthorizationSpecification,
                    "no PostgreSQL user name specified in startup packet"));
  }
  // 1. pg_hba.conf.
  std::string host = info_.unix_socket ? "[local]" : info_.client_host;
  auth::HbaRequest request;
  request.local = info_.unix_socket;
  auth::ParseIpAddress(info_.client_host, request.address);
  request.database = database_;
  request.user = user_;
  const auth::HbaLine* line = info_.hba != nullptr ? auth::MatchHba(*info_.hba, request) : nullptr;
  std::string who = fmt::format("host \"{}\", user \"{}\", database \"{}\", no encryption", host,
                                user_, database_);
  if (line == nullptr) {
    AuthFatal(
        MakeError(sqlstate::kInvalidAuthorizationSpecification, "no pg_hba.conf entry for " + who),
        "no pg_hba.conf entry");
  }
  auth_method_ = auth::AuthMethodName(line->method);
  std::string matched =
      fmt::format("Connection matched pg_hba.conf line {}: \"{}\"", line->line_number, line->raw);
  if (line->method == auth::AuthMethod::kReject) {
    AuthFatal(MakeError(sqlstate::kInvalidAuthorizationSpecification,
                        "pg_hba.conf rejects connection for " + who),
              "rejected by pg_hba.conf", matched);
  }

  // 2. The method's exchange, against the role's stored secret.
  const std::filesystem::path& data_dir = info_.config->data_directory;
  auto catalog = catalog::LoadGlobalCatalog(data_dir);
  if (!catalog.ok()) Fatal(catalog.error());
  const storage::RoleDef* role = catalog->FindRole(user_);
  std::string secret = role != nullptr ? role->password : std::string();
  if (line->method != auth::AuthMethod::kTrust) {
    trace::Event(EventType::kAuthRequest)
        .Str("method", auth_method_)
        .Int("hba_line", line->line_number)
        .Emit();
    bool ok = line->method == auth::AuthMethod::kPassword ? AuthPassword(secret, role != nullptr)
              : line->method == auth::AuthMethod::kMd5    ? AuthMd5(secret)
                                                          : AuthScram(secret);
    if (!ok) {
      std::string why = role == nullptr ? fmt::format("Role \"{}\" does not exist.", user_)
                        : secret.empty()
                            ? fmt::format("User \"{}\" has no password assigned.", user_)
                            : fmt::format("Password does not match for user \"{}\".", user_);
      AuthFatal(MakeError(sqlstate::kInvalidPassword,
                          fmt::format("password authentication failed for user \"{}\"", user_)),
                role == nullptr  ? "role does not exist"
                : secret.empty() ? "no password"
                                 : "wrong password",
                why + "\n\t" + matched);
    }
  }
  proto::EncodeAuthenticationOk(out_);
  trace::Event(EventType::kAuthOk).Str("method", auth_method_).Str("user", user_).Emit();

  // 3. What InitPostgres checks after authentication.
  if (role == nullptr) {
    AuthFatal(MakeError(sqlstate::kInvalidAuthorizationSpecification,
                        fmt::format("role \"{}\" does not exist", user_)),
              "role does not exist");
  }
  if (!role->login) {
    AuthFatal(MakeError(sqlstate::kInvalidAuthorizationSpecification,
                        fmt::format("role \"{}\" is not permitted to log in", user_)),
              "role may not log in");
  }
  superuser_ = role->superuser;
  // The last superuser_reserved_connections slots are for superusers: this
  // backend holds one already, so an ordinary role needs that many still
  // free (PostgreSQL's HaveNFreeProcs check in InitPostgres).
  int reserved = info_.config->Int("superuser_reserved_connections");
  if (!superuser_ && reserved > 0 && shmem::CountFreeBackendSlots() < reserved) {
    Reject(MakeError(sqlstate::kTooManyConnections,
                     "remaining connection slots are reserved for non-replication superuser connections"));
  }
  Error no_db = MakeError(sqlstate::kInvalidCatalogName,
                          fmt::format("database \"{}\" does not exist", database_));
  const storage::DatabaseDef* db = catalog->FindDatabase(database_);
  if (db == nullptr) AuthFatal(no_db, "database does not exist");
  // Hold the database (DROP DATABASE then fails with 55006), then make
  // sure it was not dropped between the catalog read and the lock.
  uint32_t oid = db->oid;
  auto lock = storage::LockDatabaseShared(data_dir, oid);
  if (!lock.ok()) AuthFatal(no_db, "database does not exist");
  auto again = catalog::LoadGlobalCatalog(data_dir);
  if (!again.ok()) Fatal(again.error());
  const storage::DatabaseDef* still = again->FindDatabase(database_);
  if (still == nullptr || still->oid != oid) AuthFatal(no_db, "database does not exist");
  database_oid_ = oid;
  database_lock_ = std::move(*lock);
}

}  // namespace minipg::backend
