/*-------------------------------------------------------------------------
 * costsize.cpp
 *   Estimates for each plan node (rows, width, startup and total cost) in
 *   PostgreSQL's units and by its formulas (optimizer/path/costsize.c),
 *   with its default settings: seq_page_cost 1, cpu_tuple_cost 0.01,
 *   cpu_operator_cost 0.0025.
 *
 *     a table        pg_class's reltuples / relpages once ANALYZE or VACUUM
 *                    set them; before, its pages (at least 10) times the
 *                    rows a page holds at the columns' average widths
 *                    (PostgreSQL's estimate_rel_size: 2550 rows of one int)
 *     Seq Scan       pages + rows x (cpu_tuple_cost + the filter's operators)
 *     Index Scan     the B-tree's descent, its pages and entries read
 *                    (random_page_cost 4, cpu_index_tuple_cost 0.005),
 *                    then the heap pages: a random one per fetched row
 *                    (Mackert and Lohman's estimate) towards consecutive
 *                    pages as the leading column's correlation nears +-1
 *     Bitmap scans   the index read whole first, then each heap page with
 *                    a match once, between random_page_cost and
 *                    seq_page_cost a page the more of the table it reads
 *     a condition    from ANALYZE's statistics (selfuncs.cpp); without
 *                    them = 1/distinct values (200, fewer for a small
 *                    table, one per row for a column with its own unique
 *                    index), <, > a third, a range (x > a AND x < b)
 *                    0.005, LIKE 0.005, ...
 *     Nested Loop    outer + inner once + rescans of the inner side for
 *                    every other outer row + pairs x cpu_tuple_cost
 *     Materialize    a rescan costs cpu_operator_cost per row
 *     Hash Join      the inner side hashed before the first row, then each
 *                    outer row probes one bucket's share of it (a tenth
 *                    without statistics)
 *     Merge Join     both sides sorted, then read once, inner rows again for
 *                    each further outer row with their key
 *     Sort           n log n comparisons before the first row (n log 2k for
 *                    the first k rows under a Limit)
 *     Limit          a share of its input's cost
 *-------------------------------------------------------------------------
 */
#include <algorithm>
#include <cmath>
#include <map>

#include "engine/sql/adt/builtins.h"
#include "engine/sql/column_stats.h"
#include "engine/sql/optimizer/planner.h"
#include "engine/sql/optimizer/selfuncs.h"
#include "engine/sql/types.h"

namespace minipg::sql {

namespace {

constexpr double kSeqPageCost = 1.0;
constexpr double kCpuTupleCost = 0.01;
constexpr double kCpuOperatorCost = 0.0025;
constexpr double kRandomPageCost = 4.0;
constexpr double kCpuIndexTupleCost = 0.005;
constexpr double kEffectiveCacheSize = 524288;  // pages (4 GB)
constexpr double kPageSpace = 8192 - 24;      // BLCKSZ - SizeOfPageHeaderData
constexpr double kTupleOverhead = 24 + 4;     // MAXALIGN(heap tuple header) + line pointer

/* What an upper node's column is made of: a Var of a child's output row
 * (or of an Agg's keys) followed down to the child's expression. */
const Expr& ResolveExpr(const Plan& node, const Expr& e) {
  if (e.kind != ExprKind::kVar) return e;
  auto column = static_cast<size_t>(e.attno);
  const Plan* child = nullptr;
  if (e.source == VarSource::kOuter) child = node.lefttree.get();
  if (e.source == VarSource::kInner) child = node.righttree.get();
  if (child != nullptr && column < child->targetlist.size()) return ResolveExpr(*child, *child->targetlist[column]);
  if (e.source == VarSource::kScan && node.kind == PlanKind::kAgg && column < node.group_keys.size() && node.lefttree) {
    return ResolveExpr(*node.lefttree, *node.group_keys[column]);
  }
  return e;
}

/* A semi or anti join's factors (PostgreSQL's SemiAntiJoinFactors): the
 * share of outer rows that have a match, and how many inner rows match
 * such a row on average. An equality's share is eqjoinsel_semi's without
 * MCVs: the inner side's distinct values (at most its rows) over the
 * outer side's, 1 if there are more. */
struct SemiFactors {
  double outer_match_frac = 1;
  double match_count = 1;
};

/* Which side of `e` reads only `inner`'s relations: 0 or 1, -1 neither. */
int InnerSide(const Expr& e, const std::vector<int>& inner) {
  for (int side : {0, 1}) {
    bool in = false;
    bool out = false;
    WalkExpr(*e.args[static_cast<size_t>(side)], [&](Expr& n) {
      if (n.kind != ExprKind::kVar || n.levels_up != 0) return;
      (std::find(inner.begin(), inner.end(), n.rtindex) != inner.end() ? in : out) = true;
    });
    if (in && !out) return side;
  }
  return -1;
}

SemiFactors ComputeSemiFactors(const Plan& inner_plan, const std::vector<ExprPtr>& equi_clauses, const Expr* joinqual) {
  std::vector<const Expr*> conds;
  for (const ExprPtr& h : equi_clauses) conds.push_back(h.get());
  if (joinqual != nullptr && joinqual->kind == ExprKind::kBool && joinqual->bool_op == BoolOpKind::kAnd) {
    for (const ExprPtr& a : joinqual->args) conds.push_back(a.get());
  } else if (joinqual != nullptr) {
    conds.push_back(joinqual);
  }
  double inner_rows = std::max(inner_plan.rows, 1.0);
  double semi = 1;
  double inner = 1;  // the same conditions as an inner join's
  for (const Expr* c : conds) {
    double sel = ClauseSelectivity(*c);
    inner *= sel;
    int side = c->kind == ExprKind::kOp && c->op != nullptr && std::string_view(c->op->name) == "=" && c->args.size() == 2
                   ? InnerSide(*c, inner_plan.relids)
                   : -1;
    if (side < 0) {
      semi *= sel;
      continue;
    }
    bool default1 = false;
    bool default2 = false;
    double nd1 = NumDistinct(*c->args[static_cast<size_t>(1 - side)], &default1);
    double nd2 = std::min(NumDistinct(*c->args[static_cast<size_t>(side)], &default2), inner_rows);
    // With a default count PostgreSQL says one half; minipg takes the inner
    // join's estimate instead (each inner row matching 1 / max(nd1, nd2)).
    if (default1 || default2) {
      semi *= std::min(1.0, inner_rows / std::max(nd1, nd2));
    } else {
      semi *= nd1 <= nd2 ? 1.0 : nd2 / nd1;
    }
  }
  SemiFactors f;
  f.outer_match_frac = semi;
  f.match_count = semi > 0 ? std::max(1.0, inner * inner_rows / semi) : 1.0;
  return f;
}

bool SemiOrAnti(JoinType t) { return t == JoinType::kSemi || t == JoinType::kAnti; }

}  // namespace

double ExprCost(const Expr* e) {
  if (e == nullptr) return 0;
  double cost = 0;
  WalkExpr(const_cast<Expr&>(*e), [&](Expr& n) {
    if (n.kind == ExprKind::kOp || n.kind == ExprKind::kFunc || n.kind == ExprKind::kDistinct ||
        n.kind == ExprKind::kNullIf) {
      cost += kCpuOperatorCost;
    } else if (n.kind == ExprKind::kScalarArrayOp) {
      cost += kCpuOperatorCost * 0.5 * static_cast<double>(n.args.size() - 1);
    }
  });
  return cost;
}

int TypeWidth(TypeId type, int32_t typmod) {
  if (int fixed = FixedWidth(type); fixed > 0) return fixed;
  switch (type) {
    case TypeId::kVarchar:
    case TypeId::kBpchar: {
      if (typmod <= 4) return 32;
      int max = (typmod - 4) * 4 + 4;  // UTF-8: up to 4 bytes a character, plus the length word
      if (type == TypeId::kBpchar || max <= 32) return max;
      return max < 1000 ? 32 + (max - 32) / 2 : 32 + (1000 - 32) / 2;
    }
    default: return 32;  // variable width: PostgreSQL's guess
  }
}

void SetRelationSize(Plan& scan, const storage::TableDef& table, double nblocks) {
  double pages = nblocks;
  if (pages < 10 && table.reltuples < 0) pages = 10;  // never analyzed: assume it is not as small as it looks
  double data_width = 0;
  for (const storage::ColumnDef& c : table.columns) data_width += TypeWidth(FromColumnType(c.type), c.typmod);
  double density = table.reltuples >= 0 && table.relpages > 0
                       ? table.reltuples / static_cast<double>(table.relpages)
                       : std::floor(kPageSpace / (data_width + kTupleOverhead));
  scan.rel_pages = pages;
  scan.rel_tuples = pages == 0 ? 0 : std::rint(density * pages);
}

JoinCost SortCost(const Plan& input, double bound) {
  double n = std::max(input.rows, 2.0);
  double comparisons = n * std::log2(n);
  if (bound > 0 && n > 2 * bound) comparisons = n * std::log2(2 * bound);  // a top-N heap
  JoinCost c;
  c.startup = input.total_cost + 2.0 * kCpuOperatorCost * comparisons;
  c.total = c.startup + kCpuOperatorCost * input.rows;
  return c;
}

JoinCost CostJoin(PlanKind method, const Plan& outer, const Plan& inner, bool materialize,
                  const std::vector<ExprPtr>& equi_clauses, const Expr* joinqual, bool enable_material,
                  JoinType jointype) {
  RelTuplesScope scope(&outer, &inner);
  JoinCost c;
  SemiFactors semi;
  if (SemiOrAnti(jointype)) semi = ComputeSemiFactors(inner, equi_clauses, joinqual);
  // A semi or anti join is done with an outer row at its first match:
  // matched rows read 2 / (matches + 1) of the inner side, on average.
  double matched = std::rint(outer.rows * semi.outer_match_frac);
  double scan_frac = 2.0 / (semi.match_count + 1.0);
  double outer_run = outer.total_cost - outer.startup_cost;
  double qual = ExprCost(joinqual);
  auto clauses = static_cast<double>(equi_clauses.size());
  double equi_qual = 0;
  double selectivity = 1;
  for (const ExprPtr& h : equi_clauses) {
    equi_qual += ExprCost(h.get());
    selectivity *= ClauseSelectivity(*h);
  }
  double pairs = ClampRows(outer.rows * inner.rows * selectivity);
  if (method == PlanKind::kNestLoop) {
    double inner_total = inner.total_cost;
    double rescan = inner.total_cost;
    if (materialize) {
      inner_total += 2 * kCpuOperatorCost * inner.rows;
      rescan = kCpuOperatorCost * inner.rows;
    }
    c.startup = outer.startup_cost + inner.startup_cost;
    double inner_run = inner_total - inner.startup_cost;
    if (SemiOrAnti(jointype)) {
      double unmatched = outer.rows - matched;
      double tuples = matched * inner.rows * scan_frac + unmatched * inner.rows;
      double run = outer_run + inner_run;  // the first outer row reads all of it
      if (unmatched >= 1) {
        unmatched -= 1;
      } else {
        matched -= 1;
      }
      run += std::max(0.0, matched) * rescan * scan_frac + unmatched * rescan;
      c.total = c.startup + run + tuples * (kCpuTupleCost + qual + equi_qual);
      return c;
    }
    c.total = c.startup + outer_run + inner_run + std::max(0.0, outer.rows - 1) * rescan +
              outer.rows * inner.rows * (kCpuTupleCost + qual + equi_qual);
    return c;
  }
  if (method == PlanKind::kMergeJoin) {
    // Both sides sorted first; inner rows that match several outer rows are
    // read again (from a Materialize over the inner Sort if that is cheaper).
    JoinCost outer_sort = SortCost(outer, 0);
    JoinCost inner_sort = SortCost(inner, 0);
    c.startup = outer_sort.startup + inner_sort.startup;
    double inner_rows = std::max(inner.rows, 1.0);
    if (SemiOrAnti(jointype)) pairs = ClampRows(jointype == JoinType::kSemi ? matched : outer.rows - matched);
    double rescan_ratio = SemiOrAnti(jointype) ? 1.0 : 1.0 + std::max(0.0, pairs - inner_rows) / inner_rows;
    double inner_run = inner_sort.total - inner_sort.startup;
    double bare = inner_run * rescan_ratio;
    double mat = inner_run + kCpuOperatorCost * inner_rows * rescan_ratio;
    c.materialize_inner = enable_material && mat < bare;
    double run = (outer_sort.total - outer_sort.startup) + (c.materialize_inner ? mat : bare);
    run += equi_qual * (outer.rows + inner.rows * rescan_ratio);
    run += (kCpuTupleCost + qual) * pairs;
    c.total = c.startup + run;
    return c;
  }
  c.startup = outer.startup_cost + inner.total_cost + (kCpuOperatorCost * clauses + kCpuTupleCost) * inner.rows;
  double run = outer_run + kCpuOperatorCost * clauses * outer.rows;
  double bucket = 1.0;  // the share of the inner rows a probe compares with
  for (const ExprPtr& h : equi_clauses) {
    // The inner side's key: the argument reading the inner plan's tables
    // (the clauses keep their order when the sides are tried swapped).
    bool first_inner = false;
    WalkExpr(*h->args[0], [&](Expr& n) {
      bool below = std::find(inner.relids.begin(), inner.relids.end(), n.rtindex) != inner.relids.end();
      first_inner = first_inner || (n.kind == ExprKind::kVar && below);
    });
    bucket = std::min(bucket, HashBucketFraction(*h->args[first_inner ? 0 : 1], inner.rows));
  }
  if (SemiOrAnti(jointype)) {
    // Matched outer rows stop at their first match; unmatched ones see only
    // their bucket's rows.
    double buckets = 1024;
    while (buckets < inner.rows) buckets *= 2;
    run += equi_qual * matched * ClampRows(inner.rows * bucket * scan_frac) * 0.5;
    run += equi_qual * (outer.rows - matched) * ClampRows(inner.rows / buckets) * 0.05;
    pairs = jointype == JoinType::kSemi ? matched : outer.rows - matched;
  } else {
    run += equi_qual * outer.rows * ClampRows(inner.rows * bucket) * 0.5;
  }
  run += (kCpuTupleCost + qual) * pairs;
  c.total = c.startup + run;
  return c;
}

namespace {

/* PostgreSQL's index_pages_fetched (Mackert and Lohman): the heap pages
 * `tuples` fetches in random order from a table of `pages` pages, with
 * effective_cache_size of cache. */
double HeapPagesFetched(double tuples, double pages, double index_pages) {
  double t = pages > 1 ? pages : 1.0;
  double b = std::max(1.0, std::ceil(kEffectiveCacheSize * t / std::max(t + index_pages, 1.0)));
  double fetched = 0;
  if (t <= b) {
    fetched = (2.0 * t * tuples) / (2.0 * t + tuples);
    return fetched >= t ? t : std::ceil(fetched);
  }
  double lim = (2.0 * t * b) / (2.0 * t - b);
  fetched = tuples <= lim ? (2.0 * t * tuples) / (2.0 * t + tuples) : b + (tuples - lim) * (t - b) / t;
  return std::ceil(fetched);
}

/* What reading an index costs (PostgreSQL's btcostestimate and
 * genericcostestimate): the descent from the root, the pages and entries
 * the conditions cover (random_page_cost, cpu_index_tuple_cost). */
struct IndexCost {
  double startup = 0;
  double total = 0;
  double selectivity = 1;  // the share of the table's rows the conditions keep
};

IndexCost CostIndexPart(const Plan& node) {
  IndexCost c;
  double tuples = std::max(node.rel_tuples, 0.0);
  std::vector<const Expr*> conds;
  for (const ExprPtr& e : node.indexquals) conds.push_back(e.get());
  c.selectivity = AndSelectivity(conds);
  // An = ANY condition searches the index once per element (PostgreSQL's
  // num_sa_scans): each search reads its share of the entries.
  double num_sa_scans = 1;
  for (const Expr* e : conds) {
    if (e->kind == ExprKind::kScalarArrayOp) num_sa_scans *= static_cast<double>(std::max<size_t>(e->args.size() - 1, 1));
  }
  // The entries read: one when every column of a unique index is given by
  // equality, else the conditions' share of the table.
  bool all_equal = node.index && node.index->unique && !conds.empty();
  for (size_t col = 0; all_equal && col < node.index->key_attnums.size(); ++col) {
    bool found = false;
    for (const Expr* e : conds) {
      found = found || (e->kind == ExprKind::kOp && e->op != nullptr && std::string_view(e->op->name) == "=" &&
                        e->args[0]->attno + 1 == node.index->key_attnums[col]);
    }
    all_equal = found;
  }
  for (const Expr* e : conds) all_equal = all_equal && e->kind == ExprKind::kOp;
  double entries = all_equal ? 1.0 : std::max(1.0, std::rint(c.selectivity * tuples / num_sa_scans));
  double pages = node.index_pages > 1 && tuples > 1 ? std::ceil(entries * node.index_pages / tuples) : 1.0;
  if (num_sa_scans > 1) pages = HeapPagesFetched(pages * num_sa_scans, node.index_pages, node.index_pages);
  c.total = pages * kRandomPageCost +
            entries * num_sa_scans * (kCpuIndexTupleCost + kCpuOperatorCost * static_cast<double>(conds.size()));
  double descent = tuples > 1 ? std::ceil(std::log2(tuples)) * kCpuOperatorCost : 0;
  descent += (node.index_height + 1) * 50.0 * kCpuOperatorCost;
  c.startup = descent;
  c.total += descent * num_sa_scans;
  return c;
}

/* An Index Scan (PostgreSQL's cost_index): the index part, then the heap
 * pages its rows are on, by the leading column's correlation. */
void CostIndexScan(Plan& node, double qual_cost, double tlist_cost) {
  IndexCost ic = CostIndexPart(node);
  double tuples = std::max(node.rel_tuples, 0.0);
  double fetched = ClampRows(ic.selectivity * tuples);
  // Heap pages: random ones when the table's order is unrelated to the
  // index's, consecutive ones when it follows it (the square of the
  // column's correlation between the two).
  // An Index Only Scan fetches only the heap pages not all-visible
  // (allvisfrac: relallvisible of the table's pages now).
  double allvisfrac = 0;
  if (node.kind == PlanKind::kIndexOnlyScan && node.table.has_value() && node.table->relallvisible > 0 &&
      node.rel_pages > 0) {
    allvisfrac = std::min(1.0, static_cast<double>(node.table->relallvisible) / node.rel_pages);
  }
  double max_pages = HeapPagesFetched(fetched, node.rel_pages, node.index_pages);
  if (allvisfrac > 0) max_pages = std::ceil(max_pages * (1.0 - allvisfrac));
  double max_io = max_pages * kRandomPageCost;
  double min_pages = std::ceil(ic.selectivity * node.rel_pages);
  if (allvisfrac > 0) min_pages = std::ceil(min_pages * (1.0 - allvisfrac));
  double min_io = min_pages > 0 ? kRandomPageCost + (min_pages - 1) * kSeqPageCost : 0;
  double correlation = IndexCorrelation(node);
  double run = ic.total - ic.startup + max_io + correlation * correlation * (min_io - max_io);
  run += (kCpuTupleCost + qual_cost) * fetched;
  double qual_sel = node.qual ? ClauseSelectivity(*node.qual) : 1.0;
  node.rows = ClampRows(tuples * ic.selectivity * qual_sel);
  run += tlist_cost * node.rows;
  node.startup_cost = ic.startup;
  node.total_cost = ic.startup + run;
}

/* A Bitmap Heap Scan over its Bitmap Index Scan (cost_bitmap_heap_scan):
 * the index read whole before the first row, then each heap page holding
 * a match once, cheaper per page the more of the table they are. */
void CostBitmapHeapScan(Plan& node, double qual_cost, double tlist_cost) {
  const Plan& child = *node.lefttree;
  IndexCost ic = CostIndexPart(child);
  double tuples = std::max(node.rel_tuples, 0.0);
  double fetched = ClampRows(ic.selectivity * tuples);
  double t = std::max(node.rel_pages, 1.0);
  double pages = (2.0 * t * fetched) / (2.0 * t + fetched);
  pages = pages >= t ? t : std::ceil(pages);
  double per_page = pages >= 2.0 ? kRandomPageCost - (kRandomPageCost - kSeqPageCost) * std::sqrt(pages / t)
                                 : kRandomPageCost;
  node.startup_cost = ic.total + 0.1 * kCpuOperatorCost * fetched;
  double recheck = 0;
  for (const ExprPtr& e : node.indexquals) recheck += ExprCost(e.get());
  double run = pages * per_page + (kCpuTupleCost + qual_cost + recheck) * fetched;
  double qual_sel = node.qual ? ClauseSelectivity(*node.qual) : 1.0;
  node.rows = ClampRows(tuples * ic.selectivity * qual_sel);
  run += tlist_cost * node.rows;
  node.total_cost = node.startup_cost + run;
}

}  // namespace

double JoinRows(const Plan& node, double outer_rows, const Plan& inner) {
  double inner_rows = inner.rows;
  if (SemiOrAnti(node.jointype)) {
    double frac = ComputeSemiFactors(inner, node.equi_clauses, node.joinqual.get()).outer_match_frac;
    return outer_rows * (node.jointype == JoinType::kSemi ? frac : 1.0 - frac);
  }
  double selectivity = 1;
  for (const ExprPtr& h : node.equi_clauses) selectivity *= ClauseSelectivity(*h);
  if (node.joinqual) selectivity *= ClauseSelectivity(*node.joinqual);
  double rows = outer_rows * inner_rows * selectivity;
  if (node.jointype == JoinType::kLeft || node.jointype == JoinType::kFull) rows = std::max(rows, outer_rows);
  if (node.jointype == JoinType::kFull || node.jointype == JoinType::kRight) rows = std::max(rows, inner_rows);
  return rows;
}

void EstimateCosts(Plan& node) {
  RelTuplesScope scope(&node, nullptr);
  if (node.kind == PlanKind::kSubqueryScan) {
    // The subquery's Vars index its own range table.
    const RelTuples* outer = RelTuplesScope::Suspend();
    EstimateCosts(*node.lefttree);
    RelTuplesScope::Resume(outer);
  }
  for (Plan* child : node.Children()) {
    if (node.kind != PlanKind::kSubqueryScan) EstimateCosts(*child);
  }
  node.width = 0;
  for (const ExprPtr& e : node.targetlist) node.width += ExprWidth(ResolveExpr(node, *e));
  const Plan* left = node.lefttree.get();
  const Plan* right = node.righttree.get();
  double qual_cost = ExprCost(node.qual.get());
  double selectivity = node.qual ? ClauseSelectivity(*node.qual) : 1.0;
  double tlist_cost = 0;
  for (const ExprPtr& e : node.targetlist) tlist_cost += ExprCost(e.get());
  switch (node.kind) {
    case PlanKind::kSeqScan:
      node.startup_cost = 0;
      node.total_cost = node.rel_pages * kSeqPageCost + node.rel_tuples * (kCpuTupleCost + qual_cost);
      node.rows = ClampRows(node.rel_tuples * selectivity);
      node.total_cost += tlist_cost * node.rows;
      break;
    case PlanKind::kIndexScan:
    case PlanKind::kIndexOnlyScan:  // the Index Scan's, less the all-visible pages' fetches
      CostIndexScan(node, qual_cost, tlist_cost);
      break;
    case PlanKind::kBitmapIndexScan: {
      IndexCost ic = CostIndexPart(node);
      node.startup_cost = 0;
      node.total_cost = ic.total;
      node.rows = ClampRows(ic.selectivity * std::max(node.rel_tuples, 0.0));
      node.width = 0;
      break;
    }
    case PlanKind::kBitmapHeapScan:
      CostBitmapHeapScan(node, qual_cost, tlist_cost);
      break;
    case PlanKind::kFunctionScan: {
      double rows = node.rel_tuples >= 0 ? node.rel_tuples : 1000;
      node.startup_cost = node.function ? ExprCost(node.function.get()) : 0;
      node.total_cost = node.startup_cost + rows * (kCpuTupleCost + qual_cost);
      node.rows = ClampRows(rows * selectivity);
      node.total_cost += tlist_cost * node.rows;
      break;
    }
    case PlanKind::kCteScan:
    case PlanKind::kWorkTableScan: {  // cost_ctescan: its rows (the WITH query's plan is an InitPlan's cost)
      double rows = std::max(node.rel_tuples, 1.0);
      node.startup_cost = 0;
      node.total_cost = rows * (kCpuTupleCost + qual_cost);
      node.rows = ClampRows(rows * selectivity);
      node.total_cost += tlist_cost * node.rows;
      break;
    }
    case PlanKind::kRecursiveUnion:  // cost_recursive_union: ten rounds of the recursive term
      node.startup_cost = left->startup_cost;
      node.total_cost = left->total_cost + 10 * right->total_cost;
      node.rows = ClampRows(left->rows + 10 * right->rows);
      node.total_cost += kCpuTupleCost * node.rows;
      break;
    case PlanKind::kValuesScan: {
      auto rows = static_cast<double>(node.values.size());
      node.total_cost = rows * (kCpuOperatorCost + kCpuTupleCost + qual_cost);
      node.rows = ClampRows(rows * selectivity);
      break;
    }
    case PlanKind::kResult:
      node.startup_cost = left != nullptr ? left->startup_cost : 0;
      node.total_cost = (left != nullptr ? left->total_cost : 0) + kCpuTupleCost + tlist_cost;
      node.rows = left != nullptr ? left->rows : 1;
      break;
    case PlanKind::kSubqueryScan:
      node.startup_cost = left->startup_cost;
      node.total_cost = left->total_cost + left->rows * (kCpuTupleCost + qual_cost);
      node.rows = ClampRows(left->rows * selectivity);
      break;
    case PlanKind::kNestLoop:
    case PlanKind::kHashJoin:
    case PlanKind::kMergeJoin: {
      // Price the join from its inputs as they were before the Hash,
      // Materialize or Sorts the method put over them.
      bool materialized = right->kind == PlanKind::kMaterialize;
      const Plan* outer = left;
      const Plan* inner = materialized || right->kind == PlanKind::kHash ? right->lefttree.get() : right;
      if (node.kind == PlanKind::kMergeJoin) {
        outer = outer->lefttree.get();
        inner = inner->lefttree.get();
      }
      bool mat = node.kind == PlanKind::kNestLoop && materialized;
      JoinCost c = CostJoin(node.kind, *outer, *inner, mat, node.equi_clauses, node.joinqual.get(),
                            node.kind == PlanKind::kMergeJoin && materialized, node.jointype);
      double rows = JoinRows(node, left->rows, *inner);
      node.rows = ClampRows(rows * selectivity);
      node.startup_cost = c.startup;
      node.total_cost = c.total + ClampRows(rows) * qual_cost + node.rows * tlist_cost;
      break;
    }
    case PlanKind::kHash:
    case PlanKind::kMaterialize:
      node.startup_cost = node.kind == PlanKind::kHash ? left->total_cost : left->startup_cost;
      node.total_cost = left->total_cost + (node.kind == PlanKind::kMaterialize ? 2 * kCpuOperatorCost * left->rows : 0);
      node.rows = left->rows;
      break;
    case PlanKind::kSort: {
      JoinCost c = SortCost(*left, node.sort_bound);
      node.startup_cost = c.startup;
      node.total_cost = c.total;
      node.rows = left->rows;
      break;
    }
    case PlanKind::kLimit: {
      double rows = left->rows;
      if (node.limit_count && node.limit_count->kind == ExprKind::kConst) {
        if (const int64_t* n = std::get_if<int64_t>(&node.limit_count->value)) {
          rows = std::min(rows, static_cast<double>(*n));
        }
      }
      node.startup_cost = left->startup_cost;
      double offset = 0;
      if (node.limit_offset && node.limit_offset->kind == ExprKind::kConst) {
        if (const int64_t* n = std::get_if<int64_t>(&node.limit_offset->value)) offset = std::min(left->rows, static_cast<double>(*n));
      }
      rows = std::min(rows, std::max(0.0, left->rows - offset));
      double run = left->total_cost - left->startup_cost;
      double share = left->rows > 0 ? (rows + offset) / left->rows : 1.0;
      node.startup_cost = left->startup_cost + (left->rows > 0 ? run * offset / left->rows : 0);
      node.total_cost = left->startup_cost + run * share;
      node.rows = ClampRows(rows);
      break;
    }
    case PlanKind::kLockRows:  // create_lockrows_path: a tuple's cost per row on top
      node.startup_cost = left->startup_cost;
      node.total_cost = left->total_cost + kCpuTupleCost * left->rows;
      node.rows = left->rows;
      break;
    case PlanKind::kAgg: {
      double trans = 0;
      for (const ExprPtr& a : node.aggs) trans += kCpuOperatorCost + ExprCost(a.get());
      std::vector<const Expr*> keys;
      for (const ExprPtr& k : node.group_keys) keys.push_back(&ResolveExpr(node, *k));
      double groups = node.group_keys.empty() ? 1 : EstimateNumGroups(keys, left->rows);
      node.startup_cost = left->total_cost + left->rows * trans;
      if (node.hashed) node.startup_cost += kCpuOperatorCost * static_cast<double>(node.group_keys.size()) * left->rows;
      node.total_cost = node.startup_cost + groups * (kCpuTupleCost + qual_cost) + groups * tlist_cost;
      node.rows = node.qual ? ClampRows(groups * selectivity) : groups;
      break;
    }
    case PlanKind::kWindowAgg: {
      // PostgreSQL's cost_windowagg: each call (one operator) and its
      // arguments, and each key compared, per input row, plus a tuple's cost.
      double per_row = kCpuTupleCost;
      for (const ExprPtr& w : node.aggs) {
        size_t nargs = w->window ? w->window->nargs : 0;
        size_t nkeys = w->window ? w->window->npartition + w->window->order.size() : 0;
        per_row += kCpuOperatorCost;
        if (&w == &node.aggs.front()) per_row += kCpuOperatorCost * static_cast<double>(nkeys);
        for (size_t i = 0; i < nargs && i < w->args.size(); ++i) per_row += ExprCost(w->args[i].get());
      }
      node.startup_cost = left->startup_cost;
      node.total_cost = left->total_cost + per_row * left->rows;
      node.rows = left->rows;
      break;
    }
    case PlanKind::kModifyTable:
      node.startup_cost = left->startup_cost;
      node.total_cost = left->total_cost;
      node.rows = 0;
      break;
    case PlanKind::kUtility:
    case PlanKind::kCopy:
      break;
    case PlanKind::kAppend:
      node.rows = 0;
      for (const auto& child : node.appendplans) {
        node.total_cost += child->total_cost;
        node.rows += child->rows;
      }
      node.startup_cost = node.appendplans.empty() ? 0 : node.appendplans[0]->startup_cost;
      break;
    case PlanKind::kSetOp:
      node.startup_cost = left->total_cost + right->total_cost +
                          (left->rows + right->rows) * kCpuOperatorCost * static_cast<double>(node.targetlist.size());
      node.total_cost = node.startup_cost + left->rows * kCpuTupleCost;
      node.rows = node.setop == SetOpKind::kExcept ? left->rows : std::min(left->rows, right->rows);
      break;
    case PlanKind::kUnique: {
      node.startup_cost = left->startup_cost;
      node.total_cost = left->total_cost + left->rows * kCpuOperatorCost;
      std::vector<const Expr*> keys;
      for (int col : node.unique_cols) {
        if (static_cast<size_t>(col) < left->targetlist.size()) keys.push_back(&ResolveExpr(*left, *left->targetlist[static_cast<size_t>(col)]));
      }
      node.rows = EstimateNumGroups(keys, left->rows);
      break;
    }
  }
}

}  // namespace minipg::sql
