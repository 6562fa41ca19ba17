/*-------------------------------------------------------------------------
 * extended_query.cpp
 *   The extended query protocol, as drivers (libpq's PQprepare and
 *   PQexecParams, JDBC, pgbench -M extended/prepared) speak it: a query is
 *   split into steps, each its own message, and nothing is answered with
 *   ReadyForQuery until Sync.
 *
 *     Parse 'P'    text + parameter types  -> prepared statement  ParseComplete
 *     Bind 'B'     statement + values      -> portal              BindComplete
 *     Describe 'D' statement: ParameterDescription, then RowDescription or NoData
 *                  portal:    RowDescription (with its formats) or NoData
 *     Execute 'E'  portal, row limit       -> DataRow..., then CommandComplete
 *                  (or PortalSuspended when the limit was reached)
 *     Close 'C'    statement or portal                            CloseComplete
 *     Sync 'S'     end of the implicit transaction                ReadyForQuery
 *     Flush 'H'    send what is buffered (handled in the message loop)
 *
 *   A statement or portal named "" is the unnamed one: a new one replaces
 *   it. A named one lives until Close (statements: for the session;
 *   portals: at most until the transaction ends, which outside BEGIN is the
 *   next Sync).
 *
 * NOTES
 *   After an error every message up to Sync is discarded (skip_until_sync_,
 *   checked in the message loop), as PostgreSQL's error recovery does; the
 *   client then sees one ErrorResponse and one ReadyForQuery.
 *   A portal's rows are all made at its first Execute (so the executor's
 *   stage events are emitted once) and handed out in slices after that.
 *   statement_timeout and cancel cover that first Execute, as they cover a
 *   Query message.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include <initializer_list>
#include <ranges>

#include "engine/backend/backend_internal.h"
#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/common/utf8.h"
#include "engine/postmaster/ps_status.h"
#include "engine/sql/params.h"
#include "engine/trace/emitter.h"
#include "engine/storage/ipc/sinval.h"

namespace minipg::backend {

using trace::EventType;

namespace {

constexpr size_t kFlushThreshold = 64u << 10;

Error StatementMissing(const std::string& name) {
  return MakeError(sqlstate::kInvalidSqlStatementName,
                   name.empty() ? std::string("unnamed prepared statement does not exist")
                                : fmt::format("prepared statement \"{}\" does not exist", name));
}

Error PortalMissing(const std::string& name) {
  return MakeError(sqlstate::kInvalidCursorName, fmt::format("portal \"{}\" does not exist", name));
}

Error AbortedTransaction() {
  return MakeError(
      sqlstate::kInFailedSqlTransaction,
      "current transaction is aborted, commands ignored until end of transaction block");
}

/* A message body that does not decode is an ERROR, not FATAL: the framing
 * is intact, so (as in PostgreSQL) the session skips to Sync and goes on. */
Error BodyError(Error e) {
  if (e.severity == Severity::kFatal) e.severity = Severity::kError;
  return e;
}

/* Every name a client sends is text, and must be UTF-8 (see common/utf8.h). */
Status VerifyNames(std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    if (Status s = VerifyUtf8(name); !s.ok()) return s;
  }
  return OkStatus();
}

bool EndsBlock(const sql::Statement* stmt) {
  if (stmt == nullptr) return false;
  return sql::IsTransactionExitKind(sql::GetStatementKind(*stmt));
}

void EncodeColumns(std::string& out, const std::vector<sql::ColumnDesc>& columns,
                   const std::vector<int16_t>& formats) {
  std::vector<proto::FieldDescription> fields;
  fields.reserve(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    proto::FieldDescription f;
    f.name = columns[i].name;
    f.type_oid = static_cast<int32_t>(sql::TypeOid(columns[i].type));
    f.type_len = sql::TypeLen(columns[i].type);
    f.format = i < formats.size() ? formats[i] : sql::kFormatText;
    fields.push_back(std::move(f));
  }
  proto::EncodeRowDescription(out, fields);
}

/* Collects a portal's rows in their wire formats. */
class PortalSink : public sql::ResultSink {
 public:
  explicit PortalSink(Portal& portal) : portal_(portal) {}
  void Describe(const std::vector<sql::ColumnDesc>& columns) override { columns_ = columns; }
  void Row(const std::vector<std::optional<std::string>>& values) override {
    proto::DataRow row = values;
    for (size_t i = 0; i < row.size() && i < portal_.formats.size() && i < columns_.size(); ++i) {
      if (row[i] && portal_.formats[i] == sql::kFormatBinary) {
        row[i] = sql::BinaryOutput(*row[i], columns_[i].type);
      }
    }
    portal_.rows.push_back(std::move(row));
  }

 private:
  Portal& portal_;
  std::vector<sql::ColumnDesc> columns_;
};

}  // namespace

void Backend::ProcessExtendedMessage(const proto::Message& msg) {
  Status s = OkStatus();
  switch (msg.type) {
    case proto::fe::kParse:
      s = ExecParse(msg.body);
      break;
    case proto::fe::kBind:
      s = ExecBind(msg.body);
      break;
    case proto::fe::kDescribe:
      s = ExecDescribe(msg.body);
      break;
    case proto::fe::kExecute:
      s = ExecExecute(msg.body);
      break;
    case proto::fe::kClose:
      s = ExecClose(msg.body);
      break;
    default:
      break;
  }
  if (s.ok()) return;
  if (s.error().severity == Severity::kPanic) Panic(s.error());
  if (s.error().severity == Severity::kFatal) Fatal(s.error());
  SendError(s.error());
  Flush();
  skip_until_sync_ = true;  // everything up to Sync is discarded
}

void Backend::BeginMessage(const char* activity) {
  if (state_ != SessionState::kActive) SetState(SessionState::kActive);
  SetPsActivity(activity);
  storage::AcceptInvalidationMessages();  // Parse and Bind read the catalogs too
}

Status Backend::ExecParse(std::string_view body) {
  auto m = proto::DecodeParse(body);
  if (!m.ok()) return BodyError(m.error());
  if (Status v = VerifyNames({m->name, m->query}); !v.ok()) return v;
  BeginMessage("PARSE");
  if (m->name.empty()) {
    statements_.erase("");  // a new unnamed statement replaces the old one, even if it fails
  } else if (statements_.count(m->name) != 0) {
    return MakeError(sqlstate::kDuplicatePreparedStatement,
                     fmt::format("prepared statement \"{}\" already exists", m->name));
  }
  auto prepared = std::make_shared<PreparedStatement>();
  prepared->name = m->name;
  prepared->text = m->query;
  std::vector<sql::TypeId> types;
  for (uint32_t oid : m->param_types) {
    auto t = sql::ParamTypeFromOid(oid);
    if (!t.ok()) return t.error();
    types.push_back(*t);
  }
  auto parsed = session_->Parse(m->query);
  if (!parsed.ok()) return parsed.error();
  if (parsed->size() > 1) {
    return MakeError(sqlstate::kSyntaxError,
                     "cannot insert multiple commands into a prepared statement");
  }
  if (!parsed->empty()) {
    prepared->stmt = std::move(parsed->front());
    if (tx_status_ == proto::kTxFailed && !EndsBlock(prepared->stmt.get()))
      return AbortedTransaction();
    auto desc = session_->Prepare(*prepared->stmt, types);
    if (!desc.ok()) return desc.error();
    prepared->desc = std::move(*desc);
  }
  prepared->param_oids = m->param_types;
  prepared->param_oids.resize(prepared->desc.param_types.size(), sql::kOidUnspecified);
  auto type_names = prepared->desc.param_types | std::views::transform([](sql::TypeId t) { return sql::TypeName(t); });
  trace::Event(EventType::kPrepare)
      .Str("name", prepared->name)
      .Raw("params", trace::JsonStringArray(type_names))
      .QueryText("text", prepared->text)
      .Emit();
  statements_[m->name] = std::move(prepared);
  proto::EncodeParseComplete(out_);
  return OkStatus();
}

Status Backend::ExecBind(std::string_view body) {
  auto m = proto::DecodeBind(body);
  if (!m.ok()) return BodyError(m.error());
  if (Status v = VerifyNames({m->portal, m->statement}); !v.ok()) return v;
  BeginMessage("BIND");
  auto it = statements_.find(m->statement);
  if (it == statements_.end()) return StatementMissing(m->statement);
  const PreparedStatement& ps = *it->second;
  if (m->portal.empty()) {
    portals_.erase("");
  } else if (portals_.count(m->portal) != 0) {
    return MakeError(sqlstate::kDuplicateCursor,
                     fmt::format("cursor \"{}\" already exists", m->portal));
  }
  if (tx_status_ == proto::kTxFailed && !EndsBlock(ps.stmt.get())) return AbortedTransaction();
  size_t nparams = ps.desc.param_types.size();
  if (m->param_formats.size() > 1 && m->param_formats.size() != m->params.size()) {
    return MakeError(sqlstate::kProtocolViolation,
                     fmt::format("bind message has {} parameter formats but {} parameters",
                                 m->param_formats.size(), m->params.size()));
  }
  if (m->params.size() != nparams) {
    return MakeError(
        sqlstate::kProtocolViolation,
        fmt::format(
            "bind message supplies {} parameters, but prepared statement \"{}\" requires {}",
            m->params.size(), ps.name, nparams));
  }
  Portal portal;
  portal.name = m->portal;
  portal.statement = it->second;
  portal.params.types = ps.desc.param_types;
  for (size_t i = 0; i < nparams; ++i) {
    sql::ParamValue v;
    v.bytes = m->params[i];
    v.format = m->param_formats.empty()       ? sql::kFormatText
               : m->param_formats.size() == 1 ? m->param_formats[0]
                                              : m->param_formats[i];
    // The context PostgreSQL's bind_param_error_callback adds to an error
    // in a parameter; once a text value has been read it names the value,
    // which log_parameter_max_length_on_error (0) prints as '...'.
    auto where = [&](bool value_read) {
      std::string param = m->portal.empty()
                              ? fmt::format("unnamed portal parameter ${}", i + 1)
                              : fmt::format("portal \"{}\" parameter ${}", m->portal, i + 1);
      return value_read ? param + " = '...'" : param;
    };
    // A text value is text from the client: it must be UTF-8.
    bool is_text = v.bytes && v.format == sql::kFormatText;
    if (Status u = is_text ? VerifyUtf8(*v.bytes) : OkStatus(); !u.ok()) {
      Error e = u.error();
      e.context = where(false);
      return e;
    }
    auto text = sql::ParamToText(v, ps.desc.param_types[i], ps.param_oids[i], static_cast<int>(i + 1));
    if (!text.ok()) {
      Error e = text.error();
      if (e.context.empty()) e.context = where(is_text);
      return e;
    }
    portal.params.values.push_back(std::move(*text));
  }
  size_t ncols = ps.desc.columns.size();
  if (m->result_formats.size() > 1 && m->result_formats.size() != ncols) {
    return MakeError(sqlstate::kProtocolViolation,
                     fmt::format("bind message has {} result formats but query has {} columns",
                                 m->result_formats.size(), ncols));
  }
  for (int16_t f : m->result_formats) {
    if (f != sql::kFormatText && f != sql::kFormatBinary) {
      return MakeError(sqlstate::kInvalidParameterValue,
                       fmt::format("unsupported format code: {}", f));
    }
  }
  for (size_t i = 0; i < ncols; ++i) {
    int16_t f = m->result_formats.empty()       ? sql::kFormatText
                : m->result_formats.size() == 1 ? m->result_formats[0]
                                                : m->result_formats[i];
    // Binary where minipg knows the type's binary form; text otherwise.
    portal.formats.push_back(f == sql::kFormatBinary &&
                                     sql::HasBinaryOutput(ps.desc.columns[i].type)
                                 ? sql::kFormatBinary
                                 : sql::kFormatText);
  }
  trace::Event(EventType::kBind)
      .Str("portal", portal.name)
      .Str("statement", ps.name)
      .Int("params", static_cast<int64_t>(nparams))
      .Emit();
  portals_[m->portal] = std::move(portal);
  proto::EncodeBindComplete(out_);
  return OkStatus();
}

Status Backend::ExecDescribe(std::string_view body) {
  auto m = proto::DecodeDescribe(body);
  if (!m.ok()) return BodyError(m.error());
  if (Status v = VerifyNames({m->name}); !v.ok()) return v;
  if (m->kind == proto::kTargetStatement) {
    auto it = statements_.find(m->name);
    if (it == statements_.end()) return StatementMissing(m->name);
    const PreparedStatement& ps = *it->second;
    std::vector<uint32_t> oids;
    for (sql::TypeId t : ps.desc.param_types) oids.push_back(sql::TypeOid(t));
    proto::EncodeParameterDescription(out_, oids);
    if (ps.desc.returns_rows) {
      EncodeColumns(out_, ps.desc.columns, {});  // formats are not known before Bind: text
    } else {
      proto::EncodeNoData(out_);
    }
    return OkStatus();
  }
  auto it = portals_.find(m->name);
  if (it == portals_.end()) return PortalMissing(m->name);
  const Portal& portal = it->second;
  if (portal.statement->desc.returns_rows) {
    EncodeColumns(out_, portal.statement->desc.columns, portal.formats);
  } else {
    proto::EncodeNoData(out_);
  }
  return OkStatus();
}

Status Backend::ExecExecute(std::string_view body) {
  auto m = proto::DecodeExecute(body);
  if (!m.ok()) return BodyError(m.error());
  if (Status v = VerifyNames({m->portal}); !v.ok()) return v;
  auto it = portals_.find(m->portal);
  if (it == portals_.end()) return PortalMissing(m->portal);
  Portal& portal = it->second;
  const PreparedStatement& ps = *portal.statement;
  if (ps.stmt == nullptr) {
    proto::EncodeEmptyQueryResponse(out_);
    return OkStatus();
  }
  if (!portal.started) {
    ReportQueryStart(ps.text);
    BeginMessage("active");
    portal.started = true;
    portal.start_us = trace::NowMicros();
    g_query_cancel_pending = 0;  // a cancel aimed at an earlier statement is stale
    g_statement_timeout_pending = 0;
    ArmAlarm(kAlarmStatement, session_->settings().Int("statement_timeout"));
    PortalSink sink(portal);
    auto result = RunStatement(*ps.stmt, sink, &portal.params);
    ArmAlarm(kAlarmStatement, 0);
    if (!result) {
      // The error is sent; the portal cannot be run again.
      portals_.erase(it);
      Flush();
      skip_until_sync_ = true;
      return OkStatus();
    }
    portal.result = std::move(*result);
  } else if (!ps.desc.returns_rows) {
    // A command runs once; PostgreSQL refuses to run its portal again.
    return MakeError(sqlstate::kObjectNotInPrerequisiteState,
                     fmt::format("portal \"{}\" cannot be run", portal.name));
  }
  // Hand out the next slice of rows.
  size_t limit = m->max_rows > 0 ? static_cast<size_t>(m->max_rows) : portal.rows.size();
  size_t sent = 0;
  while (portal.next_row < portal.rows.size() && sent < limit) {
    proto::EncodeDataRow(out_, portal.rows[portal.next_row]);
    portal.rows[portal.next_row].clear();  // sent: free it
    ++portal.next_row;
    ++sent;
    if (out_.size() > kFlushThreshold) Flush();
  }
  // Like PostgreSQL, which cannot know whether more rows follow, an Execute
  // that reached its limit suspends the portal even if it sent the last row.
  if (m->max_rows > 0 && sent == static_cast<size_t>(m->max_rows)) {
    proto::EncodePortalSuspended(out_);
    trace::Event(EventType::kPortalSuspended)
        .Str("portal", portal.name)
        .Int("rows", static_cast<int64_t>(sent))
        .Int("sent", static_cast<int64_t>(portal.next_row))
        .Int("total", static_cast<int64_t>(portal.rows.size()))
        .Emit();
    return OkStatus();
  }
  // Done: a row-returning statement's tag counts the rows of this Execute,
  // as PostgreSQL's does.
  std::string tag = portal.result.command_tag;
  if (ps.desc.returns_rows && sql::GetStatementKind(*ps.stmt) == sql::StatementKind::kSelect) {
    tag = fmt::format("SELECT {}", sent);
  }
  proto::EncodeCommandComplete(out_, tag);
  trace::Event(EventType::kQueryDone)
      .Str("tag", tag)
      .Int("rows", portal.result.rows)
      .Int("duration_us", trace::NowMicros() - portal.start_us)
      .Emit();
  return OkStatus();
}

Status Backend::ExecClose(std::string_view body) {
  auto m = proto::DecodeDescribe(body, "CLOSE");
  if (!m.ok()) return BodyError(m.error());
  if (Status v = VerifyNames({m->name}); !v.ok()) return v;
  // Closing something that does not exist is not an error, as in PostgreSQL.
  bool statement = m->kind == proto::kTargetStatement;
  if (statement) {
    statements_.erase(m->name);
  } else {
    portals_.erase(m->name);
  }
  trace::Event(EventType::kClose)
      .Str("kind", statement ? "statement" : "portal")
      .Str("name", m->name)
      .Emit();
  proto::EncodeCloseComplete(out_);
  return OkStatus();
}

void Backend::ExecSync() {
  skip_until_sync_ = false;
  // Outside a transaction block Sync ends the implicit transaction, and
  // with it every portal.
  if (tx_status_ == proto::kTxIdle) portals_.clear();
  SetIdleState();
  SendReadyForQuery();
}

}  // namespace minipg::backend
