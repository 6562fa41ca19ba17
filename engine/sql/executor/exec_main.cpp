/*-------------------------------------------------------------------------
 * exec_main.cpp
 *   The executor's entry points (executor.h): ExecInitNode's one switch
 *   over plan node kinds, the PlanState wrapper that counts rows, loops
 *   and time, the loop that pulls the root and sends rows to the client,
 *   and CREATE / DROP TABLE.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/relcache.h"
#include "engine/catalog/table_ddl.h"
#include "engine/common/guc.h"
#include "engine/common/interrupts.h"
#include "engine/common/limits.h"
#include "engine/common/sqlstate.h"
#include "engine/common/stack_depth.h"
#include "engine/shmem/step.h"
#include "engine/sql/executor.h"
#include "engine/sql/executor/exec_alter.h"
#include "engine/sql/executor/exec_epq.h"
#include "engine/sql/executor/exec_indexing.h"
#include "engine/sql/executor/exec_modify.h"
#include "engine/sql/executor/exec_nodes.h"
#include "engine/sql/executor/ri_triggers.h"
#include "engine/sql/executor/exec_seqview.h"
#include "engine/sql/role_ddl.h"
#include "engine/sql/types.h"
#include "engine/storage/buffer/buffer_pool.h"

namespace minipg::sql {

using storage::Tuple;

std::vector<PlanState*> PlanState::Children() const {
  std::vector<PlanState*> out;
  for (PlanState* child : {left.get(), right.get()}) {
    if (child != nullptr) out.push_back(child);
  }
  for (const auto& child : children) out.push_back(child.get());
  return out;
}

Status PlanState::Init() {
  for (PlanState* child : Children()) {
    if (Status s = child->Init(); !s.ok()) return s;
  }
  return OkStatus();
}

Status PlanState::ReScan() {
  started_ = false;
  for (PlanState* child : Children()) {
    if (Status s = child->ReScan(); !s.ok()) return s;
  }
  return OkStatus();
}

void PlanState::End() {
  for (PlanState* child : Children()) child->End();
}

RowResult PlanState::Next() {
  if (Status s = CheckForInterrupts(); !s.ok()) return s.error();
  if (Status s = CheckStackDepth(); !s.ok()) return s.error();
  bool new_loop = !started_;
  if (!started_) {
    started_ = true;
    awaiting_first_ = true;
    loop_seconds_ = 0;
    ++instr_.loops;
  }
  if (estate_.live_plan) step::LiveNodeEnter(plan_.id, new_loop);
  const storage::BufferUsage& usage = storage::MyBufferUsage();
  uint64_t hit = usage.blks_hit;
  uint64_t read = usage.blks_read;
  auto begin = std::chrono::steady_clock::now();
  auto row = ExecNext();
  double spent = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  instr_.total_seconds += spent;
  loop_seconds_ += spent;
  bool first = awaiting_first_;
  if (awaiting_first_) {
    awaiting_first_ = false;
    instr_.startup_seconds += loop_seconds_;
  }
  instr_.shared_hit += usage.blks_hit - hit;
  instr_.shared_read += usage.blks_read - read;
  bool has_row = row.ok() && row->has_value();
  if (has_row) ++instr_.rows;
  // A Hash node hands no row up (PostgreSQL's Hash Join has it build its
  // table in one call): it counts what it stored and stays running.
  bool hands_up = plan_.kind != PlanKind::kHash;
  if (estate_.live_plan) {
    step::LiveNodeLeave(plan_.id, has_row, row.ok() && !has_row, static_cast<int64_t>(spent * 1e6),
                        first ? static_cast<int64_t>(loop_seconds_ * 1e6) : 0, hands_up);
  }
  if (row.ok() && step::Active() && (hands_up || !has_row)) {
    if (Status s = StepAfter(*row, first); !s.ok()) return s.error();
  }
  return row;
}

Status PlanState::StepAfter(const std::optional<Tuple>& row, bool first) {
  step::PointKind kind = !row ? step::PointKind::kNodeEnd : first ? step::PointKind::kFirstRow : step::PointKind::kRow;
  if (!step::Wants(kind)) return OkStatus();
  step::StepPoint point{kind, step::PointKindName(kind), plan_.id, plan_.Title(), instr_.rows, ""};
  if (row) {
    std::vector<TypeId> types;
    for (size_t i = 0; i < row->size(); ++i) {
      types.push_back(i < plan_.targetlist.size() ? plan_.targetlist[i]->type : TypeId::kUnknown);
    }
    point.detail = RecordLiteral(*row, types);
  } else if (plan_.kind == PlanKind::kHash) {
    point.detail = fmt::format("hash table built: {} rows", instr_.rows);
  }
  return step::Pause(point);
}

void PlanState::CollectRows(std::vector<int64_t>& out) const {
  out[static_cast<size_t>(plan_.id)] = instr_.rows;
  for (const PlanState* child : Children()) child->CollectRows(out);
}

void PlanState::CollectInstrumentation(std::vector<NodeInstrumentation>& out) const {
  out[static_cast<size_t>(plan_.id)] = instr_;
  for (const PlanState* child : Children()) child->CollectInstrumentation(out);
}

RowResult PlanState::ScanResult(Tuple row) {
  ExprContext c = Context(&row);
  auto pass = EvaluateQual(plan_.qual.get(), c);
  if (!pass.ok()) return pass.error();
  if (!*pass) {
    ++instr_.filtered;
    return std::optional<Tuple>();
  }
  if (identity_ < 0) {
    // The target list is the scan row as is: no copy of each value.
    bool same = plan_.targetlist.size() == row.size();
    for (size_t i = 0; i < plan_.targetlist.size() && same; ++i) {
      const Expr& e = *plan_.targetlist[i];
      same = e.kind == ExprKind::kVar && e.source == VarSource::kScan && e.attno == static_cast<int>(i);
    }
    identity_ = same ? 1 : 0;
  }
  if (identity_ == 1) return std::optional<Tuple>(std::move(row));
  auto out = Project(plan_.targetlist, c);
  if (!out.ok()) return out.error();
  return std::optional<Tuple>(std::move(*out));
}

Status JoinState::Init() {
  if (Status s = PlanState::Init(); !s.ok()) return s;
  inner_nulls_ = Tuple(plan_.righttree->targetlist.size());
  outer_nulls_ = Tuple(plan_.lefttree->targetlist.size());
  return OkStatus();
}

RowResult JoinState::JoinResult(const Tuple& outer, const Tuple& inner) {
  ExprContext c = Context();
  c.outer = &outer;
  c.inner = &inner;
  auto pass = EvaluateQual(plan_.qual.get(), c);
  if (!pass.ok()) return pass.error();
  if (!*pass) {
    ++instr_.filtered;
    return std::optional<Tuple>();
  }
  auto row = Project(plan_.targetlist, c);
  if (!row.ok()) return row.error();
  return std::optional<Tuple>(std::move(*row));
}

std::optional<RowResult> JoinState::EndOuterRow(std::optional<Tuple>& outer, bool emit_nulls) {
  Tuple row = std::move(*outer);
  outer.reset();
  if (!emit_nulls) return std::nullopt;
  RowResult out = JoinResult(row, inner_nulls_);
  if (!out.ok() || out->has_value()) return out;
  return std::nullopt;
}

size_t TupleBytes(const Tuple& row) {
  size_t bytes = 48;
  for (const storage::Datum& d : row) {
    const std::string* s = std::get_if<std::string>(&d);
    bytes += sizeof(storage::Datum) + (s != nullptr ? s->size() : 0);
  }
  return bytes;
}

size_t WorkMemBytes(const EState& estate) {
  const guc::Settings* settings = estate.session.settings;
  int64_t kb = settings != nullptr ? settings->Int("work_mem") : 4096;
  return static_cast<size_t>(kb) * 1024;
}

Error WorkMemExceeded(const char* what, size_t limit) {
  Error e = MakeError(sqlstate::kOutOfMemory, fmt::format("{} needs more than work_mem ({} kB)", what, limit / 1024));
  e.hint = "minipg does not spill to temporary files: raise work_mem";
  return e;
}

Result<std::unique_ptr<PlanState>> ExecInitNode(const Plan& plan, EState& estate) {
  if (Status s = CheckStackDepth(); !s.ok()) {
    return s.error();
  }
  if (estate.epq != nullptr) {
    if (auto stand_in = MakeEpqRowState(plan, estate)) return stand_in;
  }
  std::unique_ptr<PlanState> state;
  switch (plan.kind) {
    case PlanKind::kResult: state = MakeResultState(plan, estate); break;
    case PlanKind::kSeqScan: state = MakeSeqScanState(plan, estate); break;
    case PlanKind::kFunctionScan: state = MakeFunctionScanState(plan, estate); break;
    case PlanKind::kValuesScan: state = MakeValuesScanState(plan, estate); break;
    case PlanKind::kSubqueryScan: state = MakeSubqueryScanState(plan, estate); break;
    case PlanKind::kNestLoop: state = MakeNestLoopState(plan, estate); break;
    case PlanKind::kSort: state = MakeSortState(plan, estate); break;
    case PlanKind::kLimit: state = MakeLimitState(plan, estate); break;
    case PlanKind::kAgg: state = MakeAggState(plan, estate); break;
    case PlanKind::kModifyTable: state = MakeModifyTableState(plan, estate); break;
    case PlanKind::kHash: state = MakeHashState(plan, estate); break;
    case PlanKind::kHashJoin: state = MakeHashJoinState(plan, estate); break;
    case PlanKind::kMaterialize: state = MakeMaterialState(plan, estate); break;
    case PlanKind::kMergeJoin: state = MakeMergeJoinState(plan, estate); break;
    case PlanKind::kUtility:
    case PlanKind::kCopy:
      return MakeError(sqlstate::kInternalError, "plan node is not executable");
    case PlanKind::kAppend: state = MakeAppendState(plan, estate); break;
    case PlanKind::kSetOp: state = MakeSetOpState(plan, estate); break;
    case PlanKind::kUnique: state = MakeUniqueState(plan, estate); break;
    case PlanKind::kIndexScan: state = MakeIndexScanState(plan, estate); break;
    case PlanKind::kBitmapIndexScan: state = MakeBitmapIndexScanState(plan, estate); break;
    case PlanKind::kBitmapHeapScan: state = MakeBitmapHeapScanState(plan, estate); break;
    case PlanKind::kIndexOnlyScan: state = MakeIndexScanState(plan, estate); break;
    case PlanKind::kWindowAgg: state = MakeWindowAggState(plan, estate); break;
    case PlanKind::kCteScan: state = MakeCteScanState(plan, estate); break;
    case PlanKind::kWorkTableScan: state = MakeWorkTableScanState(plan, estate); break;
    case PlanKind::kRecursiveUnion: state = MakeRecursiveUnionState(plan, estate); break;
    case PlanKind::kLockRows: state = MakeLockRowsState(plan, estate); break;
  }
  for (const auto& child : plan.appendplans) {
    auto c = ExecInitNode(*child, estate);
    if (!c.ok()) return c;
    state->children.push_back(std::move(*c));
  }
  for (auto [child, slot] : {std::pair{plan.lefttree.get(), &state->left}, std::pair{plan.righttree.get(), &state->right}}) {
    if (child == nullptr) continue;
    auto c = ExecInitNode(*child, estate);
    if (!c.ok()) return c;
    *slot = std::move(*c);
  }
  return state;
}

namespace {

/* A row as the client gets it: each value's text, moved out of the row
 * rather than copied (a long string is not held twice). The DataRow it
 * makes is bounded as PostgreSQL's message buffer is (limits.h). */
Result<std::vector<std::optional<std::string>>> ToText(Tuple row, const std::vector<ColumnDesc>& cols) {
  std::vector<std::optional<std::string>> out;
  out.reserve(row.size());
  size_t bytes = 2;  // the DataRow's column count
  for (size_t i = 0; i < row.size(); ++i) {
    if (cols[i].type == TypeId::kVoid) {
      out.emplace_back(std::string());  // void prints as an empty string, not NULL
    } else if (storage::IsNull(row[i])) {
      out.emplace_back(std::nullopt);
    } else if (std::string* s = std::get_if<std::string>(&row[i])) {
      out.emplace_back(std::move(*s));  // what OutputText gives for a string
    } else {
      out.emplace_back(OutputText(row[i], cols[i].type));
    }
    size_t more = 4 + (out.back() ? out.back()->size() : 0);
    if (bytes + more > kMaxFieldBytes) return StringBufferFull(bytes, more);
    bytes += more;
  }
  return out;
}

/* The statement's plan in minipg_query_state while it runs (the
 * outermost ExecutePlan of the backend only: a nested one keeps out). */
int g_live_depth = 0;
struct LivePlanScope {
  LivePlanScope(const PlannedStmt& plan, EState& estate) {
    if (g_live_depth++ > 0) return;
    std::vector<step::LiveNodeDef> nodes;
    for (const Plan* n : plan.nodes) nodes.push_back({n->id, n->parent, n->Title()});
    step::BeginLivePlan(nodes);
    estate.live_plan = true;
  }
  ~LivePlanScope() {
    if (--g_live_depth == 0) step::EndLivePlan();
  }
};

/* The "executor start" step point: the plan, about to run. */
Status StepExecutorStart(const PlannedStmt& plan) {
  if (!step::Wants(step::PointKind::kStage)) return OkStatus();
  std::string root = plan.root ? plan.root->Title() : "";
  return step::Pause({step::PointKind::kStage, "executor start", plan.root ? plan.root->id : -1, root, 0,
                      fmt::format("{} plan nodes", plan.nodes.size())});
}

Result<ExecutionResult> RunDdl(const Query& q, const SessionContext& ctx) {
  ExecutionResult result;
  result.node_rows.assign(1, 0);
  if (q.kind == StatementKind::kCreateTable) {
    auto created = catalog::CreateTableWithCatalog(ctx.data_dir, q.create_name, q.create_columns, SessionUserOid(ctx),
                                                   q.create_reloptions);
    if (!created.ok()) {
      return created.error();
    }
    if (!*created && !q.if_not_exists) {
      // Another backend created it after our catalog snapshot.
      return MakeError(sqlstate::kDuplicateTable, fmt::format("relation \"{}\" already exists", q.create_name));
    }
    if (!*created && ctx.notice) {
      ctx.notice(MakeError(sqlstate::kDuplicateTable,
                           fmt::format("relation \"{}\" already exists, skipping", q.create_name), Severity::kNotice));
    }
    if (*created) {
      auto tables = catalog::RelcacheTables(catalog::DatabaseOidOf(ctx.data_dir));
      if (!tables.ok()) return tables.error();
      if (const storage::TableDef* t = tables->Find(q.create_name)) NoteTableNewInTransaction(t->oid);
      if (Status s = AddTableConstraints(q, ctx); !s.ok()) return s.error();
      if (Status s = CreateQuerySequences(q, ctx); !s.ok()) return s.error();
    }
    return result;
  }
  if (q.kind == StatementKind::kCreateSequence || q.kind == StatementKind::kDropSequence ||
      q.kind == StatementKind::kCreateView || q.kind == StatementKind::kDropView) {
    return ExecSeqViewDdl(q, ctx);
  }
  if (q.kind == StatementKind::kCreateIndex || q.kind == StatementKind::kDropIndex) return ExecIndexDdl(q, ctx);
  if (q.kind == StatementKind::kAlterTable) return ExecAlterTable(q, ctx);
  if (q.kind == StatementKind::kTruncate) {
    if (Status s = RiCheckTruncate(q, ctx); !s.ok()) return s.error();
    for (const RangeTblEntry& rte : q.rtable) {
      if (Status s = ExecTruncate(ctx, *rte.table); !s.ok()) return s.error();
    }
    return result;
  }
  NoticeSkipping(ctx, "table", q.drop_missing);
  if (Status s = RiDropReferencingKeys(q, ctx); !s.ok()) return s.error();
  for (const std::string& name : q.drop_names) {
    if (Status s = CheckForInterrupts(); !s.ok()) {
      return s.error();
    }
    auto dropped = catalog::DropTableWithCatalog(ctx.data_dir, name);
    if (!dropped.ok()) {
      return dropped.error();
    }
    if (!*dropped) {  // another backend dropped it after our catalog snapshot
      if (!q.if_exists) return MakeError(sqlstate::kUndefinedTable, fmt::format("table \"{}\" does not exist", name));
      NoticeSkipping(ctx, "table", {name});
    }
  }
  return result;
}

}  // namespace

Result<ExecutionResult> ExecuteDdl(const Query& query, const SessionContext& ctx) { return RunDdl(query, ctx); }

Result<ExecutionResult> ExecuteCreateTableAs(const PlannedStmt& plan, const Query& q, const SessionContext& ctx,
                                             bool* created) {
  *created = false;
  storage::Oid db = catalog::DatabaseOidOf(ctx.data_dir);
  auto before = catalog::RelcacheTables(db);
  if (!before.ok()) return before.error();
  bool existed = before->Find(q.create_name) != nullptr;
  Query create;
  create.kind = StatementKind::kCreateTable;
  create.create_name = q.create_name;
  create.create_columns = q.create_columns;
  create.if_not_exists = q.if_not_exists;
  auto made = RunDdl(create, ctx);
  if (!made.ok() || existed) return made;
  *created = true;
  if (q.create_as == 'n') return made;
  auto tables = catalog::RelcacheTables(db);
  if (!tables.ok()) return tables.error();
  const storage::TableDef* table = tables->Find(q.create_name);
  if (table == nullptr) return MakeError(sqlstate::kUndefinedTable, fmt::format("relation \"{}\" does not exist", q.create_name));
  EState estate{ctx};
  auto root = ExecInitNode(*plan.root, estate);
  if (!root.ok()) return root.error();
  ModifyContext modify(ctx, *table);
  ExecutionResult result;
  Status status = (*root)->Init();
  while (status.ok()) {
    auto row = (*root)->Next();
    if (!row.ok()) {
      status = row.error();
      break;
    }
    if (!row->has_value()) break;
    (*row)->resize(plan.columns.size());  // ORDER BY's junk columns are not stored
    status = ExecInsertRow(modify, **row, nullptr);
    if (status.ok()) ++result.rows;
  }
  (*root)->End();
  Status finished = ExecModifyFinish(modify);
  if (!status.ok()) return status.error();
  if (!finished.ok()) return finished.error();
  result.node_rows.assign(plan.nodes.size(), 0);
  (*root)->CollectRows(result.node_rows);
  return result;
}

Result<ExecutionResult> ExecutePlan(const PlannedStmt& plan, const SessionContext& ctx, ResultSink& sink) {
  EState estate{ctx};
  LivePlanScope live(plan, estate);
  if (Status s = StepExecutorStart(plan); !s.ok()) return s.error();
  auto root = ExecInitNode(*plan.root, estate);
  if (!root.ok()) {
    return root.error();
  }
  ExecutionResult result;
  struct EndCtes {  // the WITH queries' plans end with the statement, whichever way it ends
    EState& estate;
    ~EndCtes() { FinishCteStores(estate, nullptr, nullptr); }
  } end_ctes{estate};
  if (Status s = (*root)->Init(); !s.ok()) {
    (*root)->End();
    return s.error();
  }
  const std::vector<ColumnDesc>& cols = plan.columns;
  bool modify = plan.command == StatementKind::kInsert || plan.command == StatementKind::kUpdate ||
                plan.command == StatementKind::kDelete;
  if (plan.command == StatementKind::kSelect || (modify && !cols.empty())) {  // DML: RETURNING's columns
    sink.Describe(cols);
  }
  for (;;) {
    auto row = (*root)->Next();
    if (!row.ok()) {
      (*root)->End();
      return row.error();
    }
    if (!row->has_value()) {
      break;
    }
    (*row)->resize(cols.size());  // ORDER BY's junk columns are not sent
    auto text = ToText(std::move(**row), cols);
    if (!text.ok()) {
      (*root)->End();
      return text.error();
    }
    sink.Row(*text);
    ++result.rows;
  }
  (*root)->End();
  result.node_rows.assign(plan.nodes.size(), 0);
  (*root)->CollectRows(result.node_rows);
  result.nodes.assign(plan.nodes.size(), NodeInstrumentation{});
  (*root)->CollectInstrumentation(result.nodes);
  FinishCteStores(estate, &result.nodes, &result.node_rows);
  if (modify) {
    result.rows = ModifiedRows(**root);
  }
  return result;
}

}  // namespace minipg::sql
