/*-------------------------------------------------------------------------
 * catalog_types.cpp
 *   Arrays and reg* types: metadata and text I/O (catalog_types.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/adt/catalog_types.h"

#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/sql/types.h"

namespace minipg::sql {

namespace {

using storage::ArrayValue;
using storage::ColumnType;
using storage::Datum;

// PostgreSQL 15's pg_type OIDs and names.
const CatalogTypeInfo kCatalogTypes[] = {
    {TypeId::kInt2Vector, 22, "int2vector", "int2vector", ColumnType::kInt2Vector, TypeId::kInt2, 'a'},
    {TypeId::kOidVector, 30, "oidvector", "oidvector", ColumnType::kOidVector, TypeId::kOid, 'a'},
    {TypeId::kInt2Array, 1005, "smallint[]", "_int2", ColumnType::kInt2Array, TypeId::kInt2, 'a'},
    {TypeId::kInt4Array, 1007, "integer[]", "_int4", ColumnType::kInt4Array, TypeId::kInt4, 'a'},
    {TypeId::kTextArray, 1009, "text[]", "_text", ColumnType::kTextArray, TypeId::kText, 'a'},
    {TypeId::kOidArray, 1028, "oid[]", "_oid", ColumnType::kOidArray, TypeId::kOid, 'a'},
    {TypeId::kCharArray, 1002, "\"char\"[]", "_char", ColumnType::kCharArray, TypeId::kChar, 'a'},
    {TypeId::kNameArray, 1003, "name[]", "_name", ColumnType::kNameArray, TypeId::kName, 'a'},
    // aclitem[]: the items are kept as their text ("postgres=CTc/postgres").
    {TypeId::kAclItemArray, 1034, "aclitem[]", "_aclitem", ColumnType::kAclItemArray, TypeId::kAclItem, 'a'},
    {TypeId::kAclItem, 1033, "aclitem", "aclitem", ColumnType::kText, TypeId::kVoid, 's'},
    {TypeId::kBoolArray, 1000, "boolean[]", "_bool", ColumnType::kBoolArray, TypeId::kBool, 'a'},
    {TypeId::kInt8Array, 1016, "bigint[]", "_int8", ColumnType::kInt8Array, TypeId::kInt8, 'a'},
    {TypeId::kFloat4Array, 1021, "real[]", "_float4", ColumnType::kFloat4Array, TypeId::kFloat4, 'a'},
    {TypeId::kFloat8Array, 1022, "double precision[]", "_float8", ColumnType::kFloat8Array, TypeId::kFloat8, 'a'},
    {TypeId::kNumericArray, 1231, "numeric[]", "_numeric", ColumnType::kNumericArray, TypeId::kNumeric, 'a'},
    {TypeId::kVarcharArray, 1015, "character varying[]", "_varchar", ColumnType::kVarcharArray, TypeId::kVarchar, 'a'},
    {TypeId::kBpcharArray, 1014, "character[]", "_bpchar", ColumnType::kBpcharArray, TypeId::kBpchar, 'a'},
    {TypeId::kDateArray, 1182, "date[]", "_date", ColumnType::kDateArray, TypeId::kDate, 'a'},
    {TypeId::kTimestampArray, 1115, "timestamp without time zone[]", "_timestamp", ColumnType::kTimestampArray,
     TypeId::kTimestamp, 'a'},
    {TypeId::kTimestampTzArray, 1185, "timestamp with time zone[]", "_timestamptz", ColumnType::kTimestampTzArray,
     TypeId::kTimestampTz, 'a'},
    {TypeId::kIntervalArray, 1187, "interval[]", "_interval", ColumnType::kIntervalArray, TypeId::kInterval, 'a'},
    {TypeId::kRegproc, 24, "regproc", "regproc", ColumnType::kRegproc, TypeId::kVoid, 'r'},
    {TypeId::kRegclass, 2205, "regclass", "regclass", ColumnType::kOid, TypeId::kVoid, 'r'},
    {TypeId::kRegtype, 2206, "regtype", "regtype", ColumnType::kOid, TypeId::kVoid, 'r'},
    {TypeId::kRegnamespace, 4089, "regnamespace", "regnamespace", ColumnType::kOid, TypeId::kVoid, 'r'},
    {TypeId::kAnyArray, 2277, "anyarray", "anyarray", ColumnType::kText, TypeId::kVoid, 'p'},
    {TypeId::kAnyElement, 2283, "anyelement", "anyelement", ColumnType::kText, TypeId::kVoid, 'p'},
    {TypeId::kAnyNonArray, 2776, "anynonarray", "anynonarray", ColumnType::kText, TypeId::kVoid, 'p'},
    {TypeId::kAnyCompatible, 5077, "anycompatible", "anycompatible", ColumnType::kText, TypeId::kVoid, 'p'},
    {TypeId::kAnyCompatibleArray, 5078, "anycompatiblearray", "anycompatiblearray", ColumnType::kText,
     TypeId::kVoid, 'p'},
    {TypeId::kRecord, 2249, "record", "record", ColumnType::kText, TypeId::kVoid, 'p'},
    // Transactions (engine/storage/heap/snapshot.h): system columns, txid functions.
    {TypeId::kXid8, 5069, "xid8", "xid8", ColumnType::kInt8, TypeId::kVoid, 'n'},
    {TypeId::kCid, 29, "cid", "cid", ColumnType::kInt8, TypeId::kVoid, 'n'},
    {TypeId::kTid, 27, "tid", "tid", ColumnType::kText, TypeId::kVoid, 't'},
    {TypeId::kPgSnapshot, 5038, "pg_snapshot", "pg_snapshot", ColumnType::kText, TypeId::kVoid, 't'},
    {TypeId::kTxidSnapshot, 2970, "txid_snapshot", "txid_snapshot", ColumnType::kText, TypeId::kVoid, 't'},
};

RegTypeLookup g_lookup;  // one per process, set once (SetRegTypeLookup)

bool IsVector(TypeId t) { return t == TypeId::kInt2Vector || t == TypeId::kOidVector; }

Error MalformedArray(std::string_view text, std::string_view detail) {
  Error e = MakeError(sqlstate::kInvalidTextRepresentation, fmt::format("malformed array literal: \"{}\"", text));
  e.detail = std::string(detail);
  return e;
}

/* An element needs double quotes on output (array_out's rule). */
bool NeedsQuotes(std::string_view s) {
  if (s.empty()) return true;
  std::string lower(s);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "null") return true;
  for (char c : s) {
    if (c == '{' || c == '}' || c == ',' || c == '"' || c == '\\' || std::isspace(static_cast<unsigned char>(c))) {
      return true;
    }
  }
  return false;
}

/* '{a, "b c", NULL}' -> its elements as text (nullopt = NULL). */
Result<std::vector<std::optional<std::string>>> SplitArrayLiteral(std::string_view text, std::string_view body) {
  std::vector<std::optional<std::string>> items;
  size_t i = 1;  // past '{'
  auto skip_space = [&] {
    while (i < body.size() && std::isspace(static_cast<unsigned char>(body[i]))) ++i;
  };
  skip_space();
  if (i < body.size() && body[i] == '}') {
    ++i;
  } else {
    while (true) {
      skip_space();
      if (i >= body.size()) return MalformedArray(text, "Unexpected end of input.");
      if (body[i] == '{') {
        return MakeError(sqlstate::kFeatureNotSupported, "multidimensional arrays are not supported by minipg");
      }
      std::string item;
      bool quoted = false;
      bool any_quoted = false;
      size_t trailing_space = 0;  // unquoted whitespace at the end, dropped
      while (i < body.size()) {
        char c = body[i];
        if (!quoted && (c == ',' || c == '}')) break;
        if (c == '\\') {
          if (i + 1 >= body.size()) return MalformedArray(text, "Unexpected end of input.");
          item += body[i + 1];
          i += 2;
          trailing_space = 0;
          continue;
        }
        if (c == '"') {
          quoted = !quoted;
          any_quoted = true;
          trailing_space = 0;
          ++i;
          continue;
        }
        if (!quoted && (c == '{')) return MalformedArray(text, "Unexpected \"{\" character.");
        bool space = !quoted && std::isspace(static_cast<unsigned char>(c));
        trailing_space = space ? trailing_space + 1 : 0;
        item += c;
        ++i;
      }
      if (quoted || i >= body.size()) return MalformedArray(text, "Unexpected end of input.");
      item.resize(item.size() - trailing_space);
      if (!any_quoted && item.empty()) return MalformedArray(text, fmt::format("Unexpected \"{}\" character.", body[i]));
      std::string lower = item;
      for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      items.push_back(!any_quoted && lower == "null" ? std::nullopt : std::optional<std::string>(item));
      if (body[i++] == '}') break;
    }
  }
  skip_space();
  if (i != body.size()) return MalformedArray(text, "Junk after closing right brace.");
  return items;
}

/* '[0:1]=' before the braces: the lower bound it gives. */
Result<int32_t> ParseDimensions(std::string_view text, std::string_view& body) {
  if (body.empty() || body[0] != '[') return 1;
  size_t colon = body.find(':');
  size_t close = body.find(']');
  size_t eq = body.find('=');
  if (colon == std::string_view::npos || close == std::string_view::npos || eq == std::string_view::npos ||
      colon > close || close > eq) {
    return MalformedArray(text, "Missing \"]\" after array dimensions.");
  }
  auto lower = InputText(body.substr(1, colon - 1), TypeId::kInt4);
  if (!lower.ok()) return MalformedArray(text, "Missing array dimension value.");
  body.remove_prefix(eq + 1);
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.front()))) body.remove_prefix(1);
  return static_cast<int32_t>(std::get<int64_t>(*lower));
}

/* aclitem's input: "grantee=privileges/grantor" (an empty grantee is
 * PUBLIC), kept as its text once its privilege letters are checked. */
Result<Datum> AclItemInputText(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  size_t eq = s.find('=');
  if (eq == std::string_view::npos) {
    return MakeError(sqlstate::kInvalidTextRepresentation, "missing \"=\" sign");
  }
  size_t slash = s.find('/', eq);
  std::string_view privileges = s.substr(eq + 1, slash == std::string_view::npos ? slash : slash - eq - 1);
  for (char c : privileges) {
    if (std::string_view("arwdDxtXUCTcsAm*").find(c) == std::string_view::npos) {
      return MakeError(sqlstate::kInvalidTextRepresentation,
                       "invalid mode character: must be one of \"arwdDxtXUCTcsA\"");
    }
  }
  if (slash != std::string_view::npos && slash + 1 == s.size()) {
    return MakeError(sqlstate::kInvalidTextRepresentation, "a name must follow the \"/\" sign");
  }
  return Datum(std::string(s));
}

}  // namespace

const CatalogTypeInfo* FindCatalogType(TypeId type) {
  for (const CatalogTypeInfo& t : kCatalogTypes) {
    if (t.type == type) return &t;
  }
  return nullptr;
}

const CatalogTypeInfo* FindCatalogTypeByOid(uint32_t oid) {
  for (const CatalogTypeInfo& t : kCatalogTypes) {
    if (t.oid == oid) return &t;
  }
  return nullptr;
}

TypeId ArrayTypeOf(TypeId element) {
  for (const CatalogTypeInfo& t : kCatalogTypes) {
    if (t.kind == 'a' && t.element == element && !IsVector(t.type)) return t.type;
  }
  return TypeId::kVoid;
}

TypeId ElementTypeOf(TypeId array) {
  const CatalogTypeInfo* info = FindCatalogType(array);
  return info != nullptr && info->kind == 'a' ? info->element : TypeId::kVoid;
}

std::optional<TypeId> ResolveCatalogTypeName(std::string_view name) {
  for (const CatalogTypeInfo& t : kCatalogTypes) {
    if (name == t.name || name == t.internal_name) return t.type;
  }
  if (name.size() > 2 && name.substr(name.size() - 2) == "[]") {
    std::optional<TypeId> element = ResolveTypeName(name.substr(0, name.size() - 2));
    if (element && ArrayTypeOf(*element) != TypeId::kVoid) return ArrayTypeOf(*element);
  }
  return std::nullopt;
}

std::string ArrayOutputText(const ArrayValue& value, TypeId type) {
  const CatalogTypeInfo* info = FindCatalogType(type);
  TypeId element = info != nullptr ? info->element : TypeId::kText;
  std::string out;
  if (!value.data) return IsVector(type) ? "" : "{}";
  if (IsVector(type)) {  // int2vectorout / oidvectorout: "1 2"
    for (const Datum& d : value.data->elements) {
      if (!out.empty()) out += ' ';
      out += storage::IsNull(d) ? "0" : OutputText(d, element);
    }
    return out;
  }
  if (value.data->lower_bound != 1 && !value.data->elements.empty()) {
    out += fmt::format("[{}:{}]=", value.data->lower_bound,
                       value.data->lower_bound + static_cast<int64_t>(value.data->elements.size()) - 1);
  }
  out += '{';
  bool first = true;
  for (const Datum& d : value.data->elements) {
    if (!first) out += ',';
    first = false;
    if (storage::IsNull(d)) {
      out += "NULL";
      continue;
    }
    std::string s = OutputText(d, element);
    if (!NeedsQuotes(s)) {
      out += s;
      continue;
    }
    out += '"';
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

Result<Datum> ArrayInputText(std::string_view text, TypeId type) {
  const CatalogTypeInfo* info = FindCatalogType(type);
  if (info == nullptr || info->kind != 'a') {
    return MakeError(sqlstate::kInternalError, fmt::format("type {} is no array", TypeName(type)));
  }
  storage::ColumnType element_column = storage::ArrayElementColumnType(info->column);
  std::vector<Datum> elements;
  if (IsVector(type)) {  // int2vectorin / oidvectorin: numbers separated by spaces
    size_t i = 0;
    while (i < text.size()) {
      while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
      if (i >= text.size()) break;
      size_t end = i;
      while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
      auto v = InputText(text.substr(i, end - i), info->element);
      if (!v.ok()) return v.error();
      elements.push_back(std::move(*v));
      i = end;
    }
    return Datum(storage::MakeArray(element_column, std::move(elements), 0));
  }
  std::string_view body = text;
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.front()))) body.remove_prefix(1);
  auto lower = ParseDimensions(text, body);
  if (!lower.ok()) return lower.error();
  if (body.empty() || body[0] != '{') {
    return MalformedArray(text, "Array value must start with \"{\" or dimension information.");
  }
  auto items = SplitArrayLiteral(text, body);
  if (!items.ok()) return items.error();
  for (const std::optional<std::string>& item : *items) {
    if (!item) {
      elements.emplace_back();
      continue;
    }
    auto v = InputText(*item, info->element);
    if (!v.ok()) return v.error();
    elements.push_back(std::move(*v));
  }
  return Datum(storage::MakeArray(element_column, std::move(elements), *lower));
}

void SetRegTypeLookup(const RegTypeLookup& lookup) { g_lookup = lookup; }

std::string RegOutputText(int64_t oid, TypeId type) {
  if (oid == 0) return "-";  // InvalidOid, as regclassout prints it
  if (g_lookup.output != nullptr) {
    if (std::optional<std::string> name = g_lookup.output(type, static_cast<uint32_t>(oid))) return *name;
  }
  return std::to_string(oid);
}

Result<Datum> RegInputText(std::string_view text, TypeId type) {
  std::string_view s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (s == "-") return Datum(int64_t{0});
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos) {
    return InputText(s, TypeId::kOid);  // a number is the OID itself
  }
  if (g_lookup.input == nullptr) {
    return MakeError(sqlstate::kFeatureNotSupported,
                     fmt::format("looking up a {} by name needs the catalogs", TypeName(type)));
  }
  auto oid = g_lookup.input(type, s);
  if (!oid.ok()) return oid.error();
  return Datum(static_cast<int64_t>(*oid));
}

namespace {

Error BadInput(std::string_view text, TypeId type) {
  return MakeError(sqlstate::kInvalidTextRepresentation,
                   fmt::format("invalid input syntax for type {}: \"{}\"", TypeName(type), text));
}

/* An unsigned decimal number (leading and trailing blanks allowed) no
 * larger than `max`. */
std::optional<uint64_t> ParseUnsigned(std::string_view text, uint64_t max) {
  size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  size_t start = i;
  uint64_t v = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (v > (max - static_cast<uint64_t>(text[i] - '0')) / 10) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(text[i] - '0');
  }
  if (i == start) return std::nullopt;
  while (i < text.size() && text[i] == ' ') ++i;
  if (i != text.size()) return std::nullopt;
  return v;
}

/* xid8, cid: numbers; tid: "(block,offset)"; pg_snapshot, txid_snapshot:
 * "xmin:xmax:xip,..." (kept as their canonical text). */
Result<Datum> TransactionTypeInputText(std::string_view text, TypeId type) {
  if (type == TypeId::kXid8 || type == TypeId::kCid) {
    auto v = ParseUnsigned(text, type == TypeId::kCid ? UINT32_MAX : INT64_MAX);
    if (!v.has_value()) return BadInput(text, type);
    return Datum(static_cast<int64_t>(*v));
  }
  if (type == TypeId::kTid) {
    size_t open = text.find('(');
    size_t comma = text.find(',');
    size_t close = text.find(')');
    if (open == std::string_view::npos || comma == std::string_view::npos || close == std::string_view::npos ||
        !(open < comma && comma < close)) {
      return BadInput(text, type);
    }
    auto block = ParseUnsigned(text.substr(open + 1, comma - open - 1), UINT32_MAX);
    auto offset = ParseUnsigned(text.substr(comma + 1, close - comma - 1), UINT16_MAX);
    if (!block || !offset) return BadInput(text, type);
    return Datum(fmt::format("({},{})", *block, *offset));
  }
  // pg_snapshot: xmin:xmax:xip1,xip2 with xmin <= xip < xmax, ascending
  size_t c1 = text.find(':');
  size_t c2 = c1 == std::string_view::npos ? c1 : text.find(':', c1 + 1);
  if (c2 == std::string_view::npos) return BadInput(text, type);
  auto xmin = ParseUnsigned(text.substr(0, c1), INT64_MAX);
  auto xmax = ParseUnsigned(text.substr(c1 + 1, c2 - c1 - 1), INT64_MAX);
  if (!xmin || !xmax || *xmin == 0 || *xmax < *xmin) return BadInput(text, type);
  std::string out = fmt::format("{}:{}:", *xmin, *xmax);
  std::string_view rest = text.substr(c2 + 1);
  uint64_t last = 0;
  bool first = true;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    auto x = ParseUnsigned(rest.substr(0, comma), INT64_MAX);
    if (!x || *x < *xmin || *x >= *xmax || (!first && *x <= last)) return BadInput(text, type);
    out += fmt::format("{}{}", first ? "" : ",", *x);
    first = false;
    last = *x;
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return Datum(std::move(out));
}

}  // namespace

std::string CatalogTypeOutputText(const Datum& value, TypeId type) {
  if (const ArrayValue* a = std::get_if<ArrayValue>(&value)) return ArrayOutputText(*a, type);
  if (const int64_t* n = std::get_if<int64_t>(&value); n != nullptr && FindCatalogType(type)->kind == 'n') {
    return std::to_string(*n);
  }
  if (const int64_t* oid = std::get_if<int64_t>(&value)) return RegOutputText(*oid, type);
  if (const std::string* s = std::get_if<std::string>(&value)) return *s;  // aclitem
  return "";
}

Result<Datum> CatalogTypeInputText(std::string_view text, TypeId type) {
  if (FindCatalogType(type)->kind == 'p') {  // as anyarray_in: a value of a pseudo-type cannot be written
    return MakeError(sqlstate::kFeatureNotSupported, fmt::format("cannot accept a value of type {}", TypeName(type)));
  }
  if (type == TypeId::kAclItem) return AclItemInputText(text);
  if (FindCatalogType(type)->kind == 'n' || FindCatalogType(type)->kind == 't') return TransactionTypeInputText(text, type);
  return IsRegType(type) ? RegInputText(text, type) : ArrayInputText(text, type);
}

}  // namespace minipg::sql
