/*-------------------------------------------------------------------------
 * analyze_seqview.cpp
 *   CREATE SEQUENCE (the options checked and defaulted as PostgreSQL's
 *   init_params does), serial columns, CREATE [OR REPLACE] VIEW, DROP
 *   SEQUENCE / DROP VIEW, a view named in FROM expanded into the
 *   subquery it stands for, and CREATE TABLE ... AS (SELECT ... INTO):
 *   its SELECT analyzed, the new table's columns what the SELECT yields.
 *-------------------------------------------------------------------------
 */
#include <algorithm>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "engine/sql/analyzer.h"
#include "engine/sql/analyzer_impl.h"
#include "engine/sql/parser.h"

namespace minipg::sql::analyzer_internal {

namespace {

/* A sequence type's pg_type OID, name and range. */
struct SeqType {
  uint32_t oid;
  const char* name;
  int64_t min, max;
};

std::optional<SeqType> SequenceType(TypeId type) {
  switch (type) {
    case TypeId::kInt2: return SeqType{21, "smallint", std::numeric_limits<int16_t>::min(), std::numeric_limits<int16_t>::max()};
    case TypeId::kInt4: return SeqType{23, "integer", std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    case TypeId::kInt8: return SeqType{20, "bigint", std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
    default: return std::nullopt;
  }
}

Error Invalid(std::string message) { return MakeError(sqlstate::kInvalidParameterValue, std::move(message)); }

/* PostgreSQL's init_params for a new sequence. */
Status ResolveSequence(const CreateSequenceStmt& s, TypeId type, SequenceCommand& out) {
  auto t = SequenceType(type);
  if (!t) return Invalid("sequence type must be smallint, integer, or bigint");
  out.type = t->oid;
  out.increment = s.increment.value_or(1);
  if (out.increment == 0) return Invalid("INCREMENT must not be zero");
  out.max = s.max ? *s.max : (out.increment > 0 ? t->max : -1);
  out.min = s.min ? *s.min : (out.increment > 0 ? 1 : t->min);
  if (out.max < t->min || out.max > t->max) {
    return Invalid(fmt::format("MAXVALUE ({}) is out of range for sequence data type {}", out.max, t->name));
  }
  if (out.min < t->min || out.min > t->max) {
    return Invalid(fmt::format("MINVALUE ({}) is out of range for sequence data type {}", out.min, t->name));
  }
  if (out.min >= out.max) {
    return Invalid(fmt::format("MINVALUE ({}) must be less than MAXVALUE ({})", out.min, out.max));
  }
  out.start = s.start ? *s.start : (out.increment > 0 ? out.min : out.max);
  if (out.start < out.min) {
    return Invalid(fmt::format("START value ({}) cannot be less than MINVALUE ({})", out.start, out.min));
  }
  if (out.start > out.max) {
    return Invalid(fmt::format("START value ({}) cannot be greater than MAXVALUE ({})", out.start, out.max));
  }
  out.cache = s.cache.value_or(1);
  if (out.cache <= 0) return Invalid(fmt::format("CACHE ({}) must be greater than zero", out.cache));
  out.cycle = s.cycle;
  return OkStatus();
}

/* The relations a query reads (its subqueries' too), for pg_depend. */
void CollectReads(const Query& q, std::vector<uint32_t>& out) {
  for (const RangeTblEntry& rte : q.rtable) {
    if (rte.kind == RteKind::kRelation && rte.table && rte.view == nullptr && rte.table->oid >= storage::kFirstTableOid) {
      if (std::find(out.begin(), out.end(), rte.table->oid) == out.end()) out.push_back(rte.table->oid);
    }
    if (rte.subquery) CollectReads(*rte.subquery, out);
  }
}

/* An output column's typmod: a column's (numeric(10,2)) through Vars of
 * tables and subqueries, else the expression's own. */
int32_t OutputTypmod(const Query& q, const Expr& e) {
  if (e.kind != ExprKind::kVar || e.levels_up != 0 || e.rtindex < 1 ||
      static_cast<size_t>(e.rtindex) > q.rtable.size()) {
    return e.typmod;
  }
  const RangeTblEntry& rte = q.rte(e.rtindex);
  auto attno = static_cast<size_t>(e.attno);
  if (rte.kind == RteKind::kRelation && rte.table && attno < rte.table->columns.size()) {
    return rte.table->columns[attno].typmod;
  }
  if (rte.kind == RteKind::kSubquery && rte.subquery) {
    size_t n = 0;
    for (const TargetEntry& t : rte.subquery->targets) {
      if (t.resjunk) continue;
      if (n++ == attno) return OutputTypmod(*rte.subquery, *t.expr);
    }
  }
  return e.typmod;
}

/* The columns a query's output makes (CREATE VIEW, CREATE TABLE AS):
 * named as `names` says for the first ones, an unknown literal's type
 * text, as PostgreSQL resolves it. `too_many`: the 42601 message for more
 * names than columns. */
Result<std::vector<storage::ColumnDef>> OutputColumnDefs(const Query& sub, const std::vector<InsertColumn>& names,
                                                         const char* too_many) {
  std::vector<const TargetEntry*> outputs;
  for (const TargetEntry& t : sub.targets) {
    if (!t.resjunk) outputs.push_back(&t);
  }
  if (names.size() > outputs.size()) return MakeError(sqlstate::kSyntaxError, too_many);
  std::vector<storage::ColumnDef> out;
  std::set<std::string> seen;
  for (size_t i = 0; i < outputs.size(); ++i) {
    storage::ColumnDef col;
    col.name = i < names.size() ? names[i].name : outputs[i]->name;
    TypeId type = outputs[i]->expr->type == TypeId::kUnknown ? TypeId::kText : outputs[i]->expr->type;
    col.type = ToColumnType(type);
    col.typmod = OutputTypmod(sub, *outputs[i]->expr);
    if (!seen.insert(col.name).second) {
      return MakeError(sqlstate::kDuplicateColumn, fmt::format("column \"{}\" specified more than once", col.name));
    }
    out.push_back(std::move(col));
  }
  return out;
}

}  // namespace

Result<Query> Analyzer::Analyze(const CreateTableAsStmt& as) {
  if (as.table.schema == "information_schema") {
    return ErrorAt(sqlstate::kFeatureNotSupported, "tables in schema information_schema are not supported by minipg",
                   as.table.location);
  }
  if (as.table.schema == "pg_catalog") {
    Error e = ErrorAt(sqlstate::kInsufficientPrivilege,
                      fmt::format("permission denied to create \"pg_catalog.{}\"", as.table.name), as.table.location);
    e.detail = "System catalog modifications are currently disallowed.";
    return e;
  }
  auto q = Analyze(*as.query);
  if (!q.ok()) return q.error();
  auto columns = OutputColumnDefs(*q, as.columns, "too many column names were specified");
  if (!columns.ok()) return columns.error();
  std::vector<ColumnDesc> outputs = q->OutputColumns();
  size_t i_target = 0;
  for (const TargetEntry& t : q->targets) {  // a table's row type as a column's
    if (t.resjunk) continue;
    if (t.expr->kind == ExprKind::kRow && !t.expr->relname.empty()) {
      return MakeError(sqlstate::kFeatureNotSupported,
                       fmt::format("column \"{}\" of a table's row type is not supported by minipg",
                                   (*columns)[i_target].name));
    }
    ++i_target;
  }
  for (size_t i = 0; i < columns->size(); ++i) {
    const storage::ColumnDef& col = (*columns)[i];
    TypeId type = FromColumnType(col.type);
    TypeId wanted = outputs.at(i).type;
    if (TypeCategory(wanted) == 'P') {
      return MakeError(sqlstate::kInvalidTableDefinition,
                       fmt::format("column \"{}\" has pseudo-type {}", col.name, TypeName(wanted)));
    }
    if ((type != wanted && wanted != TypeId::kUnknown) || wanted == TypeId::kInet) {
      return MakeError(sqlstate::kFeatureNotSupported,
                       fmt::format("a table column of type {} is not supported by minipg", TypeName(wanted)));
    }
  }
  if (columns->size() > 1600) return MakeError(sqlstate::kTooManyColumns, "tables can have at most 1600 columns");
  if (columns->empty()) {  // minipg's tuples need a column (as DROP COLUMN of the last one)
    return MakeError(sqlstate::kFeatureNotSupported, "a table of no columns is not supported by minipg");
  }
  q->create_as = as.select_into ? 'i' : as.with_data ? 'd' : 'n';
  q->create_name = as.table.name;
  q->create_columns = std::move(*columns);
  q->if_not_exists = as.if_not_exists;
  return q;
}

std::optional<TypeId> Analyzer::SerialType(const std::string& name) {
  if (name == "serial" || name == "serial4") return TypeId::kInt4;
  if (name == "bigserial" || name == "serial8") return TypeId::kInt8;
  if (name == "smallserial" || name == "serial2") return TypeId::kInt2;
  return std::nullopt;
}

void Analyzer::AddSerialSequence(const std::string& table, storage::ColumnDef& column, TypeId type, Query& q) {
  std::set<std::string> taken;
  for (const storage::TableDef& t : catalog_.tables) {
    taken.insert(t.name);
    for (const storage::IndexDef& i : t.indexes) taken.insert(i.name);
  }
  taken.insert(table);
  for (const SequenceCommand& s : q.create_sequences) taken.insert(s.name);
  SequenceCommand seq;
  CreateSequenceStmt defaults;
  (void)ResolveSequence(defaults, type, seq);  // the defaults of its type always resolve
  std::string base = table + "_" + column.name;
  seq.name = base + "_seq";
  for (int n = 1; taken.count(seq.name) != 0; ++n) seq.name = base + "_seq" + std::to_string(n);
  seq.owned_table = table;
  seq.owned_column = column.name;
  column.default_expr = fmt::format("nextval('{}'::regclass)", seq.name);
  column.not_null = true;
  q.create_sequences.push_back(std::move(seq));
}

Result<Query> Analyzer::Analyze(const CreateSequenceStmt& s) {
  Query q = UtilityQuery(StatementKind::kCreateSequence, StatementKindName(StatementKind::kCreateSequence));
  q.create_name = s.name.name;
  q.if_not_exists = s.if_not_exists;
  TypeId type = TypeId::kInt8;
  if (s.as) {
    auto resolved = ResolveTypeName(s.as->name);
    if (!resolved) {
      return ErrorAt(sqlstate::kUndefinedObject, fmt::format("type \"{}\" does not exist", s.as->name), s.as->location);
    }
    type = *resolved;
  }
  SequenceCommand seq;
  seq.name = s.name.name;
  if (Status st = ResolveSequence(s, type, seq); !st.ok()) return st.error();
  if (!s.owned_by.empty()) {
    if (s.owned_by.size() < 2) {
      Error e = MakeError(sqlstate::kInvalidParameterValue, "invalid OWNED BY option");
      e.hint = "Specify OWNED BY table.column or OWNED BY NONE.";
      return e;
    }
    const std::string& table = s.owned_by[s.owned_by.size() - 2];
    const std::string& column = s.owned_by.back();
    const storage::TableDef* t = catalog_.Find(table);
    if (t == nullptr) return MakeError(sqlstate::kUndefinedTable, fmt::format("relation \"{}\" does not exist", table));
    if (std::none_of(t->columns.begin(), t->columns.end(), [&](const storage::ColumnDef& c) { return c.name == column; })) {
      return MakeError(sqlstate::kUndefinedColumn,
                       fmt::format("column \"{}\" of relation \"{}\" does not exist", column, table));
    }
    seq.owned_table = table;
    seq.owned_column = column;
  }
  q.create_sequences.push_back(std::move(seq));
  return q;
}

Result<Query> Analyzer::Analyze(const CreateViewStmt& v) {
  Query q = UtilityQuery(StatementKind::kCreateView, StatementKindName(StatementKind::kCreateView));
  q.create_name = v.name.name;
  q.view_replace = v.replace;
  q.view_query = v.query_text;
  Analyzer inner(catalog_, nullptr, ctx_);
  auto sub = inner.Analyze(*v.query);
  if (!sub.ok()) return sub.error();
  auto columns = OutputColumnDefs(*sub, v.columns, "CREATE VIEW specifies more column names than columns");
  if (!columns.ok()) return columns.error();
  q.create_columns = std::move(*columns);
  if (v.replace) {
    // OR REPLACE keeps the old columns' names and types (new ones may follow).
    if (const storage::TableDef* old = catalog_.Find(v.name.name); old != nullptr && old->kind == 'v') {
      if (old->columns.size() > q.create_columns.size()) {
        return MakeError(sqlstate::kInvalidTableDefinition, "cannot drop columns from view");
      }
      for (size_t i = 0; i < old->columns.size(); ++i) {
        if (old->columns[i].name != q.create_columns[i].name) {
          Error e = MakeError(sqlstate::kInvalidTableDefinition,
                              fmt::format("cannot change name of view column \"{}\" to \"{}\"", old->columns[i].name,
                                          q.create_columns[i].name));
          e.hint = "Use ALTER VIEW ... RENAME COLUMN ... to change name of view column instead.";
          return e;
        }
        if (old->columns[i].type != q.create_columns[i].type) {
          return MakeError(sqlstate::kInvalidTableDefinition,
                           fmt::format("cannot change data type of view column \"{}\" from {} to {}",
                                       old->columns[i].name, TypeName(FromColumnType(old->columns[i].type)),
                                       TypeName(FromColumnType(q.create_columns[i].type))));
        }
      }
    }
  }
  CollectReads(*sub, q.view_reads);
  q.tables = sub->tables;
  return q;
}

Result<Query> Analyzer::Analyze(const DropRelationStmt& drop) {
  Query q = UtilityQuery(drop.kind, StatementKindName(drop.kind));
  q.if_exists = drop.if_exists;
  if (drop.cascade) {
    return MakeError(sqlstate::kFeatureNotSupported, fmt::format("{} ... CASCADE is not supported by minipg", q.statement));
  }
  bool view = drop.kind == StatementKind::kDropView;
  for (const TableRef& ref : drop.names) {
    if (IsSystemSchema(ref.schema) || catalog_.Find(ref.name) == nullptr) {
      if (drop.if_exists) {
        q.drop_missing.push_back(ref.name);
        continue;
      }
      return MakeError(sqlstate::kUndefinedTable,
                       fmt::format("{} \"{}\" does not exist", view ? "view" : "sequence", ref.name));
    }
    q.drop_names.push_back(ref.name);
  }
  return q;
}

Result<RangeTblEntry> Analyzer::ExpandView(const storage::TableDef& view) {
  if (std::find(expanding_views_.begin(), expanding_views_.end(), view.oid) != expanding_views_.end()) {
    return MakeError(sqlstate::kInvalidObjectDefinition,
                     fmt::format("infinite recursion detected in rules for relation \"{}\"", view.name));
  }
  auto stmts = ParseSql(view.view_query);
  if (!stmts.ok()) return stmts.error();
  auto* select = stmts->size() == 1 ? std::get_if<SelectStmt>(&(*stmts)[0]->node) : nullptr;
  if (select == nullptr) {
    return MakeError(sqlstate::kInternalError, fmt::format("the query of view \"{}\" does not parse", view.name));
  }
  Analyzer inner(catalog_, nullptr, ctx_);
  inner.expanding_views_ = expanding_views_;
  inner.expanding_views_.push_back(view.oid);
  auto sub = inner.Analyze(*select);
  if (!sub.ok()) return sub.error();
  RangeTblEntry rte;
  rte.kind = RteKind::kSubquery;
  rte.refname = view.name;
  size_t i = 0;
  for (const TargetEntry& t : sub->targets) {
    if (t.resjunk) continue;
    rte.colnames.push_back(i < view.columns.size() ? view.columns[i].name : t.name);
    rte.coltypes.push_back(t.expr->type);
    ++i;
  }
  rte.subquery = std::make_unique<Query>(std::move(*sub));
  return rte;
}

}  // namespace minipg::sql::analyzer_internal
