/*-------------------------------------------------------------------------
 * planner.h
 *   Stage 3: Query -> plan tree (nodes/plannodes.h). There is one way to
 *   do each step yet, so the planner lays the query out:
 *
 *     SELECT ... FROM a JOIN b ON c WHERE w ORDER BY k LIMIT n
 *        Limit -> Sort -> Nested Loop (Join Filter: c) -> Seq Scan on a
 *                                                      -> Seq Scan on b
 *     ... WHERE a = 1 (a indexed)        Index Scan using t_a on t, or a Bitmap
 *                                        Heap Scan over a Bitmap Index Scan, if
 *                                        cheaper than the Seq Scan (indxpath.cpp)
 *     ... ORDER BY a LIMIT n             Limit -> Index Scan (no Sort), if cheaper
 *     SELECT 1 + 1                       Result
 *     INSERT INTO t VALUES (...)         Insert on t -> Result
 *     INSERT INTO t VALUES (...), (...)  Insert on t -> Values Scan
 *     SELECT DISTINCT ...                HashAggregate (then Sort, Limit)
 *     SELECT f(...) OVER (...) ...       WindowAgg -> Sort (one per window)
 *     SELECT DISTINCT ON (k) ...         Unique -> Sort
 *     q1 UNION ALL q2 UNION ALL q3       Append -> q1, q2, q3
 *     q1 UNION q2                        HashAggregate -> Append -> q1, q2
 *     q1 INTERSECT / EXCEPT [ALL] q2     HashSetOp Intersect / Except -> q1, q2
 *     anything else                      Utility
 *
 *   Steps: join alias Vars are replaced by the input columns they stand
 *   for; each range table entry becomes a scan (a subquery is planned
 *   recursively under a Subquery Scan); joins become Nested Loops (a RIGHT
 *   JOIN a LEFT one with its inputs swapped; a comma an inner join); each
 *   WHERE condition goes as far down as it can (to the one scan it reads,
 *   unless an outer join could make that scan's row NULL); the top node
 *   computes the select list; Sort and Limit go on top; then setrefs
 *   (setrefs.cpp) points every Var at the row it reads.
 *
 * NOTES
 *   Planning moves the query's expressions into the plan: after it, the
 *   Query has only its range table's names and types left.
 *-------------------------------------------------------------------------
 */
#pragma once

#include "engine/common/error.h"
#include "engine/sql/nodes/plannodes.h"
#include "engine/sql/query.h"

namespace minipg::sql {

/* `ctx` (optional) gives the tables' sizes on disk; without it a table is
 * assumed to have 10 pages. */
Result<PlannedStmt> PlanQuery(Query& query, const SessionContext* ctx = nullptr);

/* The Agg node over `input` for a query that groups or aggregates
 * (plan_agg.cpp): it takes over the query's target list and HAVING. */
Result<std::unique_ptr<Plan>> PlanAggregation(Query& query, std::unique_ptr<Plan> input);

/* Window functions (plan_window.cpp): whether the select list has a
 * call; the WindowAgg nodes (and Sorts) over `base`, whose target list is
 * the select list, which the top WindowAgg takes over (with the windows'
 * keys after it as junk columns if `key_columns`); whether the top
 * node's rows are already in the order of `keys` (its columns). */
bool HasWindowFuncs(std::vector<ExprPtr>& targetlist);
Result<std::unique_ptr<Plan>> PlanWindows(std::unique_ptr<Plan> base, bool key_columns);
bool WindowOrderSatisfies(const Plan& top, const std::vector<SortKey>& keys);

/* UNION / INTERSECT / EXCEPT: the plan of the query's set operation tree
 * (prepunion.cpp). */
Result<std::unique_ptr<Plan>> PlanSetOperations(Query& query);
/* One subtree of a set operation tree, planned (prepunion.cpp). */
Result<std::unique_ptr<Plan>> PlanSetOpSubtree(Query& query, SetOperationNode& node);
/* HashAggregate keyed on every column of `input`, returning them: DISTINCT
 * and UNION (prepunion.cpp). */
std::unique_ptr<Plan> MakeHashDistinct(std::unique_ptr<Plan> input);

/* Helpers the planner's files share (planner.cpp): a node of `kind`
 * passing its child's rows on; an outer Var of the child's column; the
 * scan of a range table entry (a subquery's is planned under it). */
std::unique_ptr<Plan> PlanAbove(PlanKind kind, std::unique_ptr<Plan> child);
ExprPtr PlanOuterVar(const Plan& child, size_t column);
Result<std::unique_ptr<Plan>> PlanRangeEntry(Query& query, int rtindex);

/* Fills in every node's estimated rows, width and costs (costsize.cpp). */
void EstimateCosts(Plan& root);

/* ---- the cost model's parts (costsize.cpp) ---- */
/* The share of rows a condition keeps. */
double ClauseSelectivity(const Expr& e);
/* What evaluating an expression costs per row (cpu_operator_cost per operator). */
double ExprCost(const Expr* e);
/* A value's average width in bytes, as PostgreSQL's get_typavgwidth. */
int TypeWidth(TypeId type, int32_t typmod);
/* A Seq Scan's rel_pages / rel_tuples from the table's statistics and its
 * size on disk (`nblocks`). */
void SetRelationSize(Plan& scan, const storage::TableDef& table, double nblocks);
struct JoinCost {
  double startup = 0;
  double total = 0;
  bool materialize_inner = false;  // Merge Join: a Materialize over the inner Sort pays off
};
/* Sorting `input` (its first `bound` rows only, if > 0). */
JoinCost SortCost(const Plan& input, double bound);
/* The cost of joining `outer` with `inner` (both as they are before the
 * method's own nodes) by `method`: kNestLoop (with a Materialize over
 * `inner` if `materialize`), kHashJoin or kMergeJoin on `equi_clauses`. */
JoinCost CostJoin(PlanKind method, const Plan& outer, const Plan& inner, bool materialize,
                  const std::vector<ExprPtr>& equi_clauses, const Expr* joinqual, bool enable_material,
                  JoinType jointype = JoinType::kInner);

/* Turns each Nested Loop of the tree into the cheapest of: itself, itself
 * over a Materialize, a Hash Join on its equality conditions (joinpath.cpp). */
struct JoinMethods {
  bool hashjoin = true;  // enable_hashjoin
  bool nestloop = true;  // enable_nestloop
  bool material = true;  // enable_material
  bool mergejoin = true; // enable_mergejoin
};
void ChooseJoinMethods(Plan& node, const JoinMethods& enabled);

/* indxpath.cpp: each Seq Scan with conditions an index of its table can
 * search by becomes an Index Scan when that is cheaper; a scan under
 * ORDER BY (`keys` over its target list, `limit` the rows a LIMIT reads,
 * 0 all) becomes an Index Scan in that order when that beats a Sort: true
 * then (the caller puts no Sort on top). */
Status ChooseIndexScans(Plan& root);
Result<bool> UseIndexOrder(Plan& scan, const std::vector<SortKey>& keys, double limit);
/* Each Index Scan that reads only its index's columns becomes an Index
 * Only Scan (after the select list is in place). */
void UseIndexOnlyScans(Plan& root);
/* joinpath.cpp's parameterized path: `inner` (a base table's scan) as an
 * Index Scan whose Index Cond includes `inner_column = $param` (the
 * outer row's value of `outer_value`, a Var), or nullptr when no index of
 * the table leads with that column. Its costs are per outer row. */
Result<std::unique_ptr<Plan>> ParameterizedIndexScan(const Plan& inner, const Expr& inner_column,
                                                     const Expr& outer_value, int param);
/* Ands `conj` (if any) into the condition in `slot`, one flat AND (planner.cpp). */
void AddQual(ExprPtr& slot, ExprPtr conj);
/* The session PlanQuery plans for (nullptr outside it, or none given). */
const SessionContext* PlannerSession();

/* WITH queries (plan_cte.cpp). InlineCtes, before planning: each WITH
 * query read once (not MATERIALIZED, not recursive, no volatile
 * function) becomes its reader's subquery entry, in the whole statement.
 * PlanCtes: the query level's other WITH queries planned once each, as
 * "CTE name" subplans for the level's top node (numbered as InitPlans).
 * PlanCteScan: a kCte entry's scan (CTE Scan, or the recursive query's
 * WorkTable Scan). */
Status InlineCtes(Query& query);
/* Whether anything in `query` calls a volatile function (random()): such
 * a WITH query is never inlined, NOT MATERIALIZED or not. */
bool CallsVolatile(Query& query);
Result<std::vector<std::shared_ptr<SubPlanInfo>>> PlanCtes(Query& query);
Status PlanCteScan(Plan& scan, const RangeTblEntry& rte);
/* A new "SubPlan n" / "InitPlan n" / CTE number (subselect.cpp). */
int NewSubPlanId();
/* EXPLAIN's names: a scan whose name another scan of the statement
 * already has is renamed name_1, name_2, ..., as PostgreSQL's EXPLAIN
 * does (plan_names.cpp). */
void UniquifyScanNames(Plan& root);
/* prepjointree.cpp: before a query level is planned, EXISTS / NOT EXISTS
 * / IN (SELECT ...) arms of its WHERE become semi and anti joins in its
 * join tree, and simple subqueries in FROM (views too) are merged into it. */
Status PullUpSubLinks(Query& query);
Status PullUpSubqueries(Query& query);

/* Points every Var of the tree at the row it reads (setrefs.cpp). */
Status SetPlanReferences(Plan& root);
/* Replaces each Subquery Scan without a filter that returns its
 * subquery's columns as they are by the subquery's plan (after setrefs). */
void RemoveTrivialSubqueryScans(std::unique_ptr<Plan>& root);

/* A subquery of an expression planned as a SELECT (subselect.cpp). */
Result<std::unique_ptr<Plan>> PlanSubquery(Query& query);

/* subselect.cpp: plans the subqueries in the expressions of one query
 * level (outer references become exec parameters, see SubPlanInfo);
 * numbering starts over with ResetSubPlanNumbers for each statement.
 * AttachSubPlans lists each node's subplans on it, for EXPLAIN. */
void ResetSubPlanNumbers();
/* A new exec param number ($n) of the statement being planned. */
int NewExecParam();
Status PlanSubLinks(Query& query);
void AttachSubPlans(Plan& root);

}  // namespace minipg::sql
