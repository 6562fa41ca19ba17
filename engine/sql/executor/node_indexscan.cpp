/*-------------------------------------------------------------------------
 * node_indexscan.cpp
 *   Index Scan (PostgreSQL's nodeIndexscan.c): the heap rows a B-tree
 *   index finds for the node's Index Cond, in the index's order (or its
 *   reverse: Index Scan Backward). Bitmap Index Scan and Bitmap Heap Scan
 *   (nodeBitmapIndexscan.c, nodeBitmapHeapscan.c): all the TIDs first,
 *   then the rows in heap order, each page read once. Index Only Scan
 *   (nodeIndexonlyscan.c): for an entry whose heap page the visibility
 *   map says is all-visible, the row is the entry's key values (no heap
 *   page read); otherwise the heap tuple is fetched as an Index Scan
 *   does, and EXPLAIN ANALYZE counts it (Heap Fetches: N).
 *
 *     Init / ReScan  each Index Cond's value side evaluated (a constant,
 *                    or an outer row's value through an exec parameter)
 *                    into a scan key "index column <strategy> value";
 *                    a NULL value: no row can match; IS [NOT] NULL a key
 *                    of its own; column = ANY (list) one B-tree scan per
 *                    distinct element, in the scan's order
 *     Next           the next heap TID from the B-tree scan (its pages
 *                    read through the shared buffers); Index Only Scan:
 *                    the map bit of its page, read after the entry (a
 *                    change clears the bit before its entry can exist,
 *                    so a set bit read later is still true for it); the
 *                    heap tuple
 *                    fetched from its page and kept only if the
 *                    transaction sees it (the visibility a Seq Scan
 *                    applies), then the Filter and the target list
 *
 * NOTES
 *   The index may point at row versions the scan must not see (deleted,
 *   or inserted by an aborted transaction): the heap decides, as in
 *   PostgreSQL. EXPLAIN (ANALYZE, BUFFERS) counts the index's pages and
 *   the heap's together, as PostgreSQL does for the node.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/index_ddl.h"
#include "engine/common/sqlstate.h"
#include "engine/sql/adt/builtins.h"
#include "engine/sql/executor/exec_nodes.h"
#include "engine/sql/types.h"
#include "engine/storage/buffer/buffer_pool.h"
#include "engine/storage/heap/heapam.h"
#include "engine/storage/heap/visibilitymap.h"
#include "engine/storage/nbtree/nbtree.h"

namespace minipg::sql {

namespace {

using storage::Tuple;
using storage::nbtree::BtStrategy;

std::optional<BtStrategy> StrategyOf(std::string_view op) {
  if (op == "=") return BtStrategy::kEqual;
  if (op == "<") return BtStrategy::kLess;
  if (op == "<=") return BtStrategy::kLessEqual;
  if (op == ">") return BtStrategy::kGreater;
  if (op == ">=") return BtStrategy::kGreaterEqual;
  return std::nullopt;
}

/* The B-tree scans for a node's Index Cond, run one after the other: one
 * per combination of the elements of its `column = ANY (...)` conditions
 * (each list sorted in scan direction, duplicates and NULLs dropped, as
 * PostgreSQL's array keys), a single one without such a condition. */
class IndexProbe {
 public:
  IndexProbe(storage::nbtree::BtreeIndex index, std::vector<std::vector<storage::nbtree::BtScanKey>> key_sets,
             storage::nbtree::BtScanDirection dir)
      : index_(std::move(index)), key_sets_(std::move(key_sets)), dir_(dir) {}

  /* The next matching heap TID, nullopt once every scan has ended. */
  Result<std::optional<storage::ItemPointer>> Next() {
    for (;;) {
      if (!scan_) {
        if (next_set_ >= key_sets_.size()) return std::optional<storage::ItemPointer>();
        scan_ = std::make_unique<storage::nbtree::BtreeScan>(index_, std::move(key_sets_[next_set_++]), dir_);
      }
      auto tid = scan_->Next();
      if (!tid.ok() || tid->has_value()) return tid;
      scan_.reset();
    }
  }
  /* The key values of the entry Next() last returned. */
  const Tuple& key() const { return scan_->key(); }

 private:
  storage::nbtree::BtreeIndex index_;
  std::vector<std::vector<storage::nbtree::BtScanKey>> key_sets_;
  storage::nbtree::BtScanDirection dir_;
  size_t next_set_ = 0;
  std::unique_ptr<storage::nbtree::BtreeScan> scan_;
};

/* The index scan for a node's Index Cond, with each condition's value
 * side evaluated now; nullptr when no row can match (a NULL value). */
Result<std::unique_ptr<IndexProbe>> OpenIndexScan(const Plan& plan, const EState& estate, const ExprContext& ctx) {
  const storage::TableDef& table = *plan.table;
  const storage::IndexDef& index = *plan.index;
  // Each condition's keys: one, or one per element of an = ANY list.
  std::vector<std::vector<storage::nbtree::BtScanKey>> per_cond;
  for (const ExprPtr& cond : plan.indexquals) {
    const Expr& var = *cond->args[0];
    std::optional<BtStrategy> strategy;
    if (cond->kind == ExprKind::kNullTest) {
      strategy = cond->negated ? BtStrategy::kIsNotNull : BtStrategy::kIsNull;
    } else {
      strategy = StrategyOf(cond->op != nullptr ? cond->op->name : "");
    }
    size_t column = 0;
    while (column < index.key_attnums.size() && index.key_attnums[column] != var.attno + 1) ++column;
    if (!strategy || column == index.key_attnums.size()) {
      return MakeError(sqlstate::kInternalError,
                       fmt::format("index condition {} does not fit index \"{}\"", DeparseExpr(*cond), index.name));
    }
    std::vector<storage::nbtree::BtScanKey> keys;
    if (cond->kind == ExprKind::kNullTest) {
      keys.push_back(storage::nbtree::BtScanKey{column, *strategy, storage::Datum()});
    } else if (cond->kind == ExprKind::kScalarArrayOp) {
      std::vector<storage::Datum> values;
      for (size_t i = 1; i < cond->args.size(); ++i) {
        auto value = Evaluate(*cond->args[i], ctx);
        if (!value.ok()) return value.error();
        if (!storage::IsNull(*value)) values.push_back(std::move(*value));
      }
      TypeId type = cond->args.size() > 1 ? cond->args[1]->type : var.type;
      auto less = [&](const storage::Datum& a, const storage::Datum& b) { return CompareValues(a, type, b, type) < 0; };
      std::sort(values.begin(), values.end(), less);
      values.erase(std::unique(values.begin(), values.end(),
                               [&](const storage::Datum& a, const storage::Datum& b) { return !less(a, b) && !less(b, a); }),
                   values.end());
      if (plan.backward) std::reverse(values.begin(), values.end());
      for (storage::Datum& v : values) keys.push_back(storage::nbtree::BtScanKey{column, *strategy, std::move(v)});
    } else {
      auto value = Evaluate(*cond->args[1], ctx);
      if (!value.ok()) return value.error();
      if (storage::IsNull(*value)) return std::unique_ptr<IndexProbe>();  // a strict operator: no row passes
      keys.push_back(storage::nbtree::BtScanKey{column, *strategy, std::move(*value)});
    }
    if (keys.empty()) return std::unique_ptr<IndexProbe>();  // = ANY of nothing but NULLs
    per_cond.push_back(std::move(keys));
  }
  std::vector<std::vector<storage::nbtree::BtScanKey>> key_sets(1);
  for (const auto& choices : per_cond) {
    std::vector<std::vector<storage::nbtree::BtScanKey>> next;
    for (const auto& set : key_sets) {
      for (const storage::nbtree::BtScanKey& k : choices) {
        next.push_back(set);
        next.back().push_back(k);
      }
    }
    key_sets = std::move(next);
  }
  return std::make_unique<IndexProbe>(
      catalog::BtreeIndexOf(catalog::DatabaseOidOf(estate.session.data_dir), table, index), std::move(key_sets),
      plan.backward ? storage::nbtree::BtScanDirection::kBackward : storage::nbtree::BtScanDirection::kForward);
}

class IndexScanState : public PlanState {
 public:
  using PlanState::PlanState;
  Status Init() override { return ReScan(); }
  Status ReScan() override {
    heap_ = catalog::TableLocator(estate_.session.data_dir, *plan_.table);
    auto scan = OpenIndexScan(plan_, estate_, Context());
    if (!scan.ok()) return scan.error();
    scan_ = std::move(*scan);
    if (plan_.kind == PlanKind::kIndexOnlyScan) {
      instr_.notes.assign(1, fmt::format("Heap Fetches: {}", heap_fetches_));
    }
    return PlanState::ReScan();
  }

 protected:
  RowResult ExecNext() override {
    if (!scan_) return std::optional<Tuple>();
    for (;;) {
      auto tid = scan_->Next();
      if (!tid.ok()) return tid.error();
      if (!tid->has_value()) return std::optional<Tuple>();
      if (plan_.kind == PlanKind::kIndexOnlyScan) {
        // The map bit is read after the index entry: an entry added later
        // belongs to a change that cleared the bit first (under the heap
        // page's lock), so a set bit means the row is visible to everyone.
        storage::VmBuffer vm;  // no pin kept between rows (an error path releases every pin)
        auto bits = storage::VisibilityMapGetStatus(heap_, (*tid)->block, vm);
        if (!bits.ok()) return bits.error();
        if ((*bits & storage::kVmAllVisible) != 0) {
          auto out = ScanResult(RowFromIndex());
          if (!out.ok() || out->has_value()) return out;
          continue;
        }
        instr_.notes.assign(1, fmt::format("Heap Fetches: {}", ++heap_fetches_));
      }
      auto row = storage::HeapFetch(heap_, plan_.table->columns, **tid);
      if (!row.ok()) return row.error();
      if (!row->has_value()) continue;  // a version this transaction does not see
      if (plan_.emit_ctid) (*row)->push_back(CtidDatum(**tid));
      auto out = ScanResult(std::move(**row));
      if (!out.ok() || out->has_value()) return out;
    }
  }

 private:
  /* A row of the table's width with the index's key columns filled in
   * from the entry (an Index Only Scan reads only those). */
  Tuple RowFromIndex() const {
    Tuple row(plan_.table->columns.size(), storage::Datum());
    const Tuple& key = scan_->key();
    const std::vector<int16_t>& attnums = plan_.index->key_attnums;
    for (size_t i = 0; i < attnums.size() && i < key.size(); ++i) {
      if (attnums[i] > 0) row[static_cast<size_t>(attnums[i] - 1)] = key[i];
    }
    return row;
  }

  storage::RelFileLocator heap_;
  std::unique_ptr<IndexProbe> scan_;  // nullptr: a condition's value is NULL
  int64_t heap_fetches_ = 0;  // Index Only Scan: heap rows looked at, over every loop
};

/* Not pulled row by row: its Bitmap Heap Scan asks for every TID at once
 * (PostgreSQL's MultiExecBitmapIndexScan), counted as its rows. */
class BitmapIndexScanState : public PlanState {
 public:
  using PlanState::PlanState;

  Result<std::vector<storage::ItemPointer>> Tids() {
    const storage::BufferUsage& usage = storage::MyBufferUsage();
    uint64_t hit = usage.blks_hit;
    uint64_t read = usage.blks_read;
    auto begin = std::chrono::steady_clock::now();
    std::vector<storage::ItemPointer> tids;
    auto scan = OpenIndexScan(plan_, estate_, Context());
    if (!scan.ok()) return scan.error();
    while (*scan) {
      auto tid = (*scan)->Next();
      if (!tid.ok()) return tid.error();
      if (!tid->has_value()) break;
      tids.push_back(**tid);
    }
    double spent = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    ++instr_.loops;
    instr_.rows += static_cast<int64_t>(tids.size());
    instr_.startup_seconds += spent;
    instr_.total_seconds += spent;
    instr_.shared_hit += usage.blks_hit - hit;
    instr_.shared_read += usage.blks_read - read;
    return tids;
  }

 protected:
  RowResult ExecNext() override {
    return MakeError(sqlstate::kInternalError, "a Bitmap Index Scan is read by its Bitmap Heap Scan");
  }
};

/* The child's TIDs sorted into heap order (PostgreSQL's TIDBitmap, exact:
 * one entry per row), each page read once for all its rows. */
class BitmapHeapScanState : public PlanState {
 public:
  using PlanState::PlanState;
  Status ReScan() override {
    tids_.reset();
    return PlanState::ReScan();
  }

 protected:
  RowResult ExecNext() override {
    if (!tids_) {
      auto tids = static_cast<BitmapIndexScanState*>(left.get())->Tids();
      if (!tids.ok()) return tids.error();
      std::sort(tids->begin(), tids->end(), [](storage::ItemPointer a, storage::ItemPointer b) {
        return a.block != b.block ? a.block < b.block : a.offset < b.offset;
      });
      for (size_t i = 0; i < tids->size(); ++i) {
        if (i == 0 || (*tids)[i].block != (*tids)[i - 1].block) ++heap_blocks_;
      }
      instr_.notes.assign(1, fmt::format("Heap Blocks: exact={}", heap_blocks_));
      tids_ = std::move(*tids);
      pos_ = 0;
      heap_ = catalog::TableLocator(estate_.session.data_dir, *plan_.table);
    }
    while (pos_ < tids_->size()) {
      storage::ItemPointer tid = (*tids_)[pos_++];
      auto row = storage::HeapFetch(heap_, plan_.table->columns, tid);
      if (!row.ok()) return row.error();
      if (!row->has_value()) continue;
      if (plan_.emit_ctid) (*row)->push_back(CtidDatum(tid));
      auto out = ScanResult(std::move(**row));
      if (!out.ok() || out->has_value()) return out;
    }
    return std::optional<Tuple>();
  }

 private:
  storage::RelFileLocator heap_;
  std::optional<std::vector<storage::ItemPointer>> tids_;  // loaded at the first row of each loop
  size_t pos_ = 0;
  int64_t heap_blocks_ = 0;  // pages with rows, over every loop
};

}  // namespace

std::unique_ptr<PlanState> MakeIndexScanState(const Plan& plan, EState& estate) {
  return std::make_unique<IndexScanState>(plan, estate);
}
std::unique_ptr<PlanState> MakeBitmapIndexScanState(const Plan& plan, EState& estate) {
  return std::make_unique<BitmapIndexScanState>(plan, estate);
}
std::unique_ptr<PlanState> MakeBitmapHeapScanState(const Plan& plan, EState& estate) {
  return std::make_unique<BitmapHeapScanState>(plan, estate);
}

}  // namespace minipg::sql
