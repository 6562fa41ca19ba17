/*-------------------------------------------------------------------------
 * query.cpp
 *   Helpers on analyzed queries: output columns, expressions as text
 *   (bounded, tree_bounds.h), the bound tree's iterative destructor.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/query.h"

#include <fmt/format.h>

#include "engine/common/utf8.h"
#include "engine/sql/storage_functions.h"
#include "engine/sql/tree_bounds.h"

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

namespace {

const char* FuncName(FuncId func) {
  switch (func) {
    case FuncId::kPgBackendPid:
      return "pg_backend_pid";
    case FuncId::kVersion:
      return "version";
    case FuncId::kPgSleep:
      return "pg_sleep";
    case FuncId::kCurrentUser:
      return "current_user";
    case FuncId::kCurrentDatabase:
      return "current_database";
    case FuncId::kMinipgCrash:
      return "minipg_crash";
    case FuncId::kNow:
      return "now";
    case FuncId::kPgCancelBackend:
      return "pg_cancel_backend";
    case FuncId::kPgTerminateBackend:
      return "pg_terminate_backend";
    case FuncId::kCurrentSetting:
      return "current_setting";
    case FuncId::kSetConfig:
      return "set_config";
    case FuncId::kPgGetUserById:
      return "pg_get_userbyid";
    case FuncId::kPgEncodingToChar:
      return "pg_encoding_to_char";
    case FuncId::kBuiltin:
      break;  // named by its entry
  }
  return "?";
}

void PrintBound(const BoundExpr& e, const std::optional<storage::TableDef>& table, int depth, TreeText& out) {
  if (out.Full()) {
    return;
  }
  if (depth >= kMaxTreeTextDepth) {
    out.Add("...");
    return;
  }
  switch (e.kind) {
    case BoundKind::kConst:
      if (storage::IsNull(e.value)) {
        out.Add("NULL");
      } else if (const std::string* s = std::get_if<std::string>(&e.value); s && e.type == TypeId::kText) {
        out.Add("'" + ShortenForDisplay(*s) + "'");
      } else {
        out.Add(OutputText(e.value, e.type));
      }
      return;
    case BoundKind::kParam:
      out.Add(fmt::format("${}", e.param + 1));
      return;
    case BoundKind::kColumn:
      if (table && e.column >= 0 && static_cast<size_t>(e.column) < table->columns.size()) {
        out.Add(table->columns[e.column].name);
      } else {
        out.Add(fmt::format("${}", e.column));
      }
      return;
    case BoundKind::kUnary:
      out.Add(e.op == Op::kNot ? "(NOT " : "(-");
      PrintBound(*e.args[0], table, depth + 1, out);
      out.Add(")");
      return;
    case BoundKind::kBinary:
      out.Add("(");
      PrintBound(*e.args[0], table, depth + 1, out);
      out.Add(fmt::format(" {} ", OpName(e.op)));
      PrintBound(*e.args[1], table, depth + 1, out);
      out.Add(")");
      return;
    case BoundKind::kIsNull:
      out.Add("(");
      PrintBound(*e.args[0], table, depth + 1, out);
      out.Add(e.negated ? " IS NOT NULL)" : " IS NULL)");
      return;
    case BoundKind::kCast:
      PrintBound(*e.args[0], table, depth + 1, out);
      out.Add(fmt::format("::{}", TypeName(e.type)));
      return;
    case BoundKind::kFunc:
      out.Add(e.func == FuncId::kBuiltin ? e.builtin->name : FuncName(e.func));
      if (e.func == FuncId::kCurrentUser) {
        return;  // written without ()
      }
      out.Add("(");
      for (size_t i = 0; i < e.args.size() && !out.Full(); ++i) {
        out.Add(i == 0 ? "" : ", ");
        PrintBound(*e.args[i], table, depth + 1, out);
      }
      out.Add(")");
      return;
  }
  out.Add("?");
}

}  // namespace

std::string BoundExprToString(const BoundExpr& e, const std::optional<storage::TableDef>& table) {
  TreeText out;
  PrintBound(e, table, 0, out);
  return out.Take();
}

BoundExpr::~BoundExpr() { DestroyChildren(args); }

}  // namespace minipg::sql
