/*-------------------------------------------------------------------------
 * analyze.cpp
 *   Name resolution and type checking, statement level (see analyzer.h):
 *   SELECT (FROM in parse_relation.cpp, expressions in parse_expr.cpp),
 *   VALUES, INSERT, and the utility statements' checks.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/analyzer.h"

#include <algorithm>
#include <charconv>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <fmt/format.h>

#include "engine/catalog/system_catalog.h"
#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/sql/analyzer_impl.h"
#include "engine/common/stack_depth.h"
#include "engine/sql/system_columns.h"
#include "engine/sql/system_views.h"

namespace minipg::sql {

namespace analyzer_internal {

std::pair<std::string, int> FigureColname(const RawExpr& e) {
  // A loop, not recursion, down a chain of casts (1::int::int...): the
  // innermost name wins, else the outermost cast's type.
  // A CASE is named after its ELSE result when that is a column or a
  // function, as in PostgreSQL, else "case".
  const RawExpr* inner = &e;
  for (;;) {
    if (inner->kind == RawExprKind::kCast || inner->kind == RawExprKind::kSubscript) {
      inner = inner->args[0].get();  // x[1] is named x
    } else if (inner->kind == RawExprKind::kCase && inner->negated) {
      inner = inner->args.back().get();
    } else {
      break;
    }
  }
  if (inner->kind == RawExprKind::kColumnRef || inner->kind == RawExprKind::kFuncCall) {
    return {inner->text, 2};
  }
  if (inner->kind == RawExprKind::kSubLink && inner->sublink == SubLinkType::kExists) {
    return {"exists", 2};
  }
  if (inner->kind == RawExprKind::kRow && !inner->star) return {"row", 2};
  if ((inner->kind == RawExprKind::kSubLink && inner->sublink == SubLinkType::kArray) ||
      inner->kind == RawExprKind::kArrayExpr) {
    return {"array", 2};
  }
  if (inner->kind == RawExprKind::kSubLink && inner->sublink == SubLinkType::kExpr &&
      !inner->subselect->targets.empty()) {
    // (SELECT x ...) is named after its column (a name, not the select list's alias: PostgreSQL's rule)
    const SelectTarget& first = inner->subselect->targets[0];
    if (first.expr) {
      auto name = FigureColname(*first.expr);
      if (name.second > 0) return name;
    }
  }
  if (e.kind == RawExprKind::kCase) {
    return {"case", 1};
  }
  if (e.kind != RawExprKind::kCast) {
    return {"?column?", 0};
  }
  // An array type is named after its element type's name ('{1}'::int[] is int4).
  const std::string t = e.type_name.name.ends_with("[]") ? e.type_name.name.substr(0, e.type_name.name.size() - 2)
                                                          : e.type_name.name;
  std::string name = t;
  if (t == "int" || t == "integer") {
    name = "int4";
  } else if (t == "bigint") {
    name = "int8";
  } else if (t == "boolean") {
    name = "bool";
  } else if (t == "decimal") {
    name = "numeric";
  } else if (t == "char" || t == "character") {
    name = "bpchar";
  } else if (auto type = ResolveTypeName(t); type && (*type == TypeId::kChar || *type == TypeId::kInt2 ||
                                                      *type == TypeId::kFloat4)) {
    name = TypeInternalName(*type);  // "char", int2, float4
  }
  return {name, 1};
}

/* The select list's output names, for ORDER BY name: each to the first
 * output column of that name, marked ambiguous if another of that name is a
 * different expression, as PostgreSQL's findTargetlistEntrySQL92 decides.
 * One map, made once: not a scan of the list for every ORDER BY item. */
std::unordered_map<std::string, OutputName> OutputNames(const SelectStmt& select, const Query& q,
                                                        const std::vector<size_t>& widths) {
  std::unordered_map<std::string, OutputName> names;
  size_t next = 0;  // the Query::targets entry of the select target at hand
  for (size_t s = 0; s < select.targets.size(); ++s) {
    const SelectTarget& t = select.targets[s];
    for (size_t i = 0; i < widths[s] && next < q.targets.size(); ++i, ++next) {
      const TargetEntry& entry = q.targets[next];
      auto [it, inserted] = names.try_emplace(entry.name, OutputName{t.star ? nullptr : t.expr.get(), next, false});
      if (!inserted && !it->second.ambiguous &&
          DeparseExpr(*q.targets[it->second.target].expr, true) != DeparseExpr(*entry.expr, true)) {
        it->second.ambiguous = true;
      }
    }
  }
  return names;
}

Result<Query> Analyzer::AnalyzeValues(const SelectStmt& values) {
  Query q;
  q.kind = StatementKind::kSelect;
  q.statement = StatementKindName(StatementKind::kSelect);
  auto rte = TransformValues(values.values);
  if (!rte.ok()) return rte.error();
  ParseState ps;
  ps.query = &q;
  int rt = AddRte(ps, std::move(*rte));
  auto node = std::make_unique<JoinTreeNode>();
  node->rtindex = rt;
  q.jointree.fromlist.push_back(std::move(node));
  for (size_t i = 0; i < q.rte(rt).colnames.size(); ++i) {
    TargetEntry t;
    t.expr = VarFor(ps, rt, static_cast<int>(i), 0);
    t.name = q.rte(rt).colnames[i];
    t.resno = static_cast<int>(i + 1);
    q.targets.push_back(std::move(t));
  }
  return q;
}

void Analyzer::SetReturningTargetAsFrom(const SelectStmt& select, ParseState& ps) {
  Query& q = *ps.query;
  if (!select.from.empty() || select.where || q.targets.size() != 1) return;
  Expr& call = *q.targets[0].expr;
  if (call.kind != ExprKind::kFunc || call.func->call != nullptr || call.func->call_set == nullptr) return;
  RangeTblEntry rte;
  rte.kind = RteKind::kFunction;
  rte.refname = call.func->name;
  rte.colnames.push_back(q.targets[0].name);
  rte.coltypes.push_back(call.type);
  TypeId type = call.type;
  rte.function = std::move(q.targets[0].expr);
  auto node = std::make_unique<JoinTreeNode>();
  node->rtindex = AddRte(ps, std::move(rte));
  q.targets[0].expr = MakeVar(node->rtindex, 0, type, q.rte(node->rtindex).refname, q.targets[0].name);
  q.jointree.fromlist.push_back(std::move(node));
}

Result<Query> Analyzer::Analyze(const SelectStmt& select) {
  ParseState* parent = std::exchange(pending_parent_, nullptr);
  // Subqueries in FROM recurse through here.
  if (Status s = CheckStackDepth(); !s.ok()) {
    return s.error();
  }
  if (select.into) {  // a statement's own SELECT ... INTO became CREATE TABLE AS in the parser
    return ErrorAt(sqlstate::kSyntaxError, "SELECT ... INTO is not allowed here", select.into->location);
  }
  if (select.is_values) {
    return AnalyzeValues(select);
  }
  bool keep_unknown = keep_unknown_;  // for this level's select list only
  keep_unknown_ = false;
  struct CtePop {
    std::vector<CteEntry>& ctes;
    size_t mark;
    ~CtePop() { ctes.resize(mark); }
  } pop{ctes_, ctes_.size()};
  if (Status s = PushCtes(select.with_ctes); !s.ok()) {
    return s.error();
  }
  std::vector<std::shared_ptr<CteQuery>> level_ctes;  // this level's WITH, for the planner
  for (size_t i = pop.mark; i < ctes_.size(); ++i) level_ctes.push_back(ctes_[i].record);
  if (select.setop != SetOpKind::kNone) {
    if (!select.locking.empty()) {
      return MakeError(sqlstate::kFeatureNotSupported,
                       fmt::format("{} is not allowed with UNION/INTERSECT/EXCEPT",
                                   LockClauseStrengthName(select.locking[0].strength)));
    }
    auto setop = AnalyzeSetOp(select);
    if (setop.ok()) setop->ctes = std::move(level_ctes);
    return setop;
  }
  Query q;
  q.ctes = std::move(level_ctes);
  q.kind = StatementKind::kSelect;
  q.statement = StatementKindName(StatementKind::kSelect);
  if (!select.unsupported.empty()) {
    return MakeError(sqlstate::kFeatureNotSupported,
                     fmt::format("{} is not supported by minipg", select.unsupported));
  }
  ParseState ps;
  ps.query = &q;
  ps.parent = parent;
  ps.window_context = "JOIN conditions";
  for (const FromItemPtr& item : select.from) {
    std::vector<NamespaceItem> ns;
    auto node = TransformFromItem(*item, ps, ns);
    if (!node.ok()) {
      return node.error();
    }
    if (Status s = CheckNameConflicts(ps, ps.ns, ns, item->location); !s.ok()) {
      return s.error();
    }
    ps.ns.insert(ps.ns.end(), ns.begin(), ns.end());
    q.jointree.fromlist.push_back(std::move(*node));
  }
  ps.windows_allowed = true;  // checked clause by clause from here (NoWindowFuncs)
  ps.window_context = nullptr;
  if (Status s = TransformNamedWindows(select, ps); !s.ok()) {
    return s.error();
  }
  if (select.where) {
    auto where = BindCondition(*select.where, ps, "WHERE");
    if (!where.ok()) {
      return where.error();
    }
    if (Status s = NoAggregates(**where, "WHERE"); !s.ok()) {
      return s.error();
    }
    if (Status s = NoWindowFuncs(**where, "WHERE"); !s.ok()) {
      return s.error();
    }
    q.jointree.quals = std::move(*where);
  }
  std::vector<size_t> widths;  // how many output columns each select target made
  for (const SelectTarget& target : select.targets) {
    if (Status s = CheckForInterrupts(); !s.ok()) {
      return s.error();
    }
    size_t before = q.targets.size();
    if (target.star) {
      if (Status s = ExpandStar(target, ps, q.targets); !s.ok()) {
        return s.error();
      }
    } else {
      auto expr = keep_unknown ? Bind(*target.expr, ps) : BindValue(*target.expr, ps);
      if (!expr.ok()) {
        return expr.error();
      }
      if ((*expr)->kind == ExprKind::kConst && (*expr)->type == TypeId::kUnknown) {
        (*expr)->untyped = true;  // a NULL a set operation decides the type of
      }
      TargetEntry t;
      t.name = target.alias.empty() ? FigureColname(*target.expr).first : target.alias;
      t.expr = std::move(*expr);
      q.targets.push_back(std::move(t));
    }
    widths.push_back(q.targets.size() - before);
  }
  SetReturningTargetAsFrom(select, ps);
  // PostgreSQL's MaxTupleAttributeNumber, checked once the list is analyzed.
  if (q.targets.size() > kMaxTargetListEntries) {
    return MakeError(sqlstate::kTooManyColumns,
                     fmt::format("target lists can have at most {} entries", kMaxTargetListEntries));
  }
  std::unordered_map<std::string, OutputName> output_names;
  if (!select.order_by.empty() || !select.distinct_on.empty()) {
    output_names = OutputNames(select, q, widths);
  }
  for (const OrderItem& item : select.order_by) {
    if (Status s = CheckForInterrupts(); !s.ok()) {
      return s.error();
    }
    auto tle = AddSortTarget(*item.expr, select, output_names, ps);
    if (!tle.ok()) {
      return tle.error();
    }
    SortClause sort;
    sort.tle = *tle;
    sort.descending = item.descending;
    sort.nulls_first = item.nulls_first.value_or(item.descending);
    q.targets[static_cast<size_t>(*tle)].sortgroupref = static_cast<int>(q.sort.size() + 1);
    q.sort.push_back(sort);
  }
  q.distinct = select.distinct;
  if (Status s = TransformDistinctOn(select, ps, output_names); !s.ok()) {
    return s.error();
  }
  if (Status s = TransformGrouping(select, ps); !s.ok()) {
    return s.error();
  }
  NumberWindowKeys(ps);
  for (size_t i = 0; i < q.targets.size(); ++i) {
    q.targets[i].resno = static_cast<int>(i + 1);
  }
  if (Status s = TransformLimit(select, q); !s.ok()) {
    return s.error();
  }
  if (Status s = TransformLockingClauses(select, q); !s.ok()) {
    return s.error();
  }
  return q;
}

Status Analyzer::TransformLimit(const SelectStmt& select, Query& q) {
  ParseState no_columns;
  no_columns.query = &q;
  for (auto [ast, out, what] : {std::tuple{select.limit.get(), &q.limit, "LIMIT"},
                                std::tuple{select.offset.get(), &q.offset, "OFFSET"}}) {
    if (ast == nullptr) {
      continue;
    }
    no_columns.window_context = what;
    auto bound = Bind(*ast, no_columns);
    if (!bound.ok()) {
      return Status(bound.error());
    }
    if (Status s = NoAggregates(**bound, what); !s.ok()) {
      return s;
    }
    TypeId type = (*bound)->type;
    auto coerced = Coerce(std::move(*bound), TypeId::kInt8, CastContext::kAssignment);
    if (!coerced.ok()) {
      if (coerced.error().sqlstate != kCannotCoerce) {
        return Status(coerced.error());
      }
      return Status(ErrorAt(sqlstate::kDatatypeMismatch,
                     fmt::format("argument of {} must be type bigint, not type {}", what, TypeName(type)),
                     ast->location));
    }
    *out = std::move(*coerced);
  }
  return OkStatus();
}

Result<int> Analyzer::AddSortTarget(const RawExpr& e, const SelectStmt& select,
                                    const std::unordered_map<std::string, OutputName>& output_names,
                                    ParseState& ps) {
  Query& q = *ps.query;
  const RawExpr* source = &e;
  if (e.kind == RawExprKind::kIntLiteral) {
    // ORDER BY 2: the second output column.
    int64_t n = 0;
    try {
      n = std::stoll(e.text);
    } catch (...) {
      n = -1;
    }
    size_t visible = 0;
    for (const TargetEntry& t : q.targets) visible += !t.resjunk;
    if (n < 1 || n > static_cast<int64_t>(visible)) {
      return ErrorAt(sqlstate::kInvalidColumnReference,
                     fmt::format("ORDER BY position {} is not in select list", e.text), e.location);
    }
    return static_cast<int>(n - 1);
  }
  if (e.kind == RawExprKind::kColumnRef && e.qualifier.empty()) {
    // A bare name matches an output column's name first, as in PostgreSQL.
    if (auto it = output_names.find(e.text); it != output_names.end()) {
      if (it->second.ambiguous) {
        return ErrorAt(sqlstate::kAmbiguousColumn, fmt::format("ORDER BY \"{}\" is ambiguous", e.text), e.location);
      }
      return static_cast<int>(it->second.target);
    }
  }
  auto bound = BindValue(*source, ps);
  if (!bound.ok()) {
    return bound.error();
  }
  // The same expression as an output column sorts by that column.
  std::string text = DeparseExpr(**bound, true);
  for (size_t i = 0; i < q.targets.size(); ++i) {
    if (DeparseExpr(*q.targets[i].expr, true) == text) return static_cast<int>(i);
  }
  if (select.distinct && select.distinct_on.empty()) {
    return ErrorAt(sqlstate::kInvalidColumnReference,
                   "for SELECT DISTINCT, ORDER BY expressions must appear in select list", e.location);
  }
  TargetEntry junk;
  junk.expr = std::move(*bound);
  junk.name = "?column?";
  junk.resjunk = true;
  q.targets.push_back(std::move(junk));
  return static_cast<int>(q.targets.size() - 1);
}

Result<Query> Analyzer::Analyze(const InsertStmt& insert) {
  Query q;
  q.kind = StatementKind::kInsert;
  q.statement = StatementKindName(StatementKind::kInsert);
  auto table_or = TargetTable(insert.table, "insert");
  if (!table_or.ok()) {
    return table_or.error();
  }
  const storage::TableDef& table = **table_or;
  ParseState ps;
  ps.query = &q;
  RangeTblEntry target;
  target.kind = RteKind::kRelation;
  target.table = table;
  target.refname = insert.table.alias.empty() ? table.name : insert.table.alias;  // INSERT INTO t AS a
  for (const storage::ColumnDef& c : table.columns) {
    target.colnames.push_back(c.name);
    target.coltypes.push_back(FromColumnType(c.type));
  }
  q.result_relation = AddRte(ps, std::move(target));
  q.tables.push_back(table.name);
  // Which table column each VALUES position fills.
  std::vector<int> target_cols;
  if (insert.columns.empty()) {
    for (size_t i = 0; i < table.columns.size(); ++i) {
      target_cols.push_back(static_cast<int>(i));
    }
  } else {
    for (const InsertColumn& col : insert.columns) {
      auto index = TargetColumn(table, col);
      if (!index.ok()) {
        return index.error();
      }
      if (std::find(target_cols.begin(), target_cols.end(), *index) != target_cols.end()) {
        return ErrorAt(sqlstate::kDuplicateColumn,
                       fmt::format("column \"{}\" specified more than once", col.name), col.location);
      }
      target_cols.push_back(*index);
    }
  }
  if (insert.select) {
    if (Status s = InsertSelect(insert, target_cols, ps); !s.ok()) {
      return s.error();
    }
  } else if (Status s = InsertValues(insert, target_cols, ps); !s.ok()) {
    return s.error();
  }
  if (insert.on_conflict) {
    if (Status s = TransformOnConflict(*insert.on_conflict, ps); !s.ok()) return s.error();
  }
  if (!insert.returning.empty()) {
    ps.ns.push_back(NamespaceItem{q.result_relation, true, true});  // RETURNING sees the table alone
    std::vector<const Expr*> new_row;
    for (size_t c = 0; c < table.columns.size(); ++c) new_row.push_back(q.targets[c].expr.get());
    if (Status s = TransformReturning(insert.returning, ps, &new_row); !s.ok()) {
      return s.error();
    }
  }
  return q;
}

Status Analyzer::InsertValues(const InsertStmt& insert, const std::vector<int>& target_cols, ParseState& ps) {
  Query& q = *ps.query;
  const storage::TableDef table = *q.rte(q.result_relation).table;  // a copy: AddRte may move the entries
  RangeTblEntry values_rte;
  values_rte.kind = RteKind::kValues;
  values_rte.refname = "*VALUES*";
  values_rte.colnames = q.rte(q.result_relation).colnames;
  values_rte.coltypes = q.rte(q.result_relation).coltypes;
  for (const auto& row : insert.rows) {
    if (Status s = CheckForInterrupts(); !s.ok()) {
      return s;
    }
    if (row.size() > target_cols.size()) {
      return ErrorAt(sqlstate::kSyntaxError, "INSERT has more expressions than target columns",
                     row[target_cols.size()]->location);
    }
    if (row.size() < target_cols.size() && !insert.columns.empty()) {
      return ErrorAt(sqlstate::kSyntaxError, "INSERT has more target columns than expressions",
                     insert.columns[row.size()].location);
    }
    std::vector<ExprPtr> values(table.columns.size());
    for (size_t i = 0; i < row.size(); ++i) {
      auto col = static_cast<size_t>(target_cols[i]);
      if (row[i]->kind == RawExprKind::kSetToDefault) {
        auto def = BindColumnDefault(table, static_cast<int>(col));
        if (!def.ok()) return def.error();
        values[col] = std::move(*def);
        continue;
      }
      ParseState none;
      none.query = &q;
      none.window_context = "VALUES";
      auto bound = Bind(*row[i], none);
      if (!bound.ok()) {
        return bound.error();
      }
      if (Status s = NoAggregates(**bound, "VALUES"); !s.ok()) {
        return s;
      }
      auto coerced = CoerceToColumn(std::move(*bound), table.columns[col], row[i]->location);
      if (!coerced.ok()) {
        return coerced.error();
      }
      values[col] = std::move(*coerced);
    }
    for (size_t c = 0; c < values.size(); ++c) {
      if (!values[c]) {
        auto def = BindColumnDefault(table, static_cast<int>(c));
        if (!def.ok()) return def.error();
        values[c] = std::move(*def);
      }
    }
    values_rte.values.push_back(std::move(values));
  }
  int rt = AddRte(ps, std::move(values_rte));
  auto node = std::make_unique<JoinTreeNode>();
  node->rtindex = rt;
  q.jointree.fromlist.push_back(std::move(node));
  for (size_t i = 0; i < table.columns.size(); ++i) {
    TargetEntry t;
    t.expr = VarFor(ps, rt, static_cast<int>(i), 0);
    t.name = table.columns[i].name;
    t.resno = static_cast<int>(i + 1);
    q.targets.push_back(std::move(t));
  }
  return OkStatus();
}

Result<std::vector<std::string>> Analyzer::RelOptionsOf(const std::vector<RelOption>& options) {
  // PostgreSQL's heap storage parameters that minipg does not keep.
  static constexpr std::string_view kOtherHeapOptions[] = {
      "toast_tuple_target", "parallel_workers", "vacuum_index_cleanup",
      "vacuum_truncate",    "user_catalog_table", "log_autovacuum_min_duration"};
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  for (const RelOption& o : options) {
    if (!seen.insert(o.name).second) {
      return MakeError(sqlstate::kInvalidParameterValue, fmt::format("parameter \"{}\" specified more than once", o.name));
    }
    if (o.name == "autovacuum_enabled") {  // read by the autovacuum worker
      std::string value = o.value.empty() ? "true" : o.value;
      static constexpr std::string_view kBools[] = {"true", "false", "on", "off", "yes", "no", "1", "0", "t", "f"};
      std::string lower = value;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      if (std::find(std::begin(kBools), std::end(kBools), lower) == std::end(kBools)) {
        return MakeError(sqlstate::kInvalidParameterValue,
                         fmt::format("invalid value for boolean option \"{}\": {}", o.name, value));
      }
      out.push_back(o.name + "=" + value);
      continue;
    }
    if (o.name != "fillfactor") {
      bool other = std::find(std::begin(kOtherHeapOptions), std::end(kOtherHeapOptions), o.name) !=
                       std::end(kOtherHeapOptions) || o.name.rfind("autovacuum_", 0) == 0;
      if (other) {
        return MakeError(sqlstate::kFeatureNotSupported,
                         fmt::format("storage parameter \"{}\" is not supported by minipg", o.name));
      }
      return MakeError(sqlstate::kInvalidParameterValue, fmt::format("unrecognized parameter \"{}\"", o.name));
    }
    std::string value = o.value.empty() ? "true" : o.value;  // a bare name is "true", as in PostgreSQL
    int64_t n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || end != value.data() + value.size()) {
      return MakeError(sqlstate::kInvalidParameterValue,
                       fmt::format("invalid value for integer option \"{}\": {}", o.name, value));
    }
    if (n < 10 || n > 100) {
      Error e = MakeError(sqlstate::kInvalidParameterValue,
                          fmt::format("value {} out of bounds for option \"{}\"", value, o.name));
      e.detail = "Valid values are between \"10\" and \"100\".";
      return e;
    }
    out.push_back(o.name + "=" + value);
  }
  return out;
}

Result<storage::ColumnDef> Analyzer::ColumnDefOf(const ColumnDefinition& col, bool serial_ok) {
  std::optional<TypeId> serial = SerialType(col.type.name);
  if (serial && !serial_ok) {
    return ErrorAt(sqlstate::kFeatureNotSupported,
                   fmt::format("{} columns are supported by minipg only in CREATE TABLE", col.type.name),
                   col.type.location);
  }
  auto type = serial ? serial : ResolveTypeName(col.type.name);
  if (!type) {
    return ErrorAt(sqlstate::kUndefinedObject, fmt::format("type \"{}\" does not exist", col.type.name),
                   col.type.location);
  }
  if (TypeCategory(*type) == 'P' || *type == TypeId::kUnknown) {  // no position, as PostgreSQL's
    return MakeError(sqlstate::kInvalidTableDefinition,
                     fmt::format("column \"{}\" has pseudo-type {}", col.name, TypeName(*type)));
  }
  auto typmod = TypmodFromModifiers(*type, col.type.modifiers);
  if (!typmod.ok()) {
    return At(typmod.error(), col.type.location);
  }
  return storage::ColumnDef{col.name, ToColumnType(*type), *typmod};
}

Result<Query> Analyzer::Analyze(const CreateTableStmt& create) {
  Query q;
  q.kind = StatementKind::kCreateTable;
  q.statement = StatementKindName(StatementKind::kCreateTable);
  q.create_name = create.table.name;
  q.if_not_exists = create.if_not_exists;
  q.tables.push_back(create.table.name);
  if (!create.unsupported.empty()) {
    return MakeError(sqlstate::kFeatureNotSupported,
                     fmt::format("{} are not supported by minipg", create.unsupported));
  }
  if (create.table.schema == "information_schema") {
    return ErrorAt(sqlstate::kFeatureNotSupported, "tables in schema information_schema are not supported by minipg",
                   create.table.location);
  }
  if (create.table.schema == "pg_catalog") {
    Error e = ErrorAt(sqlstate::kInsufficientPrivilege,
                      fmt::format("permission denied to create \"pg_catalog.{}\"", create.table.name),
                      create.table.location);
    e.detail = "System catalog modifications are currently disallowed.";
    return e;
  }
  if (catalog_.Find(create.table.name) != nullptr && !create.if_not_exists) {
    return MakeError(sqlstate::kDuplicateTable, fmt::format("relation \"{}\" already exists", create.table.name));
  }
  // The count first, as PostgreSQL's MergeAttributes does, before any
  // work per column.
  if (create.columns.size() > 1600) {
    return MakeError(sqlstate::kTooManyColumns, "tables can have at most 1600 columns");
  }
  std::unordered_set<std::string_view> names;  // a set, not a scan per column
  for (const ColumnDefinition& col : create.columns) {
    if (Status s = CheckForInterrupts(); !s.ok()) {
      return s.error();
    }
    if (!names.insert(col.name).second) {  // no position, as in PostgreSQL
      return MakeError(sqlstate::kDuplicateColumn, fmt::format("column \"{}\" specified more than once", col.name));
    }
    if (Status s = CheckNotSystemColumn(col.name); !s.ok()) return s.error();
    auto column = ColumnDefOf(col, true);
    if (!column.ok()) return column.error();
    q.create_columns.push_back(std::move(*column));
    if (std::optional<TypeId> serial = SerialType(col.type.name)) {
      AddSerialSequence(create.table.name, q.create_columns.back(), *serial, q);
    }
  }
  auto options = RelOptionsOf(create.options);
  if (!options.ok()) return options.error();
  q.create_reloptions = std::move(*options);
  if (catalog_.Find(create.table.name) != nullptr) return q;  // IF NOT EXISTS: nothing to make
  if (Status s = TransformConstraints(create, q); !s.ok()) return s.error();
  return q;
}

Result<Query> Analyzer::Analyze(const DropTableStmt& drop) {
  Query q;
  q.kind = StatementKind::kDropTable;
  q.statement = StatementKindName(StatementKind::kDropTable);
  q.if_exists = drop.if_exists;
  q.cascade = drop.cascade;
  for (const TableRef& ref : drop.tables) {
    q.tables.push_back(ref.name);
    if (ref.schema != "public" && catalog::FindSystemCatalog(ref.name) != nullptr) {
      return MakeError(sqlstate::kInsufficientPrivilege,
                       fmt::format("permission denied: \"{}\" is a system catalog", ref.name));
    }
    if (ref.schema == "pg_catalog" || catalog_.Find(ref.name) == nullptr) {  // user tables are in public
      if (drop.if_exists) {
        q.drop_missing.push_back(ref.name);
        continue;
      }
      // No position, as PostgreSQL's.
      return MakeError(sqlstate::kUndefinedTable, fmt::format("table \"{}\" does not exist", ref.name));
    }
    q.drop_names.push_back(ref.name);
  }
  return q;
}

Result<Query> Analyzer::Analyze(const TransactionStmt& txn) {
  Query q;
  q.kind = txn.kind;
  q.statement = txn.start ? "START TRANSACTION" : StatementKindName(txn.kind);
  return q;
}

Result<Query> Analyzer::Analyze(const SetStmt& set) {
  Query q;
  q.kind = StatementKind::kSet;
  q.statement = set.reset ? "RESET" : StatementKindName(StatementKind::kSet);
  q.setting = set.name;
  q.setting_value = set.value;
  return q;
}

Result<Query> Analyzer::Analyze(const ShowStmt& show) {
  Query q;
  q.kind = StatementKind::kShow;
  q.statement = StatementKindName(StatementKind::kShow);
  q.setting = show.name;
  return q;
}

Result<Query> Analyzer::Analyze(const CheckpointStmt&) {
  Query q;
  q.kind = StatementKind::kCheckpoint;
  q.statement = StatementKindName(StatementKind::kCheckpoint);
  return q;
}

Result<Query> Analyzer::Analyze(const VacuumStmt& v) {
  Query q = UtilityQuery(v.vacuum ? StatementKind::kVacuum : StatementKind::kAnalyze, v.vacuum ? "VACUUM" : "ANALYZE");
  q.gather_stats = v.analyze || !v.vacuum;
  q.vacuum_verbose = v.verbose;
  q.vacuum_freeze = v.freeze;
  for (const TableRef& ref : v.tables) {
    auto table = LookupTable(ref);
    if (!table.ok()) return table.error();
    q.tables.push_back((*table)->name);
  }
  return q;
}

Result<Query> Analyzer::Analyze(const UnsupportedStmt& stmt) {
  return MakeError(sqlstate::kFeatureNotSupported, fmt::format("{} is not supported by minipg", stmt.what));
}

}  // namespace analyzer_internal

Result<Query> Analyze(const Statement& stmt, const storage::CatalogSnapshot& catalog, const SessionContext* ctx) {
  analyzer_internal::Analyzer analyzer(catalog, nullptr, ctx);
  return analyzer.Run(stmt);
}

Result<Query> AnalyzeWithParams(const Statement& stmt, const storage::CatalogSnapshot& catalog,
                                std::vector<TypeId>& param_types, const SessionContext* ctx) {
  analyzer_internal::Analyzer analyzer(catalog, &param_types, ctx);
  auto query = analyzer.Run(stmt);
  if (!query.ok()) {
    return query;
  }
  for (size_t i = 0; i < param_types.size(); ++i) {
    if (param_types[i] == TypeId::kUnknown) {
      return MakeError(sqlstate::kIndeterminateDatatype,
                       fmt::format("could not determine data type of parameter ${}", i + 1));
    }
  }
  return query;
}

}  // namespace minipg::sql
