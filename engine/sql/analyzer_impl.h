/*-------------------------------------------------------------------------
 * analyzer_impl.h
 *   The Analyzer class, private to the analyzer (engine/sql/parser/):
 *     analyze.cpp         statements: SELECT, VALUES, INSERT, DDL, utility
 *     analyze_dml.cpp     INSERT ... SELECT, UPDATE, DELETE, RETURNING, TRUNCATE
 *     parse_relation.cpp  FROM: the range table, joins, column lookup
 *     parse_expr.cpp      expressions: names to Vars, typed trees
 *     parse_func.cpp      functions, operators and coercions resolved
 *                         through the builtins registry, as PostgreSQL does
 *-------------------------------------------------------------------------
 */
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/common/error.h"
#include "engine/common/sqlstate.h"
#include "engine/sql/adt/builtins.h"
#include "engine/sql/ast.h"
#include "engine/sql/query.h"
#include "engine/sql/types.h"
#include "engine/storage/catalog.h"

namespace minipg::sql::analyzer_internal {

using sqlstate::kAmbiguousFunction;
using sqlstate::kCannotCoerce;
constexpr const char* kFunctionHint =
    "No function matches the given name and argument types. You might need to add explicit type "
    "casts.";
constexpr const char* kOperatorHint =
    "No operator matches the given name and argument types. You might need to add explicit type "
    "casts.";

/* The most output columns a SELECT may have (PostgreSQL's MaxTupleAttributeNumber). */
inline constexpr size_t kMaxTargetListEntries = 1664;

inline Error At(Error e, int position) {
  e.position = position;
  return e;
}

inline Error ErrorAt(const char* sqlstate, std::string message, int position) {
  return At(MakeError(sqlstate, std::move(message)), position);
}

/* One entry of what names can see (PostgreSQL's ParseNamespaceItem): a
 * range table entry, visible by its name (t.x), by its columns (x), or
 * both. An unaliased join's inputs are visible by name only; the join
 * itself by its columns only. */
struct NamespaceItem {
  int rtindex = 0;
  bool rel_visible = true;
  bool cols_visible = true;
};

/* The state of analyzing one query level. */
struct ParseState {
  Query* query = nullptr;
  std::vector<NamespaceItem> ns;
  // The query level around a subquery, whose names it can also see (a Var
  // of theirs gets levels_up); hidden while its own FROM subqueries are
  // analyzed (they see past it, not into it: no LATERAL).
  ParseState* parent = nullptr;
  bool hidden = false;
  // Window functions: allowed in this level's select list and ORDER BY
  // (a SELECT sets it); the windows its calls use, named ones (WINDOW
  // clause) first, then each distinct OVER (...) in the order met
  // (PostgreSQL's p_windowdefs; parser/parse_window.cpp).
  bool windows_allowed = false;
  const char* window_context = nullptr;  // where they are not: "JOIN conditions" (null: unnamed)
  struct BoundWindow {
    std::string name;     // WINDOW name; empty for an OVER (...)
    std::string refname;  // the window it builds on, empty if none
    std::string text;     // its keys and frame as text: equal windows share a winref
    std::vector<ExprPtr> partition;
    std::vector<ExprPtr> order;
    std::vector<WindowSpec::OrderKey> order_dirs;
    bool has_frame = false;
    FrameMode mode = FrameMode::kRange;
    FrameBound start = FrameBound::kUnboundedPreceding;
    FrameBound end = FrameBound::kCurrentRow;
    FrameExclude exclude = FrameExclude::kNoOthers;
    ExprPtr start_offset, end_offset;
    std::vector<std::shared_ptr<WindowSpec>> calls;  // the calls over it
  };
  std::vector<BoundWindow> windows;
};

/* An output column's name as ORDER BY sees it (see OutputNames). */
struct OutputName {
  const RawExpr* expr = nullptr;  // its expression as written; null for a column of "*"
  size_t target = 0;              // its entry in Query::targets
  bool ambiguous = false;         // another output column of this name is a different expression
};

/* The name PostgreSQL's FigureColname gives an expression, with its
 * strength: 2 = a real name, 1 = a type name from a cast, 0 = none. */
std::pair<std::string, int> FigureColname(const RawExpr& e);

/* PostgreSQL's candidate selection (func_select_candidate): the index of
 * the one signature `inputs` resolve to, -1 if none accepts them, -2 if
 * several do and none is best. kUnknown inputs are undecided literals. */
int ChooseCandidate(const std::vector<std::vector<TypeId>>& candidates, const std::vector<TypeId>& inputs);

/* The first aggregate call in the tree (parents first), or null. */
const Expr* FindAggref(Expr& e);
/* 42803 "aggregate functions are not allowed in <clause>" if `e` holds one. */
Status NoAggregates(Expr& e, const char* clause);
/* The first window function call in the tree, or null; 42P20 "window
 * functions are not allowed in <clause>" if `e` holds one (parse_window.cpp). */
const Expr* FindWindowFunc(Expr& e);
Status NoWindowFuncs(Expr& e, const char* clause);

/* 42803 if subquery `sub` (and what is inside it) reads a column of the
 * grouped query `depth` levels out that is not grouped (parse_sublink.cpp). */
Status CheckUngroupedOuterRefs(Query& sub, int depth, const std::vector<std::string>& grouped);
/* PostgreSQL's ChooseConstraintName / ChooseRelationName: name1_name2_label
 * cut to 63 bytes, a number added to label until no name in `taken` is
 * equal; the name is added to `taken` (parse_utilcmd.cpp). */
std::string ChooseName(const std::string& name1, const std::string& name2, const std::string& label,
                       std::set<std::string>& taken);
/* Column names joined with '_' (t_a_b_key). */
std::string JoinNames(const std::vector<std::string>& columns);

/* Whether a value of `from` converts to `to` silently (an implicit cast). */
bool CanCoerceImplicit(TypeId from, TypeId to);

/* PostgreSQL's select_common_type over types (kUnknown ones ignored):
 * -1 and *out set (kUnknown if every one is), or the index of the first
 * type of another category than the ones before (parse_polymorphic.cpp). */
int SelectCommonType(const std::vector<TypeId>& types, TypeId* out);

/* A candidate's declared argument and result types with its polymorphic
 * pseudo-types replaced by what `inputs` make them (parse_polymorphic.cpp). */
struct PolymorphicResult {
  std::vector<TypeId> args;
  TypeId result = TypeId::kVoid;
  bool ok = true;          // false: the inputs do not fit the pseudo-types together
  bool undecided = false;  // not ok because every anyelement-like input is an undecided literal
  PolymorphicResult& Fail() {
    ok = false;
    return *this;
  }
};
PolymorphicResult ResolvePolymorphic(const std::vector<TypeId>& declared, const std::vector<TypeId>& inputs,
                                     TypeId result);

/* A WITH query in scope: its definition sees only the entries before
 * `scope` (the earlier ones of its WITH and the outer levels'). */
struct CteEntry {
  const CommonTableExpr* cte = nullptr;
  size_t scope = 0;
  std::shared_ptr<CteQuery> record;  // what analyzing it made (its query null until then)
};

/* WITH RECURSIVE (parse_cte_check.cpp): the order to analyze the list in
 * (none reading a later one; 0A000 for mutual recursion), and which
 * items read themselves (`self`). */
Result<std::vector<size_t>> OrderRecursiveWith(const std::vector<CommonTableExpr>& ctes, std::vector<bool>& self);
/* A recursive item's form and where it reads itself (42P19, 0A000). */
Status CheckRecursiveForm(const CommonTableExpr& cte);

/* pg_catalog or information_schema: a user table is never found there. */
inline bool IsSystemSchema(std::string_view schema) {
  return schema == "pg_catalog" || schema == "information_schema";
}

class Analyzer {
 public:
  /* `params`: the parameter types of an extended-protocol statement (see
   * AnalyzeWithParams), or null when $n is not allowed (a simple Query). */
  explicit Analyzer(const storage::CatalogSnapshot& catalog, std::vector<TypeId>* params = nullptr,
                    const SessionContext* ctx = nullptr)
      : catalog_(catalog), params_(params), ctx_(ctx) {}

  Result<Query> Run(const Statement& stmt) {
    auto query = std::visit([this](const auto& node) { return Analyze(node); }, stmt.node);
    if (query.ok()) query->row_share_tables = std::move(row_share_tables_);
    return query;
  }

  // ---- stored expressions (parse_utilcmd.cpp) -------------------------------
  /* A table's stored CHECK expression bound over its row (Vars of range
   * table entry 1). */
  Result<ExprPtr> BindStored(const storage::TableDef& table, const std::string& text);
  /* Column `attno`'s (0-based) DEFAULT, bound and coerced to its type and
   * typmod; a NULL constant for none. */
  Result<ExprPtr> BindColumnDefault(const storage::TableDef& table, int attno);

 private:
  // ---- statements (analyze.cpp) ------------------------------------------
  Result<Query> Analyze(const SelectStmt& select);
  Result<Query> AnalyzeValues(const SelectStmt& values);
  /* FOR UPDATE / SHARE clauses: q.row_marks and their junk ctid targets
   * (analyze_locking.cpp). */
  Status TransformLockingClauses(const SelectStmt& select, Query& q);
  /* UNION / INTERSECT / EXCEPT (parse_setop.cpp). */
  Result<Query> AnalyzeSetOp(const SelectStmt& select);
  /* `top`: the statement's own operation (its ORDER BY and LIMIT are the caller's). */
  Result<std::unique_ptr<SetOperationNode>> TransformSetOpTree(const SelectStmt& s, ParseState& ps, int& leaves,
                                                               bool top = false);
  Status CoerceSetOpLeaves(SetOperationNode& node, const std::vector<TypeId>& types, Query& q, const char* op);
  /* LIMIT and OFFSET, coerced to bigint. */
  Status TransformLimit(const SelectStmt& select, Query& q);
  /* DISTINCT ON's keys, checked against ORDER BY and added to the sort. */
  Status TransformDistinctOn(const SelectStmt& select, ParseState& ps,
                             const std::unordered_map<std::string, OutputName>& output_names);
  // ---- WITH (parse_cte.cpp) ------------------------------------------------
  /* Puts a WITH list in scope (42712 for a name given twice), analyzing
   * each query once for its errors. */
  Status PushCtes(const std::vector<CommonTableExpr>& ctes);
  const CteEntry* FindCte(const std::string& name) const;
  /* A reference to a WITH query in FROM: a kCte entry (its record counts
   * it), a subquery entry of a copy of its query (NOT MATERIALIZED), or
   * the recursive query's own work table. */
  Result<RangeTblEntry> TransformCteRef(CteEntry entry);
  /* Analyzes one WITH query into entry.record. */
  Status AnalyzeCte(CteEntry entry);
  /* A recursive WITH query's columns, from its non-recursive term `left`
   * (parse_setop.cpp calls it between the two terms). */
  Status SetRecursiveColumns(const SetOperationNode& left, const Query& q);
  /* The analyzed recursive query's checks: no aggregate in the recursive
   * term (42P19), its column types those of the non-recursive term (42804). */
  Status CheckRecursiveQuery(const CteQuery& cte, const Query& q);
  Result<int> AddSortTarget(const RawExpr& e, const SelectStmt& select,
                            const std::unordered_map<std::string, OutputName>& output_names, ParseState& ps);
  Result<Query> Analyze(const InsertStmt& insert);
  // ---- INSERT ... SELECT, UPDATE, DELETE, RETURNING, TRUNCATE (analyze_dml.cpp)
  Result<Query> Analyze(const UpdateStmt& update);
  Result<Query> Analyze(const DeleteStmt& del);
  Result<Query> Analyze(const TruncateStmt& truncate);
  Result<Query> Analyze(const LockStmt& lock);
  /* The table an INSERT, UPDATE or DELETE (`verb`) changes: not a system
   * catalog (42501), not a view (55000, as PostgreSQL words it). */
  Result<const storage::TableDef*> TargetTable(const TableRef& ref, const char* verb);
  /* The column `col` names (42703 "column "x" of relation "t" does not exist"). */
  Result<int> TargetColumn(const storage::TableDef& table, const InsertColumn& col);
  /* `expr` converted for storing in `column` (assignment cast, typmod;
   * 42804 "column "a" is of type ... but expression is of type ..."). */
  Result<ExprPtr> CoerceToColumn(ExprPtr expr, const storage::ColumnDef& column, int location);
  /* INSERT ... VALUES's rows (analyze.cpp) and INSERT ... SELECT's, and their targets. */
  Status InsertValues(const InsertStmt& insert, const std::vector<int>& target_cols, ParseState& ps);
  Status InsertSelect(const InsertStmt& insert, const std::vector<int>& target_cols, ParseState& ps);
  /* ON CONFLICT: its arbiter indexes (PostgreSQL's infer_arbiter_indexes)
   * and DO UPDATE's SET and WHERE over the existing row and EXCLUDED
   * (parse_onconflict.cpp). */
  Status TransformOnConflict(const OnConflictClause& clause, ParseState& ps);
  /* RETURNING's targets appended (Query::returning); `new_row`: what each
   * of the result relation's columns stands for (INSERT, UPDATE). */
  Status TransformReturning(const std::vector<SelectTarget>& returning, ParseState& ps,
                            const std::vector<const Expr*>* new_row);
  Status DmlRangeTable(const TableRef& ref, const std::vector<FromItemPtr>& from, ParseState& ps);
  Status DmlWhere(const RawExpr* where, ParseState& ps);
  /* The result relation's ctid as a junk target (Query::ctid_target). */
  void AddCtidTarget(Query& q) { q.ctid_target = AddCtidTarget(q, q.result_relation); }
  /* Entry `rtindex`'s row ctid as a junk target (a bigint, CtidDatum's):
   * its index in q.targets. */
  static int AddCtidTarget(Query& q, int rtindex);
  Result<Query> Analyze(const CreateTableStmt& create);
  /* SELECT srf(...) with no FROM: one row per row of the function, as
   * PostgreSQL's ProjectSet gives, planned as FROM srf(...). */
  void SetReturningTargetAsFrom(const SelectStmt& select, ParseState& ps);
  /* A column of CREATE TABLE (serial_ok: serial types too) or ALTER TABLE ADD COLUMN. */
  Result<storage::ColumnDef> ColumnDefOf(const ColumnDefinition& col, bool serial_ok);
  /* WITH (fillfactor = n): pg_class.reloptions' text ("fillfactor=100"). */
  Result<std::vector<std::string>> RelOptionsOf(const std::vector<RelOption>& options);
  Result<Query> Analyze(const DropTableStmt& drop);
  // ---- CREATE / DROP INDEX, constraints (parse_utilcmd.cpp) -----------------
  Result<Query> Analyze(const CreateIndexStmt& index);
  Result<Query> Analyze(const DropIndexStmt& drop);
  // ---- sequences and views (analyze_seqview.cpp) ---------------------------
  Result<Query> Analyze(const CreateSequenceStmt& seq);
  Result<Query> Analyze(const CreateViewStmt& view);
  Result<Query> Analyze(const CreateTableAsStmt& as);
  Result<Query> Analyze(const DropRelationStmt& drop);
  /* serial / bigserial / smallserial: the column's type, or nullopt. */
  static std::optional<TypeId> SerialType(const std::string& name);
  /* A serial column's sequence t_c_seq, its DEFAULT nextval(...) and NOT NULL. */
  void AddSerialSequence(const std::string& table, storage::ColumnDef& column, TypeId type, Query& q);
  /* A view's query as a subquery entry of the range table (a view named in FROM). */
  Result<RangeTblEntry> ExpandView(const storage::TableDef& view);
  /* CREATE TABLE's constraints into q.create_columns (NOT NULL, DEFAULT)
   * and q.create_constraints (PRIMARY KEY, UNIQUE, CHECK). */
  Status TransformConstraints(const CreateTableStmt& create, Query& q);
  /* The names a new constraint of `table` must not take: every relation's,
   * the table's CHECK names, whether it has a primary key. */
  struct ConstraintNames {
    std::set<std::string> relations;  // tables and indexes (a key's index takes its name)
    std::set<std::string> checks;     // the table's CHECK constraints
    std::set<std::string> named;      // written with CONSTRAINT in this statement
    std::set<std::string> existing;   // the table's constraints (ALTER TABLE)
    bool has_primary = false;
  };
  ConstraintNames TakenNames(const std::string& table) const;
  /* A column's NOT NULL or DEFAULT (bound, kept as SQL text) onto `column`. */
  Status ColumnOwnConstraint(const std::string& table, storage::ColumnDef& column, const ConstraintDefinition& con);
  /* ONE constraint of `table` (whose columns are `columns`, a primary
   * key's made NOT NULL there), written on `column` or as a table
   * constraint: the catalog command that makes it (a key unnamed until
   * NameKeyConstraint), or nullopt for NOT NULL / NULL / DEFAULT, which
   * are the column's own. CREATE TABLE and ALTER TABLE ADD both come here;
   * FOREIGN KEY is 0A000 (the fk branch plugs in). */
  Result<std::optional<ConstraintCommand>> TransformConstraint(const std::string& table,
                                                               std::vector<storage::ColumnDef>& columns,
                                                               const ConstraintDefinition& con,
                                                               const storage::ColumnDef* column, ConstraintNames& names);
  /* A PRIMARY KEY / UNIQUE's index name: as written (42P07 if taken) or
   * PostgreSQL's default (t_pkey, t_a_key). */
  Status NameKeyConstraint(const std::string& table, ConstraintCommand& key, ConstraintNames& names);
  /* ALTER TABLE (parser/analyze_alter.cpp). */
  Result<Query> Analyze(const AlterTableStmt& alter);
  /* The foreign key entry point (parse_fk.cpp): one FOREIGN KEY /
   * REFERENCES `con` of table `table` (its columns `columns`; `column`:
   * the column it is written on, or null) checked against the referenced
   * table as PostgreSQL's ATAddForeignKeyConstraint does, as a 'f'
   * ConstraintCommand named t_a_fkey unless named. `own_keys`: the PRIMARY
   * KEY / UNIQUE keys the same statement declares (a table referencing
   * itself); `taken`: constraint names in use, the chosen one added. */
  Result<ConstraintCommand> TransformForeignKey(const std::string& table, const std::vector<storage::ColumnDef>& columns,
                                                const ConstraintDefinition& con, const storage::ColumnDef* column,
                                                const std::vector<ConstraintCommand>& own_keys,
                                                std::set<std::string>& taken);
  /* A boolean expression over a table's row (CHECK). */
  Result<ExprPtr> BindTableExpr(const std::string& table, const std::vector<storage::ColumnDef>& columns,
                                const RawExpr& e, Query& scratch);
  /* A DEFAULT expression coerced to its column's type (and typmod). */
  /* DEFAULT e for `column`, coerced to its type. `stored`, when given, gets
   * the text pg_attrdef keeps: PostgreSQL's, where an implicit cast of a typed
   * expression does not show (`5` for a bigint column) but a literal read as
   * the column's type does (`'2026-01-01'::date`). */
  Result<ExprPtr> BindDefault(const storage::ColumnDef& column, const RawExpr& e, bool typmod,
                              std::string* stored = nullptr);
  Result<Query> Analyze(const TransactionStmt& txn);
  Result<Query> Analyze(const SetStmt& set);
  Result<Query> Analyze(const ShowStmt& show);
  Result<Query> Analyze(const UnsupportedStmt& stmt);
  Result<Query> Analyze(const CheckpointStmt& stmt);
  /* Statements the dispatcher runs from their parse trees: COPY (whose
   * code analyzes its own query, copy_command.cpp), role, database and
   * extension statements. Their Query only names them. */
  Result<Query> Analyze(const CopyStmt&) { return UtilityQuery(StatementKind::kCopy, "COPY"); }
  Result<Query> Analyze(const CatalogDdlStmt& c) {
    static const char* const kNames[] = {"CREATE DATABASE", "DROP DATABASE", "CREATE ROLE", "ALTER ROLE",
                                         "DROP ROLE",       "GRANT ROLE",    "REVOKE ROLE"};
    return UtilityQuery(StatementKind::kCatalogDdl, kNames[static_cast<int>(c.ddl.kind)]);
  }
  Result<Query> Analyze(const ExtensionStmt& e) {
    return UtilityQuery(StatementKind::kExtension, e.ddl.create ? "CREATE EXTENSION" : "DROP EXTENSION");
  }
  /* EXPLAIN: the explained statement's Query (the session prints its plan). */
  Result<Query> Analyze(const ExplainStmt& e) { return Run(*e.query); }
  /* VACUUM, ANALYZE: the tables named must exist (analyze.cpp). */
  Result<Query> Analyze(const VacuumStmt& v);
  static Query UtilityQuery(StatementKind kind, const char* statement) {
    Query q;
    q.kind = kind;
    q.statement = statement;
    return q;
  }

  // ---- FROM (parse_relation.cpp) -----------------------------------------
  Result<const storage::TableDef*> LookupTable(const TableRef& ref);
  /* Adds `item` (and what it contains) to the range table; its namespace
   * entries go to `ns`. */
  Result<std::unique_ptr<JoinTreeNode>> TransformFromItem(const FromItem& item, ParseState& ps,
                                                          std::vector<NamespaceItem>& ns);
  Result<std::unique_ptr<JoinTreeNode>> TransformJoin(const FromItem& item, ParseState& ps,
                                                      std::vector<NamespaceItem>& ns);
  /* The VALUES rows as one range table entry, columns of common types. */
  Result<RangeTblEntry> TransformValues(const std::vector<std::vector<RawExprPtr>>& rows);
  /* Column aliases over an entry's columns (42P10 if too many). */
  Status ApplyAliases(const FromItem& item, RangeTblEntry& rte, const char* what);
  /* 42712 if `add` has a name `ns` already shows. */
  Status CheckNameConflicts(const ParseState& ps, const std::vector<NamespaceItem>& ns,
                            const std::vector<NamespaceItem>& add, int location);
  int AddRte(ParseState& ps, RangeTblEntry rte);
  /* LATERAL (SELECT exprs) without FROM: its columns as expressions over
   * the entries before it (a kJoin entry the planner flattens away). */
  Result<RangeTblEntry> TransformLateralTargets(const SelectStmt& select, ParseState& ps);
  /* A column of this level, else of the levels around it (parse_sublink.cpp). */
  Result<ExprPtr> BindColumn(const RawExpr& e, ParseState& ps);
  Result<ExprPtr> BindColumnHere(const RawExpr& e, ParseState& ps);
  /* Errors for a qualifier no visible entry has (PostgreSQL's errorMissingRTE). */
  Error MissingRte(const ParseState& ps, const std::string& name, int location);
  /* The entry `t` in t.x or t.*, or an error. */
  Result<int> FindQualified(const ParseState& ps, const std::string& name, int location);
  /* Appends a Var target for every column of `*` or `t.*`. */
  Status ExpandStar(const SelectTarget& target, ParseState& ps, std::vector<TargetEntry>& out);
  ExprPtr VarFor(const ParseState& ps, int rtindex, int attno, int location);
  /* A system column (system_columns.h) of a table's entry; nullptr if
   * `name` is none or the entry is not a table's. */
  ExprPtr SystemColumnVar(const ParseState& ps, int rtindex, const std::string& name, int location);
  /* The arguments of a system view read as FROM name(args), coerced to its
   * argument types. */
  Result<std::vector<ExprPtr>> BindViewArgs(const RawExpr& call, const SystemView& view, ParseState& ps);

  // ---- expressions (parse_expr.cpp) ----------------------------------------
  /* Binds an expression whose value is returned: an undecided literal
   * becomes text. */
  Result<ExprPtr> BindValue(const RawExpr& e, ParseState& ps);
  Result<ExprPtr> BindCondition(const RawExpr& e, ParseState& ps, const char* what);
  Result<ExprPtr> RequireBool(ExprPtr expr, const char* what, int location);
  Result<ExprPtr> Bind(const RawExpr& e, ParseState& ps);
  Result<ExprPtr> BindUnary(const RawExpr& e, ParseState& ps);
  Result<ExprPtr> BindBinary(const RawExpr& e, ParseState& ps);
  Result<ExprPtr> BindCast(const RawExpr& e, ParseState& ps);
  Result<ExprPtr> BindFunc(const RawExpr& e, ParseState& ps);
  Result<ExprPtr> BindParam(const RawExpr& e);
  /* (SELECT ...), EXISTS, IN / op ANY / op ALL (SELECT ...), ARRAY(SELECT ...)
   * (parse_sublink.cpp). */
  Result<ExprPtr> BindSubLink(const RawExpr& e, ParseState& ps);
  Result<ExprPtr> BindArrayOp(const RawExpr& e, ParseState& ps);
  /* ARRAY[...] (of `array_type` when a cast gives one, else kVoid) and
   * x[i] / x[i:j] (parse_array_expr.cpp). */
  Result<ExprPtr> BindArrayExpr(const RawExpr& e, ParseState& ps, TypeId array_type);
  Result<ExprPtr> BindSubscript(const RawExpr& e, ParseState& ps);
  /* The ParseState the next Analyze(SelectStmt) takes as its parent. */
  Result<Query> AnalyzeSubquery(const SelectStmt& select, ParseState& parent);
  // ---- conditional expressions (parse_cond.cpp) ------------------------------
  /* CASE, BETWEEN, IN (list), IS [NOT] DISTINCT FROM, IS TRUE, named operators. */
  Result<ExprPtr> BindConditional(const RawExpr& e, ParseState& ps);
  Result<ExprPtr> BindCase(const RawExpr& e, ParseState& ps);
  Result<ExprPtr> BindInList(const RawExpr& e, ParseState& ps);
  /* coalesce, nullif, greatest, least over bound arguments. */
  Result<ExprPtr> BindConditionalFunc(const std::string& name, std::vector<ExprPtr> args, int location);
  /* The binary operator `name` over two parse trees, bound. */
  Result<ExprPtr> BindComparison(const std::string& name, const RawExpr& left, const RawExpr& right, ParseState& ps,
                                 int location);
  Result<ExprPtr> BindComparison(const std::string& name, ExprPtr left, const RawExpr& right, ParseState& ps,
                                 int location);
  /* Coerces `exprs` to their common type; returns a NULL constant of it. */
  Result<ExprPtr> CoerceToCommon(std::vector<ExprPtr>& exprs, const char* context);
  /* Decides the type of an untyped parameter reference (and so of $n). */
  void ResolveParam(Expr& expr, TypeId type);

  // ---- resolution and coercion (parse_func.cpp) ------------------------------
  /* Converts `expr` to `to` if `context` allows; an undecided literal is
   * parsed now. Fails with 42846 (cannot coerce) otherwise. */
  /* Converts `expr` to `to` as `context` allows; with a typmod (varchar(3),
   * numeric(10,2)) also to its length or precision, as PostgreSQL's
   * length-coercion functions do on assignment and in an explicit cast. */
  Result<ExprPtr> Coerce(ExprPtr expr, TypeId to, CastContext context, int32_t typmod);
  Result<ExprPtr> Coerce(ExprPtr expr, TypeId to, CastContext context);
  /* The length / precision check of a typmod (varchar(3), numeric(5,2))
   * on an expression already of its type; errors carry no position (as
   * PostgreSQL's, found while executing). */
  Result<ExprPtr> CoerceTypmod(ExprPtr expr, int32_t typmod, CastContext context);
  /* Appends `arg` to a function or aggregate call, coerced to its declared
   * type (an unknown literal passed to "any" stays unknown). */
  Status AddCoercedArg(Expr& call, ExprPtr arg, TypeId declared);
  /* Row values (parse_cond.cpp): ROW(a, b) / (a, b); t.* or a bare t as a
   * value (a whole-row reference: a ROW of t's columns named t.*);
   * `row` IS [NOT] NULL as the AND of its fields' tests; and a comparison
   * of two rows as the pairwise comparisons it means (= AND, <> OR, < <=
   * > >= ordered by the first pair that differs), as PostgreSQL's
   * make_row_comparison_op; `nulls_equal` (IS [NOT] DISTINCT FROM, and
   * a whole-row reference's record = record): = / <> pair by pair as IS
   * NOT DISTINCT / IS DISTINCT. MakeComparison is MakeOperator for
   * anything else. */
  Result<ExprPtr> BindRow(const RawExpr& e, ParseState& ps);
  Result<ExprPtr> RowSubLinkTest(const RawExpr& e, const std::vector<const Expr*>& columns, ParseState& ps);
  ExprPtr WholeRow(const ParseState& ps, int rtindex, int location);
  ExprPtr RowNullTest(ExprPtr row, bool negated, int location);
  Result<ExprPtr> MakeComparison(const std::string& name, ExprPtr left, ExprPtr right, int location,
                                 bool nulls_equal = false);
  /* The operator `name` over `left` (null for a prefix operator) and
   * `right`, resolved and its arguments coerced. */
  Result<ExprPtr> MakeOperator(const std::string& name, ExprPtr left, ExprPtr right, int location);
  /* The function `name` over `args`, resolved and its arguments coerced. */
  Result<ExprPtr> MakeFunction(const std::string& name, std::vector<ExprPtr> args, int location);
  /* PostgreSQL's select_common_type: the type `exprs` all convert to
   * (`context` names them in the 42804 error: "VALUES", "JOIN/USING"). */
  Result<TypeId> CommonType(const std::vector<const Expr*>& exprs, const char* context);
  /* An aggregate call (count(*) when `star`), resolved over the aggregate
   * table (adt/aggregates.h); 42803 if an argument holds an aggregate. */
  /* agg(... ORDER BY keys) FILTER (WHERE c) of the call `e`: the keys and c
   * appended to the bound aggregate's args (primnodes.h, kAggref). */
  Status BindAggOrderAndFilter(const RawExpr& e, ParseState& ps, Expr& agg);
  Result<ExprPtr> MakeAggregate(const std::string& name, std::vector<ExprPtr> args, bool star, bool distinct,
                                int location);

  // ---- window functions (parser/parse_window.cpp) --------------------------
  /* WINDOW name AS (...), ...: bound into ps.windows before the select list. */
  Status TransformNamedWindows(const SelectStmt& select, ParseState& ps);
  /* `def` bound into `out`, resolved against the named windows before it. */
  Status BindWindowDef(const WindowDef& def, ParseState& ps, ParseState::BoundWindow& out);
  /* f(args) OVER ...: `call` (a bound function or aggregate call) made a
   * kWindowFunc over its window, the window's keys and offsets appended. */
  Result<ExprPtr> MakeWindowCall(const RawExpr& e, ParseState& ps, ExprPtr call);
  /* Each window's sort references (PostgreSQL's sortgroupref numbering:
   * ORDER BY, GROUP BY, DISTINCT, then the windows' keys), once the query
   * level is analyzed; they order its WindowAgg nodes. */
  void NumberWindowKeys(ParseState& ps);

  // ---- GROUP BY, HAVING and aggregates (parse_agg.cpp) ---------------------
  /* GROUP BY's expressions (a name of an input column, else of an output
   * column; a position; an expression), HAVING, and PostgreSQL's check that
   * every column outside an aggregate is grouped (42803). */
  Status TransformGrouping(const SelectStmt& select, ParseState& ps);

  const storage::CatalogSnapshot& catalog_;
  std::vector<CteEntry> ctes_;       // WITH queries in scope, innermost last
  size_t cte_expansions_ = 0;        // NOT MATERIALIZED references analyzed in this statement (each is a copy)
  // The recursive WITH query being analyzed and its top UNION, whose
  // non-recursive term decides the columns (SetRecursiveColumns).
  CteQuery* recursive_cte_ = nullptr;
  const SelectStmt* recursive_stmt_ = nullptr;
  bool keep_unknown_ = false;        // the next SELECT is a set operation's leaf: literals stay undecided
  bool window_call_ = false;         // MakeFunction resolves f(...) OVER: window functions allowed
  std::vector<TypeId>* params_;
  const SessionContext* ctx_;  // nullptr: every system view is there
  ParseState* pending_parent_ = nullptr;  // see AnalyzeSubquery
  std::vector<uint32_t> expanding_views_;  // views being expanded around this query (ExpandView), outermost first
  std::vector<std::string> row_share_tables_;  // FOR UPDATE / SHARE's tables, at any level (Query::row_share_tables)
};

}  // namespace minipg::sql::analyzer_internal
