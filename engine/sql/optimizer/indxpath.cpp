/*-------------------------------------------------------------------------
 * indxpath.cpp
 *   Index paths (PostgreSQL's indxpath.c, in small): a table's scan
 *   becomes an Index Scan when one of its B-tree indexes is cheaper than
 *   reading the whole table.
 *
 *     ChooseIndexScans   every Seq Scan of the tree with WHERE conditions
 *                        `column op constant` (=, <, <=, >, >=; BETWEEN is
 *                        a >= and a <=), `column = ANY (constants)` (IN
 *                        lists, or an array of constants) or `column IS
 *                        [NOT] NULL` on its index's
 *                        leading column (and
 *                        on the next ones while the columns before have an
 *                        =) is priced as an Index Scan of each index; the
 *                        cheapest of them and the Seq Scan wins. The
 *                        conditions used become the Index Cond, the rest
 *                        stays the Filter. Each index is also priced as a
 *                        Bitmap Index Scan under a Bitmap Heap Scan (the
 *                        rows in heap order: cheaper when many match).
 *     UseIndexOrder      ORDER BY on a scan's leading index columns (all
 *                        ASC NULLS LAST: forward, all DESC NULLS FIRST:
 *                        Index Scan Backward): an Index Scan in that order
 *                        replaces the Sort when it costs less, counting
 *                        only the share of its rows a LIMIT reads.
 *
 *     ParameterizedIndexScan  a Nested Loop's inner table read by an index
 *                        on the join column, the outer row's value as $n
 *                        (Index Cond: (id = a.x)), once per outer row
 *     UseIndexOnlyScans an Index Scan whose output and Filter read only the
 *                        index's columns is an Index Only Scan, as
 *                        PostgreSQL plans it (a row on a page the
 *                        visibility map says is all-visible comes from
 *                        the index alone).
 *
 *   enable_seqscan / enable_indexscan / enable_bitmapscan off make the planner avoid that kind
 *   when it has another (PostgreSQL adds disable_cost instead; EXPLAIN
 *   here shows the real cost).
 *-------------------------------------------------------------------------
 */
#include <algorithm>
#include <cmath>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/index_ddl.h"
#include "engine/common/guc.h"
#include "engine/sql/adt/builtins.h"
#include "engine/sql/optimizer/planner.h"
#include "engine/storage/nbtree/nbtree.h"
#include "engine/storage/smgr/smgr.h"

namespace minipg::sql {

namespace {

bool IsIntegerType(TypeId t) { return t == TypeId::kInt2 || t == TypeId::kInt4 || t == TypeId::kInt8; }
bool IsStringType(TypeId t) { return t == TypeId::kText || t == TypeId::kVarchar || t == TypeId::kName; }

/* The index compares the column's stored values: the other side must be a
 * value of the same kind (a B-tree compares like with like). */
bool Comparable(TypeId column, TypeId value) {
  return column == value || (IsIntegerType(column) && IsIntegerType(value)) ||
         (IsStringType(column) && IsStringType(value));
}

bool IsBtreeOp(std::string_view op) { return op == "=" || op == "<" || op == "<=" || op == ">" || op == ">="; }

/* `const op column` as `column op' const` (op' the commutator), in place. */
void Commute(Expr& e) {
  std::string_view name = e.op->commutator;
  for (const OperatorInfo* op : FindOperators(name)) {
    if (op->left == e.op->right && op->right == e.op->left) {
      e.op = op;
      std::swap(e.args[0], e.args[1]);
      return;
    }
  }
}

/* `x = ANY (constant array)` (a sublink over an array value) as the
 * ScalarArrayOp of an IN list with the array's elements, in place: the
 * same condition, printed the same, that an index can search by. */
void ArrayAnyAsList(Expr& e) {
  if (e.kind != ExprKind::kSubLink || e.sublink != SubLinkType::kAny || e.subquery || e.args.size() != 2) return;
  Expr& test = *e.args[0];
  Expr& array = *e.args[1];
  if (test.kind != ExprKind::kOp || test.op == nullptr || std::string_view(test.op->name) != "=" ||
      test.args.size() != 2 || test.args[1]->kind != ExprKind::kExecParam) {
    return;
  }
  TypeId element_type = test.args[1]->type;
  std::vector<ExprPtr> elements;
  if (array.kind == ExprKind::kConst) {  // '{1,2}'::integer[]
    const auto* value = std::get_if<storage::ArrayValue>(&array.value);
    if (value == nullptr || !value->data) return;
    for (const storage::Datum& d : value->data->elements) {
      ExprPtr c = MakeExpr(ExprKind::kConst, element_type, array.location);
      c->value = d;
      elements.push_back(std::move(c));
    }
  } else if (array.kind == ExprKind::kArrayExpr) {  // ARRAY[1, 2] of constants
    for (const ExprPtr& a : array.args) {
      if (a->kind != ExprKind::kConst || a->type != element_type) return;
    }
    for (ExprPtr& a : array.args) elements.push_back(std::move(a));
  } else {
    return;
  }
  if (elements.empty()) return;
  ExprPtr out = MakeExpr(ExprKind::kScalarArrayOp, TypeId::kBool, e.location);
  out->op = test.op;
  out->arg_types = test.arg_types;
  out->args.push_back(std::move(test.args[0]));
  for (ExprPtr& c : elements) out->args.push_back(std::move(c));
  e = std::move(*out);
}

/* The table column (0-based) a condition can search an index by, with the
 * condition put in `column op value` order; -1 if it cannot. */
int IndexableColumn(Expr& e, int scanrelid) {
  auto is_column = [&](const Expr& x) {
    return x.kind == ExprKind::kVar && x.levels_up == 0 && x.rtindex == scanrelid;
  };
  if (e.kind == ExprKind::kNullTest) return !e.args.empty() && is_column(*e.args[0]) ? e.args[0]->attno : -1;
  ArrayAnyAsList(e);
  if (e.kind == ExprKind::kScalarArrayOp) {
    // column = ANY (constants): x IN (1, 2, 3)
    if (e.negated || e.op == nullptr || std::string_view(e.op->name) != "=" || e.args.size() < 2 || !is_column(*e.args[0])) {
      return -1;
    }
    for (size_t i = 1; i < e.args.size(); ++i) {
      if (e.args[i]->kind != ExprKind::kConst || !Comparable(e.args[0]->type, e.args[i]->type)) return -1;
    }
    return e.args[0]->attno;
  }
  if (e.kind != ExprKind::kOp || e.op == nullptr || e.args.size() != 2 || !IsBtreeOp(e.op->name)) return -1;
  if (!is_column(*e.args[0]) && is_column(*e.args[1]) && e.args[0]->kind == ExprKind::kConst) Commute(e);
  if (!is_column(*e.args[0]) || e.args[1]->kind != ExprKind::kConst) return -1;
  if (!Comparable(e.args[0]->type, e.args[1]->type)) return -1;
  return e.args[0]->attno;
}

/* A way to read the table: the Seq Scan (index nullptr) or an index with
 * the conjuncts (by position) that are its Index Cond, in column order. */
struct ScanChoice {
  const storage::IndexDef* index = nullptr;
  std::vector<size_t> conds;
  bool backward = false;
  bool bitmap = false;  // a Bitmap Heap Scan over a Bitmap Index Scan
  double pages = 0;
  double height = 0;
};

/* The scan's conditions, one per AND branch (its Filter and Index Cond),
 * taken out of it; the node is left a Seq Scan without them (a Bitmap
 * Heap Scan without its child). */
std::vector<ExprPtr> TakeConjuncts(Plan& scan) {
  std::vector<ExprPtr> out;
  std::vector<ExprPtr>& conds = scan.kind == PlanKind::kBitmapHeapScan ? scan.lefttree->indexquals : scan.indexquals;
  for (ExprPtr& c : conds) out.push_back(std::move(c));
  scan.indexquals.clear();  // a Bitmap Heap Scan's: copies (Recheck Cond)
  scan.lefttree.reset();
  if (scan.qual && scan.qual->kind == ExprKind::kBool && scan.qual->bool_op == BoolOpKind::kAnd) {
    for (ExprPtr& a : scan.qual->args) out.push_back(std::move(a));
  } else if (scan.qual) {
    out.push_back(std::move(scan.qual));
  }
  scan.qual.reset();
  scan.kind = PlanKind::kSeqScan;
  scan.index.reset();
  scan.backward = false;
  return out;
}

/* A condition that fixes its column to one value at a time: =, = ANY,
 * IS NULL (the B-tree positions each the same way). */
bool IsEqualityCond(const Expr& e) {
  if (e.kind == ExprKind::kNullTest) return !e.negated;
  return e.op != nullptr && std::string_view(e.op->name) == "=";
}

/* The Index Cond for `index`: conditions on its first column, then on
 * each next one while every column before has an equality. */
std::vector<size_t> MatchIndex(const storage::IndexDef& index, const std::vector<int>& columns,
                               const std::vector<ExprPtr>& conj) {
  std::vector<size_t> out;
  for (int16_t attnum : index.key_attnums) {
    bool equal = false;
    for (size_t i = 0; i < conj.size(); ++i) {
      if (columns[i] != attnum - 1) continue;
      out.push_back(i);
      equal = equal || IsEqualityCond(*conj[i]);
    }
    if (!equal) break;
  }
  return out;
}

/* The scan as `choice` makes it (conjuncts copied in unless `take`). */
Status Apply(Plan& scan, std::vector<ExprPtr>& conj, const ScanChoice& choice, bool take) {
  scan.kind = choice.index != nullptr ? PlanKind::kIndexScan : PlanKind::kSeqScan;
  scan.index.reset();
  if (choice.index != nullptr) scan.index = *choice.index;
  scan.backward = choice.backward;
  scan.index_pages = choice.pages;
  scan.index_height = choice.height;
  scan.indexquals.clear();
  scan.qual.reset();
  scan.lefttree.reset();
  std::vector<ExprPtr> filter;
  for (size_t i = 0; i < conj.size(); ++i) {
    bool cond = std::find(choice.conds.begin(), choice.conds.end(), i) != choice.conds.end();
    ExprPtr e;
    if (take) {
      e = std::move(conj[i]);
    } else {
      auto copy = CopyExpr(*conj[i]);
      if (!copy.ok()) return copy.error();
      e = std::move(*copy);
    }
    (cond ? scan.indexquals : filter).push_back(std::move(e));
  }
  // Index Cond in the index's column order, as PostgreSQL prints it.
  if (choice.index != nullptr) {
    const std::vector<int16_t>& keys = choice.index->key_attnums;
    std::stable_sort(scan.indexquals.begin(), scan.indexquals.end(), [&](const ExprPtr& a, const ExprPtr& b) {
      return std::find(keys.begin(), keys.end(), a->args[0]->attno + 1) <
             std::find(keys.begin(), keys.end(), b->args[0]->attno + 1);
    });
  }
  if (choice.bitmap) {
    // The conditions go to the Bitmap Index Scan; the heap scan rechecks them.
    auto child = std::make_unique<Plan>();
    child->kind = PlanKind::kBitmapIndexScan;
    child->index = scan.index;
    child->scanrelid = scan.scanrelid;
    child->relids = scan.relids;
    child->relname = choice.index->name;
    child->table = scan.table;
    child->rel_pages = scan.rel_pages;
    child->rel_tuples = scan.rel_tuples;
    child->index_pages = choice.pages;
    child->index_height = choice.height;
    for (const ExprPtr& c : scan.indexquals) {
      auto copy = CopyExpr(*c);
      if (!copy.ok()) return copy.error();
      child->indexquals.push_back(std::move(*copy));
    }
    scan.kind = PlanKind::kBitmapHeapScan;
    scan.lefttree = std::move(child);
  }
  if (filter.size() == 1) {
    scan.qual = std::move(filter[0]);
  } else if (!filter.empty()) {
    scan.qual = MakeExpr(ExprKind::kBool, TypeId::kBool, filter[0]->location);
    scan.qual->bool_op = BoolOpKind::kAnd;
    scan.qual->args = std::move(filter);
  }
  return OkStatus();
}

struct Enabled {
  bool seqscan = true;
  bool indexscan = true;
  bool bitmapscan = true;
};

Enabled EnabledScans() {
  Enabled e;
  const SessionContext* ctx = PlannerSession();
  if (ctx != nullptr && ctx->settings != nullptr) {
    e.seqscan = ctx->settings->Bool("enable_seqscan");
    e.indexscan = ctx->settings->Bool("enable_indexscan");
    e.bitmapscan = ctx->settings->Bool("enable_bitmapscan");
  }
  return e;
}

/* Every index of the scan's table with its size on disk. */
std::vector<ScanChoice> IndexChoices(const Plan& scan) {
  std::vector<ScanChoice> out;
  const SessionContext* ctx = PlannerSession();
  for (const storage::IndexDef& index : scan.table->indexes) {
    ScanChoice c;
    c.index = &index;
    c.pages = 1;
    if (ctx != nullptr && !ctx->data_dir.empty()) {
      storage::nbtree::BtreeIndex bt =
          catalog::BtreeIndexOf(catalog::DatabaseOidOf(ctx->data_dir), *scan.table, index);
      auto n = storage::SmgrNBlocks(bt.rel, storage::ForkNumber::kMain);
      if (n.ok()) c.pages = std::max(1.0, static_cast<double>(*n));
      auto h = storage::nbtree::BtreeHeight(bt);
      if (h.ok()) c.height = static_cast<double>(*h);
    }
    out.push_back(c);
  }
  return out;
}

/* A choice's cost as the node `scan` would be with it. `fraction`: the
 * share of its rows a LIMIT reads (1: all). */
Result<double> CostOf(Plan& scan, std::vector<ExprPtr>& conj, const ScanChoice& choice, double fraction) {
  if (Status s = Apply(scan, conj, choice, false); !s.ok()) return s.error();
  EstimateCosts(scan);
  return scan.startup_cost + (scan.total_cost - scan.startup_cost) * fraction;
}

bool Allowed(const ScanChoice& c, const Enabled& e) {
  return c.index == nullptr ? e.seqscan : c.bitmap ? e.bitmapscan : e.indexscan;
}

/* The cheapest of `choices` (enabled ones first) for the scan. */
Result<size_t> BestChoice(Plan& scan, std::vector<ExprPtr>& conj, const std::vector<ScanChoice>& choices) {
  Enabled enabled = EnabledScans();
  size_t best = 0;
  double best_cost = 0;
  for (size_t i = 0; i < choices.size(); ++i) {
    auto cost = CostOf(scan, conj, choices[i], 1.0);
    if (!cost.ok()) return cost.error();
    bool better = i == 0 || (Allowed(choices[i], enabled) && !Allowed(choices[best], enabled)) ||
                  (Allowed(choices[i], enabled) == Allowed(choices[best], enabled) && *cost < best_cost);
    if (better) {
      best = i;
      best_cost = *cost;
    }
  }
  return best;
}

/* The Seq Scan and each index that has conditions to search by. */
std::vector<ScanChoice> ScanChoices(const Plan& scan, std::vector<ExprPtr>& conj) {
  std::vector<int> columns;
  for (ExprPtr& c : conj) columns.push_back(IndexableColumn(*c, scan.scanrelid));
  std::vector<ScanChoice> out{ScanChoice{}};
  for (ScanChoice& c : IndexChoices(scan)) {
    c.conds = MatchIndex(*c.index, columns, conj);
    if (c.conds.empty()) continue;
    out.push_back(c);
    c.bitmap = true;
    out.push_back(c);
  }
  return out;
}

}  // namespace

Status ChooseIndexScans(Plan& node) {
  for (Plan* child : node.Children()) {
    if (node.kind == PlanKind::kSubqueryScan) break;  // planned with its own query
    if (Status s = ChooseIndexScans(*child); !s.ok()) return s;
  }
  if (node.kind == PlanKind::kSeqScan && node.qual) {  // estimated as the lists they are, index or not
    bool conjunction = node.qual->kind == ExprKind::kBool && node.qual->bool_op == BoolOpKind::kAnd;
    if (conjunction) {
      for (ExprPtr& a : node.qual->args) ArrayAnyAsList(*a);
    } else {
      ArrayAnyAsList(*node.qual);
    }
  }
  // A scan reading system columns stays a Seq Scan (minipg: no Tid Scan, no
  // system columns from index scans).
  if (node.kind != PlanKind::kSeqScan || !node.table || node.table->indexes.empty() || !node.qual ||
      node.emit_system_columns) {
    return OkStatus();
  }
  std::vector<ExprPtr> conj = TakeConjuncts(node);
  std::vector<ScanChoice> choices = ScanChoices(node, conj);
  auto best = BestChoice(node, conj, choices);
  if (!best.ok()) return best.error();
  return Apply(node, conj, choices[*best], true);
}

Result<bool> UseIndexOrder(Plan& scan, const std::vector<SortKey>& keys, double limit) {
  bool base = scan.kind == PlanKind::kSeqScan || scan.kind == PlanKind::kIndexScan ||
              scan.kind == PlanKind::kBitmapHeapScan;
  if (!base || !scan.table || scan.emit_system_columns ||
      scan.table->indexes.empty() || keys.empty()) {
    return false;
  }
  // The sort keys must be the scan's own columns, all ASC NULLS LAST or all
  // DESC NULLS FIRST (the index's order or its reverse).
  std::vector<int> key_columns;
  for (const SortKey& k : keys) {
    const Expr& e = *scan.targetlist[static_cast<size_t>(k.column)];
    if (e.kind != ExprKind::kVar || e.levels_up != 0 || e.rtindex != scan.scanrelid) return false;
    if (k.descending != keys[0].descending || k.nulls_first != k.descending) return false;
    key_columns.push_back(e.attno);
  }
  std::vector<ExprPtr> conj = TakeConjuncts(scan);
  std::vector<ScanChoice> choices = ScanChoices(scan, conj);
  size_t unordered = choices.size();
  std::vector<int> columns;
  for (ExprPtr& c : conj) columns.push_back(IndexableColumn(*c, scan.scanrelid));
  for (ScanChoice& c : IndexChoices(scan)) {
    const std::vector<int16_t>& attnums = c.index->key_attnums;
    if (attnums.size() < key_columns.size()) continue;
    bool prefix = true;
    for (size_t i = 0; i < key_columns.size(); ++i) prefix = prefix && attnums[i] == key_columns[i] + 1;
    if (!prefix) continue;
    c.conds = MatchIndex(*c.index, columns, conj);
    c.backward = keys[0].descending;
    choices.push_back(c);
  }
  auto unordered_best = BestChoice(scan, conj, {choices.begin(), choices.begin() + static_cast<long>(unordered)});
  if (!unordered_best.ok()) return unordered_best.error();
  size_t best = *unordered_best;
  if (choices.size() > unordered) {
    // The best unordered way under a Sort, against each ordered one; a
    // LIMIT reads only a share of either's rows after its startup.
    Enabled enabled = EnabledScans();
    auto plain = CostOf(scan, conj, choices[best], 1.0);
    if (!plain.ok()) return plain.error();
    double rows = std::max(scan.rows, 1.0);
    double fraction = limit > 0 ? std::min(1.0, limit / rows) : 1.0;
    JoinCost sort = SortCost(scan, limit);
    double best_cost = sort.startup + (sort.total - sort.startup) * fraction;
    bool best_allowed = Allowed(choices[best], enabled);
    for (size_t i = unordered; i < choices.size(); ++i) {
      auto cost = CostOf(scan, conj, choices[i], fraction);
      if (!cost.ok()) return cost.error();
      bool allowed = Allowed(choices[i], enabled);
      if ((allowed && !best_allowed) || (allowed == best_allowed && *cost < best_cost)) {
        best = i;
        best_cost = *cost;
        best_allowed = allowed;
      }
    }
  }
  if (Status s = Apply(scan, conj, choices[best], true); !s.ok()) return s.error();
  return best >= unordered;
}

Result<std::unique_ptr<Plan>> ParameterizedIndexScan(const Plan& inner, const Expr& inner_column,
                                                     const Expr& outer_value, int param) {
  bool base = inner.kind == PlanKind::kSeqScan || inner.kind == PlanKind::kIndexScan ||
              inner.kind == PlanKind::kBitmapHeapScan;
  if (!base || !inner.table || inner.table->indexes.empty() || inner.emit_ctid || inner.emit_system_columns ||
      inner_column.kind != ExprKind::kVar || inner_column.rtindex != inner.scanrelid ||
      !Comparable(inner_column.type, outer_value.type)) {
    return std::unique_ptr<Plan>();
  }
  // A scan of the same table, its conditions copied, plus `column = $n`.
  auto scan = std::make_unique<Plan>();
  scan->kind = PlanKind::kSeqScan;
  for (const ExprPtr& t : inner.targetlist) {
    auto copy = CopyExpr(*t);
    if (!copy.ok()) return copy.error();
    scan->targetlist.push_back(std::move(*copy));
  }
  scan->names = inner.names;
  scan->relids = inner.relids;
  scan->scanrelid = inner.scanrelid;
  scan->relname = inner.relname;
  scan->alias = inner.alias;
  scan->scan_width = inner.scan_width;
  scan->rel_pages = inner.rel_pages;
  scan->rel_tuples = inner.rel_tuples;
  scan->table = inner.table;
  std::vector<ExprPtr> conj;
  auto copy_conds = [&](const std::vector<ExprPtr>& from) -> Status {
    for (const ExprPtr& c : from) {
      auto copy = CopyExpr(*c);
      if (!copy.ok()) return copy.error();
      conj.push_back(std::move(*copy));
    }
    return OkStatus();
  };
  const std::vector<ExprPtr>& index_conds =
      inner.kind == PlanKind::kBitmapHeapScan ? inner.lefttree->indexquals : inner.indexquals;
  if (Status s = copy_conds(index_conds); !s.ok()) return s.error();
  if (inner.qual && inner.qual->kind == ExprKind::kBool && inner.qual->bool_op == BoolOpKind::kAnd) {
    if (Status s = copy_conds(inner.qual->args); !s.ok()) return s.error();
  } else if (inner.qual) {
    auto copy = CopyExpr(*inner.qual);
    if (!copy.ok()) return copy.error();
    conj.push_back(std::move(*copy));
  }
  const OperatorInfo* eq = nullptr;
  for (const OperatorInfo* op : FindOperators("=")) {
    if (op->left == inner_column.type && op->right == outer_value.type) eq = op;
  }
  if (eq == nullptr) return std::unique_ptr<Plan>();
  ExprPtr cond = MakeExpr(ExprKind::kOp, TypeId::kBool, inner_column.location);
  cond->op = eq;
  auto column = CopyExpr(inner_column);
  if (!column.ok()) return column.error();
  cond->args.push_back(std::move(*column));
  ExprPtr value = MakeExpr(ExprKind::kExecParam, outer_value.type, outer_value.location);
  value->param = param;
  value->typmod = outer_value.typmod;
  value->relname = outer_value.relname;
  value->colname = outer_value.colname;
  cond->args.push_back(std::move(value));
  size_t param_cond = conj.size();
  conj.push_back(std::move(cond));
  // The indexes whose conditions include it; the cheapest Index Scan.
  std::vector<int> columns;
  for (ExprPtr& c : conj) columns.push_back(IndexableColumn(*c, scan->scanrelid));
  columns[param_cond] = inner_column.attno;
  std::vector<ScanChoice> choices;
  for (ScanChoice& c : IndexChoices(*scan)) {
    c.conds = MatchIndex(*c.index, columns, conj);
    if (std::find(c.conds.begin(), c.conds.end(), param_cond) != c.conds.end()) choices.push_back(c);
  }
  if (choices.empty() || !EnabledScans().indexscan) return std::unique_ptr<Plan>();
  size_t best = 0;
  double best_cost = 0;
  for (size_t i = 0; i < choices.size(); ++i) {
    auto cost = CostOf(*scan, conj, choices[i], 1.0);
    if (!cost.ok()) return cost.error();
    if (i == 0 || *cost < best_cost) {
      best = i;
      best_cost = *cost;
    }
  }
  if (Status s = Apply(*scan, conj, choices[best], true); !s.ok()) return s.error();
  EstimateCosts(*scan);
  return scan;
}

void UseIndexOnlyScans(Plan& node) {
  for (Plan* child : node.Children()) UseIndexOnlyScans(*child);
  if (node.kind != PlanKind::kIndexScan || node.emit_ctid || !node.index) return;
  bool covered = true;
  auto check = [&](Expr* root) {
    if (root == nullptr) return;
    WalkExpr(*root, [&](Expr& e) {
      if (e.kind != ExprKind::kVar || e.levels_up != 0 || e.rtindex != node.scanrelid) return;
      const std::vector<int16_t>& keys = node.index->key_attnums;
      covered = covered && std::find(keys.begin(), keys.end(), e.attno + 1) != keys.end();
    });
  };
  for (ExprPtr& t : node.targetlist) check(t.get());
  check(node.qual.get());
  if (covered) node.kind = PlanKind::kIndexOnlyScan;
}

}  // namespace minipg::sql
