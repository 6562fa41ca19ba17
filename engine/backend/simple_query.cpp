/*-------------------------------------------------------------------------
 * simple_query.cpp
 *   The session's message loop and the simple query protocol: one Query
 *   message, one or more statements, each with its CommandComplete (or an
 *   error that ends the message), then ReadyForQuery.
 *-------------------------------------------------------------------------
 */
#include <cstdlib>

#include <fmt/format.h>

#include "engine/backend/backend_internal.h"
#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/common/utf8.h"
#include "engine/postmaster/ps_status.h"
#include "engine/postmaster/server_log.h"
#include "engine/shmem/backend_status.h"
#include "engine/shmem/pgstat.h"
#include "engine/sql/step_functions.h"
#include "engine/trace/emitter.h"
#include "engine/storage/ipc/sinval.h"

namespace minipg::backend {

using trace::EventType;

void Backend::MessageLoop() {
  // While waiting for the client only a terminate matters; a cancel that
  // arrives while idle is forgotten, as in PostgreSQL.
  reader_.SetInterruptHook([this]() -> Status {
    ProcessConfigReload();  // while idle, as PostgreSQL's ConfigReloadPending
    if (g_idle_in_transaction_timeout_pending) {
      return MakeError(sqlstate::kIdleInTransactionSessionTimeout,
                       "terminating connection due to idle-in-transaction timeout", Severity::kFatal);
    }
    g_query_cancel_pending = 0;
    return CheckForInterrupts();
  });
  for (;;) {
    ProcessConfigReload();
    bool armed = ArmIdleInTransactionTimeout();
    auto msg = reader_.ReadMessage();
    if (armed) ArmAlarm(kAlarmIdleInTransaction, 0);
    if (!msg.ok()) {
      if (reader_.eof()) {
        if (tx_status_ != proto::kTxIdle) Log("unexpected EOF on client connection with an open transaction");
        EndSession("eof", 0);
      }
      Fatal(msg.error());
    }
    if (skip_until_sync_ && msg->type != proto::fe::kSync && msg->type != proto::fe::kTerminate) {
      continue;  // after an extended-protocol error, everything up to Sync is discarded
    }
    switch (msg->type) {
      case proto::fe::kQuery: {
        auto text = proto::DecodeQuery(msg->body);
        // A body that does not decode, or text that is not UTF-8, is an
        // ERROR as in PostgreSQL: the framing is intact, the session goes on.
        Status valid = text.ok() ? VerifyUtf8(*text) : Status(text.error());
        if (!valid.ok()) {
          Error e = valid.error();
          if (e.severity == Severity::kFatal) e.severity = Severity::kError;
          SendError(e);
          SetIdleState();
          SendReadyForQuery();
          break;
        }
        // A Query drops the unnamed statement and portal, as in PostgreSQL.
        statements_.erase("");
        portals_.erase("");
        // The text is the start of the body (up to its NUL): take the body.
        std::string query = std::move(msg->body);
        query.resize(text->size());
        ExecSimpleQuery(std::move(query));
        if (tx_status_ == proto::kTxIdle) portals_.clear();  // the transaction is over
        SendReadyForQuery();
        break;
      }
      case proto::fe::kTerminate:
        EndSession("terminate", 0);
      case proto::fe::kSync:
        ExecSync();
        break;
      case proto::fe::kFlush:
        Flush();
        break;
      case proto::fe::kFunctionCall:
        // The fast-path function call is a simple-protocol message: it gets
        // its error and its ReadyForQuery.
        SendError(MakeError(sqlstate::kFeatureNotSupported, "fast-path function calls are not supported by minipg"));
        SendReadyForQuery();
        break;
      case proto::fe::kParse: case proto::fe::kBind: case proto::fe::kDescribe:
      case proto::fe::kExecute: case proto::fe::kClose:
        ProcessExtendedMessage(*msg);  // extended_query.cpp
        break;
      case proto::fe::kCopyData: case proto::fe::kCopyDone: case proto::fe::kCopyFail:
        break;  // outside COPY these are ignored, as in PostgreSQL
      default:
        Fatal(proto::ProtocolError(fmt::format("unexpected message type \"{}\"", msg->type)));
    }
  }
}

bool Backend::ArmIdleInTransactionTimeout() {
  if (state_ != SessionState::kIdleInTransaction && state_ != SessionState::kIdleInTransactionAborted) return false;
  int64_t ms = session_->settings().Int("idle_in_transaction_session_timeout");
  if (ms <= 0) return false;
  ArmAlarm(kAlarmIdleInTransaction, ms);
  return true;
}

void Backend::ReportQueryStart(std::string_view text) {
  trace::Event(EventType::kQueryStart).QueryText("text", text).Emit();
  // pg_stat_activity: the query, its start, and (outside a block) the start
  // of the implicit transaction it runs in; a block keeps BEGIN's start.
  int64_t now = shmem::WallClockMicros();
  if (tx_status_ == proto::kTxIdle) shmem::ReportXactStart(now);
  shmem::ReportActivity(shmem::ActivityState::kActive, text, now);
}

void Backend::ExecSimpleQuery(std::string text) {
  ReportQueryStart(text);
  SetState(SessionState::kActive);
  g_query_cancel_pending = 0;  // a cancel aimed at an earlier statement is stale
  g_statement_timeout_pending = 0;
  // statement_timeout covers parsing the message and its first statement;
  // each later statement gets a timeout of its own, with the setting as it
  // is then (PostgreSQL 13 and later: `SET statement_timeout = '1s';
  // SELECT pg_sleep(5)` in one message is cancelled).
  ArmAlarm(kAlarmStatement, session_->settings().Int("statement_timeout"));
  struct Disarm {
    ~Disarm() { ArmAlarm(kAlarmStatement, 0); }
  } disarm;
  auto parsed = session_->Parse(text);
  // The parse tree owns what it needs of the text: a long query is not
  // held through its execution.
  std::string().swap(text);
  if (!parsed.ok()) {
    SendError(parsed.error());
  } else if (parsed->empty()) {
    proto::EncodeEmptyQueryResponse(out_);
  } else {
    // Several statements are one implicit transaction (PostgreSQL's
    // exec_simple_query): committed after the last, unless BEGIN, COMMIT
    // or ROLLBACK among them say otherwise; an error rolls it all back.
    bool implicit = parsed->size() > 1;
    bool ok = true;
    bool first = true;
    for (const auto& stmt : *parsed) {
      if (!first) ArmAlarm(kAlarmStatement, session_->settings().Int("statement_timeout"));
      first = false;
      if (implicit) session_->BeginImplicitTransactionBlock();
      ok = ExecStatement(*stmt);
      if (!ok) break;  // an error ends the whole Query message
    }
    if (ok && implicit) {
      if (Status s = session_->EndImplicitTransactionBlock(); !s.ok()) {
        if (s.error().severity == Severity::kPanic) Panic(s.error());
        SendError(s.error());
      }
    }
  }
  SetIdleState();
}

bool Backend::ExecStatement(const sql::Statement& stmt) {
  int64_t start = trace::NowMicros();
  WireSink sink(out_, [this] { Flush(); });
  WireCopyChannel copy(*this);  // COPY FROM STDIN / TO STDOUT (copy.cpp)
  sink.SetCopyChannel(&copy);
  auto result = RunStatement(stmt, sink, nullptr);
  if (!result) {
    if (copy.lost_sync()) {  // a copy-in got a message that has no place there
      Fatal(proto::ProtocolError("terminating connection because protocol synchronization was lost"));
    }
    return false;
  }
  proto::EncodeCommandComplete(out_, result->command_tag);
  trace::Event(EventType::kQueryDone)
      .Str("tag", result->command_tag)
      .Int("rows", result->rows)
      .Int("duration_us", trace::NowMicros() - start)
      .Emit();
  return true;
}

void Backend::SetIdleState() {
  SessionState s = tx_status_ == proto::kTxIdle      ? SessionState::kIdle
                   : tx_status_ == proto::kTxInBlock ? SessionState::kIdleInTransaction
                                                     : SessionState::kIdleInTransactionAborted;
  if (tx_status_ == proto::kTxIdle) shmem::ReportXactStart(0);
  if (s != state_) SetState(s);
}

std::optional<sql::StatementResult> Backend::RunStatement(const sql::Statement& stmt, sql::ResultSink& sink,
                                                          const sql::BoundParams* params) {
  storage::AcceptInvalidationMessages();  // catalog changes others committed (and files they removed)
  sql::StatementKind kind = sql::GetStatementKind(stmt);
  bool ends_block = kind == sql::StatementKind::kCommit || kind == sql::StatementKind::kRollback;
  if (tx_status_ == proto::kTxFailed && !sql::IsTransactionExitKind(kind)) {
    SendError(MakeError(sqlstate::kInFailedSqlTransaction,
                        "current transaction is aborted, commands ignored until end of transaction block"));
    return std::nullopt;
  }
  const char* word = sql::StatementKindName(kind);
  SetPsActivity(*word != '\0' ? word : "active");  // the title names what runs, as PostgreSQL's does
  auto result = params != nullptr ? session_->Execute(stmt, sink, *params) : session_->Execute(stmt, sink);
  if (!result.ok()) {
    if (result.error().severity == Severity::kPanic) Panic(result.error());
    if (result.error().severity == Severity::kFatal) Fatal(result.error());
    // The error step point; a cancel while stopped there changes nothing.
    if (Status s = sql::StepError(result.error()); !s.ok() && s.error().severity == Severity::kFatal) Fatal(s.error());
    SendError(result.error());
    return std::nullopt;
  }
  std::string tag = result->command_tag;
  if (kind == sql::StatementKind::kSet) {
    shmem::ReportApplicationName(session_->GetSetting("application_name").value_or(""));
  }
  // xact_commit / xact_rollback: a statement outside a block is a
  // transaction of its own; a block counts at its COMMIT or ROLLBACK (a
  // failed one was counted at its error, in SendError).
  if (ends_block) {
    if (tx_status_ != proto::kTxFailed) pgstat::CountXactEnd(kind == sql::StatementKind::kCommit);
    if (tx_status_ == proto::kTxFailed) tag = "ROLLBACK";  // COMMIT of a failed block rolls back
  } else if (tx_status_ == proto::kTxIdle && kind != sql::StatementKind::kBegin) {
    pgstat::CountXactEnd(true);
  }
  SyncTxStatus();
  result->command_tag = tag;
  return *result;
}

}  // namespace minipg::backend
