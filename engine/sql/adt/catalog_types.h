/*-------------------------------------------------------------------------
 * catalog_types.h
 *   The types the system catalogs' columns and psql's queries need beyond
 *   the scalar ones: one-dimensional arrays (int2vector, oidvector, text[],
 *   oid[], ...), the reg* types (regclass, regtype, regproc, regnamespace)
 *   and the pseudo-types anyarray / anyelement of the array functions: what
 *   each is (OID, name, storage), and their text input and output in
 *   PostgreSQL's formats:
 *
 *     array       '{1,2}', '{}', '{a,NULL,"b c"}', '[0:1]={7,8}'
 *     int2vector  '1 2' (oidvector alike), subscripts from 0
 *     regclass    'orders' <-> its pg_class OID; printed qualified
 *                 ('pg_toast.x') when its schema is not on the search path
 *
 * NOTES
 *   Looking a reg* name up needs the connected database's catalogs, which
 *   this library (the parser's, no catalog) cannot read: the SQL layer
 *   installs a RegTypeLookup once per process (SetRegTypeLookup, done by
 *   RegisterCatalogFunctions, see catalog_functions.h). Without one, a reg*
 *   value prints as its number and only a number is accepted as input.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/common/error.h"
#include "engine/sql/session.h"
#include "engine/storage/datum.h"

namespace minipg::sql {

/* The case labels of every one of these types, for a switch over TypeId. */
#define MINIPG_CATALOG_TYPE_CASES                                                                       \
  case TypeId::kInt2Vector:                                                                             \
  case TypeId::kOidVector:                                                                              \
  case TypeId::kInt2Array:                                                                              \
  case TypeId::kInt4Array:                                                                              \
  case TypeId::kTextArray:                                                                              \
  case TypeId::kOidArray:                                                                               \
  case TypeId::kCharArray:                                                                              \
  case TypeId::kNameArray:                                                                              \
  case TypeId::kAclItemArray:                                                                           \
  case TypeId::kRegproc:                                                                                \
  case TypeId::kRegclass:                                                                               \
  case TypeId::kRegtype:                                                                                \
  case TypeId::kRegnamespace:                                                                           \
  case TypeId::kAnyArray:                                                                               \
  case TypeId::kAnyElement:                                                                             \
  case TypeId::kAclItem:                                                                                \
  case TypeId::kAnyNonArray:                                                                            \
  case TypeId::kAnyCompatible:                                                                          \
  case TypeId::kAnyCompatibleArray:                                                                     \
  case TypeId::kBoolArray:                                                                              \
  case TypeId::kInt8Array:                                                                              \
  case TypeId::kFloat4Array:                                                                            \
  case TypeId::kFloat8Array:                                                                            \
  case TypeId::kNumericArray:                                                                           \
  case TypeId::kVarcharArray:                                                                           \
  case TypeId::kBpcharArray:                                                                            \
  case TypeId::kDateArray:                                                                              \
  case TypeId::kTimestampArray:                                                                         \
  case TypeId::kTimestampTzArray:                                                                       \
  case TypeId::kIntervalArray:                                                                          \
  case TypeId::kRecord:                                                                                 \
  case TypeId::kXid8:                                                                                   \
  case TypeId::kCid:                                                                                    \
  case TypeId::kTid:                                                                                    \
  case TypeId::kPgSnapshot:                                                                             \
  case TypeId::kTxidSnapshot

/* What one of these types is. */
struct CatalogTypeInfo {
  TypeId type;
  uint32_t oid;                 // pg_type.oid
  const char* name;             // as format_type prints it: "smallint[]", "int2vector", "regclass"
  const char* internal_name;    // pg_type.typname: "_int2", "int2vector", "regclass"
  storage::ColumnType column;   // how a column of it is stored
  TypeId element;               // an array's element type (kVoid for the others)
  char kind;                    // 'a' array, 'r' a reg* type, 'p' a pseudo-type (anyarray), 's' aclitem,
                                // 'n' a number held as int64_t (xid8, cid), 't' a text form (tid, pg_snapshot)
};

/* The entry for `type`, nullptr if it is none of these types. */
const CatalogTypeInfo* FindCatalogType(TypeId type);
/* The same by pg_type OID. */
const CatalogTypeInfo* FindCatalogTypeByOid(uint32_t oid);
/* The type a name denotes: "int2vector", "regclass", "text[]", "_text",
 * "int2[]", "pg_catalog.int2[]" is the caller's (schema stripped). */
std::optional<TypeId> ResolveCatalogTypeName(std::string_view name);

inline bool IsArrayType(TypeId t) {
  const CatalogTypeInfo* c = FindCatalogType(t);
  return c != nullptr && c->kind == 'a';
}
inline bool IsRegType(TypeId t) {
  const CatalogTypeInfo* c = FindCatalogType(t);
  return c != nullptr && c->kind == 'r';
}
/* The array type whose elements are `element` (text -> text[]), kVoid if
 * minipg has none. */
TypeId ArrayTypeOf(TypeId element);
/* An array type's element type (int4[] -> int4, int2vector -> int2),
 * kVoid for a type that is no array. */
TypeId ElementTypeOf(TypeId array);
/* The polymorphic pseudo-types (anyelement, anyarray, anynonarray,
 * anycompatible, anycompatiblearray). */
inline bool IsPolymorphicType(TypeId t) {
  return t == TypeId::kAnyElement || t == TypeId::kAnyArray || t == TypeId::kAnyNonArray ||
         t == TypeId::kAnyCompatible || t == TypeId::kAnyCompatibleArray;
}

/* Text output and input of an array value (`type` an array type). */
std::string ArrayOutputText(const storage::ArrayValue& value, TypeId type);
Result<storage::Datum> ArrayInputText(std::string_view text, TypeId type);

/* How the SQL layer looks reg* names up in the connected database. */
struct RegTypeLookup {
  /* The OID of the object `name` denotes (a relation for regclass, ...);
   * PostgreSQL's error (42P01 relation "x" does not exist, ...) if none. */
  Result<uint32_t> (*input)(TypeId type, std::string_view name) = nullptr;
  /* The object's name as the type prints it; nullopt if there is no such
   * object (then the number is printed, as PostgreSQL does). */
  std::optional<std::string> (*output)(TypeId type, uint32_t oid) = nullptr;
};
void SetRegTypeLookup(const RegTypeLookup& lookup);

/* Text output and input of a reg* value (held as int64_t, an OID). */
std::string RegOutputText(int64_t oid, TypeId type);
Result<storage::Datum> RegInputText(std::string_view text, TypeId type);

/* Either of the above for any of these types (value not NULL). */
std::string CatalogTypeOutputText(const storage::Datum& value, TypeId type);
Result<storage::Datum> CatalogTypeInputText(std::string_view text, TypeId type);

}  // namespace minipg::sql
