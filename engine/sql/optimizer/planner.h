/*-------------------------------------------------------------------------
 * planner.h
 *   Stage 3: Query -> plan tree (nodes/plannodes.h). There is one way to
 *   do each step yet, so the planner lays the query out:
 *
 *     SELECT ... FROM a JOIN b ON c WHERE w ORDER BY k LIMIT n
 *        Limit -> Sort -> Nested Loop (Join Filter: c) -> Seq Scan on a
 *                                                      -> Seq Scan on b
 *     SELECT 1 + 1                       Result
 *     INSERT INTO t VALUES (...)         Insert on t -> Result
 *     INSERT INTO t VALUES (...), (...)  Insert on t -> Values Scan
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

Result<PlannedStmt> PlanQuery(Query& query);

/* The Agg node over `input` for a query that groups or aggregates
 * (plan_agg.cpp): it takes over the query's target list and HAVING. */
Result<std::unique_ptr<Plan>> PlanAggregation(Query& query, std::unique_ptr<Plan> input);

/* Fills in every node's estimated rows, width and costs (costsize.cpp). */
void EstimateCosts(Plan& root);

/* Points every Var of the tree at the row it reads (setrefs.cpp). */
Status SetPlanReferences(Plan& root);

/* A subquery of an expression planned as a SELECT (subselect.cpp). */
Result<std::unique_ptr<Plan>> PlanSubquery(Query& query);

/* subselect.cpp: plans the subqueries in the expressions of one query
 * level (outer references become exec parameters, see SubPlanInfo);
 * numbering starts over with ResetSubPlanNumbers for each statement.
 * AttachSubPlans lists each node's subplans on it, for EXPLAIN. */
void ResetSubPlanNumbers();
Status PlanSubLinks(Query& query);
void AttachSubPlans(Plan& root);

}  // namespace minipg::sql
