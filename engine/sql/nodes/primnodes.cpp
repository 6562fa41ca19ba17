/*-------------------------------------------------------------------------
 * primnodes.cpp
 *   Typed expressions: constructors, copying, EXPLAIN's text, the
 *   iterative destructor (see primnodes.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/nodes/primnodes.h"

#include <cctype>

#include <fmt/format.h>

#include "engine/common/stack_depth.h"
#include "engine/common/utf8.h"
#include "engine/sql/adt/aggregates.h"
#include "engine/sql/adt/builtins.h"
#include "engine/sql/nodes/plannodes.h"
#include "engine/sql/tree_bounds.h"
#include "engine/sql/types.h"

namespace minipg::sql {

Expr::~Expr() { DestroyChildren(args); }

ExprPtr MakeExpr(ExprKind kind, TypeId type, int location) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->type = type;
  e->location = location;
  return e;
}

ExprPtr MakeConst(TypeId type, storage::Datum value, int location) {
  ExprPtr e = MakeExpr(ExprKind::kConst, type, location);
  e->value = std::move(value);
  return e;
}

ExprPtr MakeVar(int rtindex, int attno, TypeId type, std::string relname, std::string colname, int location) {
  ExprPtr e = MakeExpr(ExprKind::kVar, type, location);
  e->rtindex = rtindex;
  e->attno = attno;
  e->relname = std::move(relname);
  e->colname = std::move(colname);
  return e;
}

Result<ExprPtr> CopyExpr(const Expr& e) {
  if (Status s = CheckStackDepth(); !s.ok()) {
    return s.error();
  }
  auto copy = std::make_unique<Expr>();
  copy->kind = e.kind;
  copy->type = e.type;
  copy->typmod = e.typmod;
  copy->location = e.location;
  copy->value = e.value;
  copy->untyped = e.untyped;
  copy->rtindex = e.rtindex;
  copy->attno = e.attno;
  copy->levels_up = e.levels_up;
  copy->source = e.source;
  copy->relname = e.relname;
  copy->colname = e.colname;
  copy->param = e.param;
  copy->op = e.op;
  copy->func = e.func;
  copy->cast = e.cast;
  copy->arg_types = e.arg_types;
  copy->keyword_call = e.keyword_call;
  copy->bool_op = e.bool_op;
  copy->negated = e.negated;
  copy->subquery = e.subquery;
  copy->sublink = e.sublink;
  copy->subplan = e.subplan;
  copy->agg = e.agg;
  copy->agg_distinct = e.agg_distinct;
  copy->agg_order = e.agg_order;
  copy->agg_filter = e.agg_filter;
  copy->cast_text = e.cast_text;
  copy->sql_keyword = e.sql_keyword;
  copy->window = e.window;
  for (const ExprPtr& a : e.args) {
    if (!a) {
      copy->args.emplace_back();
      continue;
    }
    auto c = CopyExpr(*a);
    if (!c.ok()) {
      return c;
    }
    copy->args.push_back(std::move(*c));
  }
  return copy;
}

namespace {

/* A constant as an element of an array literal: NULL, or its text,
 * double-quoted when it would not read back as one element. */
std::string ArrayElementText(const Expr& c) {
  if (storage::IsNull(c.value)) return "NULL";
  std::string text = ShortenForDisplay(OutputText(c.value, c.type));
  bool quote = text.empty();
  for (char ch : text) quote = quote || std::string_view(",{}\"\\ '").find(ch) != std::string_view::npos;
  if (!quote) return text;
  std::string out = "\"";
  for (char ch : text) {
    if (ch == '"' || ch == '\\') out += '\\';
    if (ch == '\'') out += '\'';  // inside the SQL literal's quotes
    out += ch;
  }
  return out + "\"";
}

/* A non-text constant as PostgreSQL's ruleutils prints it, so the text
 * re-parses as the same constant (a stored DEFAULT or CHECK is re-read):
 * integer and boolean bare (a negative integer quoted, or it would read as
 * an operator applied to a constant), numeric bare only when it reads as a
 * non-integral decimal, everything else quoted with its type. */
std::string ConstText(const Expr& e) {
  std::string text = OutputText(e.value, e.type);
  const bool negative = !text.empty() && text[0] == '-';
  switch (e.type) {
    case TypeId::kBool:
      return std::get<bool>(e.value) ? "true" : "false";
    case TypeId::kInt4:
      return negative ? "'" + text + "'::integer" : text;
    case TypeId::kNumeric:
      if (!negative && std::isdigit(static_cast<unsigned char>(text[0])) &&
          text.find_first_of(".eE") != std::string::npos) {
        return text;
      }
      return "'" + text + "'::numeric";
    default:
      return "'" + text + "'::" + TypeName(e.type);
  }
}

/* How DeparseExpr prints: Vars qualified by their relation; as a stored
 * expression (pg_constraint's text) or as a plan shows it. */
struct DeparseMode {
  bool qualify = false;
  bool stored = false;
};

void Print(const Expr& e, DeparseMode mode, int depth, TreeText& out) {
  if (out.Full()) {
    return;
  }
  if (depth >= kMaxTreeTextDepth) {
    out.Add("...");
    return;
  }
  auto list = [&](const char* open, const char* sep) {
    out.Add(open);
    for (size_t i = 0; i < e.args.size() && !out.Full(); ++i) {
      out.Add(i == 0 ? "" : sep);
      Print(*e.args[i], mode, depth + 1, out);
    }
    out.Add(")");
  };
  if (!e.sql_keyword.empty()) {  // CURRENT_DATE: now() cast to date, written as a keyword
    out.Add(e.sql_keyword);
    return;
  }
  switch (e.kind) {
    case ExprKind::kConst:
      if (storage::IsNull(e.value)) {
        out.Add("NULL");
      } else if (std::holds_alternative<storage::ArrayValue>(e.value)) {
        out.Add("'" + ShortenForDisplay(OutputText(e.value, e.type)) + "'::" + TypeName(e.type));
      } else if (const std::string* s = std::get_if<std::string>(&e.value)) {
        out.Add("'" + ShortenForDisplay(*s) + "'" + (e.type == TypeId::kText ? "" : std::string("::") + TypeName(e.type)));
        if (e.type == TypeId::kText && !e.untyped) out.Add("::text");
      } else {
        out.Add(mode.stored && !e.cast_text.empty() ? e.cast_text : ConstText(e));
      }
      return;
    case ExprKind::kParam:
      out.Add(fmt::format("${}", e.param + 1));
      return;
    case ExprKind::kExecParam:
      // An outer query's column prints as that column, qualified (PostgreSQL's find_param_referent).
      if (!e.colname.empty()) {
        out.Add(e.relname.empty() ? e.colname : e.relname + "." + e.colname);
      } else {
        out.Add(fmt::format("${}", e.param));
      }
      return;
    case ExprKind::kSubLink:
      if (e.subplan == nullptr && e.subquery == nullptr && e.args.size() == 2 && e.args[0]->args.size() == 2) {
        out.Add("(");  // x op ANY (array), as PostgreSQL prints a ScalarArrayOpExpr
        Print(*e.args[0]->args[0], mode, depth + 1, out);
        out.Add(fmt::format(" {} {} (", e.args[0]->op != nullptr ? e.args[0]->op->name : "?",
                            e.sublink == SubLinkType::kAll ? "ALL" : "ANY"));
        Print(*e.args[1], mode, depth + 1, out);
        out.Add("))");
      } else if (e.subplan == nullptr) {
        out.Add("(SubLink)");
      } else if (e.subplan->initplan) {
        out.Add(fmt::format("${}", e.subplan->output_param));
      } else {
        out.Add(fmt::format("({}SubPlan {})", e.subplan->hashed ? "hashed " : "", e.subplan->id));
      }
      return;
    case ExprKind::kVar:
      if (e.source == VarSource::kRangeTable || !e.colname.empty()) {
        out.Add(mode.qualify && !e.relname.empty() ? e.relname + "." + e.colname : e.colname);
      } else {
        out.Add(fmt::format("${}", e.attno));
      }
      return;
    case ExprKind::kOp:
      out.Add("(");
      if (e.args.size() == 2) {
        Print(*e.args[0], mode, depth + 1, out);
        out.Add(" ");
      }
      out.Add(e.op != nullptr ? e.op->name : "?");
      out.Add(" ");  // "(a + b)", and a prefix operator "(- a)" as PostgreSQL's ruleutils
      Print(*e.args.back(), mode, depth + 1, out);
      out.Add(")");
      return;
    case ExprKind::kFunc:
      out.Add(e.func != nullptr ? e.func->name : "?");
      if (!e.keyword_call) list("(", ", ");
      return;
    case ExprKind::kAggref:
      out.Add(e.agg != nullptr ? e.agg->name : "?");
      if (e.args.empty()) {
        out.Add("(*)");
        return;
      }
      out.Add(e.agg_distinct ? "(DISTINCT " : "(");
      for (size_t i = 0; i < e.args.size() && !out.Full(); ++i) {
        size_t key = i - AggArgCount(e);  // which ORDER BY key, once past the arguments
        if (e.agg_filter && i + 1 == e.args.size()) {
          out.Add(") FILTER (WHERE ");
        } else if (i >= AggArgCount(e)) {
          out.Add(key == 0 ? " ORDER BY " : ", ");
        } else if (i > 0) {
          out.Add(", ");
        }
        Print(*e.args[i], mode, depth + 1, out);
        if (i >= AggArgCount(e) && key < e.agg_order.size()) {
          const Expr::AggOrder& o = e.agg_order[key];
          if (o.descending) out.Add(" DESC");
          if (o.nulls_first != o.descending) out.Add(o.nulls_first ? " NULLS FIRST" : " NULLS LAST");
        }
      }
      out.Add(")");
      return;
    case ExprKind::kWindowFunc: {
      // As PostgreSQL 15's EXPLAIN prints one: the window as "(?)".
      out.Add(e.agg != nullptr ? e.agg->name : e.func != nullptr ? e.func->name : "?");
      size_t nargs = e.window ? e.window->nargs : 0;
      out.Add(e.agg != nullptr && nargs == 0 ? "(*" : "(");
      for (size_t i = 0; i < nargs && i < e.args.size() && !out.Full(); ++i) {
        if (i > 0) out.Add(", ");
        Print(*e.args[i], mode, depth + 1, out);
      }
      out.Add(")");
      if (e.window && e.window->filter && e.window->filter_arg() < e.args.size()) {
        out.Add(" FILTER (WHERE ");
        Print(*e.args[e.window->filter_arg()], mode, depth + 1, out);
        out.Add(")");
      }
      out.Add(" OVER (?)");
      return;
    }
    case ExprKind::kBool:
      if (e.bool_op == BoolOpKind::kNot) {
        out.Add("(NOT ");
        Print(*e.args[0], mode, depth + 1, out);
        out.Add(")");
        return;
      }
      list("(", e.bool_op == BoolOpKind::kAnd ? " AND " : " OR ");
      return;
    case ExprKind::kNullTest:
      out.Add("(");
      Print(*e.args[0], mode, depth + 1, out);
      out.Add(e.negated ? " IS NOT NULL)" : " IS NULL)");
      return;
    case ExprKind::kCast:
      out.Add("(");
      Print(*e.args[0], mode, depth + 1, out);
      out.Add(fmt::format(")::{}", TypeName(e.type)));
      return;
    case ExprKind::kCoalesce:
      list("COALESCE(", ", ");
      return;
    case ExprKind::kMinMax:
      list(e.negated ? "LEAST(" : "GREATEST(", ", ");
      return;
    case ExprKind::kNullIf:
      list("NULLIF(", ", ");
      return;
    case ExprKind::kDistinct:
      out.Add("(");
      Print(*e.args[0], mode, depth + 1, out);
      out.Add(e.negated ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ");
      Print(*e.args[1], mode, depth + 1, out);
      out.Add(")");
      return;
    case ExprKind::kScalarArrayOp: {
      // As PostgreSQL prints it: constants folded into an array literal
      // ('{1,2}'::integer[]), else ARRAY[...].
      out.Add("(");
      Print(*e.args[0], mode, depth + 1, out);
      out.Add(fmt::format(" {} {} (", e.op != nullptr ? e.op->name : "?", e.negated ? "ALL" : "ANY"));
      bool constants = true;
      for (size_t i = 1; i < e.args.size(); ++i) constants = constants && e.args[i]->kind == ExprKind::kConst;
      out.Add(constants ? "'{" : "ARRAY[");
      for (size_t i = 1; i < e.args.size() && !out.Full(); ++i) {
        out.Add(i == 1 ? "" : constants ? "," : ", ");
        if (constants) {
          out.Add(ArrayElementText(*e.args[i]));
        } else {
          Print(*e.args[i], mode, depth + 1, out);
        }
      }
      out.Add(constants ? fmt::format("}}'::{}[]))", TypeName(e.args[1]->type)) : "]))");
      return;
    }
    case ExprKind::kCase:
      out.Add("CASE");
      for (size_t i = 0; i + 1 < e.args.size() && !out.Full(); i += 2) {
        out.Add(" WHEN ");
        Print(*e.args[i], mode, depth + 1, out);
        out.Add(" THEN ");
        Print(*e.args[i + 1], mode, depth + 1, out);
      }
      out.Add(" ELSE ");
      Print(*e.args.back(), mode, depth + 1, out);
      out.Add(" END");
      return;
    case ExprKind::kArrayExpr:
    case ExprKind::kRow: {
      if (!e.relname.empty()) {  // a whole-row reference
        out.Add(e.relname + ".*");
        return;
      }
      bool array = e.kind == ExprKind::kArrayExpr;
      out.Add(array ? "ARRAY[" : "ROW(");
      for (size_t i = 0; i < e.args.size() && !out.Full(); ++i) {
        out.Add(i == 0 ? "" : ", ");
        Print(*e.args[i], mode, depth + 1, out);
      }
      out.Add(array ? "]" : ")");
      return;
    }
    case ExprKind::kSubscript: {
      // As PostgreSQL's ruleutils: a column unadorned, anything else in parentheses.
      bool plain = e.args[0]->kind == ExprKind::kVar;
      out.Add(plain ? "" : "(");
      Print(*e.args[0], mode, depth + 1, out);
      out.Add(plain ? "[" : ")[");
      for (size_t i = 1; i < e.args.size(); ++i) {
        if (i == 2) out.Add(":");
        if ((e.param & (i == 1 ? 1 : 2)) == 0) Print(*e.args[i], mode, depth + 1, out);
      }
      out.Add("]");
      return;
    }
    default:
      out.Add("?");
      return;
  }
}

}  // namespace

std::string DeparseExpr(const Expr& e, bool qualify, bool stored) {
  TreeText out;
  Print(e, DeparseMode{qualify, stored}, 0, out);
  return out.Take();
}

}  // namespace minipg::sql
