/*-------------------------------------------------------------------------
 * executor.cpp
 *   The iterator nodes and the loop that pulls the root (see executor.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/executor.h"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/table_ddl.h"
#include "engine/common/interrupts.h"
#include "engine/common/limits.h"
#include "engine/common/sqlstate.h"
#include "engine/sql/expression.h"
#include "engine/sql/interruptible_sort.h"
#include "engine/sql/role_ddl.h"
#include "engine/sql/system_views.h"
#include "engine/storage/catalog.h"
#include "engine/storage/heap/heapam.h"

namespace minipg::sql {

namespace {

using RowResult = Result<std::optional<Tuple>>;

/* One iterator. Pull() wraps Next(): it checks for interrupts and counts
 * the rows the node produces. */
class ExecNode {
 public:
  virtual ~ExecNode() = default;
  virtual Status Open() { return child_ ? child_->Open() : OkStatus(); }
  virtual void Close() {
    if (child_) {
      child_->Close();
    }
  }

  RowResult Pull() {
    if (Status s = CheckForInterrupts(); !s.ok()) {
      return s.error();
    }
    auto row = Next();
    if (row.ok() && row->has_value()) {
      ++rows_;
    }
    return row;
  }

  void CollectRows(std::vector<int64_t>& out) const {
    out[static_cast<size_t>(id_)] = rows_;
    if (child_) {
      child_->CollectRows(out);
    }
  }

  void SetId(int id) { id_ = id; }
  void SetChild(std::unique_ptr<ExecNode> child) { child_ = std::move(child); }

 protected:
  virtual RowResult Next() = 0;
  std::unique_ptr<ExecNode> child_;
  int64_t rows_ = 0;

 private:
  int id_ = 0;
};

RowResult End() { return std::optional<Tuple>(); }
RowResult Row(Tuple t) { return std::optional<Tuple>(std::move(t)); }

class ResultExec : public ExecNode {
 protected:
  RowResult Next() override {
    if (done_) {
      return End();
    }
    done_ = true;
    return Row(Tuple{});
  }

 private:
  bool done_ = false;
};

/* The table's visible rows, page by page through shared buffers. */
class SeqScanExec : public ExecNode {
 public:
  SeqScanExec(const std::filesystem::path& data_dir, const storage::TableDef& table)
      : scan_(catalog::TableLocator(data_dir, table), table.columns) {}
  Status Open() override { return scan_.Open(); }

 protected:
  RowResult Next() override { return scan_.Next(); }

 private:
  storage::HeapTableScan scan_;
};

/* The rows of a system view: its function runs once, at Open(). */
class FunctionScanExec : public ExecNode {
 public:
  FunctionScanExec(const SystemView& view, const SessionContext& ctx) : view_(view), ctx_(ctx) {}
  Status Open() override {
    auto rows = view_.rows(ctx_);
    if (!rows.ok()) {
      return rows.error();
    }
    rows_in_ = std::move(*rows);
    return OkStatus();
  }

 protected:
  RowResult Next() override {
    if (pos_ >= rows_in_.size()) {
      return End();
    }
    return Row(std::move(rows_in_[pos_++]));
  }

 private:
  const SystemView& view_;
  const SessionContext& ctx_;
  std::vector<Tuple> rows_in_;
  size_t pos_ = 0;
};

class FilterExec : public ExecNode {
 public:
  FilterExec(const BoundExpr& cond, const SessionContext& ctx) : cond_(cond), ctx_(ctx) {}

 protected:
  RowResult Next() override {
    for (;;) {
      auto row = child_->Pull();
      if (!row.ok() || !row->has_value()) {
        return row;
      }
      auto pass = EvaluateCondition(cond_, **row, ctx_);
      if (!pass.ok()) {
        return pass.error();
      }
      if (*pass) {
        return row;
      }
    }
  }

 private:
  const BoundExpr& cond_;
  const SessionContext& ctx_;
};

class ProjectionExec : public ExecNode {
 public:
  ProjectionExec(const std::vector<TargetEntry>& targets, const SessionContext& ctx)
      : targets_(targets), ctx_(ctx) {}

 protected:
  RowResult Next() override {
    auto row = child_->Pull();
    if (!row.ok() || !row->has_value()) {
      return row;
    }
    Tuple out;
    out.reserve(targets_.size());
    for (const TargetEntry& t : targets_) {
      auto v = Evaluate(*t.expr, **row, ctx_);
      if (!v.ok()) {
        return v.error();
      }
      out.push_back(std::move(*v));
    }
    return Row(std::move(out));
  }

 private:
  const std::vector<TargetEntry>& targets_;
  const SessionContext& ctx_;
};

/* Reads all its input on the first Next(), then returns it sorted. */
class SortExec : public ExecNode {
 public:
  SortExec(const std::vector<SortKey>& keys, const SessionContext& ctx) : keys_(keys), ctx_(ctx) {}

 protected:
  RowResult Next() override {
    if (!sorted_) {
      if (Status s = Fill(); !s.ok()) {
        return s.error();
      }
      sorted_ = true;
    }
    if (pos_ >= rows_in_.size()) {
      return End();
    }
    return Row(std::move(rows_in_[pos_++].second));
  }

 private:
  Status Fill() {
    for (;;) {
      auto row = child_->Pull();
      if (!row.ok()) {
        return row.error();
      }
      if (!row->has_value()) {
        break;
      }
      Tuple key;
      for (const SortKey& k : keys_) {
        auto v = Evaluate(*k.expr, **row, ctx_);
        if (!v.ok()) {
          return v.error();
        }
        key.push_back(std::move(*v));
      }
      rows_in_.emplace_back(std::move(key), std::move(**row));
    }
    // A sort a cancel can stop, unlike std::stable_sort (interruptible_sort.h).
    return InterruptibleStableSort(rows_in_, [this](const auto& a, const auto& b) {
      for (size_t i = 0; i < keys_.size(); ++i) {
        bool a_null = storage::IsNull(a.first[i]);
        bool b_null = storage::IsNull(b.first[i]);
        if (a_null || b_null) {
          if (a_null == b_null) {
            continue;
          }
          return a_null == keys_[i].nulls_first;
        }
        int c = CompareValues(a.first[i], b.first[i]);
        if (c != 0) {
          return keys_[i].descending ? c > 0 : c < 0;
        }
      }
      return false;
    });
  }

  const std::vector<SortKey>& keys_;
  const SessionContext& ctx_;
  std::vector<std::pair<Tuple, Tuple>> rows_in_;
  size_t pos_ = 0;
  bool sorted_ = false;
};

class LimitExec : public ExecNode {
 public:
  LimitExec(const BoundExpr* limit, const BoundExpr* offset, const SessionContext& ctx)
      : limit_expr_(limit), offset_expr_(offset), ctx_(ctx) {}

  Status Open() override {
    for (auto [expr, out, what, code] :
         {std::tuple{limit_expr_, &limit_, "LIMIT", sqlstate::kInvalidRowCountInLimitClause}, std::tuple{offset_expr_, &offset_, "OFFSET", sqlstate::kInvalidRowCountInResultOffsetClause}}) {
      if (expr == nullptr) {
        continue;
      }
      auto v = Evaluate(*expr, Tuple{}, ctx_);
      if (!v.ok()) {
        return v.error();
      }
      if (storage::IsNull(*v)) {
        continue;  // LIMIT NULL is no limit
      }
      *out = std::get<int64_t>(*v);
      if (*out < 0) {
        return MakeError(code, fmt::format("{} must not be negative", what));
      }
    }
    return ExecNode::Open();
  }

 protected:
  RowResult Next() override {
    while (skipped_ < offset_) {
      auto row = child_->Pull();
      if (!row.ok() || !row->has_value()) {
        return row;
      }
      ++skipped_;
    }
    if (limit_ >= 0 && returned_ >= limit_) {
      return End();  // stop without pulling more: the child may be expensive
    }
    auto row = child_->Pull();
    if (row.ok() && row->has_value()) {
      ++returned_;
    }
    return row;
  }

 private:
  const BoundExpr* limit_expr_;
  const BoundExpr* offset_expr_;
  const SessionContext& ctx_;
  int64_t limit_ = -1;
  int64_t offset_ = 0;
  int64_t skipped_ = 0;
  int64_t returned_ = 0;
};

class ValuesExec : public ExecNode {
 public:
  ValuesExec(const std::vector<std::vector<BoundExprPtr>>& rows, const SessionContext& ctx)
      : rows_in_(rows), ctx_(ctx) {}

 protected:
  RowResult Next() override {
    if (pos_ >= rows_in_.size()) {
      return End();
    }
    Tuple out;
    for (const BoundExprPtr& e : rows_in_[pos_]) {
      auto v = Evaluate(*e, Tuple{}, ctx_);
      if (!v.ok()) {
        return v.error();
      }
      out.push_back(std::move(*v));
    }
    ++pos_;
    return Row(std::move(out));
  }

 private:
  const std::vector<std::vector<BoundExprPtr>>& rows_in_;
  const SessionContext& ctx_;
  size_t pos_ = 0;
};

/* Collects every row of its child, then inserts them (so the command never
 * reads its own new rows); it returns no rows itself (its row count is the
 * rows inserted). */
class InsertExec : public ExecNode {
 public:
  InsertExec(const std::filesystem::path& data_dir, const storage::TableDef& table)
      : data_dir_(data_dir), table_(table) {}
  int64_t inserted() const { return rows_; }

 protected:
  RowResult Next() override {
    if (done_) {
      return End();
    }
    done_ = true;
    std::vector<Tuple> batch;
    for (;;) {
      auto row = child_->Pull();
      if (!row.ok()) {
        return row.error();
      }
      if (!row->has_value()) {
        break;
      }
      batch.push_back(std::move(**row));
    }
    if (Status s = CheckForInterrupts(); !s.ok()) {
      return s.error();
    }
    if (Status s = storage::HeapInsert(catalog::TableLocator(data_dir_, table_), table_.columns, batch);
        !s.ok()) {
      return s.error();
    }
    rows_ = static_cast<int64_t>(batch.size());
    return End();
  }

 private:
  const std::filesystem::path& data_dir_;
  const storage::TableDef& table_;
  bool done_ = false;
};

std::unique_ptr<ExecNode> Build(const PlanNode& node, const Query& q, const SessionContext& ctx) {
  std::unique_ptr<ExecNode> exec;
  switch (node.kind) {
    case PlanKind::kResult:
      exec = std::make_unique<ResultExec>();
      break;
    case PlanKind::kSeqScan:
      exec = std::make_unique<SeqScanExec>(ctx.data_dir, *q.table);
      break;
    case PlanKind::kFunctionScan:
      exec = std::make_unique<FunctionScanExec>(*FindSystemViewByOid(q.table->oid), ctx);
      break;
    case PlanKind::kFilter:
      exec = std::make_unique<FilterExec>(*q.where, ctx);
      break;
    case PlanKind::kProjection:
      exec = std::make_unique<ProjectionExec>(q.targets, ctx);
      break;
    case PlanKind::kSort:
      exec = std::make_unique<SortExec>(q.sort, ctx);
      break;
    case PlanKind::kLimit:
      exec = std::make_unique<LimitExec>(q.limit.get(), q.offset.get(), ctx);
      break;
    case PlanKind::kValues:
      exec = std::make_unique<ValuesExec>(q.insert_rows, ctx);
      break;
    case PlanKind::kInsert:
      exec = std::make_unique<InsertExec>(ctx.data_dir, *q.table);
      break;
    default:
      return nullptr;
  }
  exec->SetId(node.id);
  if (!node.children.empty()) {
    exec->SetChild(Build(*node.children[0], q, ctx));
  }
  return exec;
}

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

Result<ExecutionResult> RunDdl(const Plan& plan, const Query& q, const SessionContext& ctx) {
  ExecutionResult result;
  result.node_rows.assign(plan.nodes.size(), 0);
  if (q.kind == StatementKind::kCreateTable) {
    auto created = catalog::CreateTableWithCatalog(ctx.data_dir, q.create_name, q.create_columns, SessionUserOid(ctx));
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
    return result;
  }
  NoticeSkipping(ctx, "table", q.drop_missing);
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

Result<ExecutionResult> ExecutePlan(const Plan& plan, const Query& query, const SessionContext& ctx,
                                    ResultSink& sink) {
  if (plan.root->kind == PlanKind::kCreateTable || plan.root->kind == PlanKind::kDropTable) {
    return RunDdl(plan, query, ctx);
  }
  std::unique_ptr<ExecNode> root = Build(*plan.root, query, ctx);
  if (!root) {
    return MakeError(sqlstate::kInternalError, "plan node is not executable");
  }
  ExecutionResult result;
  if (Status s = root->Open(); !s.ok()) {
    root->Close();
    return s.error();
  }
  std::vector<ColumnDesc> cols = query.OutputColumns();
  bool returns_rows = query.kind == StatementKind::kSelect;
  if (returns_rows) {
    sink.Describe(cols);
  }
  for (;;) {
    auto row = root->Pull();
    if (!row.ok()) {
      root->Close();
      return row.error();
    }
    if (!row->has_value()) {
      break;
    }
    auto text = ToText(std::move(**row), cols);
    if (!text.ok()) {
      root->Close();
      return text.error();
    }
    sink.Row(*text);
    ++result.rows;
  }
  root->Close();
  result.node_rows.assign(plan.nodes.size(), 0);
  root->CollectRows(result.node_rows);
  if (query.kind == StatementKind::kInsert) {
    result.rows = static_cast<InsertExec*>(root.get())->inserted();
  }
  return result;
}

}  // namespace minipg::sql
