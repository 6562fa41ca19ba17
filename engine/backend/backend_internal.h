/*-------------------------------------------------------------------------
 * backend_internal.h
 *   The Backend class and what its source files share. Not for use outside
 *   engine/backend/.
 *
 *   backend.cpp        signals, startup packet, session end
 *   auth.cpp           pg_hba.conf, password exchanges, role and database checks
 *   simple_query.cpp   the message loop and the simple query protocol
 *   copy.cpp           the copy sub-protocol (COPY FROM STDIN, TO STDOUT)
 *   client_io.cpp      waiting on the client: sends it does not read, reads
 *   extended_query.cpp the extended query protocol (Parse/Bind/Describe/Execute/Close/Sync)
 *-------------------------------------------------------------------------
 */
#pragma once

#include <csignal>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "engine/backend/backend.h"
#include "engine/common/error.h"
#include "engine/protocol/codec.h"
#include "engine/protocol/message_reader.h"
#include "engine/sql/copy_channel.h"
#include "engine/sql/session.h"
#include "engine/storage/file_util.h"

namespace minipg::backend {

namespace proto = protocol;

/* A session's states (see the diagram at the top of backend.cpp). */
enum class SessionState {
  kStarting,                   // forked; reading the startup packet
  kAuthenticating,             // startup packet read; checking who the client is
  kIdle,                       // waiting for a query, no transaction open
  kActive,                     // running a query
  kIdleInTransaction,          // waiting for a query inside BEGIN
  kIdleInTransactionAborted,   // waiting inside a failed transaction block
  kTerminating,                // the session is ending
};

const char* SessionStateName(SessionState s);

/* What SIGALRM means right now: the timer serves one purpose at a time. */
enum AlarmPurpose : int {
  kAlarmNone = 0,
  kAlarmAuthentication = 1,  // authentication_timeout, during startup
  kAlarmStatement = 2,       // statement_timeout, while a Query message runs
  kAlarmIdleInTransaction = 3,  // idle_in_transaction_session_timeout, while waiting inside a block
};
/* SIGALRM while idle in a transaction: end the session with FATAL 25P03. */
extern volatile sig_atomic_t g_idle_in_transaction_timeout_pending;
/* Arms (ms > 0) or disarms (0) the one-shot SIGALRM timer. */
void ArmAlarm(AlarmPurpose purpose, int64_t ms);
/* 53300, as PostgreSQL says it when no process slot is left. */
Error TooManyClients();

/* Turns the SQL layer's output into RowDescription and DataRow messages. */
class WireSink : public sql::ResultSink {
 public:
  WireSink(std::string& out, std::function<void()> flush) : out_(out), flush_(std::move(flush)) {}
  void Describe(const std::vector<sql::ColumnDesc>& columns) override {
    std::vector<proto::FieldDescription> fields;
    fields.reserve(columns.size());
    for (const auto& c : columns) {
      proto::FieldDescription f;
      f.name = c.name;
      f.type_oid = static_cast<int32_t>(sql::TypeOid(c.type));
      f.type_len = sql::TypeLen(c.type);
      fields.push_back(std::move(f));
    }
    proto::EncodeRowDescription(out_, fields);
  }
  void Row(const std::vector<std::optional<std::string>>& values) override {
    proto::EncodeDataRow(out_, values);
    if (out_.size() > kFlushThreshold) flush_();  // big results stream out as they are made
  }
  /* COPY FROM STDIN / TO STDOUT go through this channel (copy.cpp). */
  void SetCopyChannel(sql::CopyChannel* channel) { copy_ = channel; }
  sql::CopyChannel* Copy() override { return copy_; }

 private:
  static constexpr size_t kFlushThreshold = 64u << 10;
  std::string& out_;
  std::function<void()> flush_;
  sql::CopyChannel* copy_ = nullptr;
};

/* client_io.cpp: blocks until the client's socket is ready for `events`
 * (POLLIN, POLLOUT) or a signal handler set the latch. Every wait of a
 * backend on its client goes through here. */
void WaitForClient(int fd, short events);

class Backend;

/* The copy sub-protocol on the client connection (copy.cpp):
 * CopyInResponse / CopyOutResponse, CopyData, CopyDone, CopyFail. */
class WireCopyChannel : public sql::CopyChannel {
 public:
  explicit WireCopyChannel(Backend& backend) : backend_(backend) {}
  ~WireCopyChannel() override;
  Status BeginOut(int columns) override;
  Status Send(std::string_view data) override;
  Status EndOut() override;
  Status BeginIn(int columns) override;
  Result<std::optional<std::string>> Receive() override;
  /* True after a message that does not belong in a copy: PostgreSQL ends
   * the session ("protocol synchronization was lost") after the ERROR. */
  bool lost_sync() const { return lost_sync_; }

 private:
  Backend& backend_;
  bool hook_saved_ = false;
  std::function<Status()> saved_hook_;
  bool lost_sync_ = false;
};


/* A prepared statement of the extended query protocol (Parse). */
struct PreparedStatement {
  std::string name;                  // "" = the unnamed statement
  std::string text;                  // the query text, for events and logs
  sql::StatementPtr stmt;            // null for an empty query
  std::vector<uint32_t> param_oids;  // as Parse declared them (0 = inferred), one per parameter
  sql::PreparedDescription desc;     // parameter types and result columns
};

/* A portal (Bind): a prepared statement with its parameter values, ready
 * to run. Its rows are made at the first Execute and handed out in slices
 * when Execute gives a row limit. */
struct Portal {
  std::string name;                                // "" = the unnamed portal
  std::shared_ptr<const PreparedStatement> statement;
  sql::BoundParams params;
  std::vector<int16_t> formats;                    // result format per column (0 text, 1 binary)
  bool started = false;                            // the statement has run
  bool failed = false;                             // ...and failed
  std::vector<proto::DataRow> rows;                // its rows, in the wire formats
  size_t next_row = 0;                             // the first row not yet sent
  sql::StatementResult result;                     // its tag and row count
  int64_t start_us = 0;                            // when the first Execute began
};

class Backend {
  friend class WireCopyChannel;

 public:
  explicit Backend(const BackendStartInfo& info)
      : info_(info), reader_(info.sock, proto::Peer::kFrontend) {}

  [[noreturn]] void Run();

 private:
  void SetState(SessionState s);
  /* Reads the startup packet (answering SSL/GSS requests); false = no session. */
  bool ReadStartup();
  void ProcessCancelRequest(const proto::CancelRequest& req);
  void Authenticate();
  /* auth.cpp: one password exchange per method; true if the client proved it. */
  bool AuthPassword(const std::string& secret, bool role_exists);
  bool AuthMd5(const std::string& secret);
  bool AuthScram(const std::string& secret);
  /* Reads the client's 'p' message; a client that hangs up instead (psql
   * does, to prompt for a password) ends the session quietly. */
  std::string ReadAuthResponse(const char* what);
  [[noreturn]] void AuthFatal(const Error& e, std::string_view reason, std::string_view log_detail = {});
  void SendStartupParameters();
  [[noreturn]] void MessageLoop();
  /* Runs a Query message's text; it is freed once parsed. */
  void ExecSimpleQuery(std::string text);
  /* Runs one statement; returns false if it failed (the error is already sent). */
  bool ExecStatement(const sql::Statement& stmt);
  /* Runs one statement (transaction-block rules, process title); nullopt if
   * it failed (the error is already sent). */
  std::optional<sql::StatementResult> RunStatement(const sql::Statement& stmt, sql::ResultSink& sink,
                                                   const sql::BoundParams* params);
  // The extended query protocol (extended_query.cpp).
  void ProcessExtendedMessage(const proto::Message& msg);
  Status ExecParse(std::string_view body);
  Status ExecBind(std::string_view body);
  Status ExecDescribe(std::string_view body);
  Status ExecExecute(std::string_view body);
  Status ExecClose(std::string_view body);
  void ExecSync();
  /* Marks the session busy with an extended-protocol message ("PARSE", ...). */
  void BeginMessage(const char* activity);
  /* Sets the idle state the transaction status calls for (at ReadyForQuery). */
  void SetIdleState();
  /* query_start event and pg_stat_activity's query, query_start, xact_start. */
  void ReportQueryStart(std::string_view text);
  /* Sends the error and rolls back what it ends (the transaction, or the
   * innermost subtransaction); tx_status_ follows. */
  void SendError(const Error& e);
  /* tx_status_ from the session's transaction block ('I', 'T', 'E'). */
  void SyncTxStatus();
  /* A WARNING or NOTICE: NoticeResponse to the client, a line in the log. */
  void SendNotice(const Error& e);
  /* Arms idle_in_transaction_session_timeout if the session waits inside a
   * transaction block; returns whether it did. */
  bool ArmIdleInTransactionTimeout();
  /* After a SIGHUP: re-reads minipg.conf into the session's settings. */
  void ProcessConfigReload();
  void SendReadyForQuery();
  void Flush();
  /* client_io.cpp: sends all of `data`; while the client does not read,
   * waits, and a die (terminate, fast shutdown) ends the session there
   * without a word to the client, as in PostgreSQL. */
  Status SendToClient(std::string_view data);
  [[noreturn]] void DieBlockedOnClient();
  [[noreturn]] void EndSession(std::string_view reason, int exit_code);
  /* A PANIC (the WAL could not be made durable): logged and sent to the
   * client (best effort), then abort(), which brings the crash cycle. */
  [[noreturn]] void Panic(const Error& e);
  /* Sends `e` as a FATAL and ends the session (`reason` for the disconnect event). */
  [[noreturn]] void Fatal(const Error& e, std::string_view reason = "fatal");
  /* Refuses the connection before a session begins (a "rejected" event):
   * a dead end's verdict, no free slot, or a slot reserved for superusers. */
  [[noreturn]] void Reject(const Error& e);

  BackendStartInfo info_;
  proto::MessageReader reader_;
  std::string out_;
  SessionState state_ = SessionState::kStarting;
  char tx_status_ = proto::kTxIdle;
  std::string user_, database_, application_name_;
  std::unique_ptr<sql::Session> session_;
  bool killed_ = false;  // the FATAL that ends the session is 57P01 (pg_stat_database.sessions_killed)
  uint32_t database_oid_ = 0;    // set by Authenticate: the database's folder is base/<oid>
  bool superuser_ = false;       // the role's attribute at connection time (ParameterStatus is_superuser)
  storage::UniqueFd database_lock_;  // shared flock on the database while the session lives
  std::string auth_method_;      // the pg_hba.conf method used, for events
  // Extended query protocol: named statements live for the session, portals
  // until the end of the transaction (Sync outside a block). Ordered maps, so
  // nothing depends on hash order.
  std::map<std::string, std::shared_ptr<const PreparedStatement>> statements_;
  std::map<std::string, Portal> portals_;
  bool skip_until_sync_ = false;  // after an error in extended mode, discard up to Sync
};

}  // namespace minipg::backend
