/*-------------------------------------------------------------------------
 * parse_onconflict.cpp
 *   INSERT ... ON CONFLICT analyzed as PostgreSQL's transformOnConflictClause
 *   and infer_arbiter_indexes do: the unique indexes that decide what a
 *   conflict is (the arbiters), and DO UPDATE's SET and WHERE bound over
 *   the table's existing row and the proposed row, EXCLUDED. The executor
 *   (node_modify.cpp) looks each proposed row up in the arbiters first.
 *-------------------------------------------------------------------------
 */
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "engine/sql/analyzer.h"
#include "engine/sql/analyzer_impl.h"

namespace minipg::sql::analyzer_internal {

namespace {

std::set<std::string> IndexColumns(const storage::TableDef& table, const storage::IndexDef& index) {
  std::set<std::string> names;
  for (int16_t a : index.key_attnums) names.insert(table.columns.at(static_cast<size_t>(a - 1)).name);
  return names;
}

bool HasSubLink(Expr& e) {
  bool found = false;
  WalkExpr(e, [&found](Expr& x) {
    if (x.kind == ExprKind::kSubLink) found = true;
  });
  return found;
}

}  // namespace

Status Analyzer::TransformOnConflict(const OnConflictClause& clause, ParseState& ps) {
  Query& q = *ps.query;
  const storage::TableDef table = *q.rte(q.result_relation).table;  // a copy: AddRte may move the entries
  q.on_conflict = clause.update ? 'u' : 'n';
  if (!clause.constraint.empty()) {
    auto it = std::find_if(table.indexes.begin(), table.indexes.end(),
                           [&clause](const storage::IndexDef& i) { return i.name == clause.constraint; });
    if (it == table.indexes.end() || !it->unique) {
      return MakeError(sqlstate::kUndefinedObject, fmt::format("constraint \"{}\" for table \"{}\" does not exist",
                                                               clause.constraint, table.name));
    }
    q.arbiter_indexes.push_back(it->name);
  } else if (!clause.columns.empty()) {
    std::set<std::string> wanted;
    for (const InsertColumn& c : clause.columns) {
      auto col = std::find_if(table.columns.begin(), table.columns.end(),
                              [&c](const storage::ColumnDef& d) { return d.name == c.name; });
      if (col == table.columns.end()) {
        return ErrorAt(sqlstate::kUndefinedColumn, fmt::format("column \"{}\" does not exist", c.name), c.location);
      }
      wanted.insert(c.name);
    }
    for (const storage::IndexDef& index : table.indexes) {
      if (index.unique && IndexColumns(table, index) == wanted) q.arbiter_indexes.push_back(index.name);
    }
    if (q.arbiter_indexes.empty()) {
      return MakeError(sqlstate::kInvalidColumnReference,
                       "there is no unique or exclusion constraint matching the ON CONFLICT specification");
    }
  } else if (clause.update) {
    Error e = ErrorAt(sqlstate::kSyntaxError, "ON CONFLICT DO UPDATE requires inference specification or constraint name",
                      clause.location);
    e.hint = "For example, ON CONFLICT (column_name).";
    return e;
  }
  if (!clause.update) return OkStatus();
  RangeTblEntry excluded;
  excluded.kind = RteKind::kRelation;
  excluded.table = table;
  excluded.refname = "excluded";
  excluded.colnames = q.rte(q.result_relation).colnames;
  excluded.coltypes = q.rte(q.result_relation).coltypes;
  q.conflict_excluded = AddRte(ps, std::move(excluded));
  ParseState update;
  update.query = &q;
  update.ns.push_back(NamespaceItem{q.result_relation, true, true});
  update.ns.push_back(NamespaceItem{q.conflict_excluded, true, false});  // excluded.col only
  q.conflict_set.clear();
  q.conflict_set.resize(table.columns.size());
  for (const SetClause& set : clause.set) {
    auto col = TargetColumn(table, set.column);
    if (!col.ok()) return col.error();
    auto c = static_cast<size_t>(*col);
    if (q.conflict_set[c]) {
      return MakeError(sqlstate::kSyntaxError, fmt::format("multiple assignments to same column \"{}\"", set.column.name));
    }
    if (!set.expr) {
      q.conflict_set[c] = ColumnDefault(table, *col);
      continue;
    }
    auto bound = Bind(*set.expr, update);
    if (!bound.ok()) return bound.error();
    if (Status s = NoAggregates(**bound, "UPDATE"); !s.ok()) return s;
    auto coerced = CoerceToColumn(std::move(*bound), table.columns[c], set.expr->location);
    if (!coerced.ok()) return coerced.error();
    q.conflict_set[c] = std::move(*coerced);
  }
  if (clause.where) {
    auto cond = BindCondition(*clause.where, update, "WHERE");
    if (!cond.ok()) return cond.error();
    if (Status s = NoAggregates(**cond, "WHERE"); !s.ok()) return s;
    q.conflict_where = std::move(*cond);
  }
  for (ExprPtr& e : q.conflict_set) {
    if (e && HasSubLink(*e)) {
      return MakeError(sqlstate::kFeatureNotSupported, "subqueries in ON CONFLICT DO UPDATE are not supported by minipg");
    }
  }
  if (q.conflict_where && HasSubLink(*q.conflict_where)) {
    return MakeError(sqlstate::kFeatureNotSupported, "subqueries in ON CONFLICT DO UPDATE are not supported by minipg");
  }
  return OkStatus();
}

}  // namespace minipg::sql::analyzer_internal
