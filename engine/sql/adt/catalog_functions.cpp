/*-------------------------------------------------------------------------
 * catalog_functions.cpp
 *   The catalog functions clients call (catalog_functions.h): visibility,
 *   deparsing of indexes, constraints and types, comments, arrays, and the
 *   reg* types' name lookups.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/adt/catalog_functions.h"

#include <cctype>
#include <cstring>
#include <regex>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/client_catalogs.h"
#include "engine/common/sqlstate.h"
#include "engine/shmem/pgstat.h"
#include "engine/sql/adt/catalog_types.h"
#include "engine/sql/system_views.h"
#include "engine/sql/types.h"

namespace minipg::sql {

namespace {

using catalog::CatalogRow;
using storage::ArrayValue;
using storage::Datum;
using storage::Oid;
using storage::Tuple;

/* ---- reading the catalogs ------------------------------------------------ */

/* The rows of catalog `cat` in database `db`, visible to this transaction. */
Result<std::vector<CatalogRow>> Rows(Oid db, Oid cat) {
  const catalog::SystemCatalog* c = catalog::FindSystemCatalogByOid(cat);
  if (c == nullptr) return std::vector<CatalogRow>{};
  return catalog::CatalogScan(*c, db);
}

int64_t Int(const Tuple& row, size_t col) {
  const int64_t* v = std::get_if<int64_t>(&row[col]);
  return v != nullptr ? *v : 0;
}

std::string Text(const Tuple& row, size_t col) {
  const std::string* v = std::get_if<std::string>(&row[col]);
  return v != nullptr ? *v : std::string();
}

/* The row of `cat` whose column `col` is `value`, nullopt if none. */
Result<std::optional<Tuple>> FindRow(Oid db, Oid cat, size_t col, int64_t value) {
  auto rows = Rows(db, cat);
  if (!rows.ok()) return rows.error();
  for (CatalogRow& r : *rows) {
    if (Int(r.values, col) == value) return std::optional<Tuple>(std::move(r.values));
  }
  return std::optional<Tuple>();
}

Oid DatabaseOf(const FunctionCall& call) { return catalog::DatabaseOidOf(call.ctx.data_dir); }

/* The schemas a name is looked up in, in order (minipg's search path). */
constexpr Oid kSearchPath[] = {catalog::kPgCatalogNamespace, catalog::kPublicNamespace};

/* An identifier as PostgreSQL's quote_identifier prints it: bare when it
 * is lower-case letters, digits and underscores not starting with a digit. */
std::string QuoteIdent(std::string_view name) {
  bool safe = !name.empty() && (std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char c : name) {
    safe = safe && (std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_');
  }
  if (safe) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

Result<std::string> NamespaceName(Oid db, int64_t nsp) {
  auto row = FindRow(db, catalog::kNamespaceRelationId, catalog::pg_namespace::kOid, nsp);
  if (!row.ok()) return row.error();
  return *row ? Text(**row, catalog::pg_namespace::kNspname) : std::to_string(nsp);
}

/* Whether the object called `name` in schema `nsp` is the one a bare name
 * finds: its schema is on the path and no earlier schema has the name.
 * `name_col` / `nsp_col` are the catalog's name and schema columns. */
Result<bool> IsVisible(const std::vector<CatalogRow>& rows, const std::string& name, int64_t nsp, size_t name_col,
                       size_t nsp_col) {
  for (Oid path_nsp : kSearchPath) {
    if (path_nsp == nsp) return true;
    for (const CatalogRow& r : rows) {
      if (Int(r.values, nsp_col) == path_nsp && Text(r.values, name_col) == name) return false;
    }
  }
  return false;
}

/* A relation's name as regclass prints it: qualified when not visible (or
 * always). nullopt if there is no such relation. */
Result<std::optional<std::string>> RelationName(Oid db, int64_t relid, bool always_qualify = false) {
  namespace c = catalog::pg_class;
  auto rows = Rows(db, catalog::kRelationRelationId);
  if (!rows.ok()) return rows.error();
  for (const CatalogRow& r : *rows) {
    if (Int(r.values, c::kOid) != relid) continue;
    std::string name = Text(r.values, c::kRelname);
    int64_t nsp = Int(r.values, c::kRelnamespace);
    auto visible = IsVisible(*rows, name, nsp, c::kRelname, c::kRelnamespace);
    if (!visible.ok()) return visible.error();
    if (*visible && !always_qualify) return std::optional<std::string>(QuoteIdent(name));
    auto nsp_name = NamespaceName(db, nsp);
    if (!nsp_name.ok()) return nsp_name.error();
    return std::optional<std::string>(QuoteIdent(*nsp_name) + "." + QuoteIdent(name));
  }
  return std::optional<std::string>();
}

/* The names of relation `relid`'s columns, by attnum (index 0 unused). */
Result<std::vector<std::string>> ColumnNames(Oid db, int64_t relid) {
  namespace a = catalog::pg_attribute;
  auto rows = Rows(db, catalog::kAttributeRelationId);
  if (!rows.ok()) return rows.error();
  std::vector<std::string> names(1);
  for (const CatalogRow& r : *rows) {
    if (Int(r.values, a::kAttrelid) != relid) continue;
    auto attnum = static_cast<size_t>(std::max<int64_t>(0, Int(r.values, a::kAttnum)));
    if (attnum >= names.size()) names.resize(attnum + 1);
    names[attnum] = Text(r.values, a::kAttname);
  }
  return names;
}

std::vector<int64_t> ArrayInts(const Datum& d) {
  std::vector<int64_t> out;
  if (const ArrayValue* a = std::get_if<ArrayValue>(&d); a != nullptr && a->data) {
    for (const Datum& e : a->data->elements) out.push_back(std::holds_alternative<int64_t>(e) ? std::get<int64_t>(e) : 0);
  }
  return out;
}

/* "(a, b)" of the columns `attnums` of a relation. */
std::string ColumnList(const std::vector<std::string>& names, const std::vector<int64_t>& attnums) {
  std::string out = "(";
  for (size_t i = 0; i < attnums.size(); ++i) {
    if (i > 0) out += ", ";
    auto n = static_cast<size_t>(attnums[i]);
    out += n < names.size() ? QuoteIdent(names[n]) : std::to_string(attnums[i]);
  }
  return out + ")";
}

/* ---- format_type ---------------------------------------------------------- */

struct BuiltinTypeName {
  uint32_t oid;
  const char* name;
};
// format_type's names of the built-in types (and their arrays: name + "[]").
constexpr BuiltinTypeName kTypeNames[] = {
    {16, "boolean"}, {17, "bytea"}, {18, "\"char\""}, {19, "name"}, {20, "bigint"}, {21, "smallint"},
    {22, "int2vector"}, {23, "integer"}, {24, "regproc"}, {25, "text"}, {26, "oid"}, {28, "xid"},
    {30, "oidvector"}, {194, "pg_node_tree"}, {700, "real"}, {701, "double precision"}, {705, "unknown"}, {869, "inet"},
    {1033, "aclitem"}, {1042, "character"}, {1043, "character varying"}, {1082, "date"},
    {1083, "time without time zone"}, {1114, "timestamp without time zone"},
    {1184, "timestamp with time zone"}, {1186, "interval"}, {1700, "numeric"}, {2205, "regclass"},
    {2206, "regtype"}, {2276, "\"any\""}, {2277, "anyarray"}, {2278, "void"}, {2283, "anyelement"},
    {4089, "regnamespace"}};
struct ArrayTypeOid {
  uint32_t array;
  uint32_t element;
};
constexpr ArrayTypeOid kArrayTypes[] = {
    {1000, 16}, {1002, 18}, {1003, 19}, {1016, 20}, {1005, 21}, {1006, 22}, {1007, 23}, {1008, 24},
    {1009, 25}, {1028, 26}, {1011, 28}, {1013, 30}, {1021, 700}, {1022, 701}, {1041, 869}, {1034, 1033},
    {1014, 1042}, {1015, 1043}, {1182, 1082}, {1183, 1083}, {1115, 1114}, {1185, 1184}, {1187, 1186},
    {1231, 1700}, {2210, 2205}, {2211, 2206}};

/* The modifier part of a type name: "(40)", "(10,2)", "" (typmod -1). */
std::string TypmodText(uint32_t oid, int32_t typmod) {
  if (typmod < 0) return "";
  switch (oid) {
    case 1042:
    case 1043:
      return fmt::format("({})", typmod - 4);
    case 1700:
      return fmt::format("({},{})", ((typmod - 4) >> 16) & 0xffff, (typmod - 4) & 0xffff);
    case 1083:
    case 1114:
    case 1184:
      return fmt::format("({})", typmod);
    default:
      return "";
  }
}

}  // namespace

std::optional<std::string> FormatBuiltinType(uint32_t type_oid, int32_t typmod) {
  for (const ArrayTypeOid& a : kArrayTypes) {
    if (a.array == type_oid) {
      std::optional<std::string> element = FormatBuiltinType(a.element, typmod);
      return element ? std::optional<std::string>(*element + "[]") : std::nullopt;
    }
  }
  for (const BuiltinTypeName& t : kTypeNames) {
    if (t.oid != type_oid) continue;
    std::string mod = TypmodText(type_oid, typmod);
    if (type_oid == 1114 || type_oid == 1184 || type_oid == 1083) {  // "timestamp(3) with time zone"
      std::string name = t.name;
      size_t space = name.find(' ');
      return mod.empty() ? name : name.substr(0, space) + mod + name.substr(space);
    }
    return std::string(t.name) + mod;
  }
  return std::nullopt;
}

namespace {

/* format_type(oid, typmod) with any type: a built-in one, or pg_type's
 * name (a table's row type), "???" for none. */
Result<std::string> FormatType(Oid db, int64_t oid, int32_t typmod, bool typmod_given) {
  if (oid == 1042 && typmod_given && typmod < 0) return std::string("bpchar");  // as format_type does
  if (std::optional<std::string> name = FormatBuiltinType(static_cast<uint32_t>(oid), typmod)) return *name;
  namespace t = catalog::pg_type;
  auto rows = Rows(db, catalog::kTypeRelationId);
  if (!rows.ok()) return rows.error();
  for (const CatalogRow& r : *rows) {
    if (Int(r.values, t::kOid) != oid) continue;
    std::string name = Text(r.values, t::kTypname);
    int64_t nsp = Int(r.values, t::kTypnamespace);
    auto visible = IsVisible(*rows, name, nsp, t::kTypname, t::kTypnamespace);
    if (!visible.ok()) return visible.error();
    if (*visible) return QuoteIdent(name);
    auto nsp_name = NamespaceName(db, nsp);
    if (!nsp_name.ok()) return nsp_name.error();
    return QuoteIdent(*nsp_name) + "." + QuoteIdent(name);
  }
  return std::string("???");
}

/* ---- the functions ---------------------------------------------------------- */

Result<Datum> FormatTypeFn(const FunctionCall& call) {
  if (storage::IsNull(call.args[0])) return Datum();
  bool typmod_given = !storage::IsNull(call.args[1]);
  auto typmod = static_cast<int32_t>(typmod_given ? std::get<int64_t>(call.args[1]) : -1);
  auto s = FormatType(DatabaseOf(call), std::get<int64_t>(call.args[0]), typmod, typmod_given);
  if (!s.ok()) return s.error();
  return Datum(*s);
}

/* pg_table_is_visible / pg_type_is_visible: NULL for no such object. */
Result<Datum> ObjectIsVisible(const FunctionCall& call, Oid cat, size_t oid_col, size_t name_col, size_t nsp_col) {
  auto rows = Rows(DatabaseOf(call), cat);
  if (!rows.ok()) return rows.error();
  int64_t oid = std::get<int64_t>(call.args[0]);
  for (const CatalogRow& r : *rows) {
    if (Int(r.values, oid_col) != oid) continue;
    auto visible = IsVisible(*rows, Text(r.values, name_col), Int(r.values, nsp_col), name_col, nsp_col);
    if (!visible.ok()) return visible.error();
    return Datum(*visible);
  }
  return Datum();
}

Result<Datum> TableIsVisible(const FunctionCall& call) {
  namespace c = catalog::pg_class;
  return ObjectIsVisible(call, catalog::kRelationRelationId, c::kOid, c::kRelname, c::kRelnamespace);
}

Result<Datum> TypeIsVisible(const FunctionCall& call) {
  namespace t = catalog::pg_type;
  return ObjectIsVisible(call, catalog::kTypeRelationId, t::kOid, t::kTypname, t::kTypnamespace);
}

Result<Datum> FunctionIsVisible(const FunctionCall& call) {
  // Every function minipg has is a built-in one in pg_catalog.
  return FindFunctionByOid(static_cast<uint32_t>(std::get<int64_t>(call.args[0]))) != nullptr ? Datum(true)
                                                                                                : Datum();
}

Result<Datum> IndexDef(const FunctionCall& call) {
  namespace i = catalog::pg_index;
  namespace c = catalog::pg_class;
  Oid db = DatabaseOf(call);
  int64_t index_oid = std::get<int64_t>(call.args[0]);
  int64_t column = call.args.size() > 1 ? std::get<int64_t>(call.args[1]) : 0;
  auto index = FindRow(db, catalog::kIndexRelationId, i::kIndexrelid, index_oid);
  if (!index.ok()) return index.error();
  auto index_class = FindRow(db, catalog::kRelationRelationId, c::kOid, index_oid);
  if (!index_class.ok()) return index_class.error();
  if (!*index || !*index_class) return Datum();
  int64_t table = Int(**index, i::kIndrelid);
  auto names = ColumnNames(db, table);
  if (!names.ok()) return names.error();
  std::vector<int64_t> keys = ArrayInts((**index)[i::kIndkey]);
  std::vector<int64_t> options = ArrayInts((**index)[i::kIndoption]);
  if (column > 0) {  // one column's definition
    if (static_cast<size_t>(column) > keys.size()) return Datum(std::string());
    auto n = static_cast<size_t>(keys[column - 1]);
    return Datum(n < names->size() ? QuoteIdent((*names)[n]) : std::string());
  }
  auto am = FindRow(db, catalog::kAmRelationId, catalog::pg_am::kOid, Int(**index_class, c::kRelam));
  if (!am.ok()) return am.error();
  // Pretty-printed (psql's \d), the table is qualified only when not
  // visible; otherwise always, as PostgreSQL's pg_get_indexdef does.
  bool pretty = call.args.size() > 2 && std::get<bool>(call.args[2]);
  auto table_name = RelationName(db, table, /*always_qualify=*/!pretty);
  if (!table_name.ok()) return table_name.error();
  std::string cols;
  for (size_t k = 0; k < keys.size(); ++k) {
    if (k > 0) cols += ", ";
    auto n = static_cast<size_t>(keys[k]);
    cols += n < names->size() ? QuoteIdent((*names)[n]) : std::to_string(keys[k]);
    int64_t opt = k < options.size() ? options[k] : 0;
    bool desc = (opt & 1) != 0;
    bool nulls_first = (opt & 2) != 0;
    if (desc) cols += " DESC";
    if (desc && !nulls_first) cols += " NULLS LAST";
    if (!desc && nulls_first) cols += " NULLS FIRST";
  }
  std::string def = fmt::format("CREATE {}INDEX {} ON {} USING {} ({})",
                                std::get<bool>((**index)[i::kIndisunique]) ? "UNIQUE " : "",
                                QuoteIdent(Text(**index_class, c::kRelname)), table_name->value_or("???"),
                                *am ? Text(**am, catalog::pg_am::kAmname) : std::string("btree"), cols);
  if (std::string pred = Text(**index, i::kIndpred); !pred.empty()) def += " WHERE (" + pred + ")";
  return Datum(def);
}

const char* ForeignKeyAction(const std::string& code) {
  if (code == "r") return "RESTRICT";
  if (code == "c") return "CASCADE";
  if (code == "n") return "SET NULL";
  if (code == "d") return "SET DEFAULT";
  return nullptr;  // 'a': NO ACTION, the default, not printed
}

/* "(a > 0)" as pretty printing shows it: "a > 0" (only when the outer
 * parentheses enclose the whole text). */
std::string WithoutOuterParens(const std::string& text) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') return text;
  int depth = 0;
  bool quoted = false;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] == '\'') quoted = !quoted;
    if (quoted) continue;
    depth += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
    if (depth == 0) return text;  // "(a) + (b)": not one pair
  }
  return text.substr(1, text.size() - 2);
}

/* The parts of `text` between top-level (unquoted, unparenthesized)
 * " AND " / " OR " words, with the words kept between them. */
std::vector<std::string> SplitTopLevelBool(const std::string& text) {
  std::vector<std::string> parts;
  int depth = 0;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\'') quoted = !quoted;
    if (quoted) continue;
    depth += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
    if (depth != 0) continue;
    for (const char* word : {" AND ", " OR "}) {
      if (text.compare(i, std::strlen(word), word) != 0) continue;
      parts.push_back(text.substr(start, i - start));
      parts.emplace_back(word);
      i += std::strlen(word) - 1;
      start = i + 1;
      break;
    }
  }
  parts.push_back(text.substr(start));
  return parts;
}

/* A boolean chain (or one condition) pretty: a condition without its
 * parentheses, a nested chain of the same word flattened (minipg's AND is
 * binary: "((a AND b) AND c)"), of the other word kept in parentheses. */
std::string PrettyBool(const std::string& text) {
  std::vector<std::string> parts = SplitTopLevelBool(WithoutOuterParens(text));
  if (parts.size() == 1) return WithoutOuterParens(parts[0]);
  const std::string& word = parts[1];
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i % 2 == 1) {
      out += parts[i];
      continue;
    }
    std::vector<std::string> inner = SplitTopLevelBool(WithoutOuterParens(parts[i]));
    bool same = inner.size() == 1 || inner[1] == word;
    out += same ? PrettyBool(parts[i]) : "(" + PrettyBool(parts[i]) + ")";
  }
  return out;
}

/* A stored CHECK expression as pretty printing shows it (psql's \d):
 * "a > 0 AND b > 0 AND c > 0" for "(((a > 0) AND (b > 0)) AND (c > 0))",
 * "y::text" for "(y)::text", "0::numeric" for "(0)::numeric". */
std::string PrettyCheck(const std::string& text) {
  static const std::regex kParenIdentCast(R"(\(([a-z_][a-z0-9_]*|[0-9.]+|'[^']*'::[a-z ]+)\)::)");
  return std::regex_replace(PrettyBool(text), kParenIdentCast, "$1::");
}

Result<Datum> ConstraintDef(const FunctionCall& call) {
  namespace k = catalog::pg_constraint;
  Oid db = DatabaseOf(call);
  auto con = FindRow(db, catalog::kConstraintRelationId, k::kOid, std::get<int64_t>(call.args[0]));
  if (!con.ok()) return con.error();
  if (!*con) return Datum();
  const Tuple& row = **con;
  std::string type = Text(row, k::kContype);
  auto names = ColumnNames(db, Int(row, k::kConrelid));
  if (!names.ok()) return names.error();
  std::string def;
  if (type == "p" || type == "u") {
    def = (type == "p" ? "PRIMARY KEY " : "UNIQUE ") + ColumnList(*names, ArrayInts(row[k::kConkey]));
  } else if (type == "f") {
    auto ref = RelationName(db, Int(row, k::kConfrelid));
    if (!ref.ok()) return ref.error();
    auto ref_names = ColumnNames(db, Int(row, k::kConfrelid));
    if (!ref_names.ok()) return ref_names.error();
    def = "FOREIGN KEY " + ColumnList(*names, ArrayInts(row[k::kConkey])) + " REFERENCES " + ref->value_or("???") +
          ColumnList(*ref_names, ArrayInts(row[k::kConfkey]));
    if (Text(row, k::kConfmatchtype) == "f") def += " MATCH FULL";
    if (const char* a = ForeignKeyAction(Text(row, k::kConfupdtype))) def += std::string(" ON UPDATE ") + a;
    if (const char* a = ForeignKeyAction(Text(row, k::kConfdeltype))) def += std::string(" ON DELETE ") + a;
  } else if (type == "c") {
    std::string expr = Text(row, k::kConbin);
    bool pretty = call.args.size() > 1 && std::get_if<bool>(&call.args[1]) != nullptr && std::get<bool>(call.args[1]);
    if (pretty) expr = PrettyCheck(expr);
    def = "CHECK (" + expr + ")";
    if (std::get_if<bool>(&row[k::kConnoinherit]) != nullptr && std::get<bool>(row[k::kConnoinherit])) {
      def += " NO INHERIT";
    }
  } else {
    return MakeError(sqlstate::kFeatureNotSupported,
                     fmt::format("pg_get_constraintdef of a constraint of type \"{}\" is not supported by minipg", type));
  }
  if (std::get_if<bool>(&row[k::kCondeferrable]) != nullptr && std::get<bool>(row[k::kCondeferrable])) {
    def += " DEFERRABLE";
  }
  if (std::get_if<bool>(&row[k::kCondeferred]) != nullptr && std::get<bool>(row[k::kCondeferred])) {
    def += " INITIALLY DEFERRED";
  }
  if (std::get_if<bool>(&row[k::kConvalidated]) != nullptr && !std::get<bool>(row[k::kConvalidated])) {
    def += " NOT VALID";
  }
  return Datum(def);
}

Result<Datum> ViewDef(const FunctionCall& call) {
  namespace w = catalog::pg_rewrite;
  auto rule = FindRow(DatabaseOf(call), catalog::kRewriteRelationId, w::kEvClass, std::get<int64_t>(call.args[0]));
  if (!rule.ok()) return rule.error();
  if (!*rule) return Datum();
  return Datum(Text(**rule, w::kEvAction));
}

/* quote_ident(text): psql describes a sequence's OWNED BY column with it. */
Result<Datum> QuoteIdentFunction(const FunctionCall& call) {
  return Datum(QuoteIdent(std::get<std::string>(call.args[0])));
}

/* pg_get_expr(expr, relation [, pretty]): minipg keeps the text, and
 * prints it pretty as pg_get_constraintdef does. */
Result<Datum> GetExpr(const FunctionCall& call) {
  bool pretty = call.args.size() > 2 && std::get_if<bool>(&call.args[2]) != nullptr && std::get<bool>(call.args[2]);
  return pretty ? Datum(PrettyCheck(std::get<std::string>(call.args[0]))) : call.args[0];
}

/* obj_description / col_description / shobj_description: the comment
 * in pg_description (pg_shdescription), NULL for none. */
Result<Datum> Description(const FunctionCall& call, Oid cat, int64_t subid, std::optional<std::string> catalog_name) {
  Oid db = cat == catalog::kShdescriptionRelationId ? 0 : DatabaseOf(call);
  auto rows = Rows(db, cat);
  if (!rows.ok()) return rows.error();
  int64_t classoid = 0;
  if (catalog_name) {
    const catalog::SystemCatalog* c = catalog::FindSystemCatalog(*catalog_name);
    if (c == nullptr) return Datum();
    classoid = c->oid;
  }
  int64_t oid = std::get<int64_t>(call.args[0]);
  for (const CatalogRow& r : *rows) {
    if (Int(r.values, 0) != oid) continue;  // objoid
    if (catalog_name && Int(r.values, 1) != classoid) continue;
    if (cat == catalog::kDescriptionRelationId && Int(r.values, catalog::pg_description::kObjsubid) != subid) continue;
    return r.values.back();  // description, the last column of both
  }
  return Datum();
}

Result<Datum> ObjDescription(const FunctionCall& call) {
  std::optional<std::string> cat;
  if (call.args.size() > 1) cat = std::get<std::string>(call.args[1]);
  return Description(call, catalog::kDescriptionRelationId, 0, cat);
}
Result<Datum> ColDescription(const FunctionCall& call) {
  return Description(call, catalog::kDescriptionRelationId, std::get<int64_t>(call.args[1]), "pg_class");
}
Result<Datum> ShobjDescription(const FunctionCall& call) {
  return Description(call, catalog::kShdescriptionRelationId, 0, std::get<std::string>(call.args[1]));
}

Result<Datum> NullResult(const FunctionCall&) { return Datum(); }

Result<Datum> TablespaceLocation(const FunctionCall&) { return Datum(std::string()); }  // pg_default, pg_global

Result<Datum> RelationIsPublishable(const FunctionCall& call) {
  namespace c = catalog::pg_class;
  auto row = FindRow(DatabaseOf(call), catalog::kRelationRelationId, c::kOid, std::get<int64_t>(call.args[0]));
  if (!row.ok()) return row.error();
  if (!*row) return Datum();
  std::string kind = Text(**row, c::kRelkind);
  int64_t nsp = Int(**row, c::kRelnamespace);
  return Datum((kind == "r" || kind == "p") && nsp != catalog::kPgCatalogNamespace &&
               nsp != catalog::kPgToastNamespace && Int(**row, c::kOid) >= storage::kFirstTableOid);
}

Result<Datum> FunctionResult(const FunctionCall& call) {
  const FunctionInfo* f = FindFunctionByOid(static_cast<uint32_t>(std::get<int64_t>(call.args[0])));
  if (f == nullptr) return Datum();
  std::string result = FormatBuiltinType(TypeOid(f->result), -1).value_or(TypeName(f->result));
  return Datum(f->call_set != nullptr ? "SETOF " + result : result);
}

Result<Datum> FunctionArguments(const FunctionCall& call) {
  const FunctionInfo* f = FindFunctionByOid(static_cast<uint32_t>(std::get<int64_t>(call.args[0])));
  if (f == nullptr) return Datum();
  std::string out;
  size_t min_args = f->min_args == SIZE_MAX ? f->args.size() : f->min_args;
  for (size_t i = 0; i < f->args.size(); ++i) {
    if (i > 0) out += ", ";
    if (f->variadic && i + 1 == f->args.size()) out += "VARIADIC ";
    out += FormatBuiltinType(TypeOid(f->args[i]), -1).value_or(TypeName(f->args[i]));
    if (i >= min_args) out += " DEFAULT NULL";
  }
  return Datum(out);
}

Result<Datum> CurrentSchemas(const FunctionCall& call) {
  std::vector<Datum> names;
  if (std::get<bool>(call.args[0])) names.emplace_back(std::string("pg_catalog"));  // implicit schemas too
  names.emplace_back(std::string("public"));
  return Datum(storage::MakeArray(storage::ColumnType::kName, std::move(names)));
}

/* The rows of a set-returning function, from a list made at once. */
class ListState : public SetFunctionState {
 public:
  explicit ListState(std::vector<Datum> values) : values_(std::move(values)) {}
  Result<bool> Next(Datum* out) override {
    if (next_ >= values_.size()) return false;
    *out = values_[next_++];
    return true;
  }

 private:
  std::vector<Datum> values_;
  size_t next_ = 0;
};

/* pg_partition_ancestors(rel): the relation itself (minipg has no
 * partitions), nothing if there is no such relation. */
Result<std::unique_ptr<SetFunctionState>> PartitionAncestors(const FunctionCall& call) {
  namespace c = catalog::pg_class;
  auto row = FindRow(DatabaseOf(call), catalog::kRelationRelationId, c::kOid, std::get<int64_t>(call.args[0]));
  if (!row.ok()) return row.error();
  std::vector<Datum> rows;
  if (*row) rows.push_back(call.args[0]);
  return std::unique_ptr<SetFunctionState>(std::make_unique<ListState>(std::move(rows)));
}

/* ---- reg* lookups (catalog_types.h) ------------------------------------------- */

/* 'name' or 'schema.name' (either part may be double-quoted) as the parts
 * PostgreSQL's stringToQualifiedNameList gives: unquoted parts lower-cased. */
std::vector<std::string> QualifiedName(std::string_view text) {
  std::vector<std::string> parts(1);
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      if (quoted && i + 1 < text.size() && text[i + 1] == '"') {
        parts.back() += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == '.' && !quoted) {
      parts.emplace_back();
    } else {
      parts.back() += quoted ? c : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return parts;
}

/* The OID of the object named `text` in catalog `cat` (schema-qualified
 * or looked up along the path); 0 if none. */
Result<int64_t> LookupQualified(Oid db, Oid cat, size_t oid_col, size_t name_col, size_t nsp_col,
                                std::string_view text) {
  std::vector<std::string> parts = QualifiedName(text);
  auto rows = Rows(db, cat);
  if (!rows.ok()) return rows.error();
  std::vector<int64_t> schemas(std::begin(kSearchPath), std::end(kSearchPath));
  if (parts.size() == 2) {
    auto nsps = Rows(db, catalog::kNamespaceRelationId);
    if (!nsps.ok()) return nsps.error();
    schemas.clear();
    for (const CatalogRow& n : *nsps) {
      if (Text(n.values, catalog::pg_namespace::kNspname) == parts[0]) schemas.push_back(Int(n.values, 0));
    }
    if (schemas.empty()) {
      return MakeError(sqlstate::kInvalidSchemaName, fmt::format("schema \"{}\" does not exist", parts[0]));
    }
  }
  for (int64_t nsp : schemas) {
    for (const CatalogRow& r : *rows) {
      if (Int(r.values, nsp_col) == nsp && Text(r.values, name_col) == parts.back()) return Int(r.values, oid_col);
    }
  }
  return int64_t{0};
}

Result<uint32_t> RegInput(TypeId type, std::string_view text) {
  Oid db = pgstat::MyDatabase();
  switch (type) {
    case TypeId::kRegclass: {
      namespace c = catalog::pg_class;
      auto oid = LookupQualified(db, catalog::kRelationRelationId, c::kOid, c::kRelname, c::kRelnamespace, text);
      if (!oid.ok()) return oid.error();
      if (*oid == 0) {
        // A system view (pg_stat_activity) is not a pg_class row here; it lives in pg_catalog.
        std::vector<std::string> parts = QualifiedName(text);
        const SystemView* view = FindSystemView(parts.back());
        if (view != nullptr && (parts.size() == 1 || parts[0] == "pg_catalog")) return view->def.oid;
        return MakeError(sqlstate::kUndefinedTable, fmt::format("relation \"{}\" does not exist", text));
      }
      return static_cast<uint32_t>(*oid);
    }
    case TypeId::kRegtype: {
      if (std::optional<TypeId> t = ResolveTypeName(text)) return TypeOid(*t);
      namespace t = catalog::pg_type;
      auto oid = LookupQualified(db, catalog::kTypeRelationId, t::kOid, t::kTypname, t::kTypnamespace, text);
      if (!oid.ok()) return oid.error();
      if (*oid == 0) return MakeError(sqlstate::kUndefinedObject, fmt::format("type \"{}\" does not exist", text));
      return static_cast<uint32_t>(*oid);
    }
    case TypeId::kRegnamespace: {
      auto rows = Rows(db, catalog::kNamespaceRelationId);
      if (!rows.ok()) return rows.error();
      std::string name = QualifiedName(text).back();
      for (const CatalogRow& r : *rows) {
        if (Text(r.values, catalog::pg_namespace::kNspname) == name) return static_cast<uint32_t>(Int(r.values, 0));
      }
      return MakeError(sqlstate::kInvalidSchemaName, fmt::format("schema \"{}\" does not exist", text));
    }
    default: {  // regproc
      std::vector<const FunctionInfo*> found = FindFunctions(QualifiedName(text).back());
      if (found.empty()) {
        return MakeError(sqlstate::kUndefinedFunction, fmt::format("function \"{}\" does not exist", text));
      }
      if (found.size() > 1) {
        return MakeError(sqlstate::kAmbiguousFunction, fmt::format("more than one function named \"{}\"", text));
      }
      return found[0]->oid;
    }
  }
}

std::optional<std::string> RegOutput(TypeId type, uint32_t oid) {
  Oid db = pgstat::MyDatabase();
  switch (type) {
    case TypeId::kRegclass: {
      auto name = RelationName(db, oid);
      if (name.ok() && *name) return *name;
      const SystemView* view = FindSystemViewByOid(oid);
      return view != nullptr ? std::optional<std::string>(view->def.name) : std::nullopt;
    }
    case TypeId::kRegtype: {
      auto name = FormatType(db, oid, -1, false);
      return name.ok() && *name != "???" ? std::optional<std::string>(*name) : std::nullopt;
    }
    case TypeId::kRegnamespace: {
      auto row = FindRow(db, catalog::kNamespaceRelationId, catalog::pg_namespace::kOid, oid);
      return row.ok() && *row ? std::optional<std::string>(QuoteIdent(Text(**row, 1))) : std::nullopt;
    }
    default: {
      const FunctionInfo* f = FindFunctionByOid(oid);
      return f != nullptr ? std::optional<std::string>(f->name) : std::nullopt;
    }
  }
}

}  // namespace

void RegisterCatalogFunctions(BuiltinRegistry& r) {
  SetRegTypeLookup(RegTypeLookup{RegInput, RegOutput});
  using T = TypeId;
  constexpr Volatility kS = Volatility::kStable;
  constexpr Volatility kI = Volatility::kImmutable;
  auto add = [&r](uint32_t oid, const char* name, std::vector<TypeId> args, TypeId result, FunctionImpl call,
                  Volatility v, bool strict = true) {
    FunctionInfo f;
    f.oid = oid;
    f.name = name;
    f.args = std::move(args);
    f.result = result;
    f.call = call;
    f.volatility = v;
    f.strict = strict;
    r.functions.push_back(std::move(f));
  };
  auto add_set = [&r](uint32_t oid, const char* name, std::vector<TypeId> args, TypeId result, SetFunctionImpl call,
                      Volatility v) {
    FunctionInfo f;
    f.oid = oid;
    f.name = name;
    f.args = std::move(args);
    f.result = result;
    f.call_set = call;
    f.volatility = v;
    r.functions.push_back(std::move(f));
  };
  // PostgreSQL 15's OIDs and signatures (pg_node_tree arguments are text).
  add(2079, "pg_table_is_visible", {T::kOid}, T::kBool, TableIsVisible, kS);
  add(2080, "pg_type_is_visible", {T::kOid}, T::kBool, TypeIsVisible, kS);
  add(2081, "pg_function_is_visible", {T::kOid}, T::kBool, FunctionIsVisible, kS);
  add(1403, "current_schemas", {T::kBool}, T::kNameArray, CurrentSchemas, kS);
  add(1081, "format_type", {T::kOid, T::kInt4}, T::kText, FormatTypeFn, kS, false);
  add(1643, "pg_get_indexdef", {T::kOid}, T::kText, IndexDef, kS);
  add(2507, "pg_get_indexdef", {T::kOid, T::kInt4, T::kBool}, T::kText, IndexDef, kS);
  add(1387, "pg_get_constraintdef", {T::kOid}, T::kText, ConstraintDef, kS);
  add(2508, "pg_get_constraintdef", {T::kOid, T::kBool}, T::kText, ConstraintDef, kS);
  add(1641, "pg_get_viewdef", {T::kOid}, T::kText, ViewDef, kS);
  add(2506, "pg_get_viewdef", {T::kOid, T::kBool}, T::kText, ViewDef, kS);
  add(1282, "quote_ident", {T::kText}, T::kText, QuoteIdentFunction, kI);
  add(1716, "pg_get_expr", {T::kText, T::kOid}, T::kText, GetExpr, kS);
  add(2509, "pg_get_expr", {T::kText, T::kOid, T::kBool}, T::kText, GetExpr, kS);
  add(2165, "pg_get_function_result", {T::kOid}, T::kText, FunctionResult, kS);
  add(2162, "pg_get_function_arguments", {T::kOid}, T::kText, FunctionArguments, kS);
  add(3352, "pg_get_partkeydef", {T::kOid}, T::kText, NullResult, kS);
  add(1662, "pg_get_triggerdef", {T::kOid}, T::kText, NullResult, kS);
  add(2730, "pg_get_triggerdef", {T::kOid, T::kBool}, T::kText, NullResult, kS);
  add(6174, "pg_get_statisticsobjdef_columns", {T::kOid}, T::kText, NullResult, kS);
  add(1348, "obj_description", {T::kOid}, T::kText, ObjDescription, kS);
  add(1215, "obj_description", {T::kOid, T::kName}, T::kText, ObjDescription, kS);
  add(1216, "col_description", {T::kOid, T::kInt4}, T::kText, ColDescription, kS);
  add(1993, "shobj_description", {T::kOid, T::kName}, T::kText, ShobjDescription, kS);
  add_set(3425, "pg_partition_ancestors", {T::kRegclass}, T::kRegclass, PartitionAncestors, kS);
  add(6121, "pg_relation_is_publishable", {T::kRegclass}, T::kBool, RelationIsPublishable, kS);
  add(3778, "pg_tablespace_location", {T::kOid}, T::kText, TablespaceLocation, kS);
}

}  // namespace minipg::sql
