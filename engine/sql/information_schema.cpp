/*-------------------------------------------------------------------------
 * information_schema.cpp
 *   The SQL standard's information_schema.tables and .columns, which
 *   drivers and GUI tools read to list tables and their columns, as
 *   system views (system_views.h) of schema information_schema, with
 *   PostgreSQL 15's columns in its order.
 *
 *     tables   one row per relation: the database's tables and views
 *              (schema public), the system catalogs (pg_catalog, BASE
 *              TABLE), the system views (pg_catalog, VIEW) and these two
 *              (information_schema, VIEW)
 *     columns  one row per column of each of them, with its type as the
 *              standard names it (data_type: "integer", "character
 *              varying", "ARRAY"), its length, precision and scale, its
 *              default and whether it may be NULL
 *
 * NOTES
 *   PostgreSQL's columns are of the domains sql_identifier (over name),
 *   character_data and yes_or_no (over varchar) and cardinal_number (over
 *   integer); here they are name, text and integer. A view is not
 *   insertable (is_insertable_into NO): minipg does not update a simple
 *   view's table as PostgreSQL does.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/information_schema.h"

#include <string>
#include <vector>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/relcache.h"
#include "engine/catalog/system_catalog.h"
#include "engine/sql/types.h"

namespace minipg::sql {
namespace {

using storage::ColumnDef;
using storage::ColumnType;
using storage::Datum;
using storage::TableDef;
using storage::Tuple;
using Rows = Result<std::vector<Tuple>>;

constexpr uint32_t kTablesOid = 13425;   // PostgreSQL 15's
constexpr uint32_t kColumnsOid = 13295;  // PostgreSQL 15's

/* A relation these views list, with its schema and kind. */
struct Listed {
  const char* schema;
  const TableDef* def;
  bool view;
};

const std::vector<SystemView>& Views();

/* Every relation, in the order the views list them: the database's, the
 * catalogs, the system views, then information_schema's own. */
Result<std::vector<Listed>> ListRelations(const SessionContext& ctx, storage::CatalogSnapshot& tables) {
  auto snapshot = catalog::RelcacheTables(catalog::DatabaseOidOf(ctx.data_dir));
  if (!snapshot.ok()) return snapshot.error();
  tables = std::move(*snapshot);
  std::vector<Listed> out;
  for (const TableDef& t : tables.tables) {
    if (t.kind == 'r' || t.kind == 'v') out.push_back({"public", &t, t.kind == 'v'});
  }
  for (const catalog::SystemCatalog* c : catalog::SystemCatalogs()) {
    if (const TableDef* def = catalog::FindSystemCatalogTable(c->name)) out.push_back({"pg_catalog", def, false});
  }
  for (const SystemView* v : AllSystemViews()) {
    if (v->extension == nullptr && !v->set_returning_function) out.push_back({"pg_catalog", &v->def, true});
  }
  for (const SystemView& v : Views()) out.push_back({"information_schema", &v.def, true});
  return out;
}

Datum Null() { return std::monostate{}; }
Datum Text(std::string s) { return Datum(std::move(s)); }
Datum Int(int64_t v) { return Datum(v); }
Datum YesNo(bool yes) { return Text(yes ? "YES" : "NO"); }

Rows TablesRows(const SessionContext& ctx) {
  storage::CatalogSnapshot tables;
  auto listed = ListRelations(ctx, tables);
  if (!listed.ok()) return listed.error();
  std::vector<Tuple> rows;
  for (const Listed& l : *listed) {
    rows.push_back({
        Text(ctx.database),                         // table_catalog
        Text(l.schema),                             // table_schema
        Text(l.def->name),                          // table_name
        Text(l.view ? "VIEW" : "BASE TABLE"),       // table_type
        Null(), Null(), Null(), Null(), Null(),     // self_referencing_column_name .. user_defined_type_name
        YesNo(!l.view),                             // is_insertable_into
        YesNo(false),                               // is_typed
        Null(),                                     // commit_action (temporary tables only)
    });
  }
  return rows;
}

/* The precision columns of a type: numeric_precision, its radix and
 * numeric_scale, and datetime_precision (PostgreSQL's _pg_numeric_*). */
void PrecisionColumns(TypeId type, int32_t typmod, Tuple& row) {
  auto binary = [&](int64_t bits) {
    row.push_back(Int(bits));
    row.push_back(Int(2));
    row.push_back(type == TypeId::kFloat4 || type == TypeId::kFloat8 ? Null() : Int(0));
    row.push_back(Null());
  };
  switch (type) {
    case TypeId::kInt2: return binary(16);
    case TypeId::kInt4: return binary(32);
    case TypeId::kInt8: return binary(64);
    case TypeId::kFloat4: return binary(24);
    case TypeId::kFloat8: return binary(53);
    case TypeId::kNumeric:
      row.push_back(typmod >= 4 ? Int(((typmod - 4) >> 16) & 0xffff) : Null());
      row.push_back(Int(10));
      row.push_back(typmod >= 4 ? Int((typmod - 4) & 0xffff) : Null());
      row.push_back(Null());
      return;
    case TypeId::kDate:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kInterval:
      row.push_back(Null());
      row.push_back(Null());
      row.push_back(Null());
      row.push_back(Int(type == TypeId::kDate ? 0 : typmod >= 0 ? typmod & 0xffff : 6));
      return;
    default:
      for (int i = 0; i < 4; ++i) row.push_back(Null());
  }
}

Tuple ColumnRow(const SessionContext& ctx, const Listed& l, const ColumnDef& c, int position) {
  TypeId type = FromColumnType(c.type);
  bool array = storage::IsArrayColumnType(c.type);
  bool character = type == TypeId::kVarchar || type == TypeId::kBpchar || type == TypeId::kText;
  Tuple row;
  row.push_back(Text(ctx.database));                                         // table_catalog
  row.push_back(Text(l.schema));                                             // table_schema
  row.push_back(Text(l.def->name));                                          // table_name
  row.push_back(Text(c.name));                                               // column_name
  row.push_back(Int(position));                                              // ordinal_position
  row.push_back(c.default_expr.empty() ? Null() : Text(c.default_expr));     // column_default
  row.push_back(YesNo(!c.not_null));                                         // is_nullable
  row.push_back(Text(array ? "ARRAY" : TypeName(type)));                    // data_type
  bool limited = (type == TypeId::kVarchar || type == TypeId::kBpchar) && c.typmod >= 4;
  row.push_back(limited ? Int(c.typmod - 4) : Null());                       // character_maximum_length
  row.push_back(limited ? Int(4 * (c.typmod - 4)) : character ? Int(1073741824) : Null());  // character_octet_length
  PrecisionColumns(type, c.typmod, row);  // numeric_precision, _radix, numeric_scale, datetime_precision
  row.push_back(Null());                                                     // interval_type
  row.push_back(Null());                                                     // interval_precision
  for (int i = 0; i < 6; ++i) row.push_back(Null());  // character_set_* and collation_* (the default collation)
  for (int i = 0; i < 3; ++i) row.push_back(Null());  // domain_catalog, domain_schema, domain_name
  row.push_back(Text(ctx.database));                                         // udt_catalog
  row.push_back(Text("pg_catalog"));                                         // udt_schema
  row.push_back(Text(TypeInternalName(type)));                               // udt_name
  for (int i = 0; i < 4; ++i) row.push_back(Null());  // scope_catalog, scope_schema, scope_name, maximum_cardinality
  row.push_back(Text(std::to_string(position)));                             // dtd_identifier
  row.push_back(YesNo(false));                                               // is_self_referencing
  row.push_back(YesNo(false));                                               // is_identity
  for (int i = 0; i < 5; ++i) row.push_back(Null());  // identity_generation .. identity_minimum
  row.push_back(YesNo(false));                                               // identity_cycle
  row.push_back(Text("NEVER"));                                              // is_generated
  row.push_back(Null());                                                     // generation_expression
  row.push_back(YesNo(!l.view));                                             // is_updatable
  return row;
}

Rows ColumnsRows(const SessionContext& ctx) {
  storage::CatalogSnapshot tables;
  auto listed = ListRelations(ctx, tables);
  if (!listed.ok()) return listed.error();
  std::vector<Tuple> rows;
  for (const Listed& l : *listed) {
    int position = 0;
    for (const ColumnDef& c : l.def->columns) rows.push_back(ColumnRow(ctx, l, c, ++position));
  }
  return rows;
}

ColumnDef Name(const char* n) { return {n, ColumnType::kName}; }
ColumnDef Txt(const char* n) { return {n, ColumnType::kText}; }
ColumnDef Card(const char* n) { return {n, ColumnType::kInt4}; }

const std::vector<SystemView>& Views() {
  static const std::vector<SystemView> views = {
      {{kTablesOid,
        "tables",
        0,
        {Name("table_catalog"), Name("table_schema"), Name("table_name"), Txt("table_type"),
         Name("self_referencing_column_name"), Txt("reference_generation"), Name("user_defined_type_catalog"),
         Name("user_defined_type_schema"), Name("user_defined_type_name"), Txt("is_insertable_into"),
         Txt("is_typed"), Txt("commit_action")}},
       "information_schema.tables",
       TablesRows},
      {{kColumnsOid,
        "columns",
        0,
        {Name("table_catalog"), Name("table_schema"), Name("table_name"), Name("column_name"),
         Card("ordinal_position"), Txt("column_default"), Txt("is_nullable"), Txt("data_type"),
         Card("character_maximum_length"), Card("character_octet_length"), Card("numeric_precision"),
         Card("numeric_precision_radix"), Card("numeric_scale"), Card("datetime_precision"), Txt("interval_type"),
         Card("interval_precision"), Name("character_set_catalog"), Name("character_set_schema"),
         Name("character_set_name"), Name("collation_catalog"), Name("collation_schema"), Name("collation_name"),
         Name("domain_catalog"), Name("domain_schema"), Name("domain_name"), Name("udt_catalog"),
         Name("udt_schema"), Name("udt_name"), Name("scope_catalog"), Name("scope_schema"), Name("scope_name"),
         Card("maximum_cardinality"), Name("dtd_identifier"), Txt("is_self_referencing"), Txt("is_identity"),
         Txt("identity_generation"), Txt("identity_start"), Txt("identity_increment"), Txt("identity_maximum"),
         Txt("identity_minimum"), Txt("identity_cycle"), Txt("is_generated"), Txt("generation_expression"),
         Txt("is_updatable")}},
       "information_schema.columns",
       ColumnsRows},
  };
  return views;
}

}  // namespace

const std::vector<SystemView>& InformationSchemaViews() { return Views(); }

const SystemView* FindInformationSchemaView(std::string_view name) {
  for (const SystemView& v : Views()) {
    if (v.def.name == name) return &v;
  }
  return nullptr;
}

}  // namespace minipg::sql
