/*-------------------------------------------------------------------------
 * node_scan.cpp
 *   Nodes that make rows: Result (one row), Seq Scan (a table's visible
 *   rows, page by page through shared buffers), Function Scan (a system
 *   view's rows, or a function's: set-returning ones one at a time through
 *   call_set, others once), Values Scan, Subquery Scan (its subplan's rows).
 *   Each applies its filter and computes its target list (ScanResult).
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include "engine/catalog/catalog_access.h"
#include "engine/common/sqlstate.h"
#include "engine/sql/adt/builtins.h"
#include "engine/sql/executor/exec_nodes.h"
#include "engine/sql/system_views.h"
#include "engine/storage/heap/heapam.h"

namespace minipg::sql {

namespace {

using storage::Datum;
using storage::Tuple;

RowResult NoRow() { return std::optional<Tuple>(); }

/* One row, from no input: SELECT without FROM, INSERT's single row. */
class ResultState : public PlanState {
 public:
  using PlanState::PlanState;
  Status ReScan() override {
    done_ = false;
    return PlanState::ReScan();
  }

 protected:
  RowResult ExecNext() override {
    if (done_) return NoRow();
    done_ = true;
    ExprContext c = Context();
    auto pass = EvaluateQual(plan_.qual.get(), c);  // One-Time Filter
    if (!pass.ok()) return pass.error();
    if (!*pass) return NoRow();
    auto row = Project(plan_.targetlist, c);
    if (!row.ok()) return row.error();
    return std::optional<Tuple>(std::move(*row));
  }

 private:
  bool done_ = false;
};

class SeqScanState : public PlanState {
 public:
  using PlanState::PlanState;
  Status Init() override { return ReScan(); }
  Status ReScan() override {
    scan_ = std::make_unique<storage::HeapTableScan>(catalog::TableLocator(estate_.session.data_dir, *plan_.table),
                                                     plan_.table->columns);
    return scan_->Open();
  }

 protected:
  RowResult ExecNext() override {
    for (;;) {
      auto row = scan_->Next();
      if (!row.ok() || !row->has_value()) return row;
      if (plan_.emit_ctid) (*row)->push_back(CtidDatum(scan_->last_tid()));
      if (plan_.emit_system_columns) {
        AppendSystemColumns(**row, plan_.emit_ctid, scan_->last_tid(), scan_->last_header(), plan_.table->oid);
      }
      auto out = ScanResult(std::move(**row));
      if (!out.ok() || out->has_value()) return out;
    }
  }

 private:
  std::unique_ptr<storage::HeapTableScan> scan_;
};

/* Rows held in memory, from a system view's function or a function call. */
class FunctionScanState : public PlanState {
 public:
  using PlanState::PlanState;
  Status Init() override { return ReScan(); }
  Status ReScan() override {
    rows_in_.clear();
    pos_ = 0;
    ordinal_ = 0;
    set_.reset();
    if (plan_.view != nullptr && plan_.view->rows_with_args != nullptr) {
      std::vector<Datum> args;
      for (const ExprPtr& a : plan_.view_args) {
        auto v = Evaluate(*a, Context());
        if (!v.ok()) return v.error();
        if (storage::IsNull(*v)) return OkStatus();  // strict: no rows
        args.push_back(std::move(*v));
      }
      auto rows = plan_.view->rows_with_args(estate_.session, args);
      if (!rows.ok()) return rows.error();
      rows_in_ = std::move(*rows);
      return OkStatus();
    }
    if (plan_.view != nullptr) {
      auto rows = plan_.view->rows(estate_.session);
      if (!rows.ok()) return rows.error();
      rows_in_ = std::move(*rows);
      return OkStatus();
    }
    const Expr& call = *plan_.function;
    std::vector<Datum> args;
    for (const ExprPtr& a : call.args) {
      auto v = Evaluate(*a, Context());
      if (!v.ok()) return v.error();
      args.push_back(std::move(*v));
    }
    bool null_arg = std::any_of(args.begin(), args.end(), [](const Datum& d) { return storage::IsNull(d); });
    if (call.func->strict && null_arg) return OkStatus();  // no rows
    FunctionCall fc{args, call.arg_types, call.type, estate_.session};
    if (call.func->call_set != nullptr) {
      auto set = call.func->call_set(fc);
      if (!set.ok()) return set.error();
      set_ = std::move(*set);
      return OkStatus();
    }
    auto v = call.func->call(fc);
    if (!v.ok()) return v.error();
    rows_in_.push_back(Tuple{std::move(*v)});
    return OkStatus();
  }

 protected:
  RowResult ExecNext() override {
    for (;;) {
      Tuple row;
      if (set_) {
        Datum value;
        auto more = set_->Next(&value);
        if (!more.ok()) return more.error();
        if (!*more) return NoRow();
        row.push_back(std::move(value));
      } else {
        if (pos_ >= rows_in_.size()) return NoRow();
        row = rows_in_[pos_++];
      }
      if (plan_.ordinality) row.push_back(Datum(++ordinal_));
      auto out = ScanResult(std::move(row));
      if (!out.ok() || out->has_value()) return out;
    }
  }

 private:
  std::vector<Tuple> rows_in_;
  size_t pos_ = 0;
  std::unique_ptr<SetFunctionState> set_;
  int64_t ordinal_ = 0;  // WITH ORDINALITY: the rows returned so far
};

class ValuesScanState : public PlanState {
 public:
  using PlanState::PlanState;
  Status ReScan() override {
    pos_ = 0;
    return PlanState::ReScan();
  }

 protected:
  RowResult ExecNext() override {
    while (pos_ < plan_.values.size()) {
      auto row = Project(plan_.values[pos_++], Context());
      if (!row.ok()) return row.error();
      auto out = ScanResult(std::move(*row));
      if (!out.ok() || out->has_value()) return out;
    }
    return NoRow();
  }

 private:
  size_t pos_ = 0;
};

class SubqueryScanState : public PlanState {
 public:
  using PlanState::PlanState;

 protected:
  RowResult ExecNext() override {
    for (;;) {
      auto row = left->Next();
      if (!row.ok() || !row->has_value()) return row;
      (*row)->resize(static_cast<size_t>(plan_.scan_width));  // the subquery's junk columns go
      auto out = ScanResult(std::move(**row));
      if (!out.ok() || out->has_value()) return out;
    }
  }
};

}  // namespace

std::unique_ptr<PlanState> MakeResultState(const Plan& plan, EState& estate) {
  return std::make_unique<ResultState>(plan, estate);
}
std::unique_ptr<PlanState> MakeSeqScanState(const Plan& plan, EState& estate) {
  return std::make_unique<SeqScanState>(plan, estate);
}
std::unique_ptr<PlanState> MakeFunctionScanState(const Plan& plan, EState& estate) {
  return std::make_unique<FunctionScanState>(plan, estate);
}
std::unique_ptr<PlanState> MakeValuesScanState(const Plan& plan, EState& estate) {
  return std::make_unique<ValuesScanState>(plan, estate);
}
std::unique_ptr<PlanState> MakeSubqueryScanState(const Plan& plan, EState& estate) {
  return std::make_unique<SubqueryScanState>(plan, estate);
}

}  // namespace minipg::sql
