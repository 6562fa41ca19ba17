/*-------------------------------------------------------------------------
 * analyzer_impl.h
 *   The Analyzer class, private to the analyzer: statements are analyzed
 *   in analyzer.cpp, expressions bound and typed in bind_expression.cpp.
 *-------------------------------------------------------------------------
 */
#pragma once

#include "engine/common/sqlstate.h"

#include <memory>
#include <vector>
#include <string>
#include <unordered_map>
#include <utility>

#include "engine/common/error.h"
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


inline BoundExprPtr NewBound(BoundKind kind, TypeId type, int location) {
  auto e = std::make_unique<BoundExpr>();
  e->kind = kind;
  e->type = type;
  e->location = location;
  return e;
}

inline BoundExprPtr NullConst(TypeId type) {
  BoundExprPtr e = NewBound(BoundKind::kConst, type, 0);
  e->value = std::monostate{};
  return e;
}

/* What the expressions of a statement can see: the FROM table, if any. */
struct Scope {
  const storage::TableDef* table = nullptr;
  std::string alias;  // the name the table goes by in this statement
};

/* An output column's name as ORDER BY sees it (see OutputNames). */
struct OutputName {
  const Expr* expr = nullptr;  // its expression as written; null for a column of "*"
  size_t target = 0;           // its entry in Query::targets
  bool ambiguous = false;      // another output column of this name is a different expression
};

/* The name PostgreSQL's FigureColname gives an expression, with its
 * strength: 2 = a real name, 1 = a type name from a cast, 0 = none. */
std::pair<std::string, int> FigureColname(const Expr& e);

class Analyzer {
 public:
  /* `params`: the parameter types of an extended-protocol statement (see
   * AnalyzeWithParams), or null when $n is not allowed (a simple Query). */
  explicit Analyzer(const storage::CatalogSnapshot& catalog, std::vector<TypeId>* params = nullptr,
                    const SessionContext* ctx = nullptr)
      : catalog_(catalog), params_(params), ctx_(ctx) {}

  Result<Query> Run(const Statement& stmt) {
    return std::visit([this](const auto& node) { return Analyze(node); }, stmt.node);
  }

 private:
  // ---- statements ------------------------------------------------------
  Result<const storage::TableDef*> LookupTable(const TableRef& ref);
  Result<Query> Analyze(const SelectStmt& select);
  /* `output_names`: the select list's output names (OutputNames in analyzer.cpp). */
  Result<SortKey> BindSortKey(const OrderItem& item, const SelectStmt& select,
                              const std::unordered_map<std::string, OutputName>& output_names, const Scope& scope);
  Result<Query> Analyze(const InsertStmt& insert);
  Result<Query> Analyze(const CreateTableStmt& create);
  Result<Query> Analyze(const DropTableStmt& drop);
  Result<Query> Analyze(const TransactionStmt& txn);
  Result<Query> Analyze(const SetStmt& set);
  Result<Query> Analyze(const ShowStmt& show);
  Result<Query> Analyze(const UnsupportedStmt& stmt);
  Result<Query> Analyze(const CheckpointStmt& stmt);
  /* COPY is analyzed and run by the Session's copy code (copy_command.cpp). */
  Result<Query> Analyze(const CopyStmt&) {
    return MakeError(sqlstate::kInternalError, "COPY is not analyzed as a query");
  }

  // ---- expressions -----------------------------------------------------
  /* Binds an expression whose value is returned: an undecided literal
   * becomes text. */
  Result<BoundExprPtr> BindValue(const Expr& e, const Scope& scope);
  Result<BoundExprPtr> BindCondition(const Expr& e, const Scope& scope, const char* what);
  Result<BoundExprPtr> RequireBool(BoundExprPtr expr, const char* what, int location);
  /* Converts `expr` to `to` if `context` allows; an undecided literal is
   * parsed now. Fails with 42846 (cannot coerce) otherwise. */
  Result<BoundExprPtr> Coerce(BoundExprPtr expr, TypeId to, CastContext context);
  Result<BoundExprPtr> Bind(const Expr& e, const Scope& scope);
  Result<BoundExprPtr> BindColumn(const Expr& e, const Scope& scope);
  Result<BoundExprPtr> BindUnary(const Expr& e, const Scope& scope);
  Error NoOperator(const Expr& e, TypeId left, TypeId right);
  Result<BoundExprPtr> BindBinary(const Expr& e, const Scope& scope);
  Result<BoundExprPtr> BindCast(const Expr& e, const Scope& scope);
  Result<BoundExprPtr> BindFunc(const Expr& e, const Scope& scope);
  Result<BoundExprPtr> BindParam(const Expr& e);
  /* Decides the type of an untyped parameter reference (and so of $n). */
  void ResolveParam(BoundExpr& expr, TypeId type);

  const storage::CatalogSnapshot& catalog_;
  std::vector<TypeId>* params_;
  const SessionContext* ctx_;  // nullptr: every system view is there
};

}  // namespace minipg::sql::analyzer_internal
