/*-------------------------------------------------------------------------
 * session.cpp
 *   The SQL path of one backend: parse, then per statement analyze, plan,
 *   execute, emitting one event per stage (docs/events.md):
 *
 *     Parse(text)  -> "parse"    {statements, tree}
 *     Execute(stmt)-> "analyze"  {statement, tables, columns}
 *                  -> "plan"     {plan, nodes: [{id, parent, node, detail}]}
 *                  -> "execute"  {rows, nodes: [{id, rows}]}
 *
 * NOTES
 *   A stage that fails emits nothing; its Error is returned and the backend
 *   reports it (the "error" event is the backend's). So a statement's events
 *   stop at the stage that failed.
 *   The catalog is re-read at the start of every statement that needs it:
 *   another backend's CREATE TABLE is visible to our next statement.
 *   Transactions (storage/heap/xact.h), as PostgreSQL's xact.c:
 *
 *     a statement alone        a transaction of its own, committed when it
 *                              succeeds
 *     a Query of several       one implicit transaction: committed after
 *                              the last (EndImplicitTransactionBlock), all
 *                              rolled back by an error; COMMIT / ROLLBACK
 *                              in it end it (with PostgreSQL's WARNING),
 *                              BEGIN turns it into a block
 *     BEGIN ... COMMIT         a block: every statement shares the
 *                              transaction; SAVEPOINT, RELEASE, ROLLBACK TO
 *                              open, merge and roll back subtransactions
 *     an error                 AbortCurrentTransaction: inside a savepoint
 *                              only the innermost subtransaction is rolled
 *                              back, else the whole transaction; a block
 *                              is failed until ROLLBACK or (a savepoint
 *                              left) ROLLBACK TO
 *-------------------------------------------------------------------------
 */
#include "engine/sql/session.h"

#include <fmt/format.h>

#include <chrono>
#include <iterator>


#include "engine/catalog/catalog_access.h"
#include "engine/catalog/relcache.h"
#include "engine/common/guc.h"
#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/common/stack_depth.h"
#include "engine/shmem/checkpoint_request.h"
#include "engine/shmem/step.h"
#include "engine/sql/adt/builtins.h"
#include "engine/sql/analyzer.h"
#include "engine/sql/ast.h"
#include "engine/sql/copy_command.h"
#include "engine/sql/analyze_stats.h"
#include "engine/sql/executor.h"
#include "engine/sql/explain.h"
#include "engine/sql/extension_ddl.h"
#include "engine/sql/parser.h"
#include "engine/sql/optimizer/planner.h"
#include "engine/sql/query.h"
#include "engine/sql/role_ddl.h"
#include "engine/sql/statement_locks.h"
#include "engine/sql/step_functions.h"
#include "engine/sql/tree_bounds.h"
#include "engine/sql/types.h"
#include "engine/storage/catalog.h"
#include "engine/storage/heap/snapshot.h"
#include "engine/storage/heap/xact.h"
#include "engine/storage/lmgr/lock.h"
#include "engine/trace/emitter.h"

namespace minipg::sql {

using trace::EventType;

struct Session::Impl {
  explicit Impl(SessionContext c)
      : ctx(std::move(c)), settings(ctx.server_settings != nullptr ? *ctx.server_settings : guc::Settings()) {
    catalog::RelcacheInit();
    // The registry sets the reg* types' catalog lookup: a statement's first
    // cast ('s'::regclass in a serial column's DEFAULT) may come before any
    // function is looked up.
    (void)Builtins();
  }

  Result<StatementResult> Execute(const Statement& stmt, ResultSink& sink,
                                  const BoundParams* params);
  Result<StatementResult> Run(const Statement& stmt, ResultSink& sink, const BoundParams* params);
  Status EndStatement(StatementKind kind);
  Status Commit();
  Result<ExecutionResult> RunSavepoint(const TransactionStmt& txn);
  bool AbortCurrent();
  void Warn(const char* code, const char* message) const;
  void StartTransactionIfNone(const Statement& stmt);
  Status SetTransactionIsolation(const Query& query);
  Status SetTransactionReadOnly(const Query& query);
  Result<ExecutionResult> RunUtility(const Query& query, ResultSink& sink);
  Result<std::string> RunCatalogDdl(const CatalogDdl& ddl);
  Result<storage::CatalogSnapshot> CatalogFor(StatementKind kind);
  std::vector<ColumnDesc> Columns(const Query& query) const;

  SessionContext ctx;
  guc::Settings settings;
  bool in_block = false;  // between BEGIN and COMMIT / ROLLBACK
  bool implicit = false;  // in a Query message of several statements, outside a block
  bool failed = false;    // the block's statement failed: until ROLLBACK [TO]
  bool read_only = false;  // the transaction is READ ONLY (transaction_read_only)
};

namespace {

/* How each kind of statement runs, after parse and analyze: the one table
 * a new kind of statement is added to.
 *   planned     plan -> execute (SELECT, INSERT, UPDATE, DELETE)
 *   table DDL   CREATE / DROP TABLE, TRUNCATE (the executor's ExecuteDdl)
 *   utility     the Session's own (SET, SHOW, transaction control, CHECKPOINT)
 *   copy        COPY (copy_command.cpp analyzes, plans and emits its own events)
 *   catalog     roles and databases (role_ddl.h), extensions (extension_ddl.h)
 *   explain     EXPLAIN: the explained statement planned (and with ANALYZE run), its plan printed (explain.h)
 *   maintenance VACUUM, ANALYZE (analyze_stats.h)
 *   create as   CREATE TABLE ... AS, SELECT ... INTO: the SELECT planned, the
 *               table made and the rows stored (ExecuteCreateTableAs)
 * `catalog`: the statement reads the database's tables (a relcache snapshot). */
enum class Path { kPlanned, kTableDdl, kUtility, kCopy, kCatalogDdl, kExtension, kExplain, kMaintenance, kCreateTableAs };
struct StatementRoute {
  StatementKind kind;
  bool catalog;
  Path path;
};
constexpr StatementRoute kRoutes[] = {
    {StatementKind::kSelect, true, Path::kPlanned},       {StatementKind::kInsert, true, Path::kPlanned},
    {StatementKind::kCreateTable, true, Path::kTableDdl}, {StatementKind::kDropTable, true, Path::kTableDdl},
    {StatementKind::kBegin, false, Path::kUtility},       {StatementKind::kCommit, false, Path::kUtility},
    {StatementKind::kRollback, false, Path::kUtility},    {StatementKind::kSet, false, Path::kUtility},
    {StatementKind::kShow, false, Path::kUtility},        {StatementKind::kCheckpoint, false, Path::kUtility},
    {StatementKind::kCopy, true, Path::kCopy},            {StatementKind::kCatalogDdl, false, Path::kCatalogDdl},
    {StatementKind::kExtension, false, Path::kExtension}, {StatementKind::kCreateIndex, true, Path::kTableDdl},
    {StatementKind::kDropIndex, true, Path::kTableDdl},     {StatementKind::kExplain, true, Path::kExplain},
    {StatementKind::kVacuum, true, Path::kMaintenance},   {StatementKind::kAnalyze, true, Path::kMaintenance},
    {StatementKind::kUpdate, true, Path::kPlanned},
    {StatementKind::kDelete, true, Path::kPlanned},       {StatementKind::kTruncate, true, Path::kTableDdl},
    {StatementKind::kAlterTable, true, Path::kTableDdl},
    {StatementKind::kCreateSequence, true, Path::kTableDdl}, {StatementKind::kDropSequence, true, Path::kTableDdl},
    {StatementKind::kCreateView, true, Path::kTableDdl},    {StatementKind::kDropView, true, Path::kTableDdl},
    {StatementKind::kCreateTableAs, true, Path::kCreateTableAs},
    {StatementKind::kSavepoint, false, Path::kUtility},     {StatementKind::kRelease, false, Path::kUtility},
    {StatementKind::kRollbackTo, false, Path::kUtility},
    {StatementKind::kLock, true, Path::kUtility},
    {StatementKind::kOther, false, Path::kUtility},
};

const StatementRoute& RouteOf(StatementKind kind) {
  for (const StatementRoute& r : kRoutes) {
    if (r.kind == kind) return r;
  }
  return kRoutes[std::size(kRoutes) - 1];  // kOther: the analyzer refuses it (0A000)
}

bool NeedsCatalog(StatementKind kind) { return RouteOf(kind).catalog; }

void EmitAnalyze(const Query& query, const std::vector<ColumnDesc>& columns) {
  if (!trace::EventsOn()) return;
  trace::JsonObjects cols;
  for (const ColumnDesc& c : columns) cols.Begin().Str("name", c.name).Str("type", TypeName(c.type));
  trace::Event(EventType::kAnalyze)
      .Str("statement", query.statement)
      .Raw("tables", trace::JsonStringArray(query.tables))
      .Raw("columns", cols.Text())
      .Emit();
}

std::string CommandTag(const Query& query, int64_t rows) {
  switch (query.kind) {
    case StatementKind::kSelect:
      return "SELECT " + std::to_string(rows);
    case StatementKind::kInsert:
      return "INSERT 0 " + std::to_string(rows);
    case StatementKind::kUpdate:
      return "UPDATE " + std::to_string(rows);
    case StatementKind::kDelete:
      return "DELETE " + std::to_string(rows);
    default:
      return query.statement;
  }
}

/* Replaces every $n in the query (its subqueries' too) with its value, a
 * constant. */
Status SubstituteParams(Query& query, const BoundParams& params) {
  Status status = OkStatus();
  for (ExprPtr* root : QueryExpressions(query)) {
    if (*root == nullptr) continue;
    WalkExpr(**root, [&](Expr& e) {
      if (e.kind != ExprKind::kParam || !status.ok()) return;
      auto index = static_cast<size_t>(e.param);
      if (index >= params.values.size()) {
        status = MakeError(sqlstate::kProtocolViolation,
                           fmt::format("bind message supplies {} parameters, but prepared statement requires {}",
                                       params.values.size(), index + 1));
        return;
      }
      Datum value = std::monostate{};
      if (params.values[index]) {
        auto parsed = InputText(*params.values[index], e.type);
        if (!parsed.ok()) {
          status = parsed.error();
          return;
        }
        value = std::move(*parsed);
      }
      e.kind = ExprKind::kConst;
      e.value = std::move(value);
    });
    if (!status.ok()) return status;
  }
  return OkStatus();
}

}  // namespace

Result<ExecutionResult> Session::Impl::RunUtility(const Query& query, ResultSink& sink) {
  ExecutionResult result;
  result.node_rows.assign(1, 0);
  if (query.kind == StatementKind::kSet && query.statement == "RESET" && query.setting == "all") {
    settings.ResetAll();
    return result;
  }
  if (query.kind == StatementKind::kSet && query.setting == "transaction_isolation") {
    if (Status s = SetTransactionIsolation(query); !s.ok()) {
      return s.error();
    }
    return result;
  }
  if (query.kind == StatementKind::kSet && query.setting == "transaction_read_only") {
    if (Status s = SetTransactionReadOnly(query); !s.ok()) {
      return s.error();
    }
    return result;
  }
  if (query.kind == StatementKind::kSet) {
    if (Status s = settings.Set(query.setting, query.setting_value, guc::Source::kSession); !s.ok()) {
      return s.error();
    }
    return result;
  }
  if (query.kind == StatementKind::kCheckpoint) {
    if (!SessionUserIsSuperuser(ctx)) {
      return MakeError(sqlstate::kInsufficientPrivilege,
                       "must be superuser or have privileges of pg_checkpoint to do CHECKPOINT");
    }
    if (Status s = shmem::RequestCheckpointAndWait(); !s.ok()) {
      return s.error();
    }
    return result;
  }
  if (query.kind != StatementKind::kShow) {
    return result;  // BEGIN, COMMIT, ROLLBACK: Execute ends the transaction
  }
  if (query.setting == "all") {
    sink.Describe(
        {{"name", TypeId::kText}, {"setting", TypeId::kText}, {"description", TypeId::kText}});
    for (const guc::Setting& s : settings.All()) {
      if (s.def != nullptr && (s.def->flags & guc::kNoShowAll) != 0) continue;
      sink.Row({s.name, *settings.Show(s.name), s.def != nullptr ? std::string(s.def->short_desc) : std::string()});
      ++result.rows;
    }
  } else {
    auto shown = settings.Show(query.setting);
    if (!shown.ok()) {
      return shown.error();
    }
    sink.Describe({{settings.Find(query.setting)->name, TypeId::kText}});
    sink.Row({*shown});
    result.rows = 1;
  }
  result.node_rows[0] = result.rows;
  return result;
}

Result<std::string> Session::Impl::RunCatalogDdl(const CatalogDdl& ddl) {
  // Their files are copied or removed at once, which no ROLLBACK could
  // undo: PostgreSQL's PreventInTransactionBlock.
  bool database_ddl = ddl.kind == CatalogDdl::Kind::kCreateDatabase || ddl.kind == CatalogDdl::Kind::kDropDatabase;
  if (database_ddl && (in_block || implicit)) {
    return MakeError(sqlstate::kActiveSqlTransaction,
                     fmt::format("{} cannot run inside a transaction block",
                                 ddl.kind == CatalogDdl::Kind::kCreateDatabase ? "CREATE DATABASE" : "DROP DATABASE"));
  }
  return ExecCatalogDdl(ddl, ctx, settings.String("password_encryption"));
}

Result<storage::CatalogSnapshot> Session::Impl::CatalogFor(StatementKind kind) {
  if (!NeedsCatalog(kind)) {
    return storage::CatalogSnapshot{};
  }
  // What other backends changed since the last statement; then the tables
  // from this backend's cache (re-read only where invalidated).
  catalog::RelcacheAcceptInvalidations();
  return catalog::RelcacheTables(catalog::DatabaseOidOf(ctx.data_dir));
}

std::vector<ColumnDesc> Session::Impl::Columns(const Query& query) const {
  if (query.kind != StatementKind::kShow) {
    return query.OutputColumns();
  }
  if (query.setting == "all") {
    return {{"name", TypeId::kText}, {"setting", TypeId::kText}, {"description", TypeId::kText}};
  }
  const guc::Setting* entry = settings.Find(query.setting);
  return {ColumnDesc{entry != nullptr ? entry->name : query.setting, TypeId::kText}};
}

Result<StatementResult> Session::Impl::Execute(const Statement& stmt, ResultSink& sink,
                                               const BoundParams* params) {
  StartTransactionIfNone(stmt);
  auto result = Run(stmt, sink, params);
  storage::EndStatementSnapshot();
  if (!result.ok()) {
    AbortCurrent();
    return result;
  }
  if (Status s = EndStatement(GetStatementKind(stmt)); !s.ok()) {
    return s.error();
  }
  return result;
}

bool Session::Impl::AbortCurrent() {
  if (!in_block) {
    implicit = false;
    (void)storage::AbortTransaction();
    return true;
  }
  if (!failed) {
    failed = true;
    if (storage::IsSubTransaction()) {
      (void)storage::AbortCurrentSubTransaction();
    } else {
      (void)storage::AbortTransaction();
    }
  }
  return !storage::IsSubTransaction();
}

void Session::Impl::Warn(const char* code, const char* message) const {
  if (ctx.notice) ctx.notice(MakeError(code, message, Severity::kWarning));
}

Result<ExecutionResult> Session::Impl::RunSavepoint(const TransactionStmt& txn) {
  if (!in_block) {
    const char* what = txn.kind == StatementKind::kSavepoint ? "SAVEPOINT"
                       : txn.kind == StatementKind::kRelease ? "RELEASE SAVEPOINT"
                                                             : "ROLLBACK TO SAVEPOINT";
    return MakeError(sqlstate::kNoActiveSqlTransaction, fmt::format("{} can only be used in transaction blocks", what));
  }
  Status s = OkStatus();
  if (txn.kind == StatementKind::kSavepoint) {
    storage::DefineSavepoint(txn.savepoint);
  } else if (txn.kind == StatementKind::kRelease) {
    s = storage::ReleaseSavepoint(txn.savepoint);
  } else {
    s = storage::RollbackToSavepoint(txn.savepoint);
    if (s.ok()) failed = false;
  }
  if (!s.ok()) return s.error();
  ExecutionResult result;
  result.node_rows.assign(1, 0);
  return result;
}

void Session::Impl::StartTransactionIfNone(const Statement& stmt) {
  if (in_block) return;
  // A new transaction: default_transaction_isolation, or BEGIN's own level.
  auto level = storage::IsolationLevelFromName(settings.String("default_transaction_isolation"));
  const auto* begin = std::get_if<TransactionStmt>(&stmt.node);
  if (begin != nullptr && begin->kind == StatementKind::kBegin && begin->isolation.has_value()) {
    level = storage::IsolationLevelFromName(*begin->isolation);
  }
  storage::SetXactIsolation(level.value_or(storage::IsolationLevel::kReadCommitted));
  settings.Override("transaction_isolation", storage::IsolationLevelName(storage::XactIsolation()));
  read_only = settings.Bool("default_transaction_read_only");
  if (begin != nullptr && begin->kind == StatementKind::kBegin && begin->read_only.has_value()) {
    read_only = *begin->read_only;
  }
  settings.Override("transaction_read_only", read_only ? "on" : "off");
}

Status Session::Impl::SetTransactionReadOnly(const Query& query) {
  bool was = read_only;
  if (Status s = settings.Set(query.setting, query.setting_value, guc::Source::kSession); !s.ok()) {
    return s;
  }
  bool now = settings.Bool("transaction_read_only");
  if (was && !now && storage::FirstSnapshotTaken()) {
    settings.Override("transaction_read_only", "on");
    return MakeError(sqlstate::kActiveSqlTransaction, "transaction read-write mode must be set before any query");
  }
  read_only = now;
  settings.Override("transaction_read_only", read_only ? "on" : "off");
  return OkStatus();
}

Status Session::Impl::SetTransactionIsolation(const Query& query) {
  std::string current = storage::IsolationLevelName(storage::XactIsolation());
  if (Status s = settings.Set(query.setting, query.setting_value, guc::Source::kSession); !s.ok()) {
    return s;
  }
  auto level = storage::IsolationLevelFromName(settings.String("transaction_isolation"));
  if (storage::FirstSnapshotTaken()) {
    settings.Override("transaction_isolation", current);
    return MakeError(sqlstate::kActiveSqlTransaction, "SET TRANSACTION ISOLATION LEVEL must be called before any query");
  }
  if (!in_block && ctx.notice) {
    ctx.notice(MakeError(sqlstate::kNoActiveSqlTransaction, "SET TRANSACTION can only be used in transaction blocks",
                         Severity::kWarning));
  }
  storage::SetXactIsolation(level.value_or(storage::IsolationLevel::kReadCommitted));
  settings.Override("transaction_isolation", storage::IsolationLevelName(storage::XactIsolation()));
  return OkStatus();
}

Status Session::Impl::EndStatement(StatementKind kind) {
  if (kind == StatementKind::kBegin) {
    if (in_block) Warn(sqlstate::kActiveSqlTransaction, "there is already a transaction in progress");
    in_block = true;
    implicit = false;
    return OkStatus();
  }
  bool ends = kind == StatementKind::kCommit || kind == StatementKind::kRollback;
  if ((in_block || implicit) && !ends) {
    storage::CommandCounterIncrement();
    return OkStatus();
  }
  if (ends && !in_block) Warn(sqlstate::kNoActiveSqlTransaction, "there is no transaction in progress");
  bool commit = kind != StatementKind::kRollback && !failed;  // COMMIT of a failed block rolls back
  in_block = implicit = failed = false;
  if (!commit) {
    return storage::AbortTransaction();
  }
  return Commit();
}

Status Session::Impl::Commit() {
  if (Status s = StepCommit(false, 0); !s.ok()) {
    return s;  // interrupted before the commit began: the transaction aborts
  }
  auto end = storage::CommitTransaction(settings.String("synchronous_commit") != "off");
  if (!end.ok()) {
    return end.error();  // a failed WAL flush has severity PANIC
  }
  return StepCommit(true, *end);
}

Result<StatementResult> Session::Impl::Run(const Statement& stmt, ResultSink& sink,
                                           const BoundParams* params) {
  // A Query of many statements notices a cancel between them, even if
  // none of them reads a row.
  if (Status s = CheckForInterrupts(); !s.ok()) {
    return s.error();
  }
  StatementKind kind = GetStatementKind(stmt);
  const StatementRoute& route = RouteOf(kind);
  auto catalog = CatalogFor(kind);
  if (!catalog.ok()) {
    return catalog.error();
  }
  SetStepDelay(ctx);
  if (Status s = StepStage("analyze", StatementKindName(kind)); !s.ok()) {
    return s.error();
  }
  if (route.path == Path::kCopy) {
    storage::StartStatementSnapshot();
    return ExecuteCopy(std::get<CopyStmt>(stmt.node), ctx, *catalog, sink);  // copy_command.cpp
  }

  if (kind == StatementKind::kLock && !in_block) {
    return MakeError(sqlstate::kNoActiveSqlTransaction, "LOCK TABLE can only be used in transaction blocks");
  }
  lmgr::SetLockWaitSettings({static_cast<int>(settings.Int("deadlock_timeout")),
                             static_cast<int>(settings.Int("lock_timeout")), settings.Bool("log_lock_waits")});

  // Stage 2: analyze (and put the parameters' values in place), then lock
  // the tables it names (statement_locks.h); after a wait for a lock,
  // analyze again against the catalog as the lock's holder left it.
  Result<Query> query = MakeError(sqlstate::kInternalError, "not analyzed");
  for (;;) {
    ForgetRelationsLookedUp();
    if (params == nullptr) {
      query = Analyze(stmt, *catalog, &ctx);
    } else {
      std::vector<TypeId> types = params->types;
      query = AnalyzeWithParams(stmt, *catalog, types, &ctx);
      if (query.ok()) {
        if (Status s = SubstituteParams(*query, *params); !s.ok()) {
          return s.error();
        }
      }
    }
    // A statement that failed analysis still waits for the tables it found
    // before it says why: their holder may be changing what failed
    // (PostgreSQL locks each table while it looks it up). Not when it was
    // an interrupt (a cancel, statement_timeout, a terminate) that ended
    // the analysis: that is said at once, its pending flag already taken.
    if (!query.ok() && (query.error().sqlstate == sqlstate::kQueryCanceled ||
                        query.error().severity == Severity::kFatal ||
                        query.error().severity == Severity::kPanic)) {
      return query.error();
    }
    bool waited = false;
    Status locked = query.ok() ? LockStatementRelations(*query, *catalog, &waited) : LockRelationsLookedUp(&waited);
    if (!locked.ok()) {
      return locked.error();
    }
    if (!waited) {
      break;
    }
    catalog = CatalogFor(kind);
    if (!catalog.ok()) {
      return catalog.error();
    }
  }
  if (!query.ok()) {
    return query.error();
  }
  std::vector<ColumnDesc> columns = query->OutputColumns();
  if (kind == StatementKind::kExplain) {
    columns = {{"QUERY PLAN", TypeId::kText}};
  }
  if (kind == StatementKind::kShow) {
    const guc::Setting* entry = settings.Find(query->setting);
    columns = {ColumnDesc{entry != nullptr ? entry->name : query->setting, TypeId::kText}};
  }
  EmitAnalyze(*query, columns);
  bool planned = route.path == Path::kPlanned || route.path == Path::kExplain || route.path == Path::kCreateTableAs;
  if (Status s = planned ? StepRewriteAndPlan(*query) : OkStatus(); !s.ok()) {
    return s.error();
  }

  // Stage 3: plan.
  auto plan_start = std::chrono::steady_clock::now();
  auto plan = PlanQuery(*query, &ctx);
  if (!plan.ok()) {
    return plan.error();
  }
  double planning_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - plan_start).count();
  EmitPlanEvent(*plan);

  // The statement's snapshot, taken after analysis and planning (which
  // take the table locks), as PostgreSQL's PortalStart: a statement that
  // waited for a lock sees what the holder committed.
  // VACUUM takes none: it must not hold back the horizon it computes.
  if (route.path != Path::kUtility && kind != StatementKind::kVacuum) {
    storage::StartStatementSnapshot();
  }
  // READ ONLY: no table is changed (PostgreSQL's ExecCheckXactReadOnly and
  // PreventCommandIfReadOnly).
  bool writes = route.path == Path::kTableDdl || route.path == Path::kCreateTableAs ||
                (route.path == Path::kPlanned && kind != StatementKind::kSelect);
  if (read_only && writes) {
    return MakeError(sqlstate::kReadOnlySqlTransaction,
                     fmt::format("cannot execute {} in a read-only transaction", StatementKindName(kind)));
  }

  // Stage 4: execute.
  std::string tag;
  Result<ExecutionResult> result = ExecutionResult{};
  switch (route.path) {
    case Path::kPlanned:
      result = ExecutePlan(*plan, ctx, sink);
      break;
    case Path::kExplain:
      if (query->kind != StatementKind::kSelect && query->kind != StatementKind::kInsert &&
          query->kind != StatementKind::kUpdate && query->kind != StatementKind::kDelete) {
        return MakeError(sqlstate::kFeatureNotSupported, "EXPLAIN of this statement is not supported by minipg");
      }
      if (query->create_as != 0 && std::get<ExplainStmt>(stmt.node).analyze) {
        return MakeError(sqlstate::kFeatureNotSupported, "EXPLAIN ANALYZE of CREATE TABLE AS is not supported by minipg");
      }
      result = RunExplain(std::get<ExplainStmt>(stmt.node), *plan, planning_ms, ctx, sink);
      tag = "EXPLAIN";
      break;
    case Path::kMaintenance:
      if (kind == StatementKind::kVacuum && (in_block || implicit)) {
        return MakeError(sqlstate::kActiveSqlTransaction, "VACUUM cannot run inside a transaction block");
      }
      result = RunVacuumAnalyze(*query, *catalog, ctx);
      tag = kind == StatementKind::kVacuum ? "VACUUM" : "ANALYZE";
      break;
    case Path::kTableDdl:
      result = ExecuteDdl(*query, ctx);
      break;
    case Path::kCreateTableAs: {
      bool created = false;
      result = ExecuteCreateTableAs(*plan, *query, ctx, &created);
      // SELECT n for the rows stored; CREATE TABLE AS for none (WITH NO DATA, IF NOT EXISTS skipped).
      if (result.ok()) tag = created && query->create_as != 'n' ? "SELECT " + std::to_string(result->rows) : "CREATE TABLE AS";
      break;
    }
    case Path::kUtility:
    case Path::kCopy:
      if (kind == StatementKind::kSavepoint || kind == StatementKind::kRelease || kind == StatementKind::kRollbackTo) {
        result = RunSavepoint(std::get<TransactionStmt>(stmt.node));
        break;
      }
      result = RunUtility(*query, sink);
      break;
    case Path::kCatalogDdl:
    case Path::kExtension: {
      auto done = route.path == Path::kCatalogDdl ? RunCatalogDdl(std::get<CatalogDdlStmt>(stmt.node).ddl)
                                                  : RunExtensionDdl(std::get<ExtensionStmt>(stmt.node).ddl, ctx);
      if (!done.ok()) {
        return done.error();
      }
      tag = std::move(*done);
      result->node_rows.assign(1, 0);
      break;
    }
  }
  if (!result.ok()) {
    return result.error();
  }
  EmitExecuteEvent(result->rows, result->node_rows);

  StatementResult out;
  out.rows = result->rows;
  out.command_tag = tag.empty() ? CommandTag(*query, result->rows) : tag;
  return out;
}

Session::Session(SessionContext ctx) : impl_(std::make_unique<Impl>(std::move(ctx))) {
  impl_->ctx.settings = &impl_->settings;
  // The role's attribute at connection time, as PostgreSQL reports it.
  impl_->settings.Override("is_superuser", SessionUserIsSuperuser(impl_->ctx) ? "on" : "off");
  impl_->settings.Override("session_authorization", impl_->ctx.user);
}
Session::~Session() = default;

Result<std::vector<StatementPtr>> Session::Parse(std::string_view text) {
  SetStepDelay(impl_->ctx);
  step::StartOfQuery();
  if (Status s = StepStage("parse", text); !s.ok()) {
    return s.error();
  }
  auto stmts = ParseSql(text);
  if (!stmts.ok()) {
    return stmts.error();
  }
  TreeText tree;  // bounded, however many statements the text holds
  for (size_t i = 0; i < stmts->size() && !tree.Full(); ++i) {
    tree.Add(i == 0 ? "" : "\n");
    tree.Add(StatementToString(*(*stmts)[i]));
  }
  trace::Event(EventType::kParse)
      .Int("statements", static_cast<int64_t>(stmts->size()))
      .QueryText("tree", tree.Take())
      .Emit();
  return stmts;
}

Result<StatementResult> Session::Execute(const Statement& stmt, ResultSink& sink) {
  return impl_->Execute(stmt, sink, nullptr);
}

Result<StatementResult> Session::Execute(const Statement& stmt, ResultSink& sink,
                                         const BoundParams& params) {
  return impl_->Execute(stmt, sink, &params);
}

Result<PreparedDescription> Session::Prepare(const Statement& stmt,
                                             std::vector<TypeId> param_types) {
  StatementKind kind = GetStatementKind(stmt);
  // COPY and the database/role commands take no parameters and return no
  // rows; they are checked when they run.
  Path path = RouteOf(kind).path;
  if (path == Path::kCopy || path == Path::kCatalogDdl || path == Path::kExtension) {
    PreparedDescription out;
    out.param_types = std::move(param_types);
    return out;
  }
  auto catalog = impl_->CatalogFor(kind);
  if (!catalog.ok()) {
    return catalog.error();
  }
  auto query = AnalyzeWithParams(stmt, *catalog, param_types, &impl_->ctx);
  if (!query.ok()) {
    return query.error();
  }
  PreparedDescription out;
  out.param_types = std::move(param_types);
  out.returns_rows = kind == StatementKind::kSelect || kind == StatementKind::kShow ||
                     kind == StatementKind::kExplain || query->returning > 0;
  if (kind == StatementKind::kExplain) {
    out.columns = {{"QUERY PLAN", TypeId::kText}};
  } else if (out.returns_rows) {
    out.columns = impl_->Columns(*query);
  }
  return out;
}

std::optional<std::string> Session::GetSetting(std::string_view name) const {
  auto shown = impl_->settings.Show(name);
  if (!shown.ok()) {
    return std::nullopt;
  }
  return *shown;
}

Status Session::SetSetting(std::string_view name, std::string_view value) {
  return impl_->settings.Set(name, std::string(value), guc::Source::kClient);
}

TransactionBlockState Session::BlockState() const {
  if (!impl_->in_block) return TransactionBlockState::kIdle;
  return impl_->failed ? TransactionBlockState::kFailed : TransactionBlockState::kInBlock;
}

bool Session::AbortCurrentTransaction() { return impl_->AbortCurrent(); }

void Session::BeginImplicitTransactionBlock() {
  if (!impl_->in_block) impl_->implicit = true;
}

Status Session::EndImplicitTransactionBlock() {
  if (!impl_->implicit) return OkStatus();
  impl_->implicit = false;
  return impl_->Commit();
}

guc::Settings& Session::settings() {
  return impl_->settings;
}

void NoticeSkipping(const SessionContext& ctx, std::string_view what, const std::vector<std::string>& names) {
  if (!ctx.notice) return;
  for (const std::string& name : names) {
    ctx.notice(MakeError(sqlstate::kSuccessfulCompletion, fmt::format("{} \"{}\" does not exist, skipping", what, name),
                         Severity::kNotice));
  }
}

}  // namespace minipg::sql
