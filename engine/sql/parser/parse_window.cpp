/*-------------------------------------------------------------------------
 * parse_window.cpp
 *   Window function calls and their windows (PostgreSQL's
 *   transformWindowFuncCall and transformWindowDefinitions):
 *
 *     - f(args) OVER ... is allowed only in a SELECT's list and ORDER BY
 *       (42P20 "window functions are not allowed in WHERE", ...); a call
 *       inside another one's arguments or window is 42P20 too, inside an
 *       aggregate's arguments 42803.
 *     - f is an aggregate (without DISTINCT or ORDER BY: 0A000) or a
 *       window function (prokind 'w'; FILTER is 0A000); anything else is
 *       42809 "OVER specified, but f is not a window function nor an
 *       aggregate function".
 *     - OVER name uses a WINDOW clause entry as it is; OVER (name ...)
 *       copies its PARTITION BY and ORDER BY (neither may be given again,
 *       and the copied window may have no frame); an OVER (...) equal to
 *       a window met before (keys, frame, and the window it names) shares
 *       that window's number, so one WindowAgg computes both.
 *     - frame offsets: ROWS / GROUPS a bigint, RANGE of the one ORDER BY
 *       key's type; no column may appear in them (42P10).
 *
 *   The call's window (WindowSpec, primnodes.h) travels with it, its keys
 *   and offsets appended to its args.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/sql/analyzer_impl.h"

namespace minipg::sql::analyzer_internal {

namespace {

using BoundWindow = ParseState::BoundWindow;

Error WindowingError(std::string message, int location) {
  return ErrorAt(sqlstate::kWindowingError, std::move(message), location);
}

const char* FrameModeName(FrameMode mode) {
  return mode == FrameMode::kRows ? "ROWS" : mode == FrameMode::kGroups ? "GROUPS" : "RANGE";
}

/* The named window `name` among ps.windows, or -1. */
int FindNamedWindow(const ParseState& ps, const std::string& name) {
  for (size_t i = 0; i < ps.windows.size(); ++i) {
    if (ps.windows[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

/* The window's keys and frame as text, to find an equal one. */
std::string WindowText(const BoundWindow& w) {
  std::string text = "P";
  for (const ExprPtr& e : w.partition) text += "|" + DeparseExpr(*e, true) + ":" + TypeName(e->type);
  text += "|O";
  for (size_t i = 0; i < w.order.size(); ++i) {
    text += fmt::format("|{}:{}:{}{}", DeparseExpr(*w.order[i], true), TypeName(w.order[i]->type),
                        w.order_dirs[i].descending ? 1 : 0, w.order_dirs[i].nulls_first ? 1 : 0);
  }
  if (w.has_frame) {
    text += fmt::format("|F{}{}{}{}", static_cast<int>(w.mode), static_cast<int>(w.start), static_cast<int>(w.end),
                        static_cast<int>(w.exclude));
    for (const ExprPtr* o : {&w.start_offset, &w.end_offset}) text += "|" + (*o ? DeparseExpr(**o, true) : "");
  }
  return text;
}

}  // namespace

const Expr* FindWindowFunc(Expr& e) {
  const Expr* found = nullptr;
  WalkExpr(e, [&found](Expr& x) {
    if (found == nullptr && x.kind == ExprKind::kWindowFunc) found = &x;
  });
  return found;
}

Status NoWindowFuncs(Expr& e, const char* clause) {
  if (const Expr* w = FindWindowFunc(e)) {
    return WindowingError(fmt::format("window functions are not allowed in {}", clause), w->location);
  }
  return OkStatus();
}

Status Analyzer::TransformNamedWindows(const SelectStmt& select, ParseState& ps) {
  for (const WindowDef& def : select.windows) {
    if (FindNamedWindow(ps, def.name) >= 0) {
      return WindowingError(fmt::format("window \"{}\" is already defined", def.name), def.location);
    }
    BoundWindow w;
    if (Status s = BindWindowDef(def, ps, w); !s.ok()) return s;
    ps.windows.push_back(std::move(w));
  }
  return OkStatus();
}

Status Analyzer::BindWindowDef(const WindowDef& def, ParseState& ps, BoundWindow& out) {
  out.name = def.name;
  out.refname = def.refname;
  auto bind_keys = [&](const RawExpr& raw) -> Result<ExprPtr> {
    auto e = BindValue(raw, ps);
    if (!e.ok()) return e;
    if (Status s = NoWindowFuncs(**e, "window definitions"); !s.ok()) return s.error();
    return e;
  };
  std::vector<ExprPtr> partition;
  for (const RawExprPtr& raw : def.partition_by) {
    auto e = bind_keys(*raw);
    if (!e.ok()) return e.error();
    partition.push_back(std::move(*e));
  }
  std::vector<ExprPtr> order;
  std::vector<WindowSpec::OrderKey> dirs;
  for (const OrderItem& item : def.order_by) {
    auto e = bind_keys(*item.expr);
    if (!e.ok()) return e.error();
    order.push_back(std::move(*e));
    dirs.push_back(WindowSpec::OrderKey{item.descending, item.nulls_first.value_or(item.descending)});
  }
  if (!def.refname.empty()) {
    int ref = FindNamedWindow(ps, def.refname);
    if (ref < 0) {
      return ErrorAt(sqlstate::kUndefinedObject, fmt::format("window \"{}\" does not exist", def.refname),
                     def.location);
    }
    const BoundWindow& base = ps.windows[static_cast<size_t>(ref)];
    if (!partition.empty()) {
      return WindowingError(fmt::format("cannot override PARTITION BY clause of window \"{}\"", def.refname),
                            def.location);
    }
    for (const ExprPtr& e : base.partition) {
      auto c = CopyExpr(*e);
      if (!c.ok()) return c.error();
      partition.push_back(std::move(*c));
    }
    if (!order.empty() && !base.order.empty()) {
      return WindowingError(fmt::format("cannot override ORDER BY clause of window \"{}\"", def.refname),
                            def.location);
    }
    if (order.empty()) {
      for (const ExprPtr& e : base.order) {
        auto c = CopyExpr(*e);
        if (!c.ok()) return c.error();
        order.push_back(std::move(*c));
      }
      dirs = base.order_dirs;
    }
    if (base.has_frame) {
      Error err = WindowingError(
          fmt::format("cannot copy window \"{}\" because it has a frame clause", def.refname), def.location);
      if (def.name.empty()) err.hint = "Omit the parentheses in this OVER clause.";
      return err;
    }
  }
  out.partition = std::move(partition);
  out.order = std::move(order);
  out.order_dirs = std::move(dirs);
  out.has_frame = def.has_frame;
  out.mode = def.mode;
  out.start = def.start;
  out.end = def.end;
  out.exclude = def.exclude;
  for (auto [raw, slot] : {std::pair{def.start_offset.get(), &out.start_offset},
                           std::pair{def.end_offset.get(), &out.end_offset}}) {
    if (raw == nullptr) continue;
    if (def.mode == FrameMode::kRange && out.order.size() != 1) {
      return WindowingError("RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column",
                            def.location);
    }
    auto e = Bind(*raw, ps);  // NULL stays untyped: 22004 when the frame is computed
    if (!e.ok()) return e.error();
    const Expr* var = nullptr;
    WalkExpr(**e, [&var](Expr& x) {
      if (var == nullptr && x.kind == ExprKind::kVar) var = &x;
    });
    if (var != nullptr) {
      return ErrorAt(sqlstate::kInvalidColumnReference,
                     fmt::format("argument of {} must not contain variables", FrameModeName(def.mode)), raw->location);
    }
    if (const Expr* agg = FindAggref(**e)) {
      return ErrorAt(sqlstate::kGroupingError, "aggregate functions are not allowed in window definitions",
                     agg->location);
    }
    if (Status s = NoWindowFuncs(**e, "window definitions"); !s.ok()) return s;
    TypeId want = TypeId::kInt8;
    if (def.mode == FrameMode::kRange) {
      // PostgreSQL's in_range support functions: integer keys take a
      // bigint offset, real and double a double, numeric a numeric.
      TypeId key = out.order[0]->type;
      char category = TypeCategory(key);
      if (category != 'N') {
        bool datetime = category == 'D' || category == 'T';
        return ErrorAt(sqlstate::kFeatureNotSupported,
                       fmt::format("RANGE with offset PRECEDING/FOLLOWING is not supported {}for column type {}",
                                   datetime ? "by minipg " : "", TypeName(key)),
                       raw->location);
      }
      want = key == TypeId::kNumeric                               ? TypeId::kNumeric
             : key == TypeId::kFloat4 || key == TypeId::kFloat8 ? TypeId::kFloat8
                                                                   : TypeId::kInt8;
    }
    TypeId given = (*e)->type;
    auto c = Coerce(std::move(*e), want, CastContext::kImplicit);
    if (!c.ok()) {
      return ErrorAt(sqlstate::kDatatypeMismatch,
                     fmt::format("argument of {} must be type {}, not type {}", FrameModeName(def.mode),
                                 TypeName(want), TypeName(given)),
                     raw->location);
    }
    *slot = std::move(*c);
  }
  out.text = WindowText(out);
  return OkStatus();
}

Result<ExprPtr> Analyzer::MakeWindowCall(const RawExpr& e, ParseState& ps, ExprPtr call) {
  if (!ps.windows_allowed) {
    return WindowingError(ps.window_context != nullptr
                              ? fmt::format("window functions are not allowed in {}", ps.window_context)
                              : std::string("window functions are not allowed here"),
                          e.location);
  }
  size_t nargs = call->args.size();
  if (call->kind == ExprKind::kAggref) {
    if (call->agg_distinct) {
      return ErrorAt(sqlstate::kFeatureNotSupported, "DISTINCT is not implemented for window functions", e.location);
    }
    if (!e.agg_order.empty()) {
      return ErrorAt(sqlstate::kFeatureNotSupported, "aggregate ORDER BY is not implemented for window functions",
                     e.location);
    }
  } else if (call->func == nullptr || call->func->kind != 'w') {
    return ErrorAt(sqlstate::kWrongObjectType,
                   fmt::format("OVER specified, but {} is not a window function nor an aggregate function", e.text),
                   e.location);
  } else if (e.agg_filter) {
    return ErrorAt(sqlstate::kFeatureNotSupported, "FILTER is not implemented for non-aggregate window functions",
                   e.location);
  }
  for (ExprPtr& arg : call->args) {
    if (const Expr* inner = FindWindowFunc(*arg)) {
      return WindowingError("window function calls cannot be nested", inner->location);
    }
  }
  // The window: a named one as it is, else an equal one met before, else a new one.
  const WindowDef& def = *e.over;
  int index = -1;
  if (def.bare_ref) {
    index = FindNamedWindow(ps, def.refname);
    if (index < 0) {
      return ErrorAt(sqlstate::kUndefinedObject, fmt::format("window \"{}\" does not exist", def.refname),
                     def.location);
    }
  } else {
    BoundWindow w;
    if (Status s = BindWindowDef(def, ps, w); !s.ok()) {
      return s.error();
    }
    for (size_t i = 0; i < ps.windows.size() && index < 0; ++i) {
      if (ps.windows[i].refname == w.refname && ps.windows[i].text == w.text) index = static_cast<int>(i);
    }
    if (index < 0) {
      index = static_cast<int>(ps.windows.size());
      ps.windows.push_back(std::move(w));
    }
  }
  BoundWindow& w = ps.windows[static_cast<size_t>(index)];
  auto spec = std::make_shared<WindowSpec>();
  spec->winref = index + 1;
  spec->nargs = nargs;
  spec->npartition = w.partition.size();
  spec->order = w.order_dirs;
  spec->mode = w.mode;
  spec->start = w.start;
  spec->end = w.end;
  spec->exclude = w.exclude;
  std::vector<const ExprPtr*> extra;
  for (const ExprPtr& k : w.partition) extra.push_back(&k);
  for (const ExprPtr& k : w.order) extra.push_back(&k);
  for (const ExprPtr* k : extra) {
    auto c = CopyExpr(**k);
    if (!c.ok()) return c.error();
    call->args.push_back(std::move(*c));
  }
  if (e.agg_filter) {
    auto cond = BindCondition(*e.agg_filter, ps, "FILTER");
    if (!cond.ok()) return cond.error();
    if (Status s = NoAggregates(**cond, "FILTER"); !s.ok()) return s.error();
    if (Status s = NoWindowFuncs(**cond, "FILTER"); !s.ok()) return s.error();
    call->args.push_back(std::move(*cond));
    spec->filter = true;
  }
  for (const ExprPtr* o : {&w.start_offset, &w.end_offset}) {
    if (!*o) continue;
    auto c = CopyExpr(**o);
    if (!c.ok()) return c.error();
    call->args.push_back(std::move(*c));
  }
  call->kind = ExprKind::kWindowFunc;
  call->window = spec;
  w.calls.push_back(std::move(spec));
  return call;
}

void Analyzer::NumberWindowKeys(ParseState& ps) {
  if (ps.windows.empty()) return;
  Query& q = *ps.query;
  std::vector<std::string> refs;  // ref n is refs[n - 1]
  auto ref = [&refs](const Expr& e) {
    std::string text = DeparseExpr(e, true);
    for (size_t i = 0; i < refs.size(); ++i) {
      if (refs[i] == text) return static_cast<int>(i + 1);
    }
    refs.push_back(std::move(text));
    return static_cast<int>(refs.size());
  };
  for (const SortClause& s : q.sort) ref(*q.targets[static_cast<size_t>(s.tle)].expr);
  for (const ExprPtr& g : q.group_by) ref(*g);
  if (q.distinct) {
    for (const TargetEntry& t : q.targets) {
      if (!t.resjunk) ref(*t.expr);
    }
  }
  for (BoundWindow& w : ps.windows) {
    std::vector<int> keys;
    for (const ExprPtr& k : w.partition) keys.push_back(ref(*k));
    for (const ExprPtr& k : w.order) keys.push_back(ref(*k));
    for (auto& spec : w.calls) spec->sort_refs = keys;
  }
}

}  // namespace minipg::sql::analyzer_internal
