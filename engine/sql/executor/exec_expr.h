/*-------------------------------------------------------------------------
 * exec_expr.h
 *   Evaluates a typed expression (nodes/primnodes.h) over the rows an
 *   executor node has at hand: its scan row and its children's outer and
 *   inner rows, which setrefs made its Vars point at.
 *
 * NOTES
 *   NULL follows SQL's three-valued logic: a strict function or operator
 *   returns NULL for a NULL input without being called; AND is false if
 *   either side is false, OR true if either side is true. Errors come from
 *   the functions (22003 out of range, 22012 division by zero, ...).
 *-------------------------------------------------------------------------
 */
#pragma once

#include "engine/common/error.h"
#include "engine/sql/nodes/primnodes.h"
#include "engine/sql/session.h"
#include "engine/storage/datum.h"

namespace minipg::sql {

struct EState;  // exec_nodes.h

struct ExprContext {
  const storage::Tuple* scan = nullptr;   // the scan node's current row
  const storage::Tuple* outer = nullptr;  // the left child's current output row
  const storage::Tuple* inner = nullptr;  // the right child's current output row
  const SessionContext* session = nullptr;
  EState* estate = nullptr;  // the execution's exec parameters and InitPlan values (subqueries)
};

Result<storage::Datum> Evaluate(const Expr& expr, const ExprContext& ctx);

/* A condition: true only if the value is TRUE (NULL counts as false); a
 * null condition is true. */
Result<bool> EvaluateQual(const Expr* expr, const ExprContext& ctx);

/* One output row: each target list expression's value. */
Result<storage::Tuple> Project(const std::vector<ExprPtr>& targetlist, const ExprContext& ctx);

/* A row's values as record_out writes them: "(1,alice)", a NULL as
 * nothing, a value with blanks, quotes, commas or parentheses quoted. */
std::string RecordLiteral(const storage::Tuple& values, const std::vector<TypeId>& types);

}  // namespace minipg::sql
