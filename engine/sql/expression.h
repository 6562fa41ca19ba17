/*-------------------------------------------------------------------------
 * expression.h
 *   Evaluates a bound expression against one input row.
 *
 * NOTES
 *   NULL follows SQL's three-valued logic: most operators return NULL when
 *   an input is NULL; AND is false if either side is false, OR true if
 *   either side is true. Integer arithmetic is checked: overflow is 22003
 *   ("integer out of range" / "bigint out of range"), division by zero 22012.
 *   pg_sleep sleeps interruptibly, so a cancel ends it with 57014.
 *-------------------------------------------------------------------------
 */
#pragma once

#include "engine/common/error.h"
#include "engine/sql/query.h"
#include "engine/sql/session.h"

namespace minipg::sql {

Result<Datum> Evaluate(const BoundExpr& expr, const Tuple& row, const SessionContext& ctx);

/* Evaluates a condition: true only if the value is TRUE (NULL counts as false). */
Result<bool> EvaluateCondition(const BoundExpr& expr, const Tuple& row, const SessionContext& ctx);

/* Orders two non-NULL values of the same type: <0, 0, >0. */
int CompareValues(const Datum& a, const Datum& b);

}  // namespace minipg::sql
