/*-------------------------------------------------------------------------
 * simple_query.cpp
 *   The session's message loop and the simple query protocol: one Query
 *   message, one or more statements, each with its CommandComplete (or an
 *   error that ends the message), then ReadyForQuery.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include "engine/backend/backend_internal.h"
#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/postmaster/ps_status.h"
#include "engine/postmaster/server_log.h"
#include "engine/shmem/backend_status.h"
#include "engine/sql/settings.h"
#include "engine/trace/emitter.h"

namespace minipg::backend {

using trace::EventType;

void Backend::MessageLoop() {
  // While waiting for the client only a terminate matters; a cancel that
  // arrives while idle is forgotten, as in PostgreSQL.
  reader_.SetInterruptHook([]() -> Status {
    if (g_idle_in_transaction_timeout_pending) {
      return MakeError(sqlstate::kIdleInTransactionSessionTimeout,
                       "terminating connection due to idle-in-transaction timeout", Severity::kFatal);
    }
    g_query_cancel_pending = 0;
    return CheckForInterrupts();
  });
  bool skip_until_sync = false;  // extended-protocol error recovery
  for (;;) {
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
    if (skip_until_sync && msg->type != proto::fe::kSync && msg->type != proto::fe::kTerminate) {
      continue;  // after an extended-protocol error, everything up to Sync is discarded
    }
    switch (msg->type) {
      case proto::fe::kQuery: {
        auto text = proto::DecodeQuery(msg->body);
        if (!text.ok()) Fatal(text.error());
        ExecSimpleQuery(*text);
        SendReadyForQuery();
        break;
      }
      case proto::fe::kTerminate:
        EndSession("terminate", 0);
      case proto::fe::kSync:
        skip_until_sync = false;
        SendReadyForQuery();
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
        // The extended query protocol comes in a later version: say so once,
        // then skip to Sync as PostgreSQL's error recovery does.
        SendError(MakeError(sqlstate::kFeatureNotSupported,
                            "the extended query protocol is not supported by minipg yet"));
        Flush();
        skip_until_sync = true;
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
  auto ms = sql::ParseDurationMs("idle_in_transaction_session_timeout",
                                 session_->GetSetting("idle_in_transaction_session_timeout").value_or("0"));
  if (!ms.ok() || *ms <= 0) return false;
  ArmAlarm(kAlarmIdleInTransaction, *ms);
  return true;
}

void Backend::ExecSimpleQuery(std::string_view text) {
  trace::Event(EventType::kQueryStart).Str("text", text).Emit();
  // pg_stat_activity: the query, its start, and (outside a block) the start
  // of the implicit transaction it runs in; a block keeps BEGIN's start.
  int64_t now = shmem::WallClockMicros();
  if (tx_status_ == proto::kTxIdle) shmem::ReportXactStart(now);
  shmem::ReportActivity(shmem::ActivityState::kActive, text, now);
  SetState(SessionState::kActive);
  g_query_cancel_pending = 0;  // a cancel aimed at an earlier statement is stale
  g_statement_timeout_pending = 0;
  // statement_timeout covers the whole Query message (as in PostgreSQL's
  // implicit transaction); a SET inside it takes effect from the next one.
  auto timeout = sql::ParseDurationMs("statement_timeout", session_->GetSetting("statement_timeout").value_or("0"));
  ArmAlarm(kAlarmStatement, timeout.ok() ? *timeout : 0);
  struct Disarm {
    ~Disarm() { ArmAlarm(kAlarmStatement, 0); }
  } disarm;
  auto parsed = session_->Parse(text);
  if (!parsed.ok()) {
    SendError(parsed.error());
    if (tx_status_ == proto::kTxInBlock) tx_status_ = proto::kTxFailed;
  } else if (parsed->empty()) {
    proto::EncodeEmptyQueryResponse(out_);
  } else {
    for (const auto& stmt : *parsed) {
      if (!ExecStatement(*session_, *stmt)) break;  // an error ends the whole Query message
    }
  }
  if (tx_status_ == proto::kTxIdle) shmem::ReportXactStart(0);
  SetState(tx_status_ == proto::kTxIdle       ? SessionState::kIdle
           : tx_status_ == proto::kTxInBlock ? SessionState::kIdleInTransaction
                                              : SessionState::kIdleInTransactionAborted);
}

bool Backend::ExecStatement(sql::Session& session, const sql::Statement& stmt) {
  sql::StatementKind kind = sql::GetStatementKind(stmt);
  bool ends_block = kind == sql::StatementKind::kCommit || kind == sql::StatementKind::kRollback;
  if (tx_status_ == proto::kTxFailed && !ends_block) {
    SendError(MakeError(sqlstate::kInFailedSqlTransaction,
                        "current transaction is aborted, commands ignored until end of transaction block"));
    return false;
  }
  int64_t start = trace::NowMicros();
  const char* word = sql::StatementKindName(kind);
  SetPsActivity(*word != '\0' ? word : "active");  // the title names what runs, as PostgreSQL's does
  WireSink sink(out_, [this] { Flush(); });
  WireCopyChannel copy(*this);  // COPY FROM STDIN / TO STDOUT (copy.cpp)
  sink.SetCopyChannel(&copy);
  auto result = session.Execute(stmt, sink);
  if (!result.ok()) {
    if (result.error().severity == Severity::kFatal) Fatal(result.error());
    SendError(result.error());
    if (copy.lost_sync()) {
      Fatal(proto::ProtocolError("terminating connection because protocol synchronization was lost"));
    }
    if (tx_status_ == proto::kTxInBlock) tx_status_ = proto::kTxFailed;
    return false;
  }
  std::string tag = result->command_tag;
  if (kind == sql::StatementKind::kSet) {
    shmem::ReportApplicationName(session.GetSetting("application_name").value_or(""));
  }
  if (kind == sql::StatementKind::kBegin) {
    tx_status_ = proto::kTxInBlock;
  } else if (ends_block) {
    if (tx_status_ == proto::kTxFailed) tag = "ROLLBACK";  // COMMIT of a failed block rolls back
    tx_status_ = proto::kTxIdle;
  }
  proto::EncodeCommandComplete(out_, tag);
  trace::Event(EventType::kQueryDone)
      .Str("tag", tag)
      .Int("rows", result->rows)
      .Int("duration_us", trace::NowMicros() - start)
      .Emit();
  return true;
}

}  // namespace minipg::backend
