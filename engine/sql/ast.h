/*-------------------------------------------------------------------------
 * ast.h
 *   Parse trees: what the parser makes of a statement's text, before any
 *   name is looked up. The analyzer (analyzer.h) checks them against the
 *   catalog.
 *
 * NOTES
 *   Every node keeps `location`, the 1-based character offset of its first
 *   token in the Query text (0 = unknown), so later stages can point at the
 *   offending spot the way PostgreSQL's error "position" does.
 *   Identifiers are already folded to lower case unless they were quoted.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/sql/catalog_ddl_stmt.h"
#include "engine/sql/copy_format.h"
#include "engine/sql/session.h"

namespace minipg::sql {

enum class RawExprKind {
  kIntLiteral,      // text: the digits, with a leading '-' if negated
  kNumericLiteral,  // text: as written ("0.5")
  kStringLiteral,   // text: the value ('' already unescaped)
  kBoolLiteral,     // bool_value
  kNullLiteral,
  kColumnRef,       // text: column name; qualifier: table name or alias, may be empty
  kUnary,           // op (kNeg, kNot), args[0]
  kBinary,          // op, args[0], args[1]
  kIsNull,          // args[0]; negated for IS NOT NULL
  kCast,            // args[0] :: type_name
  kFuncCall,        // text: function name; args; star for f(*)
  kParam,           // text: the parameter's number ("1" for $1)
  kNamedOp,         // text: an operator by name (~~, ~, OPERATOR(pg_catalog.~)), args[0], args[1]
  kCase,            // star: simple CASE (args[0] is the tested value); WHEN/THEN pairs; negated: ELSE last
  kBetween,         // args[0] [NOT] BETWEEN args[1] AND args[2]; negated for NOT
  kInList,          // args[0] [NOT] IN (args[1..]); negated for NOT
  kDistinct,        // args[0] IS [NOT] DISTINCT FROM args[1]; negated for NOT
  kBoolTest,        // args[0] IS [NOT] TRUE / FALSE / UNKNOWN: text "true", "false", "unknown"
  kSetToDefault,    // DEFAULT as a value of INSERT's VALUES: the column's default
  kSubLink,         // a subquery in an expression: subselect, sublink; kAny/kAll: args[0] text subselect,
                    // or, without subselect, args[0] text ANY/ALL (args[1]) over an array
  kArrayExpr,       // ARRAY[args...] (an element may itself be an ARRAY[...] or [...] of a nested one)
  kSubscript,       // args[0][args[1]], or a slice args[0][args[1]:args[2]] (star: a slice; a null
                    // bound is an omitted one)
  kRow,             // ROW(args...) or (a, b, ...); star: qualifier.* as a value (a whole-row reference)
};

/* What a subquery in an expression yields (PostgreSQL's SubLinkType). */
enum class SubLinkType {
  kExists,  // EXISTS (SELECT ...)
  kAny,     // x op ANY (SELECT ...), x IN (SELECT ...)
  kAll,     // x op ALL (SELECT ...)
  kExpr,    // (SELECT ...): one column, at most one row
  kArray,   // ARRAY(SELECT ...)
};

enum class Op {
  kAdd, kSub, kMul, kDiv, kMod,       // arithmetic
  kEq, kNe, kLt, kLe, kGt, kGe,       // comparison
  kConcat,                            // ||
  kAnd, kOr, kNot,                    // logic
  kNeg,                               // unary minus
};

/* The operator as written in SQL ("+", "<>", "AND"). */
const char* OpName(Op op);

/* A type as written: lower-cased name ("integer", "varchar") and whether
 * it had a modifier such as varchar(10) (ignored). */
struct TypeRef {
  std::string name;                 // "varchar", "timestamp with time zone", "double precision"
  std::vector<int64_t> modifiers;   // as written: varchar(10) -> {10}, numeric(10,2) -> {10, 2}
  int location = 0;
};

struct RawExpr;
struct SelectStmt;
using RawExprPtr = std::unique_ptr<RawExpr>;

/* One ORDER BY item: of a SELECT, or inside an aggregate call. */
struct OrderItem {
  RawExprPtr expr;
  bool descending = false;
  std::optional<bool> nulls_first;  // nullopt = PostgreSQL's default
};

/* A window frame (RANGE / ROWS / GROUPS BETWEEN start AND end EXCLUDE ...). */
enum class FrameMode : char { kRange, kRows, kGroups };
enum class FrameBound : char {
  kUnboundedPreceding,
  kOffsetPreceding,  // n PRECEDING
  kCurrentRow,
  kOffsetFollowing,  // n FOLLOWING
  kUnboundedFollowing,
};
enum class FrameExclude : char { kNoOthers, kCurrentRow, kGroup, kTies };

/* A window as written: OVER (...), OVER name, or WINDOW name AS (...)
 * (PostgreSQL's WindowDef). */
struct WindowDef {
  std::string name;     // WINDOW name AS (...): the name; empty for OVER
  std::string refname;  // OVER name / OVER (name ...): the window it builds on
  bool bare_ref = false;  // OVER name (no parentheses): that window as it is
  std::vector<RawExprPtr> partition_by;
  std::vector<OrderItem> order_by;
  bool has_frame = false;  // false: the default frame (RANGE UNBOUNDED PRECEDING .. CURRENT ROW)
  FrameMode mode = FrameMode::kRange;
  FrameBound start = FrameBound::kUnboundedPreceding;
  FrameBound end = FrameBound::kCurrentRow;
  FrameExclude exclude = FrameExclude::kNoOthers;
  RawExprPtr start_offset;
  RawExprPtr end_offset;
  int location = 0;
  int start_location = 0;  // the frame start's position (for its errors)
  int end_location = 0;
};


struct RawExpr {
  RawExpr() = default;
  RawExpr(RawExpr&&) = default;
  RawExpr& operator=(RawExpr&&) = default;
  /* Frees the subtree without recursion (a client may nest a million deep). */
  ~RawExpr();

  RawExprKind kind;
  int location = 0;
  std::string text;
  std::string qualifier;
  Op op = Op::kAdd;
  bool bool_value = false;
  bool negated = false;
  bool star = false;
  bool distinct = false;  // f(DISTINCT args)
  std::vector<OrderItem> agg_order;  // agg(args ORDER BY ...)
  RawExprPtr agg_filter;             // agg(...) FILTER (WHERE cond)
  TypeRef type_name;
  std::vector<RawExprPtr> args;
  // kSubLink: the subquery and what it yields (kAny/kAll: the operator in text)
  std::shared_ptr<SelectStmt> subselect;
  SubLinkType sublink = SubLinkType::kExpr;
  std::shared_ptr<WindowDef> over;  // kFuncCall: f(...) OVER ..., or null
};

struct TableRef {
  std::string schema;  // "", "public" (user tables) or "pg_catalog" (system views)
  std::string name;
  std::string alias;  // empty if none
  bool call = false;  // FROM name(): a set-returning function (system_views.h)
  int location = 0;
};

struct InsertColumn {
  std::string name;
  int location = 0;
};

/* One entry of a SELECT list: an expression, or `*` / `t.*`. */
struct SelectTarget {
  RawExprPtr expr;           // null for a star
  bool star = false;
  std::string star_qualifier;
  std::string alias;      // empty if none
  int location = 0;
};

enum class JoinType {
  kInner,  // [INNER] JOIN, CROSS JOIN, a comma
  kLeft,   // LEFT [OUTER] JOIN
  kFull,   // FULL [OUTER] JOIN
  kRight,  // RIGHT [OUTER] JOIN
  kSemi,   // planner only: each outer row once, if some inner row matches (EXISTS, IN)
  kAnti,   // planner only: each outer row no inner row matches (NOT EXISTS)
};

/* The SQL words of a join type ("LEFT JOIN"). */
const char* JoinTypeName(JoinType type);

struct SelectStmt;
struct FromItem;
using FromItemPtr = std::unique_ptr<FromItem>;

/* One entry of FROM: a table (or view), a subquery, a function call, or a
 * join of two entries (nested as written, parentheses included). */
struct FromItem {
  enum class Kind { kTable, kSubquery, kFunction, kJoin };
  FromItem();
  FromItem(FromItem&&) noexcept;
  FromItem& operator=(FromItem&&) noexcept;
  ~FromItem();

  Kind kind = Kind::kTable;
  int location = 0;
  TableRef table;                            // kTable (its alias is `alias` below)
  std::unique_ptr<SelectStmt> subquery;      // kSubquery: a SELECT or a VALUES list
  RawExprPtr function;                       // kFunction: a kFuncCall
  bool ordinality = false;                   // kFunction: WITH ORDINALITY
  bool lateral = false;                      // LATERAL: may read the FROM items before it
  std::string alias;                         // empty if none
  std::vector<InsertColumn> column_aliases;  // AS t(a, b)
  // kJoin
  JoinType join_type = JoinType::kInner;
  bool natural = false;
  bool cross = false;  // CROSS JOIN or a comma: no condition
  FromItemPtr left;
  FromItemPtr right;
  RawExprPtr on;                       // ON condition, or null
  std::vector<InsertColumn> using_columns;  // USING (a, b)
  bool has_using = false;
};

enum class SetOpKind { kNone, kUnion, kIntersect, kExcept };

/* The SQL word of a set operation ("UNION"). */
const char* SetOpName(SetOpKind kind);

/* WITH name [(cols)] AS (query): one common table expression. Shared, so
 * a reference to it can point at its definition without a copy. */
struct CommonTableExpr {
  std::string name;
  std::vector<InsertColumn> columns;  // empty = the query's own names
  std::shared_ptr<const SelectStmt> query;
  int location = 0;
  bool recursive = false;  // in a WITH RECURSIVE list (it may read itself and the list's later items)
  char materialized = 0;   // 'm' AS MATERIALIZED, 'n' AS NOT MATERIALIZED, 0 neither
};

/* SELECT ... FOR UPDATE | NO KEY UPDATE | SHARE | KEY SHARE [OF t, ...]
 * [NOWAIT | SKIP LOCKED] (PostgreSQL's LockingClause): strengths and wait
 * policies weakest first, as PostgreSQL orders them. */
enum class LockClauseStrength : uint8_t { kNone, kForKeyShare, kForShare, kForNoKeyUpdate, kForUpdate };
enum class LockWaitPolicy : uint8_t { kBlock, kSkip, kError };
struct LockingClause {
  LockClauseStrength strength = LockClauseStrength::kForUpdate;
  std::vector<std::pair<std::string, int>> rels;  // OF names ("s.t" if qualified) and their positions
  std::vector<bool> qualified;                    // per OF name: written with a schema
  LockWaitPolicy wait = LockWaitPolicy::kBlock;
  int location = 0;
};
/* "FOR UPDATE", "FOR NO KEY UPDATE", ... (PostgreSQL's LCS_asString). */
const char* LockClauseStrengthName(LockClauseStrength strength);

struct SelectStmt {
  SelectStmt() = default;
  SelectStmt(SelectStmt&&) noexcept = default;
  SelectStmt& operator=(SelectStmt&&) noexcept = default;
  /* Frees a chain of set operations without recursion (a client may send
   * a hundred thousand UNIONs). */
  ~SelectStmt();

  // A set operation (larg UNION/INTERSECT/EXCEPT [ALL] rarg): only the two
  // arguments, with_ctes, order_by, limit and offset are set.
  SetOpKind setop = SetOpKind::kNone;
  bool setop_all = false;
  std::unique_ptr<SelectStmt> larg;
  std::unique_ptr<SelectStmt> rarg;
  std::vector<CommonTableExpr> with_ctes;  // WITH ... before this query
  bool distinct = false;                   // SELECT DISTINCT (or DISTINCT ON)
  std::vector<RawExprPtr> distinct_on;     // DISTINCT ON (...)
  int location = 0;
  std::vector<SelectTarget> targets;
  std::vector<FromItemPtr> from;  // the FROM list (a comma joins its entries)
  RawExprPtr where;
  std::vector<RawExprPtr> group_by;
  RawExprPtr having;
  std::vector<OrderItem> order_by;
  RawExprPtr limit;   // null = no LIMIT (or LIMIT ALL)
  RawExprPtr offset;  // null = no OFFSET
  // A VALUES list (as a statement or in FROM): its rows; targets and from are empty.
  std::vector<std::vector<RawExprPtr>> values;
  bool is_values = false;
  std::string unsupported;  // a valid-but-unsupported clause seen ("GROUP BY"), or empty
  std::optional<TableRef> into{};  // SELECT ... INTO name: allowed only as a statement's first SELECT
  std::vector<WindowDef> windows;  // WINDOW name AS (...), ...
  std::vector<LockingClause> locking;  // FOR UPDATE / SHARE ... clauses, in order
};



/* One SET item of UPDATE: col = expr, or (a, b) = (x, y) split into one
 * item per column. A null expr: DEFAULT. */
struct SetClause {
  InsertColumn column;
  RawExprPtr expr;
};

/* INSERT's ON CONFLICT [(cols) | ON CONSTRAINT name] DO NOTHING | DO
 * UPDATE SET ... [WHERE ...]. */
struct OnConflictClause {
  bool update = false;                  // DO UPDATE (else DO NOTHING)
  std::vector<InsertColumn> columns;    // the inference columns, or empty
  std::string constraint;               // ON CONSTRAINT name, or empty
  std::vector<SetClause> set;           // DO UPDATE SET
  RawExprPtr where;                     // DO UPDATE ... WHERE
  int location = 0;
};

struct InsertStmt {
  TableRef table;
  std::vector<InsertColumn> columns;        // empty = all, in table order
  std::vector<std::vector<RawExprPtr>> rows;   // VALUES lists
  std::unique_ptr<SelectStmt> select;       // INSERT ... SELECT (rows empty)
  std::vector<SelectTarget> returning;      // RETURNING list (empty: none)
  std::unique_ptr<OnConflictClause> on_conflict;  // ON CONFLICT, or null
};

struct UpdateStmt {
  TableRef table;  // with its alias
  std::vector<SetClause> set;
  std::vector<FromItemPtr> from;  // FROM list
  RawExprPtr where;
  std::vector<SelectTarget> returning;
};

struct DeleteStmt {
  TableRef table;
  std::vector<FromItemPtr> using_list;  // USING list
  RawExprPtr where;
  std::vector<SelectTarget> returning;
};

struct TruncateStmt {
  std::vector<TableRef> tables;
};

/* A constraint of CREATE TABLE, written on a column (its columns empty:
 * that column) or as a table constraint. */
struct ConstraintDefinition {
  enum class Kind { kPrimaryKey, kUnique, kCheck, kNotNull, kNull, kDefault, kForeignKey };
  Kind kind = Kind::kCheck;
  std::string name;                   // CONSTRAINT name, or empty (a default name)
  std::vector<InsertColumn> columns;  // PRIMARY KEY (a, b), UNIQUE (a), FOREIGN KEY (a)
  RawExprPtr expr;                    // CHECK (expr), DEFAULT expr
  int location = 0;
  // REFERENCES p [(x, y)] [ON UPDATE a] [ON DELETE a]: pg_constraint's
  // confupdtype / confdeltype letters (a no action, r restrict, c cascade,
  // n set null, d set default).
  TableRef ref_table{};
  std::vector<InsertColumn> ref_columns{};  // empty: p's primary key
  char on_update = 'a';
  char on_delete = 'a';
  bool not_valid = false;  // CHECK / FOREIGN KEY ... NOT VALID (ALTER TABLE ADD: rows not checked)
};

/* One storage parameter of WITH (name = value): the value as written
 * (a number, a word or a string; empty when there is none). */
struct RelOption {
  std::string name;
  std::string value;
  int location = 0;
};

struct ColumnDefinition {
  std::string name;
  TypeRef type;
  int location = 0;
  std::vector<ConstraintDefinition> constraints;
};

struct CreateTableStmt {
  TableRef table;
  bool if_not_exists = false;
  std::vector<ColumnDefinition> columns;
  std::vector<ConstraintDefinition> constraints;  // table constraints
  std::string unsupported;  // a clause minipg does not support, or empty
  std::vector<RelOption> options;  // WITH (fillfactor = 100, ...)
};

/* CREATE [UNIQUE] INDEX [IF NOT EXISTS] [name] ON t [USING btree] (col [ASC|DESC] ...). */
struct CreateIndexStmt {
  std::string name;  // empty: PostgreSQL's default name (t_a_idx)
  TableRef table;
  std::vector<InsertColumn> columns;
  bool unique = false;
  bool if_not_exists = false;
  std::string unsupported;  // a clause minipg does not support (an expression key, DESC, ...)
};

/* DROP INDEX [IF EXISTS] name [, ...] [CASCADE | RESTRICT]. */
struct DropIndexStmt {
  std::vector<TableRef> indexes;
  bool if_exists = false;
};

struct DropTableStmt {
  std::vector<TableRef> tables;
  bool if_exists = false;
  bool cascade = false;  // CASCADE: a foreign key of another table goes too
};

struct TransactionStmt {
  StatementKind kind;  // kBegin, kCommit, kRollback, kSavepoint, kRelease or kRollbackTo
  std::string savepoint{};  // the savepoint's name (the last three)
  std::optional<std::string> isolation{};  // BEGIN ISOLATION LEVEL: "repeatable read", ...
  std::optional<bool> read_only{};         // BEGIN READ ONLY / READ WRITE
  bool start = false;                    // spelled START TRANSACTION (its command tag)
};

struct SetStmt {
  std::string name;                  // lower-cased
  std::optional<std::string> value;  // nullopt = DEFAULT or RESET
  bool reset = false;                // RESET name (name "all": RESET ALL)
};

struct ShowStmt {
  std::string name;  // lower-cased; "all" for SHOW ALL
};

/* CHECKPOINT: ask the checkpointer for a checkpoint and wait for it. */
struct CheckpointStmt {};
/* COPY table [(cols)] FROM|TO 'file'|STDIN|STDOUT [options], or
 * COPY (SELECT ...) TO 'file'|STDOUT [options]. */
struct CopyStmt {
  TableRef table;                       // the table (name empty when `query` is set)
  std::vector<InsertColumn> columns;    // empty = all, in table order
  std::unique_ptr<Statement> query;     // COPY (SELECT ...) TO: a SelectStmt
  bool is_from = false;                 // FROM (into the table) or TO (out of it)
  std::optional<std::string> filename;  // a server-side file; nullopt = STDIN / STDOUT
  std::vector<CopyOptionItem> options;  // as written, both the new and the old syntax
};

/* CREATE / ALTER / DROP ROLE, CREATE / DROP DATABASE, GRANT / REVOKE role
 * (role_ddl.h). */
struct CatalogDdlStmt {
  CatalogDdl ddl;
};

/* CREATE / DROP EXTENSION (extension_ddl.h). */
struct ExtensionStmt {
  ExtensionDdl ddl;
};

/* EXPLAIN [ANALYZE] [VERBOSE] stmt, EXPLAIN (option [value], ...) stmt
 * (engine/sql/explain.h). */
struct ExplainStmt {
  bool analyze = false;
  bool verbose = false;
  bool costs = true;
  bool buffers = false;
  bool timing = true;
  std::optional<bool> summary;  // default: on with ANALYZE
  bool json = false;            // FORMAT JSON (else TEXT)
  std::unique_ptr<Statement> query;
};

/* VACUUM [ANALYZE] [t, ...] and ANALYZE [t, ...] (engine/sql/analyze_stats.h). */
struct VacuumStmt {
  bool vacuum = false;   // VACUUM (else ANALYZE alone)
  bool analyze = false;  // statistics are gathered
  std::vector<TableRef> tables;  // empty: every table of the database
  bool verbose = false;  // VERBOSE: INFO lines for each table
  bool freeze = false;   // FREEZE: every tuple frozen (vacuum_freeze_min_age and _table_age 0)
};

/* One action of ALTER TABLE (PostgreSQL's AlterTableCmd). */
struct AlterTableCmd {
  enum class Kind {
    kAddColumn,         // ADD [COLUMN] [IF NOT EXISTS] column
    kDropColumn,        // DROP [COLUMN] [IF EXISTS] name [CASCADE | RESTRICT]
    kAddConstraint,     // ADD table_constraint
    kDropConstraint,    // DROP CONSTRAINT [IF EXISTS] name
    kRenameTable,       // RENAME TO new_name
    kRenameColumn,      // RENAME [COLUMN] name TO new_name
    kRenameConstraint,  // RENAME CONSTRAINT name TO new_name
    kSetDefault,        // ALTER [COLUMN] name SET DEFAULT expr
    kDropDefault,       // ALTER [COLUMN] name DROP DEFAULT
    kSetNotNull,        // ALTER [COLUMN] name SET NOT NULL
    kDropNotNull,       // ALTER [COLUMN] name DROP NOT NULL
    kValidateConstraint,  // VALIDATE CONSTRAINT name
  };
  Kind kind = Kind::kAddColumn;
  ColumnDefinition column;          // kAddColumn
  ConstraintDefinition constraint;  // kAddConstraint
  std::string name;                 // the column or constraint acted on
  std::string new_name;             // RENAME ... TO
  RawExprPtr expr;                  // SET DEFAULT
  bool missing_ok = false;          // IF [NOT] EXISTS
  bool cascade = false;             // CASCADE
  int location = 0;
};

/* ALTER TABLE [IF EXISTS] [ONLY] t action [, ...]. */
struct AlterTableStmt {
  TableRef table;
  bool if_exists = false;
  std::vector<AlterTableCmd> cmds;
  std::string unsupported;  // an action minipg does not support ("ALTER COLUMN ... TYPE"), or empty
};

/* CREATE SEQUENCE [IF NOT EXISTS] name [AS type] [INCREMENT [BY] n]
 * [MINVALUE n | NO MINVALUE] [MAXVALUE n | NO MAXVALUE] [START [WITH] n]
 * [CACHE n] [[NO] CYCLE] [OWNED BY t.c | OWNED BY NONE]: nullopt = not written. */
struct CreateSequenceStmt {
  TableRef name;
  bool if_not_exists = false;
  std::optional<TypeRef> as;
  std::optional<int64_t> increment, min, max, start, cache;
  bool cycle = false;
  std::vector<std::string> owned_by;  // {table, column}; empty: none
  int owned_location = 0;
};

/* CREATE [OR REPLACE] VIEW name [(cols)] AS query: the query's text kept
 * for the catalog (pg_rewrite), its tree to check it now. */
struct CreateViewStmt {
  TableRef name;
  bool replace = false;
  std::vector<InsertColumn> columns;
  std::shared_ptr<SelectStmt> query;
  std::string query_text;
};

/* CREATE TABLE [IF NOT EXISTS] name [(cols)] AS query [WITH [NO] DATA],
 * and SELECT ... INTO [TABLE] name ... (select_into). */
struct CreateTableAsStmt {
  TableRef table;
  bool if_not_exists = false;
  std::vector<InsertColumn> columns;  // the new table's column names, if written
  std::shared_ptr<SelectStmt> query;
  bool with_data = true;     // WITH NO DATA: the table only
  bool select_into = false;  // written as SELECT ... INTO
};

/* DROP SEQUENCE / DROP VIEW [IF EXISTS] name [, ...] [CASCADE | RESTRICT]. */
struct DropRelationStmt {
  StatementKind kind = StatementKind::kDropSequence;  // or kDropView
  std::vector<TableRef> names;
  bool if_exists = false;
  bool cascade = false;
};

/* LOCK [TABLE] [ONLY] name [, ...] [IN mode MODE] [NOWAIT]. */
struct LockStmt {
  std::vector<TableRef> tables;
  std::string mode = "ACCESS EXCLUSIVE";  // the mode's words, upper case
  bool nowait = false;
};

/* A statement minipg recognises but does not run (UPDATE, DELETE, ...). */
struct UnsupportedStmt {
  std::string what;  // "UPDATE"
};

using StatementNode = std::variant<SelectStmt, InsertStmt, CreateTableStmt, DropTableStmt,
                                   TransactionStmt, SetStmt, ShowStmt, UnsupportedStmt, CheckpointStmt,
                                   CopyStmt, CatalogDdlStmt, ExtensionStmt, CreateIndexStmt, DropIndexStmt,
                                   ExplainStmt, VacuumStmt, UpdateStmt, DeleteStmt, TruncateStmt,
                                   AlterTableStmt, CreateSequenceStmt, CreateViewStmt, DropRelationStmt,
                                   CreateTableAsStmt, LockStmt>;

struct Statement {
  StatementNode node;
  int location = 0;  // where the statement starts in the Query text
  // The statement's own text, without the ';': kept only for an
  // UnsupportedStmt (CREATE ROLE, GRANT, ... have their own grammar,
  // role_ddl.h); for the others it would be one more copy of the query.
  std::string text;
};

/* One line describing a parse tree, for the "parse" event; bounded in
 * depth and length (tree_bounds.h), so any tree the parser built prints. */
std::string StatementToString(const Statement& stmt);
std::string ExprToString(const RawExpr& expr);

}  // namespace minipg::sql
