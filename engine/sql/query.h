/*-------------------------------------------------------------------------
 * query.h
 *   What the analyzer makes of a parse tree: a Query whose names are
 *   resolved against the catalog and whose expressions are typed
 *   (BoundExpr). The planner turns a Query into a plan tree.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/sql/ast.h"
#include "engine/sql/session.h"
#include "engine/sql/types.h"
#include "engine/storage/catalog.h"

namespace minipg::sql {

enum class BoundKind {
  kConst,    // value
  kColumn,   // column: index into the input row
  kUnary,    // op (kNeg, kNot), args[0]
  kBinary,   // op, args[0..1] (already cast to a common type)
  kIsNull,   // args[0]; negated for IS NOT NULL
  kCast,     // args[0] cast from its type to `type`
  kFunc,     // func, args
  kParam,    // param: $n of the extended protocol (0-based index); replaced by a constant before planning
};

enum class FuncId {
  kPgBackendPid,     // pg_backend_pid() -> integer
  kVersion,          // version() -> text
  kPgSleep,          // pg_sleep(numeric) -> void
  kCurrentUser,      // current_user, session_user, user -> text
  kCurrentDatabase,  // current_database(), current_catalog -> text
  kMinipgCrash,      // minipg_crash() -> void: kills this backend with SIGSEGV (teaching the crash cycle)
  kNow,              // now() -> timestamptz: the transaction's start
  kPgCancelBackend,  // pg_cancel_backend(integer) -> boolean
  kPgTerminateBackend,  // pg_terminate_backend(integer) -> boolean
  kCurrentSetting,      // current_setting(text [, missing_ok boolean]) -> text: what SHOW prints
  kSetConfig,           // set_config(text, text, is_local boolean) -> text: SET as a function
  kPgGetUserById,       // pg_get_userbyid(oid) -> text: a role's name
  kPgEncodingToChar,    // pg_encoding_to_char(integer) -> text: 6 is UTF8
  kBuiltin,             // an entry of a table of functions (BoundExpr::builtin; storage_functions.h)
};

struct BuiltinFunction;  // storage_functions.h

struct BoundExpr;
using BoundExprPtr = std::unique_ptr<BoundExpr>;

struct BoundExpr {
  BoundExpr() = default;
  BoundExpr(BoundExpr&&) = default;
  BoundExpr& operator=(BoundExpr&&) = default;
  /* Frees the subtree without recursion (see Expr's). */
  ~BoundExpr();

  BoundKind kind;
  TypeId type;
  Datum value;             // kConst
  bool untyped = false;    // kConst: a string literal whose type is not decided yet
  int column = -1;         // kColumn
  int param = -1;          // kParam: 0 for $1
  Op op = Op::kAdd;        // kUnary, kBinary
  bool negated = false;    // kIsNull
  FuncId func = FuncId::kVersion;  // kFunc
  const BuiltinFunction* builtin = nullptr;  // kFunc with FuncId::kBuiltin
  std::vector<BoundExprPtr> args;
  int location = 0;
};

/* One output column of a SELECT. */
struct TargetEntry {
  std::string name;
  BoundExprPtr expr;
};

struct SortKey {
  BoundExprPtr expr;  // over the input row (below the projection)
  bool descending = false;
  bool nulls_first = false;
};

struct Query {
  StatementKind kind = StatementKind::kOther;
  std::string statement;            // "SELECT", "INSERT", ... (for the analyze event)
  std::vector<std::string> tables;  // tables the statement touches

  // SELECT
  std::optional<storage::TableDef> table;  // FROM, if any
  BoundExprPtr where;
  std::vector<TargetEntry> targets;
  std::vector<SortKey> sort;
  BoundExprPtr limit;
  BoundExprPtr offset;

  // INSERT: table; one expression per table column (NULL constants for the
  // columns not listed), already cast to the column's type.
  std::vector<std::vector<BoundExprPtr>> insert_rows;

  // CREATE TABLE (table->name and columns), DROP TABLE
  std::string create_name;
  std::vector<storage::ColumnDef> create_columns;
  bool if_not_exists = false;
  std::vector<std::string> drop_names;    // the ones that exist
  std::vector<std::string> drop_missing;  // IF EXISTS: the ones that do not (a NOTICE each)
  bool if_exists = false;

  // SET / SHOW
  std::string setting;
  std::optional<std::string> setting_value;

  /* The columns the statement returns (empty for none). */
  std::vector<ColumnDesc> OutputColumns() const;
};

/* One line describing a bound expression ("(a + 1)", "$0"), for plans;
 * bounded in depth and length (tree_bounds.h). */
std::string BoundExprToString(const BoundExpr& expr, const std::optional<storage::TableDef>& table);

}  // namespace minipg::sql
