/*-------------------------------------------------------------------------
 * primnodes.h
 *   Typed expression trees (PostgreSQL's primnodes.h): what the analyzer
 *   makes of an expression once every name is resolved. A column is a Var
 *   {rtindex, attno, levels_up} into the query's range table; an operator
 *   or function call points at its registry entry (adt/builtins.h), so the
 *   executor calls it without looking anything up again.
 *
 *   After planning, setrefs (optimizer/setrefs.cpp) rewrites every Var of
 *   a plan node to name the row it reads at run time: the node's scan row,
 *   or its outer (left) or inner (right) child's output row, by column.
 *
 * NOTES
 *   One struct with payload fields per kind (like the parse tree's RawExpr)
 *   and an iterative destructor, so a million-deep tree frees without
 *   recursion (tree_bounds.h).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/common/error.h"
#include "engine/sql/ast.h"
#include "engine/sql/session.h"
#include "engine/storage/datum.h"

namespace minipg::sql {

struct FunctionInfo;  // adt/builtins.h
struct OperatorInfo;
struct CastInfo;
struct AggregateInfo;  // adt/aggregates.h
struct Query;         // query.h
struct SubPlanInfo;   // plannodes.h

enum class ExprKind {
  kConst,          // value (untyped: a string literal whose type is not decided yet)
  kVar,            // a column: rtindex/attno before setrefs, source/attno after
  kParam,          // $n of the extended protocol (param, 0-based); replaced by a Const before planning
  kOp,             // op(args): one or two arguments
  kFunc,           // func(args)
  kBool,           // bool_op over args (AND, OR: any number; NOT: one)
  kNullTest,       // args[0] IS [NOT] NULL (negated: IS NOT NULL)
  kCast,           // args[0] converted to `type` (cast entry, or through text)
  kCase,           // args: condition/result pairs, then the ELSE result (NULL if none)
  kCoalesce,       // first non-NULL of args
  kMinMax,         // GREATEST (LEAST if negated) of args, NULLs ignored
  kNullIf,         // NULLIF(args[0], args[1]) by op; args[2]: the first argument uncoerced, if it was
  kDistinct,       // args[0] IS [NOT] DISTINCT FROM args[1] (negated: NOT) by the = op
  kScalarArrayOp,  // args[0] op ANY (args[1..]) (negated: ALL), as x IN (list) / x NOT IN (list)
  kSubLink,        // a subquery in an expression (sublink says what it yields); see below
  kAggref,         // an aggregate call: agg(args), agg_distinct; evaluated only by an Agg plan node
  kExecParam,      // $n set at run time (param): an outer query's column, or a subquery's output column
  kArrayExpr,      // ARRAY[args...]: an array of `type` (args already of its element type)
  kSubscript,      // args[0][args[1]] (an element, NULL out of range); negated: a slice
                   // args[0][args[1]:args[2]] (a null arg is an omitted bound)
  kRow,            // ROW(args...): a record (type kRecord) of the args' values; relname set: a
                   // whole-row reference to that range table entry (t.*), its columns the args
  kWindowFunc,     // f(args) OVER (window): a window function (func) or an aggregate
                   // over a window (agg); its window in `window`, its keys among args
                   // (see WindowSpec); evaluated only by a WindowAgg plan node
};

enum class BoolOpKind { kAnd, kOr, kNot };

/* Which row a Var reads. Before setrefs every Var is kRangeTable. */
enum class VarSource : char {
  kRangeTable,  // rtindex / attno into the query's range table
  kScan,        // the scan node's current row (its relation, subquery, function, VALUES)
  kOuter,       // the left child's output row
  kInner,       // the right child's output row
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

/* The window of a kWindowFunc (PostgreSQL's WindowClause). Its keys and
 * frame offsets are the call's args after the function's own, so every
 * walk over args (setrefs, grouping checks) sees them:
 *   args = [nargs arguments] [partition keys] [order keys]
 *          [FILTER condition if filter] [start offset if any] [end offset if any]
 * Calls over the same window share one WindowSpec (same winref). */
struct WindowSpec {
  int winref = 0;                   // 1-based; equal windows share it
  std::vector<int> sort_refs;       // PostgreSQL's sortgroupref of each key (the WindowAggs' order)
  size_t nargs = 0;
  size_t npartition = 0;
  struct OrderKey {
    bool descending = false;
    bool nulls_first = false;
  };
  std::vector<OrderKey> order;      // one per order key
  bool filter = false;
  FrameMode mode = FrameMode::kRange;
  FrameBound start = FrameBound::kUnboundedPreceding;
  FrameBound end = FrameBound::kCurrentRow;
  FrameExclude exclude = FrameExclude::kNoOthers;
  bool has_start_offset() const { return start == FrameBound::kOffsetPreceding || start == FrameBound::kOffsetFollowing; }
  bool has_end_offset() const { return end == FrameBound::kOffsetPreceding || end == FrameBound::kOffsetFollowing; }
  size_t first_partition() const { return nargs; }
  size_t first_order() const { return nargs + npartition; }
  size_t filter_arg() const { return first_order() + order.size(); }
  size_t start_offset_arg() const { return filter_arg() + (filter ? 1 : 0); }
  size_t end_offset_arg() const { return start_offset_arg() + (has_start_offset() ? 1 : 0); }
};

struct Expr {
  Expr() = default;
  Expr(Expr&&) = default;
  Expr& operator=(Expr&&) = default;
  /* Frees the subtree without recursion. */
  ~Expr();

  ExprKind kind = ExprKind::kConst;
  TypeId type = TypeId::kUnknown;
  int32_t typmod = -1;
  int location = 0;  // 1-based offset in the query text (0 = unknown)
  std::vector<ExprPtr> args;

  // kConst
  storage::Datum value;
  bool untyped = false;  // a string literal (or $n) whose type the context decides
  // kVar
  int rtindex = 0;    // 1-based index into Query::rtable
  int attno = 0;      // 0-based column of that entry (after setrefs: of the row it reads)
  int levels_up = 0;  // 0 = this query; n = the query n levels out (correlated subqueries, later)
  VarSource source = VarSource::kRangeTable;
  std::string relname;  // the name the entry goes by (alias), for display
  std::string colname;  // the column's name, for display
  // kParam
  int param = -1;
  // kOp, kFunc, kCast
  const OperatorInfo* op = nullptr;
  const FunctionInfo* func = nullptr;
  const CastInfo* cast = nullptr;        // kCast: null = through the types' text output and input
  bool explicit_cast = false;            // kCast with a typmod: CAST(x AS varchar(3)) cuts, assignment fails
  std::vector<TypeId> arg_types;         // kOp, kFunc: the resolved argument types, for the call
  bool keyword_call = false;             // kFunc written without () (current_user)
  std::string sql_keyword;               // kCast: the SQL keyword it came from (CURRENT_DATE), as deparsed
  std::string cast_text;                 // kConst folded from a cast of a typed constant: "0::numeric"
  // kBool
  BoolOpKind bool_op = BoolOpKind::kAnd;
  // kNullTest
  bool negated = false;
  // kAggref
  const AggregateInfo* agg = nullptr;
  bool agg_distinct = false;  // count(DISTINCT x)
  // agg(x ORDER BY k1, k2): the keys are the args after the aggregate's own,
  // each with its direction; FILTER (WHERE c): c is the last arg. So every
  // walk over args sees them. AggArgCount() is the aggregate's own count.
  struct AggOrder {
    bool descending = false;
    bool nulls_first = false;
  };
  std::vector<AggOrder> agg_order;
  bool agg_filter = false;
  // kSubLink: the subquery and what it yields. kAny/kAll: args[0] is the
  // test (lhs op $n, $n being the subquery's output column), negated the
  // ALL. Once planned (optimizer/subselect.cpp), `subplan` holds the plan
  // and the rest of args are the outer values its parameters take per row.
  // x op ANY / ALL (array) has no subquery: args[1] is the array, `param`
  // the $n each element is tested through.
  std::shared_ptr<Query> subquery;
  SubLinkType sublink = SubLinkType::kExpr;
  std::shared_ptr<SubPlanInfo> subplan;
  // kWindowFunc: its window (func or agg says what it computes)
  std::shared_ptr<WindowSpec> window;
};

/* The number of an aggregate's own arguments (without ORDER BY keys and FILTER). */
inline size_t AggArgCount(const Expr& e) { return e.args.size() - e.agg_order.size() - (e.agg_filter ? 1 : 0); }

ExprPtr MakeExpr(ExprKind kind, TypeId type, int location);
ExprPtr MakeConst(TypeId type, storage::Datum value, int location = 0);
ExprPtr MakeVar(int rtindex, int attno, TypeId type, std::string relname, std::string colname, int location = 0);

/* A deep copy (bounded by the stack: 54001 past max_stack_depth). */
Result<ExprPtr> CopyExpr(const Expr& e);

/* The expression as EXPLAIN prints it ("(a > 1)", "t.a", "'x'::text");
 * `qualify` prefixes Vars with their relation's name; `stored` prints a
 * constant folded from a cast as the cast (0::numeric), as PostgreSQL
 * shows a CHECK constraint it never folded. Bounded in depth
 * and length (tree_bounds.h). */
std::string DeparseExpr(const Expr& e, bool qualify = false, bool stored = false);

/* Calls `fn` on every node of the tree, parents first, without recursion
 * (the expression may be as deep as the client made it). */
template <typename Fn>
void WalkExpr(Expr& root, Fn&& fn) {
  std::vector<Expr*> stack{&root};
  while (!stack.empty()) {
    Expr* e = stack.back();
    stack.pop_back();
    fn(*e);
    for (ExprPtr& a : e->args) {
      if (a) stack.push_back(a.get());
    }
  }
}

}  // namespace minipg::sql
