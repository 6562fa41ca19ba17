/*-------------------------------------------------------------------------
 * query.cpp
 *   Helpers on analyzed queries: output columns, expressions as text.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/query.h"

#include <fmt/format.h>

#include "engine/common/utf8.h"

namespace minipg::sql {

std::vector<ColumnDesc> Query::OutputColumns() const {
  std::vector<ColumnDesc> cols;
  if (kind == StatementKind::kSelect) {
    for (const TargetEntry& t : targets) {
      cols.push_back(ColumnDesc{t.name, t.expr->type});
    }
  } else if (kind == StatementKind::kShow) {
    cols.push_back(ColumnDesc{setting, TypeId::kText});  // renamed by the session
  }
  return cols;
}

std::string BoundExprToString(const BoundExpr& e, const std::optional<storage::TableDef>& table) {
  switch (e.kind) {
    case BoundKind::kConst:
      if (storage::IsNull(e.value)) {
        return "NULL";
      }
      if (const std::string* s = std::get_if<std::string>(&e.value); s && e.type == TypeId::kText) {
        return "'" + ShortenForDisplay(*s) + "'";
      }
      return OutputText(e.value, e.type);
    case BoundKind::kParam:
      return fmt::format("${}", e.param + 1);
    case BoundKind::kColumn:
      if (table && e.column >= 0 && static_cast<size_t>(e.column) < table->columns.size()) {
        return table->columns[e.column].name;
      }
      return fmt::format("${}", e.column);
    case BoundKind::kUnary:
      return e.op == Op::kNot ? "(NOT " + BoundExprToString(*e.args[0], table) + ")"
                              : "(-" + BoundExprToString(*e.args[0], table) + ")";
    case BoundKind::kBinary:
      return fmt::format("({} {} {})", BoundExprToString(*e.args[0], table), OpName(e.op),
                         BoundExprToString(*e.args[1], table));
    case BoundKind::kIsNull:
      return fmt::format("({} IS {}NULL)", BoundExprToString(*e.args[0], table), e.negated ? "NOT " : "");
    case BoundKind::kCast:
      return fmt::format("{}::{}", BoundExprToString(*e.args[0], table), TypeName(e.type));
    case BoundKind::kFunc: {
      std::string args;
      for (const auto& a : e.args) {
        args += (args.empty() ? "" : ", ") + BoundExprToString(*a, table);
      }
      switch (e.func) {
        case FuncId::kPgBackendPid:
          return "pg_backend_pid()";
        case FuncId::kVersion:
          return "version()";
        case FuncId::kPgSleep:
          return "pg_sleep(" + args + ")";
        case FuncId::kCurrentUser:
          return "current_user";
        case FuncId::kCurrentDatabase:
          return "current_database()";
        case FuncId::kMinipgCrash:
          return "minipg_crash()";
        case FuncId::kNow:
          return "now()";
        case FuncId::kPgCancelBackend:
          return "pg_cancel_backend(" + args + ")";
        case FuncId::kPgTerminateBackend:
          return "pg_terminate_backend(" + args + ")";
        case FuncId::kCurrentSetting:
          return "current_setting(" + args + ")";
        case FuncId::kPgGetUserById:
          return "pg_get_userbyid(" + args + ")";
        case FuncId::kPgEncodingToChar:
          return "pg_encoding_to_char(" + args + ")";
      }
      return "?";
    }
  }
  return "?";
}

}  // namespace minipg::sql
