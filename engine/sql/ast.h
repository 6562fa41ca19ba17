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

#include "engine/sql/copy_format.h"
#include "engine/sql/session.h"

namespace minipg::sql {

enum class ExprKind {
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

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  Expr() = default;
  Expr(Expr&&) = default;
  Expr& operator=(Expr&&) = default;
  /* Frees the subtree without recursion (a client may nest a million deep). */
  ~Expr();

  ExprKind kind;
  int location = 0;
  std::string text;
  std::string qualifier;
  Op op = Op::kAdd;
  bool bool_value = false;
  bool negated = false;
  bool star = false;
  TypeRef type_name;
  std::vector<ExprPtr> args;
};

struct TableRef {
  std::string schema;  // "", "public" (user tables) or "pg_catalog" (system views)
  std::string name;
  std::string alias;  // empty if none
  bool call = false;  // FROM name(): a set-returning function (system_views.h)
  int location = 0;
};

/* One entry of a SELECT list: an expression, or `*` / `t.*`. */
struct SelectTarget {
  ExprPtr expr;           // null for a star
  bool star = false;
  std::string star_qualifier;
  std::string alias;      // empty if none
  int location = 0;
};

struct OrderItem {
  ExprPtr expr;
  bool descending = false;
  std::optional<bool> nulls_first;  // nullopt = PostgreSQL's default
};

struct SelectStmt {
  std::vector<SelectTarget> targets;
  std::optional<TableRef> from;
  ExprPtr where;
  std::vector<OrderItem> order_by;
  ExprPtr limit;   // null = no LIMIT (or LIMIT ALL)
  ExprPtr offset;  // null = no OFFSET
  std::string unsupported;  // a valid-but-unsupported clause seen ("JOIN"), or empty
};

struct InsertColumn {
  std::string name;
  int location = 0;
};

struct InsertStmt {
  TableRef table;
  std::vector<InsertColumn> columns;        // empty = all, in table order
  std::vector<std::vector<ExprPtr>> rows;   // VALUES lists
};

struct ColumnDefinition {
  std::string name;
  TypeRef type;
  int location = 0;
};

struct CreateTableStmt {
  TableRef table;
  bool if_not_exists = false;
  std::vector<ColumnDefinition> columns;
  std::string unsupported;  // e.g. "PRIMARY KEY": constraints are not supported
};

struct DropTableStmt {
  std::vector<TableRef> tables;
  bool if_exists = false;
};

struct TransactionStmt {
  StatementKind kind;  // kBegin, kCommit or kRollback
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

/* A statement minipg recognises but does not run (UPDATE, DELETE, ...). */
struct UnsupportedStmt {
  std::string what;  // "UPDATE"
};

using StatementNode = std::variant<SelectStmt, InsertStmt, CreateTableStmt, DropTableStmt,
                                   TransactionStmt, SetStmt, ShowStmt, UnsupportedStmt, CheckpointStmt,
                                   CopyStmt>;

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
std::string ExprToString(const Expr& expr);

}  // namespace minipg::sql
