/*-------------------------------------------------------------------------
 * parse_relation.cpp
 *   FROM: each entry becomes a range table entry (a table or view, a
 *   subquery, a VALUES list, a function, a join) and a node of the join
 *   tree; and names are looked up as PostgreSQL does:
 *
 *     x      searched in every entry whose columns are visible: 42703 if in
 *            none, 42702 "ambiguous" if in two (or twice in one)
 *     t.x    the entry called t (its alias if it has one: a table with an
 *            alias is no longer visible by its name, 42P01 with a HINT)
 *
 *   An unaliased join shows its inputs by name and its own columns (USING
 *   and NATURAL columns merged, once) unqualified; an aliased join shows
 *   only itself. Two visible entries of one name are 42712.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "engine/catalog/system_catalog.h"
#include "engine/common/interrupts.h"
#include "engine/common/stack_depth.h"
#include "engine/sql/analyzer_impl.h"
#include "engine/sql/extension_ddl.h"
#include "engine/sql/information_schema.h"
#include "engine/sql/statement_locks.h"
#include "engine/sql/system_columns.h"
#include "engine/sql/system_views.h"

namespace minipg::sql::analyzer_internal {

Result<const storage::TableDef*> Analyzer::LookupTable(const TableRef& ref) {
  if (ref.schema == "information_schema") {
    if (const SystemView* view = FindInformationSchemaView(ref.name); view != nullptr && !ref.call) return &view->def;
    return ErrorAt(sqlstate::kUndefinedTable, fmt::format("relation \"information_schema.{}\" does not exist", ref.name),
                   ref.location);
  }
  // System catalogs and views come first, as pg_catalog does on
  // PostgreSQL's search_path.
  if (ref.schema != "public" && !ref.call) {
    if (const storage::TableDef* cat = catalog::FindSystemCatalogTable(ref.name)) {
      return cat;
    }
  }
  if (ref.schema != "public") {
    const SystemView* view = FindSystemView(ref.name);
    // An extension's view is there only once the database created it.
    bool present = view != nullptr && (view->extension == nullptr || ctx_ == nullptr || ctx_->data_dir.empty() ||
                                       ExtensionInstalled(*ctx_, view->extension));
    if (present && view->set_returning_function == ref.call) {
      return &view->def;
    }
  }
  if (ref.call) {
    Error err = ErrorAt(sqlstate::kUndefinedFunction, fmt::format("function {}() does not exist", ref.name),
                        ref.location);
    err.hint = kFunctionHint;
    return err;
  }
  const storage::TableDef* table = !IsSystemSchema(ref.schema) ? catalog_.Find(ref.name) : nullptr;
  if (table == nullptr) {
    std::string shown = ref.schema.empty() ? ref.name : ref.schema + "." + ref.name;
    return ErrorAt(sqlstate::kUndefinedTable, fmt::format("relation \"{}\" does not exist", shown), ref.location);
  }
  NoteRelationLookedUp(table->oid, table->name);  // locked even if analysis fails later
  return table;
}

int Analyzer::AddRte(ParseState& ps, RangeTblEntry rte) {
  ps.query->rtable.push_back(std::move(rte));
  return static_cast<int>(ps.query->rtable.size());
}

Status Analyzer::ApplyAliases(const FromItem& item, RangeTblEntry& rte, const char* what) {
  if (!item.alias.empty()) {
    rte.refname = item.alias;
    rte.has_alias = true;
  }
  if (item.column_aliases.size() > rte.colnames.size()) {
    return ErrorAt(sqlstate::kInvalidColumnReference,
                   fmt::format("{} \"{}\" has {} columns available but {} columns specified", what, rte.refname,
                               rte.colnames.size(), item.column_aliases.size()),
                   0);  // no position, as PostgreSQL's
  }
  for (size_t i = 0; i < item.column_aliases.size(); ++i) {
    rte.colnames[i] = item.column_aliases[i].name;
  }
  return OkStatus();
}

Status Analyzer::CheckNameConflicts(const ParseState& ps, const std::vector<NamespaceItem>& ns,
                                    const std::vector<NamespaceItem>& add, int /*location*/) {
  for (const NamespaceItem& a : add) {
    if (!a.rel_visible) continue;
    for (const NamespaceItem& b : ns) {
      if (b.rel_visible && ps.query->rte(a.rtindex).refname == ps.query->rte(b.rtindex).refname) {
        return ErrorAt(sqlstate::kDuplicateAlias,
                       fmt::format("table name \"{}\" specified more than once", ps.query->rte(a.rtindex).refname),
                       0);  // no position, as PostgreSQL's
      }
    }
  }
  return OkStatus();
}

Result<RangeTblEntry> Analyzer::TransformValues(const std::vector<std::vector<RawExprPtr>>& rows) {
  RangeTblEntry rte;
  rte.kind = RteKind::kValues;
  rte.refname = "*VALUES*";
  ParseState none;
  none.window_context = "VALUES";
  Query empty;
  none.query = &empty;
  size_t width = rows.empty() ? 0 : rows[0].size();
  for (const auto& row : rows) {
    if (Status s = CheckForInterrupts(); !s.ok()) {
      return s.error();
    }
    if (row.size() != width) {
      return ErrorAt(sqlstate::kSyntaxError, "VALUES lists must all be the same length", row[0]->location);
    }
    std::vector<ExprPtr> bound;
    for (const RawExprPtr& e : row) {
      auto b = Bind(*e, none);
      if (!b.ok()) return b.error();
      if (Status s = NoAggregates(**b, "VALUES"); !s.ok()) return s.error();
      if ((*b)->kind == ExprKind::kConst && (*b)->type == TypeId::kUnknown) (*b)->untyped = true;
      bound.push_back(std::move(*b));
    }
    rte.values.push_back(std::move(bound));
  }
  for (size_t c = 0; c < width; ++c) {
    std::vector<const Expr*> column;
    for (const auto& row : rte.values) column.push_back(row[c].get());
    auto type = CommonType(column, "VALUES");
    if (!type.ok()) return type.error();
    for (auto& row : rte.values) {
      auto coerced = Coerce(std::move(row[c]), *type, CastContext::kImplicit);
      if (!coerced.ok()) {
        if (coerced.error().sqlstate == kCannotCoerce) {
          return ErrorAt(sqlstate::kDatatypeMismatch,
                         fmt::format("VALUES types {} and {} cannot be matched", TypeName(*type),
                                     coerced.error().message),
                         0);
        }
        return coerced.error();
      }
      row[c] = std::move(*coerced);
    }
    rte.colnames.push_back(fmt::format("column{}", c + 1));
    rte.coltypes.push_back(*type);
  }
  return rte;
}

namespace {

/* SELECT exprs and nothing else: what a LATERAL subquery can be pulled up from. */
bool IsPlainTargetList(const SelectStmt& s) {
  return s.setop == SetOpKind::kNone && s.from.empty() && !s.where && s.group_by.empty() && !s.having &&
         !s.distinct && s.order_by.empty() && !s.limit && !s.offset && s.with_ctes.empty() && s.unsupported.empty();
}

}  // namespace

Result<std::unique_ptr<JoinTreeNode>> Analyzer::TransformFromItem(const FromItem& item, ParseState& ps,
                                                                   std::vector<NamespaceItem>& ns) {
  if (Status s = CheckStackDepth(); !s.ok()) {
    return s.error();
  }
  if (item.kind == FromItem::Kind::kJoin) {
    return TransformJoin(item, ps, ns);
  }
  RangeTblEntry rte;
  const char* what = "table";
  const CteEntry* cte = item.kind == FromItem::Kind::kTable && item.table.schema.empty() ? FindCte(item.table.name)
                                                                                         : nullptr;
  if (cte != nullptr) {
    auto ref = TransformCteRef(*cte);
    if (!ref.ok()) return ref.error();
    rte = std::move(*ref);
    const Query* read = rte.subquery ? rte.subquery.get() : rte.cte ? rte.cte->query.get() : nullptr;  // null: its own work table
    if (read != nullptr) {
      for (const std::string& t : read->tables) ps.query->tables.push_back(t);
    }
  } else if (item.kind == FromItem::Kind::kTable ||
             (item.kind == FromItem::Kind::kFunction && FindSystemView(item.table.name) != nullptr &&
              (item.function->args.empty() || FindSystemView(item.table.name)->rows_with_args != nullptr))) {
    TableRef ref = item.table;
    ref.call = item.kind == FromItem::Kind::kFunction;
    if (item.ordinality) {
      return ErrorAt(sqlstate::kFeatureNotSupported, "WITH ORDINALITY on a system view is not supported by minipg",
                     item.location);
    }
    auto table = LookupTable(ref);
    if (!table.ok()) return table.error();
    if ((*table)->kind == 'v') {  // a view: the subquery it stands for
      auto expanded = ExpandView(**table);
      if (!expanded.ok()) return expanded.error();
      rte = std::move(*expanded);
      for (const std::string& t : rte.subquery->tables) ps.query->tables.push_back(t);
      if (Status s = ApplyAliases(item, rte, what); !s.ok()) return s.error();
      auto node = std::make_unique<JoinTreeNode>();
      node->rtindex = AddRte(ps, std::move(rte));
      ns.push_back(NamespaceItem{node->rtindex, true, true});
      return node;
    }
    rte.kind = RteKind::kRelation;
    rte.table = **table;
    rte.view = FindSystemViewByOid((*table)->oid);
    if (rte.view != nullptr && rte.view->rows_with_args != nullptr) {
      auto args = BindViewArgs(*item.function, *rte.view, ps);
      if (!args.ok()) return args.error();
      rte.view_args = std::move(*args);
    }
    rte.refname = (*table)->name;
    for (const storage::ColumnDef& c : (*table)->columns) {
      rte.colnames.push_back(c.name);
      rte.coltypes.push_back(FromColumnType(c.type));
    }
    ps.query->tables.push_back((*table)->name);
  } else if (item.kind == FromItem::Kind::kSubquery) {
    if (item.alias.empty()) {
      Error e = ErrorAt(sqlstate::kSyntaxError, "subquery in FROM must have an alias", item.location);
      e.hint = "For example, FROM (SELECT ...) [AS] foo.";
      return e;
    }
    if (item.subquery->is_values) {
      auto values = TransformValues(item.subquery->values);
      if (!values.ok()) return values.error();
      rte = std::move(*values);
    } else if (item.lateral && IsPlainTargetList(*item.subquery)) {
      auto pulled = TransformLateralTargets(*item.subquery, ps);
      if (!pulled.ok()) return pulled.error();
      rte = std::move(*pulled);
    } else {
      ps.hidden = true;  // the subquery sees the levels around this one, not this one
      auto sub = AnalyzeSubquery(*item.subquery, ps);
      ps.hidden = false;
      if (!sub.ok()) return sub.error();
      rte.kind = RteKind::kSubquery;
      for (const TargetEntry& t : sub->targets) {
        if (t.resjunk) continue;
        rte.colnames.push_back(t.name);
        rte.coltypes.push_back(t.expr->type);
      }
      for (const std::string& t : sub->tables) ps.query->tables.push_back(t);
      rte.subquery = std::make_unique<Query>(std::move(*sub));
    }
    what = "table";
  } else {
    // The call sees the levels around this one (psql's generate_series(0,
    // array_upper(pr.prattrs, 1)) in a subquery), not this one: no LATERAL.
    ParseState none;
    Query empty;
    none.query = &empty;
    none.parent = ps.parent;
    auto call = Bind(*item.function, none);
    if (!call.ok()) return call.error();
    if (Status s = NoAggregates(**call, "functions in FROM"); !s.ok()) return s.error();
    if ((*call)->kind != ExprKind::kFunc) {
      return ErrorAt(sqlstate::kFeatureNotSupported, "only function calls are supported in FROM by minipg",
                     item.location);
    }
    rte.kind = RteKind::kFunction;
    rte.refname = (*call)->func->name;
    rte.colnames.push_back((*call)->func->name);
    rte.coltypes.push_back((*call)->type);
    rte.function = std::move(*call);
    what = "function";
    if (!item.alias.empty()) {
      rte.colnames[0] = item.alias;  // a scalar function's one column takes the alias, as in PostgreSQL
    }
    if (item.ordinality) {
      rte.ordinality = true;
      rte.colnames.push_back("ordinality");
      rte.coltypes.push_back(TypeId::kInt8);
    }
  }
  if (Status s = ApplyAliases(item, rte, what); !s.ok()) {
    return s.error();
  }
  auto node = std::make_unique<JoinTreeNode>();
  node->rtindex = AddRte(ps, std::move(rte));
  ns.push_back(NamespaceItem{node->rtindex, true, true});
  return node;
}

namespace {

/* The one column called `name` of an input, or -1 (none) / -2 (several). */
int FindColumn(const RangeTblEntry& rte, const std::string& name) {
  int found = -1;
  for (size_t i = 0; i < rte.colnames.size(); ++i) {
    if (rte.colnames[i] != name) continue;
    if (found >= 0) return -2;
    found = static_cast<int>(i);
  }
  return found;
}

}  // namespace

Result<RangeTblEntry> Analyzer::TransformLateralTargets(const SelectStmt& select, ParseState& ps) {
  RangeTblEntry rte;
  rte.kind = RteKind::kJoin;
  for (const SelectTarget& target : select.targets) {
    if (target.star) {
      return ErrorAt(sqlstate::kFeatureNotSupported, "* in a LATERAL subquery without FROM is not supported by minipg",
                     target.location);
    }
    auto expr = BindValue(*target.expr, ps);
    if (!expr.ok()) return expr.error();
    if (Status s = NoAggregates(**expr, "FROM"); !s.ok()) return s.error();
    rte.colnames.push_back(target.alias.empty() ? FigureColname(*target.expr).first : target.alias);
    rte.coltypes.push_back((*expr)->type);
    rte.joinaliasvars.push_back(std::move(*expr));
  }
  return rte;
}

Result<std::vector<ExprPtr>> Analyzer::BindViewArgs(const RawExpr& call, const SystemView& view, ParseState& ps) {
  if (call.args.size() != view.arg_types.size()) {
    Error e = ErrorAt(sqlstate::kUndefinedFunction,
                      fmt::format("function {} does not exist", view.function), call.location);
    e.hint = kFunctionHint;
    return e;
  }
  ParseState none;  // as a function in FROM: no LATERAL
  Query empty;
  none.query = &empty;
  none.parent = ps.parent;
  std::vector<ExprPtr> out;
  for (size_t i = 0; i < call.args.size(); ++i) {
    auto arg = Bind(*call.args[i], none);
    if (!arg.ok()) return arg.error();
    auto coerced = Coerce(std::move(*arg), view.arg_types[i], CastContext::kImplicit);
    if (!coerced.ok()) return coerced.error();
    out.push_back(std::move(*coerced));
  }
  return out;
}

ExprPtr Analyzer::SystemColumnVar(const ParseState& ps, int rtindex, const std::string& name, int location) {
  RangeTblEntry& rte = ps.query->rte(rtindex);
  int index = SystemColumnIndex(name);
  if (index < 0 || rte.kind != RteKind::kRelation || rte.view != nullptr || !rte.table) return nullptr;
  rte.system_columns = true;
  return MakeVar(rtindex, SystemColumnAttno(rte.colnames.size(), index), kSystemColumns[static_cast<size_t>(index)].type,
                 rte.refname, name, location);
}

ExprPtr Analyzer::VarFor(const ParseState& ps, int rtindex, int attno, int location) {
  const RangeTblEntry& rte = ps.query->rte(rtindex);
  return MakeVar(rtindex, attno, rte.coltypes[static_cast<size_t>(attno)], rte.refname,
                 rte.colnames[static_cast<size_t>(attno)], location);
}

Result<std::unique_ptr<JoinTreeNode>> Analyzer::TransformJoin(const FromItem& item, ParseState& ps,
                                                               std::vector<NamespaceItem>& ns) {
  std::vector<NamespaceItem> left_ns;
  std::vector<NamespaceItem> right_ns;
  auto left = TransformFromItem(*item.left, ps, left_ns);
  if (!left.ok()) return left;
  // A LATERAL right side sees the left side's names.
  size_t visible = ps.ns.size();
  if (item.right->lateral) ps.ns.insert(ps.ns.end(), left_ns.begin(), left_ns.end());
  auto right = TransformFromItem(*item.right, ps, right_ns);
  ps.ns.resize(visible);
  if (!right.ok()) return right;
  if (Status s = CheckNameConflicts(ps, left_ns, right_ns, item.right->location); !s.ok()) {
    return s.error();
  }
  int l = (*left)->rtindex;
  int r = (*right)->rtindex;
  auto node = std::make_unique<JoinTreeNode>();
  node->kind = JoinTreeNode::Kind::kJoinExpr;
  node->jointype = item.join_type;
  RangeTblEntry join;
  join.kind = RteKind::kJoin;
  join.jointype = item.join_type;

  // The merged columns: USING's, or NATURAL's (the names both sides have).
  std::vector<InsertColumn> using_cols = item.using_columns;
  if (item.natural) {
    for (const std::string& name : ps.query->rte(l).colnames) {
      if (FindColumn(ps.query->rte(r), name) != -1) using_cols.push_back(InsertColumn{name, item.location});
    }
  }
  std::vector<bool> left_merged(ps.query->rte(l).colnames.size());
  std::vector<bool> right_merged(ps.query->rte(r).colnames.size());
  std::unordered_set<std::string> seen;
  ExprPtr quals;
  for (const InsertColumn& col : using_cols) {
    if (!seen.insert(col.name).second) {
      return ErrorAt(sqlstate::kDuplicateColumn,
                     fmt::format("column name \"{}\" appears more than once in USING clause", col.name), 0);
    }
    int li = FindColumn(ps.query->rte(l), col.name);
    int ri = FindColumn(ps.query->rte(r), col.name);
    for (auto [index, side] : {std::pair{li, "left"}, std::pair{ri, "right"}}) {
      if (index == -1) {
        return ErrorAt(sqlstate::kUndefinedColumn,
                       fmt::format("column \"{}\" specified in USING clause does not exist in {} table", col.name,
                                   side),
                       0);
      }
      if (index == -2) {
        return ErrorAt(sqlstate::kAmbiguousColumn,
                       fmt::format("common column name \"{}\" appears more than once in {} table", col.name, side),
                       0);
      }
    }
    left_merged[static_cast<size_t>(li)] = true;
    right_merged[static_cast<size_t>(ri)] = true;
    ExprPtr lv = VarFor(ps, l, li, col.location);
    ExprPtr rv = VarFor(ps, r, ri, col.location);
    auto type = CommonType({lv.get(), rv.get()}, "JOIN/USING");
    if (!type.ok()) return type.error();
    auto eq = MakeOperator("=", VarFor(ps, l, li, col.location), VarFor(ps, r, ri, col.location), col.location);
    if (!eq.ok()) return eq.error();
    if (!quals) {
      quals = std::move(*eq);
    } else {
      if (quals->kind != ExprKind::kBool) {
        ExprPtr both = MakeExpr(ExprKind::kBool, TypeId::kBool, item.location);
        both->args.push_back(std::move(quals));
        quals = std::move(both);
      }
      quals->args.push_back(std::move(*eq));
    }
    // The merged column: the left one (right for RIGHT JOIN, the first
    // non-NULL of both for FULL JOIN), of the common type.
    auto cl = Coerce(std::move(lv), *type, CastContext::kImplicit);
    auto cr = Coerce(std::move(rv), *type, CastContext::kImplicit);
    if (!cl.ok()) return cl.error();
    if (!cr.ok()) return cr.error();
    ExprPtr merged;
    if (item.join_type == JoinType::kFull) {
      merged = MakeExpr(ExprKind::kCoalesce, *type, col.location);
      merged->args.push_back(std::move(*cl));
      merged->args.push_back(std::move(*cr));
    } else {
      merged = item.join_type == JoinType::kRight ? std::move(*cr) : std::move(*cl);
    }
    join.colnames.push_back(col.name);
    join.coltypes.push_back(*type);
    join.joinaliasvars.push_back(std::move(merged));
  }
  for (auto [rt, merged] : {std::pair{l, &left_merged}, std::pair{r, &right_merged}}) {
    for (size_t i = 0; i < merged->size(); ++i) {
      if ((*merged)[i]) continue;
      join.colnames.push_back(ps.query->rte(rt).colnames[i]);
      join.coltypes.push_back(ps.query->rte(rt).coltypes[i]);
      join.joinaliasvars.push_back(VarFor(ps, rt, static_cast<int>(i), item.location));
    }
  }
  if (item.on) {
    // ON sees only the join's two inputs.
    ParseState on_ps;
    on_ps.query = ps.query;
    on_ps.window_context = "JOIN conditions";
    on_ps.ns = left_ns;
    on_ps.ns.insert(on_ps.ns.end(), right_ns.begin(), right_ns.end());
    auto on = BindCondition(*item.on, on_ps, "JOIN/ON");
    if (!on.ok()) return on.error();
    if (Status s = NoAggregates(**on, "JOIN conditions"); !s.ok()) return s.error();
    quals = std::move(*on);
  }
  node->quals = std::move(quals);
  node->left = std::move(*left);
  node->right = std::move(*right);
  join.refname = item.alias;
  if (Status s = ApplyAliases(item, join, "table"); !s.ok()) {
    return s.error();
  }
  node->rtindex = AddRte(ps, std::move(join));
  if (!item.alias.empty()) {
    ns.push_back(NamespaceItem{node->rtindex, true, true});  // hides its inputs
    return node;
  }
  for (std::vector<NamespaceItem>* side : {&left_ns, &right_ns}) {
    for (NamespaceItem n : *side) {
      n.cols_visible = false;
      ns.push_back(n);
    }
  }
  ns.push_back(NamespaceItem{node->rtindex, false, true});
  return node;
}

Error Analyzer::MissingRte(const ParseState& ps, const std::string& name, int location) {
  // An entry of that name this part of the query cannot see, or a table of
  // that name known by an alias.
  const RangeTblEntry* by_name = nullptr;
  const RangeTblEntry* by_table = nullptr;
  for (const RangeTblEntry& rte : ps.query->rtable) {
    if (rte.refname == name && rte.kind != RteKind::kJoin) by_name = &rte;
    if (rte.kind == RteKind::kRelation && rte.table && rte.table->name == name && rte.has_alias) by_table = &rte;
  }
  if (by_name == nullptr && by_table == nullptr) {
    return ErrorAt(sqlstate::kUndefinedTable, fmt::format("missing FROM-clause entry for table \"{}\"", name),
                   location);
  }
  Error e = ErrorAt(sqlstate::kUndefinedTable,
                    fmt::format("invalid reference to FROM-clause entry for table \"{}\"", name), location);
  e.hint = by_table != nullptr && by_name == nullptr
               ? fmt::format("Perhaps you meant to reference the table alias \"{}\".", by_table->refname)
               : fmt::format("There is an entry for table \"{}\", but it cannot be referenced from this part of the "
                             "query.",
                             name);
  return e;
}

Result<int> Analyzer::FindQualified(const ParseState& ps, const std::string& name, int location) {
  for (const NamespaceItem& n : ps.ns) {
    if (n.rel_visible && ps.query->rte(n.rtindex).refname == name) return n.rtindex;
  }
  return MissingRte(ps, name, location);
}

Result<ExprPtr> Analyzer::BindColumnHere(const RawExpr& e, ParseState& ps) {
  if (!e.qualifier.empty()) {
    auto rt = FindQualified(ps, e.qualifier, e.location);
    if (!rt.ok()) return rt.error();
    int attno = FindColumn(ps.query->rte(*rt), e.text);
    if (attno == -2) {
      return ErrorAt(sqlstate::kAmbiguousColumn,
                     fmt::format("column reference \"{}\" is ambiguous", e.qualifier + "." + e.text), e.location);
    }
    if (attno < 0) {
      if (ExprPtr sys = SystemColumnVar(ps, *rt, e.text, e.location)) return sys;
      return ErrorAt(sqlstate::kUndefinedColumn, fmt::format("column {}.{} does not exist", e.qualifier, e.text),
                     e.location);
    }
    return VarFor(ps, *rt, attno, e.location);
  }
  int found_rt = 0;
  int found_attno = -1;
  for (const NamespaceItem& n : ps.ns) {
    if (!n.cols_visible) continue;
    int attno = FindColumn(ps.query->rte(n.rtindex), e.text);
    if (attno == -1) continue;
    if (attno == -2 || found_rt != 0) {
      return ErrorAt(sqlstate::kAmbiguousColumn, fmt::format("column reference \"{}\" is ambiguous", e.text),
                     e.location);
    }
    found_rt = n.rtindex;
    found_attno = attno;
  }
  if (found_rt == 0 && SystemColumnIndex(e.text) >= 0) {  // a system column of the one table that has it
    for (const NamespaceItem& n : ps.ns) {
      if (!n.cols_visible || ps.query->rte(n.rtindex).kind != RteKind::kRelation) continue;
      if (found_rt != 0) {
        return ErrorAt(sqlstate::kAmbiguousColumn, fmt::format("column reference \"{}\" is ambiguous", e.text),
                       e.location);
      }
      found_rt = n.rtindex;
    }
    if (found_rt != 0) {
      if (ExprPtr sys = SystemColumnVar(ps, found_rt, e.text, e.location)) return sys;
      found_rt = 0;
    }
  }
  if (found_rt == 0) {
    for (const NamespaceItem& n : ps.ns) {  // no such column: a table's name alone is its whole row
      if (n.rel_visible && ps.query->rte(n.rtindex).refname == e.text) return WholeRow(ps, n.rtindex, e.location);
    }
    return ErrorAt(sqlstate::kUndefinedColumn, fmt::format("column \"{}\" does not exist", e.text), e.location);
  }
  return VarFor(ps, found_rt, found_attno, e.location);
}

Status Analyzer::ExpandStar(const SelectTarget& target, ParseState& ps, std::vector<TargetEntry>& out) {
  std::vector<int> entries;
  if (!target.star_qualifier.empty()) {
    auto rt = FindQualified(ps, target.star_qualifier, target.location);
    if (!rt.ok()) return rt.error();
    entries.push_back(*rt);
  } else {
    for (const NamespaceItem& n : ps.ns) {
      if (n.cols_visible) entries.push_back(n.rtindex);
    }
    if (entries.empty()) {
      return ErrorAt(sqlstate::kSyntaxError, "SELECT * with no tables specified is not valid", target.location);
    }
  }
  for (int rt : entries) {
    for (size_t i = 0; i < ps.query->rte(rt).colnames.size(); ++i) {
      TargetEntry t;
      t.expr = VarFor(ps, rt, static_cast<int>(i), target.location);
      t.name = ps.query->rte(rt).colnames[i];
      out.push_back(std::move(t));
    }
  }
  return OkStatus();
}

}  // namespace minipg::sql::analyzer_internal
