/*-------------------------------------------------------------------------
 * types.h
 *   SQL types at run time: text input and output in PostgreSQL's format,
 *   casts between types, and the names a type is written with.
 *
 * NOTES
 *   Values are storage::Datum: integer and bigint are int64_t (an integer
 *   value is always kept within int32 range), boolean is bool, text is
 *   std::string, numeric is storage::Numeric, NULL is std::monostate
 *   (storage/datum.h lists every type). The types' own code is in adt/.
 *   Cast contexts follow PostgreSQL's: implicit casts happen silently inside
 *   expressions (integer -> bigint), assignment casts on INSERT (bigint ->
 *   integer with a range check, anything -> text), explicit ones only when
 *   written (text -> integer).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <optional>
#include <span>
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

/* Type modifiers (PostgreSQL's typmod, -1 = none): varchar(n) and char(n)
 * are n + 4, numeric(p,s) ((p << 16) | s) + 4, timestamp(p) and interval(p) p.
 * The typmod for the modifiers as written (varchar(10) -> 14); 22023 with
 * PostgreSQL's messages, 42601 for a type that takes none. */
Result<int32_t> TypmodFromModifiers(TypeId type, std::span<const int64_t> modifiers);

/* Length coercion, as on assignment to a column of that typmod: varchar(n)
 * 22001 "value too long", char(n) blank-padded, numeric(p,s) rounded with
 * 22003 "numeric field overflow", timestamp(p) rounded. explicit_cast
 * (CAST(x AS varchar(3))) cuts strings instead of failing. */
Result<Datum> ApplyTypmod(const Datum& value, TypeId type, int32_t typmod, bool explicit_cast);

/* InputText followed by ApplyTypmod (a literal stored into a column). */
Result<Datum> InputText(std::string_view text, TypeId type, int32_t typmod);

/* format_type(): "character varying(3)", "numeric(10,2)",
 * "timestamp(3) with time zone", "integer". */
std::string FormatType(TypeId type, int32_t typmod);

/* -1, 0 or 1: how two non-NULL values order (the comparison operators,
 * ORDER BY and index keys all use this); ta and tb are their types, the
 * same or a pair a cross-type operator compares (date and timestamp). */
int CompareValues(const Datum& a, TypeId ta, const Datum& b, TypeId tb);

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
inline bool IsNumber(TypeId t) {
  return IsInteger(t) || t == TypeId::kNumeric || t == TypeId::kFloat4 || t == TypeId::kFloat8;
}
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
    case TypeId::kFloat8:
    case TypeId::kRegproc:
    case TypeId::kRegclass:
    case TypeId::kRegtype:
    case TypeId::kRegnamespace: return 'N';
    case TypeId::kVarchar:
    case TypeId::kBpchar: return 'S';
    case TypeId::kDate:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: return 'D';
    case TypeId::kInterval: return 'T';
    case TypeId::kInet: return 'I';
    case TypeId::kInt2Vector:
    case TypeId::kOidVector:
    case TypeId::kInt2Array:
    case TypeId::kInt4Array:
    case TypeId::kTextArray:
    case TypeId::kOidArray:
    case TypeId::kCharArray:
    case TypeId::kNameArray:
    case TypeId::kAclItemArray:
    case TypeId::kBoolArray:
    case TypeId::kInt8Array:
    case TypeId::kFloat4Array:
    case TypeId::kFloat8Array:
    case TypeId::kNumericArray:
    case TypeId::kVarcharArray:
    case TypeId::kBpcharArray:
    case TypeId::kDateArray:
    case TypeId::kTimestampArray:
    case TypeId::kTimestampTzArray:
    case TypeId::kIntervalArray: return 'A';
    case TypeId::kAny:
    case TypeId::kAnyArray:
    case TypeId::kAnyElement:
    case TypeId::kAnyNonArray:
    case TypeId::kAnyCompatible:
    case TypeId::kAnyCompatibleArray:
    case TypeId::kRecord: return 'P';
    case TypeId::kAclItem: return 'U';
    case TypeId::kXid:
    case TypeId::kXid8:
    case TypeId::kCid:
    case TypeId::kTid:
    case TypeId::kPgSnapshot:
    case TypeId::kTxidSnapshot: return 'U';
    case TypeId::kVoid: return 'P';
    case TypeId::kUnknown: return 'X';
  }
  return 'U';
}

/* pg_type.typispreferred: the type a category's values convert to when
 * several candidates would do (text among strings, oid among today's
 * numbers; float8 among the numbers, as PostgreSQL's pg_type says). */
inline bool IsPreferredType(TypeId t) {
  switch (t) {
    case TypeId::kBool:
    case TypeId::kText:
    case TypeId::kOid:
    case TypeId::kFloat8:
    case TypeId::kTimestampTz:
    case TypeId::kInterval:
    case TypeId::kInet: return true;
    default: return false;
  }
}

/* Widening order of the numbers, as PostgreSQL's implicit casts go:
 * smallint < integer < bigint < numeric < real < double precision. */
inline int NumberRank(TypeId t) {
  switch (t) {
    case TypeId::kInt2: return 0;
    case TypeId::kInt4: return 1;
    case TypeId::kInt8: return 2;
    case TypeId::kNumeric: return 3;
    case TypeId::kFloat4: return 4;
    default: return 5;
  }
}

}  // namespace minipg::sql
