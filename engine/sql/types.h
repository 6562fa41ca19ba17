/*-------------------------------------------------------------------------
 * types.h
 *   SQL types at run time: text input and output in PostgreSQL's format,
 *   casts between types, and the names a type is written with.
 *
 * NOTES
 *   Values are storage::Datum: integer and bigint are int64_t (an integer
 *   value is always kept within int32 range), boolean is bool, text is
 *   std::string, numeric is double, NULL is std::monostate.
 *   Cast contexts follow PostgreSQL's: implicit casts happen silently inside
 *   expressions (integer -> bigint), assignment casts on INSERT (bigint ->
 *   integer with a range check, anything -> text), explicit ones only when
 *   written (text -> integer).
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

using storage::Datum;
using storage::Tuple;

enum class CastContext {
  kImplicit,    // inside an expression: integer -> bigint -> numeric
  kAssignment,  // storing into a column: also narrowing numbers, anything -> text
  kExplicit,    // CAST(x AS t), x::t: also text -> anything, integer <-> boolean
};

/* PostgreSQL's internal type name ("int4", "bool"): how a cast's output
 * column is named when its argument has no name of its own. */
const char* TypeInternalName(TypeId type);

/* The type a name in SQL denotes ("int", "integer", "int4" -> kInt4), or
 * nullopt if minipg has no such type. */
std::optional<TypeId> ResolveTypeName(std::string_view name);

/* Column types as the storage layer keeps them. */
storage::ColumnType ToColumnType(TypeId type);
TypeId FromColumnType(storage::ColumnType type);

/* A timestamptz (microseconds since the Unix epoch) as PostgreSQL prints
 * it with TimeZone UTC: "2026-11-25 05:40:01.123456+00". */
std::string FormatTimestampTz(int64_t micros);

/* A non-NULL value in PostgreSQL's text output format ("t", "42"). */
std::string OutputText(const Datum& value, TypeId type);

/* Parses text as a value of `type` (the type's input function); 22P02 or
 * 22003 on bad input, with PostgreSQL's wording. */
Result<Datum> InputText(std::string_view text, TypeId type);

/* Whether `from` can be cast to `to` in `context`. */
bool CanCast(TypeId from, TypeId to, CastContext context);

/* Casts a value (NULL stays NULL); CanCast must have allowed it. */
Result<Datum> CastValue(const Datum& value, TypeId from, TypeId to);

/* Range checks with PostgreSQL's errors ("integer out of range"). */
Result<Datum> CheckInt4(int64_t v);
Result<Datum> CheckInt2(int64_t v);

/* A real as PostgreSQL prints it: the shortest text that reads back the
 * same float ("-1", "0.1", "1e+10", "Infinity"). */
std::string FormatFloat4(double value);

/* Type families, for operator resolution and casts. */
inline bool IsInteger(TypeId t) { return t == TypeId::kInt2 || t == TypeId::kInt4 || t == TypeId::kInt8; }
inline bool IsNumber(TypeId t) { return IsInteger(t) || t == TypeId::kNumeric || t == TypeId::kFloat4; }
/* oid and xid: unsigned 32-bit numbers that compare with integers. */
inline bool IsUnsigned32(TypeId t) { return t == TypeId::kOid || t == TypeId::kXid; }
/* name and "char" compare with text as text. */
inline bool IsTextLike(TypeId t) { return t == TypeId::kText || t == TypeId::kName || t == TypeId::kChar; }
/* PostgreSQL's type category (pg_type.typcategory): 'B' boolean,
 * 'N' numeric, 'S' string, 'D' date/time, 'I' network, 'U' user-defined
 * (xid), 'Z' internal ("char"), 'P' pseudo-type, 'X' unknown. Operator and
 * function resolution prefers candidates of an argument's category. */
inline char TypeCategory(TypeId t) {
  switch (t) {
    case TypeId::kBool: return 'B';
    case TypeId::kInt2:
    case TypeId::kInt4:
    case TypeId::kInt8:
    case TypeId::kOid:
    case TypeId::kFloat4:
    case TypeId::kNumeric: return 'N';
    case TypeId::kText:
    case TypeId::kName: return 'S';
    case TypeId::kChar: return 'Z';
    case TypeId::kTimestampTz: return 'D';
    case TypeId::kInet: return 'I';
    case TypeId::kXid: return 'U';
    case TypeId::kVoid: return 'P';
    case TypeId::kUnknown: return 'X';
  }
  return 'U';
}

/* pg_type.typispreferred: the type a category's values convert to when
 * several candidates would do (text among strings, oid among today's
 * numbers until float8 exists). */
inline bool IsPreferredType(TypeId t) {
  switch (t) {
    case TypeId::kBool:
    case TypeId::kText:
    case TypeId::kOid:
    case TypeId::kTimestampTz:
    case TypeId::kInet: return true;
    default: return false;
  }
}

/* Widening order of the numbers: smallint < integer < bigint < real < numeric. */
inline int NumberRank(TypeId t) {
  switch (t) {
    case TypeId::kInt2: return 0;
    case TypeId::kInt4: return 1;
    case TypeId::kInt8: return 2;
    case TypeId::kFloat4: return 3;
    default: return 4;
  }
}

}  // namespace minipg::sql
