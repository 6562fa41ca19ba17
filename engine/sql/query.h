/*-------------------------------------------------------------------------
 * query.h
 *   What the analyzer makes of a parse tree (PostgreSQL's Query): a range
 *   table (every relation, subquery, function, VALUES list and join the
 *   statement reads, each with the name it goes by and its columns), a
 *   join tree saying how they combine, a target list, sort, limit; typed
 *   expressions (nodes/primnodes.h) whose columns are Vars into the range
 *   table. The planner (optimizer/planner.h) turns it into a plan tree.
 *
 *   Utility statements (DDL, SET, SHOW, transaction control, CHECKPOINT)
 *   are not planned: their fields below are what the dispatcher runs.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/sql/ast.h"
#include "engine/sql/nodes/primnodes.h"
#include "engine/sql/session.h"
#include "engine/sql/types.h"
#include "engine/storage/catalog.h"

namespace minipg::sql {

struct SystemView;  // system_views.h

enum class RteKind {
  kRelation,  // a table, catalog or system view
  kSubquery,  // (SELECT ...) AS s
  kFunction,  // f(args) AS f: a set-returning function
  kValues,    // (VALUES ...) AS v
  kJoin,      // a JOIN's result: its columns are Vars of its inputs; also a LATERAL
              // (SELECT exprs) without FROM, pulled up: its columns are expressions
              // over the entries before it, and its scan is one empty row
  kCte,       // a WITH query read by name (its CteQuery); self_reference: the
              // recursive query's own name inside it, read as its work table
};

struct Query;
/* A WITH query once analyzed (PostgreSQL's CommonTableExpr): shared by
 * the Query whose WITH defines it and by each kCte entry reading it. The
 * planner inlines it into its one reader (a subquery entry) or plans it
 * once as a "CTE name" subplan that CTE Scans read (optimizer/plan_cte.cpp). */
struct CteQuery {
  std::string name;
  std::vector<std::string> colnames;  // after the WITH's column aliases
  std::vector<TypeId> coltypes;
  std::unique_ptr<Query> query;  // null once inlined
  char materialized = 0;         // 'm' MATERIALIZED, 'n' NOT MATERIALIZED (every reader has its own copy), 0
  bool recursive = false;        // reads itself: non-recursive term UNION [ALL] recursive term
  int refcount = 0;              // kCte entries reading it (not counting its own recursive reference)
  int location = 0;
  // Planner: the work table's $n (recursive), and the plan CTE Scans read.
  int worktable_param = -1;
  std::shared_ptr<SubPlanInfo> plan;
};

struct RangeTblEntry {
  RteKind kind = RteKind::kRelation;
  std::string refname;          // the name it goes by: the alias, else the table's name (empty: an unaliased join)
  bool has_alias = false;       // written with AS alias (a table with an alias is no longer visible by its name)
  std::vector<std::string> colnames;  // after column aliases
  std::vector<TypeId> coltypes;
  // kRelation
  std::optional<storage::TableDef> table;
  const SystemView* view = nullptr;  // a system view: rows from its function
  // kSubquery
  std::unique_ptr<Query> subquery;
  // kFunction: a kFunc Expr whose entry has call_set
  ExprPtr function;
  bool ordinality = false;  // WITH ORDINALITY: a last bigint column counting rows from 1
  // kValues: each row's expressions, already of the column types
  std::vector<std::vector<ExprPtr>> values;
  // kJoin
  JoinType jointype = JoinType::kInner;
  std::vector<ExprPtr> joinaliasvars;  // one per column: a Var of an input (COALESCE for a FULL JOIN's merged column)
  // kCte: the WITH query read; self_reference: its own recursive term's reference (WorkTable Scan)
  std::shared_ptr<CteQuery> cte;
  bool self_reference = false;
  // self_reference: the recursive WITH query, not owned (it owns the query
  // holding this entry; a shared_ptr here would be a cycle that never frees)
  const CteQuery* worktable_cte = nullptr;
  // kRelation: a system column (system_columns.h) is read: its scan emits them
  bool system_columns = false;
  // kRelation of a system view with arguments (SystemView::rows_with_args)
  std::vector<ExprPtr> view_args;
  // kRelation with a row mark (SELECT ... FOR UPDATE / SHARE): its scan emits each row's ctid
  bool row_locked = false;
};

/* A table whose rows SELECT ... FOR UPDATE / SHARE locks (PostgreSQL's
 * RowMarkClause): the strongest clause naming it, the strictest wait
 * policy; targets[ctid_target] is its row's ctid (junk, as UPDATE's).
 * kNone: another table of the level, not locked, whose row's ctid
 * EvalPlanQual reads (PostgreSQL's ROW_MARK_REFERENCE). */
struct RowMark {
  int rtindex = 0;
  int ctid_target = -1;
  LockClauseStrength strength = LockClauseStrength::kForUpdate;
  LockWaitPolicy wait = LockWaitPolicy::kBlock;
};

/* A node of the join tree: a range table entry, or a join of two nodes. */
struct JoinTreeNode {
  enum class Kind { kRangeTblRef, kJoinExpr };
  Kind kind = Kind::kRangeTblRef;
  int rtindex = 0;  // kRangeTblRef: the entry; kJoinExpr: the join's own entry
  // kJoinExpr
  JoinType jointype = JoinType::kInner;
  std::unique_ptr<JoinTreeNode> left;
  std::unique_ptr<JoinTreeNode> right;
  ExprPtr quals;  // ON, or the USING / NATURAL equalities; null for a cross join
};

/* FROM and WHERE: the list joins as a cross product, filtered by quals. */
struct FromExpr {
  std::vector<std::unique_ptr<JoinTreeNode>> fromlist;
  ExprPtr quals;
};

/* One output column. resjunk ones (ORDER BY expressions not in the select
 * list) come last and are not sent. */
struct TargetEntry {
  ExprPtr expr;
  std::string name;
  int resno = 0;  // 1-based position
  bool resjunk = false;
  int sortgroupref = 0;  // > 0: referenced by a SortClause
};

struct SortClause {
  int tle = 0;  // index into Query::targets
  bool descending = false;
  bool nulls_first = false;
};

/* An index or constraint that CREATE INDEX or CREATE TABLE makes (the
 * executor's catalog::IndexSpec / ConstraintSpec). */
struct ConstraintCommand {
  std::string name;                  // its name, PostgreSQL's default one if none was written
  char type = 'i';                   // i: CREATE INDEX; p primary key, u unique, c check, f foreign key
  bool unique = false;               // i: CREATE UNIQUE INDEX
  std::vector<std::string> columns;  // i, p, u, f: the key columns
  std::string check;                 // c: the expression's SQL text
  std::string ref_table;                 // f: the referenced table
  std::vector<std::string> ref_columns;  // f: its key columns (a unique index's)
  char on_update = 'a', on_delete = 'a';  // f: confupdtype / confdeltype
  bool not_valid = false;                 // c, f: ALTER TABLE ADD ... NOT VALID (convalidated false)
};

/* One action of ALTER TABLE, resolved against the table as the actions
 * before it leave it (executor/exec_alter.cpp runs them in order). */
struct AlterAction {
  AlterTableCmd::Kind kind = AlterTableCmd::Kind::kAddColumn;
  std::string name;              // the column or constraint acted on
  std::string new_name;          // RENAME ... TO
  storage::ColumnDef column;     // ADD COLUMN; SET DEFAULT: column.default_expr
  ConstraintCommand constraint;  // ADD CONSTRAINT (p, u, c or f)
  bool missing_ok = false;       // DROP CONSTRAINT IF EXISTS
  std::string skip_notice;       // IF [NOT] EXISTS with nothing to do: this NOTICE only
};

/* A sequence that CREATE SEQUENCE or a serial column makes: the options
 * resolved as PostgreSQL's init_params does. */
struct SequenceCommand {
  std::string name;
  uint32_t type = 20;  // seqtypid: int2 21, int4 23, int8 20
  int64_t start = 1, increment = 1, min = 1, max = 0, cache = 1;
  bool cycle = false;
  std::string owned_table, owned_column;  // OWNED BY (a serial's column), empty: none
};

/* A set operation tree (UNION / INTERSECT / EXCEPT [ALL]): each leaf is a
 * kSubquery entry of the range table ("*SELECT* 1", ...), whose output
 * columns the analyzer has coerced to the tree's resolved types. */
struct SetOperationNode {
  SetOpKind op = SetOpKind::kNone;  // kNone: a leaf
  bool all = false;
  int rtindex = 0;  // a leaf's entry
  std::unique_ptr<SetOperationNode> larg;
  std::unique_ptr<SetOperationNode> rarg;
  std::vector<TypeId> coltypes;
};

struct Query {
  StatementKind kind = StatementKind::kOther;
  std::string statement;            // "SELECT", "INSERT", ... (for the analyze event)
  std::vector<std::string> tables;  // tables the statement touches

  std::vector<RangeTblEntry> rtable;  // rtindex 1 is rtable[0]
  FromExpr jointree;
  std::vector<TargetEntry> targets;
  std::vector<SortClause> sort;
  std::vector<ExprPtr> group_by;  // GROUP BY expressions (Vars of the range table)
  ExprPtr having;
  bool has_aggs = false;          // an Aggref in the targets or HAVING
  ExprPtr limit;
  ExprPtr offset;
  int result_relation = 0;  // INSERT, UPDATE, DELETE: the target table's rtindex
  // INSERT / UPDATE / DELETE: the last `returning` targets are RETURNING's
  // columns (what the statement returns); UPDATE, DELETE: targets[ctid_target]
  // is the old row's ctid (junk, a bigint: block << 16 | offset).
  int returning = 0;
  int ctid_target = -1;
  // A set operation: the tree; targets are then Vars of its leftmost leaf
  // (their names and types), only ORDER BY and LIMIT apply on top.
  std::unique_ptr<SetOperationNode> setop;
  bool distinct = false;          // SELECT DISTINCT: every visible target is a key
  std::vector<int> distinct_on;   // DISTINCT ON: the targets that are its keys

  // CREATE TABLE (table->name and columns), DROP TABLE, CREATE / DROP INDEX
  std::string create_name;
  std::vector<storage::ColumnDef> create_columns;
  // CREATE TABLE: its constraints; CREATE INDEX: the index (of table index_table)
  std::vector<ConstraintCommand> create_constraints;
  std::string index_table;
  bool if_not_exists = false;
  // CREATE SEQUENCE, and CREATE TABLE's serial columns
  std::vector<SequenceCommand> create_sequences;
  // CREATE VIEW (create_name, create_columns): its query's text and the
  // relations it reads
  std::string view_query;
  bool view_replace = false;
  std::vector<uint32_t> view_reads;
  std::vector<std::string> drop_names;    // the ones that exist (TRUNCATE: its tables)
  std::vector<std::string> drop_missing;  // IF EXISTS: the ones that do not (a NOTICE each)
  bool if_exists = false;
  // ALTER TABLE create_name: its actions (none when IF EXISTS found no table)
  std::vector<AlterAction> alter_actions;
  // CREATE TABLE ... WITH (...): pg_class.reloptions ("fillfactor=100")
  std::vector<std::string> create_reloptions;
  bool cascade = false;  // DROP TABLE ... CASCADE

  // INSERT ... ON CONFLICT: 'n' DO NOTHING, 'u' DO UPDATE, 0 none. The
  // arbiters are unique indexes of the target table by name (none: every
  // unique index, DO NOTHING without a target). DO UPDATE's expressions
  // read the existing row as rtindex result_relation and the proposed one
  // as rtindex conflict_excluded ("excluded").
  char on_conflict = 0;
  std::vector<std::string> arbiter_indexes;
  int conflict_excluded = 0;
  std::vector<ExprPtr> conflict_set;  // per column of the table: its new value, null: unchanged
  ExprPtr conflict_where;
  std::vector<ExprPtr> conflict_returning;  // DO UPDATE: RETURNING over the updated row (the table's Vars)

  // SET / SHOW
  std::string setting;
  std::optional<std::string> setting_value;

  // CREATE TABLE ... AS / SELECT ... INTO: a SELECT whose rows go into a
  // new table (create_name, create_columns, if_not_exists): 'd' with its
  // rows, 'n' WITH NO DATA, 'i' SELECT INTO; 0 for any other statement.
  char create_as = 0;

  // VACUUM ANALYZE, ANALYZE: column statistics are gathered (pg_statistic)
  bool gather_stats = false;
  // WITH: the queries this level defines, in the order they are planned
  // (a WITH RECURSIVE list sorted so that none reads a later one)
  std::vector<std::shared_ptr<CteQuery>> ctes;
  // VACUUM / ANALYZE VERBOSE: INFO lines for each table
  bool vacuum_verbose = false;

  // LOCK TABLE: the mode (lmgr::LockMode's number) and NOWAIT
  uint8_t lock_mode = 0;
  bool lock_nowait = false;

  // SELECT ... FOR UPDATE / SHARE: the locked tables (analyze_locking.cpp)
  std::vector<RowMark> row_marks;

  // VACUUM FREEZE / VACUUM (FREEZE)
  bool vacuum_freeze = false;

  const RangeTblEntry& rte(int rtindex) const { return rtable[static_cast<size_t>(rtindex - 1)]; }
  RangeTblEntry& rte(int rtindex) { return rtable[static_cast<size_t>(rtindex - 1)]; }

  /* The columns the statement returns (empty for none). */
  std::vector<ColumnDesc> OutputColumns() const;

  // The statement's query: the tables FOR UPDATE / SHARE locks at any level
  // (its subqueries', WITH queries', views'), which it opens in ROW SHARE mode
  std::vector<std::string> row_share_tables;
};

/* Every expression tree of the query, its subqueries' included (for
 * rewriting passes: parameters, join alias variables). */
std::vector<ExprPtr*> QueryExpressions(Query& query);
/* The expression trees of this query level only (targets first, then
 * WHERE, as the planner numbers subplans), not its subqueries'. */
std::vector<ExprPtr*> LevelExpressions(Query& query);
/* The join conditions of a join tree (this query level only). */
void JoinTreeExpressions(JoinTreeNode& node, std::vector<ExprPtr*>& out);

}  // namespace minipg::sql
