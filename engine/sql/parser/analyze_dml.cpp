/*-------------------------------------------------------------------------
 * analyze_dml.cpp
 *   The statements that change rows (PostgreSQL's transformInsertStmt,
 *   transformUpdateStmt, transformDeleteStmt, in part):
 *
 *     INSERT ... SELECT   the SELECT is a subquery entry "*SELECT*"; each
 *                         table column gets its output column, coerced
 *     UPDATE t SET ...    range table: t (the result relation), then FROM's
 *       [FROM ...]        entries; targets: every column of the new row
 *                         (SET's expression, coerced, or t's own column),
 *                         then t's ctid (junk)
 *     DELETE FROM t       range table: t, then USING's; targets: t's ctid
 *       [USING ...]
 *     RETURNING           last targets; the target table's columns in them
 *                         are replaced by the new row's expressions (INSERT,
 *                         UPDATE), so the plan below ModifyTable computes
 *                         them with the rest of its row
 *     TRUNCATE            the tables, checked
 *-------------------------------------------------------------------------
 */
#include <algorithm>

#include <fmt/format.h>

#include "engine/catalog/system_catalog.h"
#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/sql/analyzer.h"
#include "engine/sql/analyzer_impl.h"
#include "engine/storage/lmgr/lock.h"
#include "engine/sql/system_views.h"

namespace minipg::sql::analyzer_internal {

namespace {

/* Replaces every Var of entry `rtindex` (this level) by a copy of
 * `by[attno]`. */
Status ReplaceVars(ExprPtr& root, int rtindex, const std::vector<const Expr*>& by) {
  std::vector<ExprPtr*> stack{&root};
  while (!stack.empty()) {
    ExprPtr* slot = stack.back();
    stack.pop_back();
    if (*slot == nullptr) continue;
    Expr& e = **slot;
    if (e.kind == ExprKind::kVar && e.levels_up == 0 && e.rtindex == rtindex &&
        static_cast<size_t>(e.attno) < by.size()) {
      auto copy = CopyExpr(*by[static_cast<size_t>(e.attno)]);
      if (!copy.ok()) return copy.error();
      *slot = std::move(*copy);
      continue;
    }
    for (ExprPtr& a : e.args) stack.push_back(&a);
  }
  return OkStatus();
}

}  // namespace

Result<const storage::TableDef*> Analyzer::TargetTable(const TableRef& ref, const char* verb) {
  auto table = LookupTable(ref);
  if (!table.ok()) return table.error();
  if (catalog::FindSystemCatalogByOid((*table)->oid) != nullptr) {
    // PostgreSQL lets a superuser change catalog rows by hand; minipg does not.
    return ErrorAt(sqlstate::kInsufficientPrivilege, fmt::format("permission denied for table {}", (*table)->name),
                   ref.location);
  }
  if ((*table)->kind == 'S') {  // PostgreSQL: 42809, no position
    return MakeError(sqlstate::kWrongObjectType, fmt::format("cannot change sequence \"{}\"", (*table)->name));
  }
  if ((*table)->kind == 'v') {
    return ErrorAt(sqlstate::kFeatureNotSupported,
                   fmt::format("{} on a view is not supported by minipg", verb == std::string("insert") ? "INSERT"
                                                                        : verb == std::string("delete") ? "DELETE"
                                                                                                        : "UPDATE"),
                   ref.location);
  }
  if (FindSystemViewByOid((*table)->oid) != nullptr) {
    std::string v = verb;
    bool del = v == "delete";
    Error e = MakeError(sqlstate::kObjectNotInPrerequisiteState,
                        fmt::format("cannot {} view \"{}\"", del ? "delete from" : v == "insert" ? "insert into" : v, (*table)->name));
    if (v == "insert") e.position = ref.location;
    std::string upper = v;
    std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
    std::string ing = v == "insert" ? "inserting into" : del ? "deleting from" : "updating";
    e.detail = "Views that do not select from a single table or view are not automatically updatable.";
    e.hint = fmt::format("To enable {} the view, provide an INSTEAD OF {} trigger or an unconditional ON {} DO INSTEAD rule.",
                         ing, upper, upper);
    return e;
  }
  return *table;
}

Result<ExprPtr> Analyzer::CoerceToColumn(ExprPtr expr, const storage::ColumnDef& column, int location) {
  TypeId col_type = FromColumnType(column.type);
  TypeId expr_type = expr->type;
  auto coerced = Coerce(std::move(expr), col_type, CastContext::kAssignment, column.typmod);
  if (coerced.ok()) return coerced;
  if (coerced.error().sqlstate == kCannotCoerce) {
    Error e = ErrorAt(sqlstate::kDatatypeMismatch,
                      fmt::format("column \"{}\" is of type {} but expression is of type {}", column.name,
                                  TypeName(col_type), TypeName(expr_type)),
                      location);
    e.hint = "You will need to rewrite or cast the expression.";
    return e;
  }
  std::string code = coerced.error().sqlstate;
  if (code == sqlstate::kStringDataRightTruncation || code == sqlstate::kNumericValueOutOfRange) {
    return At(coerced.error(), 0);  // PostgreSQL finds these running the statement: no position
  }
  return At(coerced.error(), location);
}

Result<int> Analyzer::TargetColumn(const storage::TableDef& table, const InsertColumn& col) {
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (table.columns[i].name == col.name) return static_cast<int>(i);
  }
  return ErrorAt(sqlstate::kUndefinedColumn,
                 fmt::format("column \"{}\" of relation \"{}\" does not exist", col.name, table.name), col.location);
}

Status Analyzer::InsertSelect(const InsertStmt& insert, const std::vector<int>& target_cols, ParseState& ps) {
  Query& q = *ps.query;
  const storage::TableDef table = *q.rte(q.result_relation).table;  // a copy: AddRte may move the entries
  auto sub = Analyze(*insert.select);
  if (!sub.ok()) return sub.error();
  RangeTblEntry rte;
  rte.kind = RteKind::kSubquery;
  rte.refname = "*SELECT*";
  for (const TargetEntry& t : sub->targets) {
    if (t.resjunk) continue;
    rte.colnames.push_back(t.name);
    rte.coltypes.push_back(t.expr->type);
  }
  for (const std::string& t : sub->tables) q.tables.push_back(t);
  rte.subquery = std::make_unique<Query>(std::move(*sub));
  size_t width = rte.colnames.size();
  auto location_of = [&](size_t i) { return i < insert.select->targets.size() ? insert.select->targets[i].location : 0; };
  if (width > target_cols.size()) {
    return ErrorAt(sqlstate::kSyntaxError, "INSERT has more expressions than target columns", location_of(target_cols.size()));
  }
  if (width < target_cols.size() && !insert.columns.empty()) {
    return ErrorAt(sqlstate::kSyntaxError, "INSERT has more target columns than expressions",
                   insert.columns[width].location);
  }
  int rt = AddRte(ps, std::move(rte));
  auto node = std::make_unique<JoinTreeNode>();
  node->rtindex = rt;
  q.jointree.fromlist.push_back(std::move(node));
  std::vector<ExprPtr> values(table.columns.size());
  for (size_t i = 0; i < width; ++i) {
    auto col = static_cast<size_t>(target_cols[i]);
    auto coerced = CoerceToColumn(VarFor(ps, rt, static_cast<int>(i), 0), table.columns[col], location_of(i));
    if (!coerced.ok()) return coerced.error();
    values[col] = std::move(*coerced);
  }
  for (size_t c = 0; c < values.size(); ++c) {
    TargetEntry t;
    t.expr = values[c] ? std::move(values[c]) : ColumnDefault(table, static_cast<int>(c));
    t.name = table.columns[c].name;
    t.resno = static_cast<int>(c + 1);
    q.targets.push_back(std::move(t));
  }
  return OkStatus();
}


Status Analyzer::TransformReturning(const std::vector<SelectTarget>& returning, ParseState& ps,
                                    const std::vector<const Expr*>* new_row) {
  Query& q = *ps.query;
  std::vector<TargetEntry> out;
  ps.window_context = "RETURNING";
  for (const SelectTarget& target : returning) {
    if (Status s = CheckForInterrupts(); !s.ok()) return s;
    if (target.star) {
      if (Status s = ExpandStar(target, ps, out); !s.ok()) return s;
      continue;
    }
    auto expr = BindValue(*target.expr, ps);
    if (!expr.ok()) return expr.error();
    if (Status s = NoAggregates(**expr, "RETURNING"); !s.ok()) return s;
    TargetEntry t;
    t.name = target.alias.empty() ? FigureColname(*target.expr).first : target.alias;
    t.expr = std::move(*expr);
    out.push_back(std::move(t));
  }
  for (TargetEntry& t : out) {
    if (q.on_conflict == 'u') {  // an updated row's RETURNING reads the row as updated
      bool sublink = false;
      WalkExpr(*t.expr, [&sublink](Expr& e) { sublink = sublink || e.kind == ExprKind::kSubLink; });
      if (sublink) {
        return MakeError(sqlstate::kFeatureNotSupported,
                         "subqueries in RETURNING of ON CONFLICT DO UPDATE are not supported by minipg");
      }
      auto copy = CopyExpr(*t.expr);
      if (!copy.ok()) return copy.error();
      q.conflict_returning.push_back(std::move(*copy));
    }
    if (new_row != nullptr) {
      if (Status s = ReplaceVars(t.expr, q.result_relation, *new_row); !s.ok()) return s;
    }
    t.resno = static_cast<int>(q.targets.size() + 1);
    q.targets.push_back(std::move(t));
  }
  q.returning = static_cast<int>(out.size());
  return OkStatus();
}

/* UPDATE's or DELETE's table as the first range table entry, visible by
 * its alias or name, and the FROM / USING entries after it. */
Status Analyzer::DmlRangeTable(const TableRef& ref, const std::vector<FromItemPtr>& from, ParseState& ps) {
  Query& q = *ps.query;
  FromItem item;
  item.kind = FromItem::Kind::kTable;
  item.table = ref;
  item.alias = ref.alias;
  item.location = ref.location;
  std::vector<NamespaceItem> ns;
  auto node = TransformFromItem(item, ps, ns);
  if (!node.ok()) return node.error();
  q.result_relation = (*node)->rtindex;
  ps.ns = ns;
  q.jointree.fromlist.push_back(std::move(*node));
  for (const FromItemPtr& f : from) {
    std::vector<NamespaceItem> more;
    auto n = TransformFromItem(*f, ps, more);
    if (!n.ok()) return n.error();
    if (Status s = CheckNameConflicts(ps, ps.ns, more, f->location); !s.ok()) return s;
    ps.ns.insert(ps.ns.end(), more.begin(), more.end());
    q.jointree.fromlist.push_back(std::move(*n));
  }
  return OkStatus();
}

Status Analyzer::DmlWhere(const RawExpr* where, ParseState& ps) {
  if (where == nullptr) return OkStatus();
  ps.window_context = "WHERE";
  auto cond = BindCondition(*where, ps, "WHERE");
  if (!cond.ok()) return cond.error();
  if (Status s = NoAggregates(**cond, "WHERE"); !s.ok()) return s;
  ps.query->jointree.quals = std::move(*cond);
  return OkStatus();
}

int Analyzer::AddCtidTarget(Query& q, int rtindex) {
  const RangeTblEntry& rte = q.rte(rtindex);
  TargetEntry t;
  t.expr = MakeVar(rtindex, static_cast<int>(rte.colnames.size()), TypeId::kInt8, rte.refname, "ctid");
  t.name = "ctid";
  t.resjunk = true;
  t.resno = static_cast<int>(q.targets.size() + 1);
  q.targets.push_back(std::move(t));
  return static_cast<int>(q.targets.size() - 1);
}

Result<Query> Analyzer::Analyze(const UpdateStmt& update) {
  Query q;
  q.kind = StatementKind::kUpdate;
  q.statement = StatementKindName(StatementKind::kUpdate);
  auto table_or = TargetTable(update.table, "update");
  if (!table_or.ok()) return table_or.error();
  const storage::TableDef& table = **table_or;
  ParseState ps;
  ps.query = &q;
  if (Status s = DmlRangeTable(update.table, update.from, ps); !s.ok()) return s.error();
  if (Status s = DmlWhere(update.where.get(), ps); !s.ok()) return s.error();
  std::vector<ExprPtr> values(table.columns.size());
  ps.window_context = "UPDATE";
  for (const SetClause& set : update.set) {
    if (Status s = CheckForInterrupts(); !s.ok()) return s.error();
    auto col = TargetColumn(table, set.column);
    if (!col.ok()) return col.error();
    auto c = static_cast<size_t>(*col);
    if (values[c]) {
      return MakeError(sqlstate::kSyntaxError, fmt::format("multiple assignments to same column \"{}\"", set.column.name));
    }
    if (!set.expr) {
      values[c] = ColumnDefault(table, *col);
      continue;
    }
    auto bound = Bind(*set.expr, ps);
    if (!bound.ok()) return bound.error();
    if (Status s = NoAggregates(**bound, "UPDATE"); !s.ok()) return s.error();
    auto coerced = CoerceToColumn(std::move(*bound), table.columns[c], set.expr->location);
    if (!coerced.ok()) return coerced.error();
    values[c] = std::move(*coerced);
  }
  for (size_t c = 0; c < values.size(); ++c) {
    TargetEntry t;
    t.expr = values[c] ? std::move(values[c]) : VarFor(ps, q.result_relation, static_cast<int>(c), 0);
    t.name = table.columns[c].name;
    t.resno = static_cast<int>(c + 1);
    q.targets.push_back(std::move(t));
  }
  AddCtidTarget(q);
  std::vector<const Expr*> new_row;
  for (size_t c = 0; c < table.columns.size(); ++c) new_row.push_back(q.targets[c].expr.get());
  if (Status s = TransformReturning(update.returning, ps, &new_row); !s.ok()) return s.error();
  return q;
}

Result<Query> Analyzer::Analyze(const DeleteStmt& del) {
  Query q;
  q.kind = StatementKind::kDelete;
  q.statement = StatementKindName(StatementKind::kDelete);
  auto table_or = TargetTable(del.table, "delete");
  if (!table_or.ok()) return table_or.error();
  ParseState ps;
  ps.query = &q;
  if (Status s = DmlRangeTable(del.table, del.using_list, ps); !s.ok()) return s.error();
  if (Status s = DmlWhere(del.where.get(), ps); !s.ok()) return s.error();
  AddCtidTarget(q);
  if (Status s = TransformReturning(del.returning, ps, nullptr); !s.ok()) return s.error();
  return q;
}

Result<Query> Analyzer::Analyze(const TruncateStmt& truncate) {
  Query q;
  q.kind = StatementKind::kTruncate;
  q.statement = StatementKindName(StatementKind::kTruncate);
  for (const TableRef& ref : truncate.tables) {
    auto table = LookupTable(ref);
    if (!table.ok()) return At(table.error(), 0);  // PostgreSQL gives no position here
    const std::string& name = (*table)->name;
    if (catalog::FindSystemCatalogByOid((*table)->oid) != nullptr) {
      return ErrorAt(sqlstate::kInsufficientPrivilege,
                     fmt::format("permission denied: \"{}\" is a system catalog", name), ref.location);
    }
    if (FindSystemViewByOid((*table)->oid) != nullptr || (*table)->kind != 'r') {
      return ErrorAt(sqlstate::kWrongObjectType, fmt::format("\"{}\" is not a table", name), ref.location);
    }
    if (std::find(q.drop_names.begin(), q.drop_names.end(), name) == q.drop_names.end()) {
      q.drop_names.push_back(name);
      q.tables.push_back(name);
      RangeTblEntry rte;  // the executor's TableDef of it
      rte.table = **table;
      rte.refname = name;
      q.rtable.push_back(std::move(rte));
    }
  }
  return q;
}

Result<Query> Analyzer::Analyze(const LockStmt& lock) {
  Query q;
  q.kind = StatementKind::kLock;
  q.statement = StatementKindName(StatementKind::kLock);
  q.lock_mode = static_cast<uint8_t>(lmgr::LockModeFromWords(lock.mode));
  q.lock_nowait = lock.nowait;
  for (const TableRef& ref : lock.tables) {
    auto table = LookupTable(ref);
    if (!table.ok()) return At(table.error(), 0);  // PostgreSQL gives no position here
    if ((*table)->kind != 'r' && (*table)->kind != 'v') {
      return MakeError(sqlstate::kWrongObjectType, fmt::format("\"{}\" is not a table or view", (*table)->name));
    }
    q.tables.push_back((*table)->name);
    RangeTblEntry rte;
    rte.table = **table;
    rte.refname = (*table)->name;
    q.rtable.push_back(std::move(rte));
  }
  return q;
}

}  // namespace minipg::sql::analyzer_internal
