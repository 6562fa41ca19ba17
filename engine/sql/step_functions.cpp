/*-------------------------------------------------------------------------
 * step_functions.cpp
 *   minipg_step_attach / _next / _detach, minipg_step_state,
 *   minipg_query_state, and the session's stage and commit step points
 *   (see step_functions.h; the slots and the pause are engine/shmem/step.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/step_functions.h"

#include <fmt/format.h>
#include <unistd.h>

#include "engine/common/guc.h"
#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/shmem/backend_status.h"
#include "engine/shmem/step.h"
#include "engine/sql/admin_functions.h"
#include "engine/sql/adt/builtins.h"
#include "engine/sql/query.h"
#include "engine/sql/role_ddl.h"
#include "engine/sql/system_views.h"
#include "engine/storage/block.h"
#include "engine/storage/heap/xact.h"

namespace minipg::sql {
namespace {

using storage::ColumnType;
using storage::Datum;
using storage::Tuple;
using T = TypeId;

// minipg's own OIDs (builtins.h: 8000-9999).
constexpr uint32_t kMinipgStepStateOid = 9980;
constexpr uint32_t kMinipgQueryStateOid = 9981;
constexpr uint32_t kStepAttachOid = 9982;
constexpr uint32_t kStepAttachGranularityOid = 9983;
constexpr uint32_t kStepNextOid = 9984;
constexpr uint32_t kStepNextNOid = 9985;
constexpr uint32_t kStepDetachOid = 9986;

constexpr double kPollSeconds = 0.005;  // how often minipg_step_next looks at its target

/* The target of a step function: its slot, or nullopt (not a backend:
 * WARNING sent); 42501 if this session may not step it. */
Result<std::optional<shmem::BackendStatusCopy>> StepTarget(int64_t pid, const SessionContext& ctx) {
  return TargetBackend(pid, ctx, "must be a superuser to step superuser process",
                       "must be a member of the role whose process is being stepped");
}

Status NotSelf(int64_t pid, const SessionContext& ctx) {
  if (pid != ctx.backend_pid) return OkStatus();
  Error e = MakeError(sqlstate::kInvalidParameterValue, "cannot step the current session's own backend");
  e.hint = "Step it from another session, or slow it down with SET minipg.step_delay.";
  return e;
}

/* Where a backend stopped, as minipg_step_next returns it:
 * "row: Seq Scan on t [node 1], rows 3: (3,c)". */
std::string DescribePoint(const step::StepPoint& p) {
  std::string out = p.stage;
  if (p.node_id >= 0 && !p.node.empty()) out += fmt::format(": {} [node {}]", p.node, p.node_id);
  bool counts = p.kind == step::PointKind::kRow || p.kind == step::PointKind::kFirstRow ||
                p.kind == step::PointKind::kNodeEnd;
  if (counts) out += fmt::format(", rows {}", p.rows);
  if (!p.detail.empty()) out += (p.node_id >= 0 && !p.node.empty() ? " | " : ": ") + p.detail;
  return out;
}

std::string QueryEnded(shmem::ActivityState state) {
  const char* name = shmem::ActivityStateName(state);
  return fmt::format("query ended: {}", name != nullptr ? name : "idle");
}

Result<Datum> Attach(const FunctionCall& c) {
  int64_t pid = std::get<int64_t>(c.args[0]);
  step::Granularity g = step::Granularity::kRow;
  if (c.args.size() > 1) {
    const std::string& text = std::get<std::string>(c.args[1]);
    auto parsed = step::ParseGranularity(text);
    if (!parsed) {
      Error e = MakeError(sqlstate::kInvalidParameterValue, fmt::format("unrecognized step granularity \"{}\"", text));
      e.hint = "Valid granularities are \"stage\", \"node\", \"row\" and \"page\".";
      return e;
    }
    g = *parsed;
  }
  if (Status s = NotSelf(pid, c.ctx); !s.ok()) return s.error();
  auto target = StepTarget(pid, c.ctx);
  if (!target.ok()) return target.error();
  if (!*target) return Datum(false);
  step::AttachSlot((*target)->slot, g);
  return Datum(true);
}

Result<Datum> Detach(const FunctionCall& c) {
  auto target = StepTarget(std::get<int64_t>(c.args[0]), c.ctx);
  if (!target.ok()) return target.error();
  if (!*target) return Datum(false);
  step::DetachSlot((*target)->slot);
  return Datum(true);
}

/* Lets the target pass n step points and waits until it stops again, its
 * query ends, it is detached or it exits. */
Result<Datum> Next(const FunctionCall& c) {
  int64_t pid = std::get<int64_t>(c.args[0]);
  int64_t n = c.args.size() > 1 ? std::get<int64_t>(c.args[1]) : 1;
  if (n < 1) {
    return MakeError(sqlstate::kInvalidParameterValue, "the number of step points must be at least 1");
  }
  if (Status s = NotSelf(pid, c.ctx); !s.ok()) return s.error();
  auto target = StepTarget(pid, c.ctx);
  if (!target.ok()) return target.error();
  if (!*target) return Datum(std::monostate{});
  int slot = (*target)->slot;
  auto before = step::ReadStepState(slot);
  if (!before || !before->attached) {
    Error e = MakeError(sqlstate::kObjectNotInPrerequisiteState, fmt::format("backend {} is not attached", pid));
    e.hint = "Call minipg_step_attach first.";
    return e;
  }
  // Between queries there is nothing to let go: it stops at the first
  // point of its next query anyway.
  if (!before->paused && (*target)->state != shmem::ActivityState::kActive) return Datum(QueryEnded((*target)->state));
  step::GrantSlot(slot, static_cast<int>(std::min<int64_t>(n, INT32_MAX)));
  for (;;) {
    auto now = step::ReadStepState(slot);
    auto activity = shmem::FindClientBackend(static_cast<pid_t>(pid));
    if (!now || !activity || now->pid != pid) return Datum(std::string("backend exited"));
    if (now->paused && now->stops != before->stops) return Datum(DescribePoint(now->point));
    if (!now->attached) return Datum(std::string("detached"));
    if (!now->paused && activity->state != shmem::ActivityState::kActive) return Datum(QueryEnded(activity->state));
    if (Status s = InterruptibleSleep(kPollSeconds); !s.ok()) return s.error();
  }
}

Datum Null() { return std::monostate{}; }
Datum TextOrNull(const std::string& s, bool show) { return show && !s.empty() ? Datum(s) : Null(); }

/* minipg_step_state: one row per attached backend. Row values (detail) are
 * shown only to who may step it. */
Result<std::vector<Tuple>> StepStateRows(const SessionContext& ctx) {
  std::vector<Tuple> rows;
  bool super = SessionUserIsSuperuser(ctx);
  for (const shmem::BackendStatusCopy& b : shmem::ReadProcArray()) {
    if (b.type != shmem::BackendType::kClientBackend) continue;
    auto s = step::ReadStepState(b.slot);
    if (!s || s->pid != b.pid || !s->attached) continue;
    bool visible = super || SessionHasPrivsOfRole(ctx, b.user);
    bool at_point = s->point.kind != step::PointKind::kNone;
    Tuple row;
    row.push_back(Datum(static_cast<int64_t>(b.pid)));
    row.push_back(Datum(s->paused));
    row.push_back(TextOrNull(s->point.stage, at_point));
    row.push_back(at_point && s->point.node_id >= 0 ? Datum(static_cast<int64_t>(s->point.node_id)) : Null());
    row.push_back(TextOrNull(s->point.node, at_point));
    row.push_back(at_point && s->point.node_id >= 0 ? Datum(s->point.rows) : Null());
    row.push_back(TextOrNull(s->point.detail, at_point && visible));
    rows.push_back(std::move(row));
  }
  return rows;
}

/* minipg_query_state(pid): the live plan of pid's running query. */
Result<std::vector<Tuple>> QueryStateRows(const SessionContext& ctx, const std::vector<Datum>& args) {
  auto target = TargetBackend(std::get<int64_t>(args[0]), ctx, "must be a superuser to see superuser query state",
                              "must be a member of the role whose query state is being read");
  if (!target.ok()) return target.error();
  std::vector<Tuple> rows;
  if (!*target) return rows;
  for (const step::LiveNodeCopy& n : step::ReadLivePlan((*target)->slot)) {
    rows.push_back({Datum(static_cast<int64_t>(n.node_id)),
                    n.parent_id >= 0 ? Datum(static_cast<int64_t>(n.parent_id)) : Null(), Datum(n.name),
                    Datum(n.rows), Datum(n.loops), Datum(static_cast<double>(n.startup_us) / 1000.0),
                    Datum(static_cast<double>(n.total_us) / 1000.0), Datum(std::string(step::NodeStateName(n.state)))});
  }
  return rows;
}

FunctionInfo Fn(uint32_t oid, const char* name, std::vector<TypeId> args, TypeId result, FunctionImpl call) {
  return MakeFunctionInfo(oid, name, std::move(args), result, call, Volatility::kVolatile);
}

}  // namespace

void RegisterStepFunctions(BuiltinRegistry& r) {
  r.functions.push_back(Fn(kStepAttachOid, "minipg_step_attach", {T::kInt4}, T::kBool, Attach));
  r.functions.push_back(Fn(kStepAttachGranularityOid, "minipg_step_attach", {T::kInt4, T::kText}, T::kBool, Attach));
  r.functions.push_back(Fn(kStepNextOid, "minipg_step_next", {T::kInt4}, T::kText, Next));
  r.functions.push_back(Fn(kStepNextNOid, "minipg_step_next", {T::kInt4, T::kInt4}, T::kText, Next));
  r.functions.push_back(Fn(kStepDetachOid, "minipg_step_detach", {T::kInt4}, T::kBool, Detach));
}

const std::vector<SystemView>& StepViews() {
  static const std::vector<SystemView> views = {
      {{kMinipgStepStateOid,
        "minipg_step_state",
        0,
        {{"pid", ColumnType::kInt4},
         {"paused", ColumnType::kBool},
         {"stage", ColumnType::kText},
         {"node_id", ColumnType::kInt4},
         {"node", ColumnType::kText},
         {"rows", ColumnType::kInt8},
         {"detail", ColumnType::kText}}},
       "minipg_step_state",
       StepStateRows},
      {{kMinipgQueryStateOid,
        "minipg_query_state",
        0,
        {{"node_id", ColumnType::kInt4},
         {"parent_id", ColumnType::kInt4},
         {"node", ColumnType::kText},
         {"rows", ColumnType::kInt8},
         {"loops", ColumnType::kInt8},
         {"startup_ms", ColumnType::kFloat8},
         {"total_ms", ColumnType::kFloat8},
         {"state", ColumnType::kText}}},
       "minipg_query_state",
       nullptr,
       true,
       nullptr,
       QueryStateRows,
       {TypeId::kInt4}},
  };
  return views;
}

void SetStepDelay(const SessionContext& ctx) {
  step::SetStepDelay(ctx.settings != nullptr ? ctx.settings->Int("minipg.step_delay") * 1000 : 0);
}

Status StepStage(const char* stage, std::string_view detail) {
  if (!step::Wants(step::PointKind::kStage)) return OkStatus();
  return step::Pause({step::PointKind::kStage, stage, -1, "", 0, std::string(detail)});
}

Status StepRewriteAndPlan(const Query& query) {
  if (!step::Wants(step::PointKind::kStage)) return OkStatus();
  // minipg's analyzer already put each view's query in its place: the
  // rewrite stage has nothing left to do, but the stop shows where it is.
  if (Status s = StepStage("rewrite", "views already expanded by analyze"); !s.ok()) return s;
  std::string tables;
  for (const std::string& t : query.tables) tables += (tables.empty() ? "" : ", ") + t;
  return StepStage("plan", tables.empty() ? query.statement : query.statement + " on " + tables);
}

Status StepCommit(bool after, uint64_t lsn) {
  step::PointKind kind = after ? step::PointKind::kCommitted : step::PointKind::kCommit;
  if (!step::Wants(kind)) return OkStatus();
  if (!after) {
    storage::TransactionId xid = storage::GetCurrentTransactionIdIfAny();
    if (xid == storage::kInvalidTransactionId) return OkStatus();  // nothing to write: no commit record
    return step::Pause({kind, "commit", -1, "", 0,
                        fmt::format("xid {}: commit record to write, WAL to flush", xid)});
  }
  if (lsn == 0) return OkStatus();
  Status s = step::Pause({kind, "committed", -1, "", 0,
                          fmt::format("commit record up to {} written and flushed, locks released", storage::FormatLsn(lsn))});
  // The transaction is over: a cancel now has nothing to cancel.
  if (!s.ok() && s.error().sqlstate == sqlstate::kQueryCanceled) return OkStatus();
  return s;
}

Status StepError(const Error& error) {
  if (error.severity != Severity::kError || error.sqlstate == sqlstate::kQueryCanceled) return OkStatus();
  if (!step::Wants(step::PointKind::kError)) return OkStatus();
  return step::Pause({step::PointKind::kError, "error", -1, "", 0,
                      fmt::format("{}: {}", error.sqlstate, error.message)});
}

}  // namespace minipg::sql
