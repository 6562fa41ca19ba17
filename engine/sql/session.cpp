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
 *   BEGIN/COMMIT/ROLLBACK only return their tags: every statement commits
 *   on its own (see docs/sql.md).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/session.h"

#include <nlohmann/json.hpp>

#include "engine/common/sqlstate.h"
#include "engine/sql/analyzer.h"
#include "engine/sql/ast.h"
#include "engine/sql/copy_command.h"
#include "engine/sql/executor.h"
#include "engine/sql/parser.h"
#include "engine/sql/planner.h"
#include "engine/shmem/checkpoint_request.h"
#include "engine/sql/role_ddl.h"
#include "engine/sql/settings.h"
#include "engine/storage/catalog.h"
#include "engine/trace/emitter.h"

namespace minipg::sql {

using trace::EventType;

struct Session::Impl {
  explicit Impl(SessionContext c) : ctx(std::move(c)), settings(ctx.server_version) {}

  Result<StatementResult> Execute(const Statement& stmt, ResultSink& sink);
  Result<ExecutionResult> RunUtility(const Query& query, ResultSink& sink);

  SessionContext ctx;
  Settings settings;
};

namespace {

bool NeedsCatalog(StatementKind kind) {
  return kind == StatementKind::kSelect || kind == StatementKind::kInsert ||
         kind == StatementKind::kCreateTable || kind == StatementKind::kDropTable ||
         kind == StatementKind::kCopy;
}

void EmitAnalyze(const Query& query, const std::vector<ColumnDesc>& columns) {
  nlohmann::json cols = nlohmann::json::array();
  for (const ColumnDesc& c : columns) {
    cols.push_back({{"name", c.name}, {"type", TypeName(c.type)}});
  }
  trace::Event(EventType::kAnalyze)
      .Str("statement", query.statement)
      .Raw("tables", nlohmann::json(query.tables).dump())
      .Raw("columns", cols.dump())
      .Emit();
}

void EmitPlan(const Plan& plan) {
  nlohmann::json nodes = nlohmann::json::array();
  for (const PlanNode* n : plan.nodes) {
    nodes.push_back({{"id", n->id}, {"parent", n->parent}, {"node", PlanKindName(n->kind)}, {"detail", n->detail}});
  }
  trace::Event(EventType::kPlan).Str("plan", plan.Explain()).Raw("nodes", nodes.dump()).Emit();
}

void EmitExecute(const ExecutionResult& result) {
  nlohmann::json nodes = nlohmann::json::array();
  for (size_t i = 0; i < result.node_rows.size(); ++i) {
    nodes.push_back({{"id", i}, {"rows", result.node_rows[i]}});
  }
  trace::Event(EventType::kExecute).Int("rows", result.rows).Raw("nodes", nodes.dump()).Emit();
}

std::string CommandTag(const Query& query, int64_t rows) {
  switch (query.kind) {
    case StatementKind::kSelect:
      return "SELECT " + std::to_string(rows);
    case StatementKind::kInsert:
      return "INSERT 0 " + std::to_string(rows);
    default:
      return query.statement;
  }
}

}  // namespace

Result<ExecutionResult> Session::Impl::RunUtility(const Query& query, ResultSink& sink) {
  ExecutionResult result;
  result.node_rows.assign(1, 0);
  if (query.kind == StatementKind::kSet) {
    if (Status s = settings.Set(query.setting, query.setting_value); !s.ok()) {
      return s.error();
    }
    return result;
  }
  if (query.kind == StatementKind::kCheckpoint) {
    if (Status s = shmem::RequestCheckpointAndWait(); !s.ok()) {
      return s.error();
    }
    return result;
  }
  if (query.kind != StatementKind::kShow) {
    return result;  // BEGIN, COMMIT, ROLLBACK: no transactions yet
  }
  if (query.setting == "all") {
    sink.Describe({{"name", TypeId::kText}, {"setting", TypeId::kText}, {"description", TypeId::kText}});
    for (const Settings::Entry& e : settings.All()) {
      sink.Row({e.name, e.value, std::string()});
      ++result.rows;
    }
  } else {
    const Settings::Entry* entry = settings.Find(query.setting);
    if (entry == nullptr) {
      return MakeError(sqlstate::kUndefinedObject,
                       "unrecognized configuration parameter \"" + query.setting + "\"");
    }
    sink.Describe({{entry->name, TypeId::kText}});
    sink.Row({entry->value});
    result.rows = 1;
  }
  result.node_rows[0] = result.rows;
  return result;
}

Result<StatementResult> Session::Impl::Execute(const Statement& stmt, ResultSink& sink) {
  StatementKind kind = GetStatementKind(stmt);
  if (kind == StatementKind::kOther) {
    // Databases and roles: their own grammar and path (role_ddl.h).
    if (auto ddl = ParseCatalogDdl(GetStatementText(stmt))) {
      if (!ddl->ok()) {
        Error e = ddl->error();
        if (e.position > 0) e.position += stmt.location - 1;
        return e;
      }
      auto tag = ExecCatalogDdl(**ddl, ctx, settings.Find("password_encryption")->value);
      if (!tag.ok()) {
        return tag.error();
      }
      return StatementResult{*tag, 0};
    }
  }
  storage::CatalogSnapshot catalog;
  if (NeedsCatalog(kind)) {
    auto loaded = storage::LoadCatalog(ctx.data_dir);
    if (!loaded.ok()) {
      return loaded.error();
    }
    catalog = std::move(*loaded);
  }

  if (kind == StatementKind::kCopy) {
    return ExecuteCopy(std::get<CopyStmt>(stmt.node), ctx, catalog, sink);  // copy_command.cpp
  }

  // Stage 2: analyze.
  auto query = Analyze(stmt, catalog);
  if (!query.ok()) {
    return query.error();
  }
  std::vector<ColumnDesc> columns = query->OutputColumns();
  if (kind == StatementKind::kShow) {
    const Settings::Entry* entry = settings.Find(query->setting);
    columns = {ColumnDesc{entry != nullptr ? entry->name : query->setting, TypeId::kText}};
  }
  EmitAnalyze(*query, columns);

  // Stage 3: plan.
  Plan plan = MakePlan(*query);
  EmitPlan(plan);

  // Stage 4: execute.
  Result<ExecutionResult> result =
      plan.root->kind == PlanKind::kUtility || plan.root->kind == PlanKind::kShow
          ? RunUtility(*query, sink)
          : ExecutePlan(plan, *query, ctx, sink);
  if (!result.ok()) {
    return result.error();
  }
  EmitExecute(*result);

  StatementResult out;
  out.rows = result->rows;
  out.command_tag = CommandTag(*query, result->rows);
  return out;
}

Session::Session(SessionContext ctx) : impl_(std::make_unique<Impl>(std::move(ctx))) {
  // The role's attribute at connection time, as PostgreSQL reports it.
  impl_->settings.SetServerValue("is_superuser", SessionUserIsSuperuser(impl_->ctx) ? "on" : "off");
}
Session::~Session() = default;

Result<std::vector<StatementPtr>> Session::Parse(std::string_view text) {
  auto stmts = ParseSql(text);
  if (!stmts.ok()) {
    return stmts.error();
  }
  std::string tree;
  for (const StatementPtr& s : *stmts) {
    if (!tree.empty()) {
      tree += "\n";
    }
    tree += StatementToString(*s);
  }
  trace::Event(EventType::kParse).Int("statements", static_cast<int64_t>(stmts->size())).Str("tree", tree).Emit();
  return stmts;
}

Result<StatementResult> Session::Execute(const Statement& stmt, ResultSink& sink) {
  return impl_->Execute(stmt, sink);
}

std::optional<std::string> Session::GetSetting(std::string_view name) const {
  const Settings::Entry* entry = impl_->settings.Find(name);
  if (entry == nullptr) {
    return std::nullopt;
  }
  return entry->value;
}

Status Session::SetSetting(std::string_view name, std::string_view value) {
  return impl_->settings.Set(name, std::string(value));
}

}  // namespace minipg::sql
