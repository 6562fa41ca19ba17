/*-------------------------------------------------------------------------
 * plannodes.h
 *   Plan trees (PostgreSQL's plannodes.h): what the planner makes of a
 *   Query and the executor runs. Each node owns its expressions (output
 *   target list, filter, join condition, ...) and its children; after
 *   setrefs every Var in them names the row it reads: the node's scan row,
 *   or its outer (left) or inner (right) child's output, by column.
 *
 *   Node kinds and their EXPLAIN names:
 *     Result          one row (SELECT without FROM, INSERT of one row)
 *     Seq Scan        a table's rows in file order
 *     Function Scan   a function's rows (a set-returning function, a system view)
 *     Values Scan     a VALUES list's rows
 *     Subquery Scan   a subquery's rows
 *     Nested Loop     for each outer row, every inner row (inner, left, full, ...)
 *     Sort            ORDER BY
 *     Limit           LIMIT / OFFSET
 *     Aggregate       aggregates over all its input (one row); HashAggregate: per
 *                     group of GROUP BY keys, in a hash table
 *     ModifyTable     INSERT, UPDATE, DELETE ("Insert on t", "Update on t", "Delete on t")
 *     Hash Join       inner rows into a hash table (its Hash child), then
 *                     each outer row probes it by the Hash Cond's keys
 *     Hash            the inner side of a Hash Join
 *     Materialize     its input's rows kept in memory for a nested loop's rescans
 *     Merge Join      both inputs sorted on the keys (a Sort under each), merged
 *     Index Scan      a table's rows whose keys an index finds (Index Cond),
 *                     in the index's order ("Index Scan Backward": reversed)
 *     Index Only Scan an Index Scan that needs no column outside the index
 *                     (the heap only for pages not all-visible in the visibility map)
 *     Bitmap Index Scan  the heap TIDs an index finds, all at once
 *     Bitmap Heap Scan   the rows at its Bitmap Index Scan's TIDs, in heap
 *                     order (each page read once)
 *     WindowAgg       window functions of one window over its input, sorted
 *                     by the window's keys (its `aggs`: kWindowFunc calls;
 *                     its row: the input's columns, then their results)
 *     CTE Scan        a WITH query's rows, computed once for all its readers
 *     WorkTable Scan  a recursive WITH query's rows of the previous round
 *     Recursive Union WITH RECURSIVE's non-recursive UNION [ALL] recursive term
 *     LockRows        SELECT ... FOR UPDATE / SHARE: locks each row it passes on
 *                     (under Limit, above Sort)
 *   and, for the plan event only, Utility (a statement that is not planned)
 *   and Copy. Next: GroupAggregate, Unique,
 *   SetOp, Index Scan: a PlanKind each, a case in ExecInitNode.
 *
 *   Nodes are numbered depth-first from 0 (the root), then the nodes of
 *   each subplan (InitPlan, SubPlan, CTE) in turn; each knows its parent
 *   (-1 for the root), as the "plan" and "execute" events report them.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/sql/ast.h"
#include "engine/sql/nodes/primnodes.h"
#include "engine/storage/catalog.h"

namespace minipg::sql {

struct SystemView;  // system_views.h
struct Plan;

enum class PlanKind {
  kResult,
  kSeqScan,
  kFunctionScan,
  kValuesScan,
  kSubqueryScan,
  kNestLoop,
  kSort,
  kLimit,
  kAgg,
  kModifyTable,
  kUtility,  // plan event only: DDL, SET, SHOW, BEGIN, ...
  kCopy,     // plan event only: COPY, above the plan that makes its rows
  kHash,         // Hash: its input's rows, into the hash table its Hash Join probes
  kHashJoin,     // Hash Join: outer rows probe the inner side's hash table
  kMaterialize,  // Materialize: its input's rows, kept for a rescan
  kMergeJoin,    // Merge Join: both inputs sorted on the join keys, merged
  kAppend,   // each of appendplans' rows in turn (UNION ALL)
  kSetOp,    // INTERSECT / EXCEPT [ALL] of its left and right rows (HashSetOp)
  kUnique,   // the first of each run of rows equal in unique_cols (DISTINCT ON)
  kIndexScan,  // a table's rows found through a B-tree index (Index Cond), in its order
  kBitmapIndexScan,  // the TIDs an index finds (Index Cond), for its Bitmap Heap Scan
  kBitmapHeapScan,   // the rows at its child's TIDs, read in heap order (Recheck Cond)
  kIndexOnlyScan,    // an Index Scan whose output columns are all in the index
  kWindowAgg,        // window functions over its (sorted) input's rows, one window per node
  kCteScan,          // the rows of a WITH query's plan (cte_plan), kept for every reader
  kWorkTableScan,    // a recursive WITH query's rows of the last round (wt_param's Recursive Union)
  kRecursiveUnion,   // non-recursive term, then the recursive term over each round's new rows
  kLockRows,         // locks each input row's version of every row_marks table (SELECT ... FOR UPDATE)
};

/* LockRows: one table whose rows it locks (PostgreSQL's PlanRowMark):
 * its input row's `column` is that table's row ctid (junk); strength
 * kNone: a table not locked whose row EvalPlanQual fetches by that ctid. */
struct PlanRowMark {
  int column = 0;
  storage::TableDef table;
  LockClauseStrength strength = LockClauseStrength::kForUpdate;
  LockWaitPolicy wait = LockWaitPolicy::kBlock;
};

/* The node's name as EXPLAIN prints it ("Seq Scan", "Nested Loop"). */
const char* PlanKindName(PlanKind kind);

struct SortKey {
  int column = 0;  // 0-based column of the child's output row
  bool descending = false;
  bool nulls_first = false;
  TypeId type = TypeId::kText;  // the column's type, for CompareValues
};

struct Plan {
  PlanKind kind = PlanKind::kResult;
  int id = 0;
  int parent = -1;

  // Estimates (a simple model until ANALYZE statistics exist).
  double startup_cost = 0;
  double total_cost = 0;
  double rows = 0;
  int width = 0;

  std::vector<ExprPtr> targetlist;  // the output row, one expression per column
  std::vector<std::string> names;   // each output column's name (for EXPLAIN's keys)
  ExprPtr qual;                     // Filter: rows for which it is not true are dropped
  std::unique_ptr<Plan> lefttree;   // outer child
  std::unique_ptr<Plan> righttree;  // inner child
  std::vector<int> relids;          // the range table entries below (planning only)

  // Scans: the entry read and the name EXPLAIN shows ("on t x").
  int scanrelid = 0;
  std::string relname;
  std::string alias;
  int scan_width = 0;                      // columns of the scan row
  double rel_pages = 0;                    // Seq Scan: the table's pages and rows as the planner
  double rel_tuples = -1;                  //   estimates them (Function Scan: its rows, -1 unknown)
  std::optional<storage::TableDef> table;  // Seq Scan; ModifyTable's target
  const SystemView* view = nullptr;        // Function Scan of a system view
  ExprPtr function;                        // Function Scan of a function
  bool ordinality = false;                 // Function Scan WITH ORDINALITY: a row number after the values
  std::vector<std::vector<ExprPtr>> values;  // Values Scan

  // Index Scan, Bitmap Index Scan (its table in `table`; a Bitmap Heap
  // Scan keeps a copy of its child's conditions as its Recheck Cond in
  // indexquals): the index, the conditions it finds
  // rows by (Index Cond: each `column op value`, args[0] a Var of one of
  // the index's columns, args[1] reading no column of this scan; the rest
  // of the WHERE stays in qual, the Filter), the direction, and the
  // index's size for the cost model.
  std::optional<storage::IndexDef> index;
  std::vector<ExprPtr> indexquals;
  bool backward = false;
  double index_pages = 0;
  double index_height = 0;  // levels above the leaves (the metapage's btm_level)

  // Nested Loop, Hash Join
  JoinType jointype = JoinType::kInner;
  ExprPtr joinqual;  // Join Filter: decides which pairs match (outer joins keep the rest)
  // Hash Join's Hash Cond, Merge Join's Merge Cond: equalities `outer expr =
  // inner expr` (args[0] reads the outer row, args[1] the inner one)
  std::vector<ExprPtr> equi_clauses;
  // Nested Loop: exec params ($n) set from each outer row before the inner
  // side is rescanned (a parameterized inner Index Scan's Index Cond reads
  // them): nest_params[i] gets nest_param_exprs[i] over the outer row.
  std::vector<int> nest_params;
  std::vector<ExprPtr> nest_param_exprs;

  // Sort
  std::vector<SortKey> sort_keys;
  double sort_bound = 0;  // under a Limit: only the first this many rows are needed (0: all)
  // Limit
  ExprPtr limit_count;
  ExprPtr limit_offset;

  // Agg: the grouping keys and aggregate calls, over the outer child's row.
  // Its output row (what targetlist and qual read as the scan row) is the
  // keys' values, then the aggregates' results.
  std::vector<ExprPtr> group_keys;
  std::vector<ExprPtr> aggs;  // kAggref expressions
  bool hashed = false;        // HashAggregate (GROUP BY) rather than plain Aggregate

  // Append: its children (lefttree and righttree stay empty)
  std::vector<std::unique_ptr<Plan>> appendplans;
  // SetOp: INTERSECT or EXCEPT, ALL or not, of lefttree's and righttree's rows
  SetOpKind setop = SetOpKind::kNone;
  bool setop_all = false;
  // Unique: the columns of the (sorted) input that must differ
  std::vector<int> unique_cols;

  // Utility, Copy: what the node stands for ("CREATE TABLE t (a integer)")
  std::string detail;

  // ModifyTable: INSERT, UPDATE or DELETE. Its child's row: the new row
  // (INSERT, UPDATE), then the old row's ctid (UPDATE, DELETE), then the
  // `returning` RETURNING values, which are its own output row.
  StatementKind operation = StatementKind::kInsert;
  int returning = 0;
  // ModifyTable's ON CONFLICT (Query's fields of that name): conflict_set
  // and conflict_where read the existing row as the scan row and the
  // proposed one (EXCLUDED) as the inner row.
  char on_conflict = 0;
  std::vector<std::string> arbiter_indexes;
  std::vector<ExprPtr> conflict_set;
  ExprPtr conflict_where;
  // Seq Scan: the scan row ends with each row's ctid (UPDATE / DELETE's target)
  bool emit_ctid = false;
  // The subqueries its expressions run (InitPlans first, then SubPlans),
  // for EXPLAIN; the expressions own them (Expr::subplan).
  std::vector<std::shared_ptr<SubPlanInfo>> subplans;
  // ModifyTable of INSERT ... ON CONFLICT DO UPDATE ... RETURNING: RETURNING's
  // values over the updated row (its scan row), for the rows it updates.
  std::vector<ExprPtr> conflict_returning;

  // CTE Scan: the WITH query's plan it reads (a "CTE name" subplan of the
  // level defining it). WorkTable Scan, Recursive Union: the $n naming the
  // work table that links them; Recursive Union: UNION rather than UNION ALL.
  std::shared_ptr<SubPlanInfo> cte_plan;
  int wt_param = -1;
  bool union_distinct = false;
  // Seq Scan, Index Scan: the scan row ends with the junk ctid slot and the
  // system columns (system_columns.h): a query reads one of them
  bool emit_system_columns = false;
  // Function Scan of a system view with arguments: their expressions
  std::vector<ExprPtr> view_args;
  // LockRows: the tables whose rows it locks
  std::vector<PlanRowMark> row_marks;

  /* EXPLAIN's first line for the node ("Seq Scan on t x") and its detail
   * lines ("Filter: (a > 1)"). */
  std::string Title() const;
  /* lefttree, righttree and appendplans: the children there are, in order. */
  std::vector<Plan*> Children() const;
  std::vector<std::string> Details(bool qualify) const;
};

/* A planned subquery of an expression (PostgreSQL's SubPlan): an
 * InitPlan (uncorrelated: run once, its value kept) or a SubPlan (run for
 * every row of the node whose expression holds it, after setting the
 * parameters its outer references became). optimizer/subselect.cpp makes
 * it, executor/node_subplan.cpp runs it. */
struct SubPlanInfo {
  int id = 0;              // "SubPlan 1", "InitPlan 2": numbered across the statement
  bool initplan = false;   // no outer references: run once per execution
  int output_param = -1;   // InitPlan: "$n" its value goes by (EXPLAIN's "returns $n")
  int test_param = -1;     // ANY / ALL: the $n the test reads the output column through
  std::vector<int> arg_params;  // the $n each outer value (the owning Expr's args) is set into
  std::unique_ptr<Plan> plan;
  int test_columns = 1;    // ANY / ALL: output columns, read through test_param, test_param + 1, ...
  std::string cte_name;  // a WITH query's plan ("CTE name"): run once, read by its CTE Scans
  // x = ANY (uncorrelated subquery), its rows fitting in work_mem: run once,
  // its values kept, each row's x looked up ("hashed SubPlan 1").
  bool hashed = false;
};

/* What EXPLAIN prints above a subplan: "CTE name", "InitPlan 1 (returns
 * $0)" or "SubPlan 2". */
std::string SubPlanLabel(const SubPlanInfo& subplan);

/* A planned statement: the tree and its nodes by id. */
struct PlannedStmt {
  StatementKind command = StatementKind::kOther;
  std::vector<ColumnDesc> columns;  // what it returns (SELECT): the root's first columns; the rest are junk
  std::unique_ptr<Plan> root;
  std::vector<Plan*> nodes;  // by id (depth-first order)
  bool qualify = false;      // Vars print as t.x (more than one relation)

  /* Numbers the nodes (after the tree is built or changed). */
  void Number();
  /* The tree as EXPLAIN (COSTS OFF) prints it. */
  std::string Explain() const;
};

/* Emits the "plan" event (docs/events.md). Node details are cut to the
 * event's field size before they are copied; without event_query_text
 * the plan text and the details (which show constants) are left out. */
void EmitPlanEvent(const PlannedStmt& plan);
/* Emits the "execute" event: the statement's rows and each plan node's,
 * by node id. */
void EmitExecuteEvent(int64_t rows, std::span<const int64_t> node_rows);

}  // namespace minipg::sql
