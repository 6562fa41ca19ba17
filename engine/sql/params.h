/*-------------------------------------------------------------------------
 * params.h
 *   Parameter values of the extended query protocol ($1, $2, ... in a
 *   prepared statement): parameter type OIDs from a Parse message, the
 *   values a Bind message carries (text or binary format), and the binary
 *   output format of result columns.
 *
 * NOTES
 *   A value is checked at Bind, as PostgreSQL's type input functions do, and
 *   kept as canonical text; the SQL layer parses it again (which cannot fail)
 *   when the statement runs. Binary format is known for int2, int4, int8,
 *   bool and text (network byte order, as PostgreSQL's send/recv functions).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/common/error.h"
#include "engine/sql/session.h"

namespace minipg::sql {

/* PostgreSQL type OIDs minipg understands in a Parse message. */
inline constexpr uint32_t kOidUnspecified = 0;
inline constexpr uint32_t kOidBool = 16;
inline constexpr uint32_t kOidInt8 = 20;
inline constexpr uint32_t kOidInt2 = 21;
inline constexpr uint32_t kOidInt4 = 23;
inline constexpr uint32_t kOidText = 25;
inline constexpr uint32_t kOidUnknown = 705;
inline constexpr uint32_t kOidVarchar = 1043;
inline constexpr uint32_t kOidNumeric = 1700;

/* The type a parameter type OID denotes: 0 and 705 (unknown) are kUnknown
 * (to be inferred); smallint is taken as integer and varchar as text.
 * 0A000 for a type minipg does not have. */
Result<TypeId> ParamTypeFromOid(uint32_t oid);

/* Format codes of Bind. */
inline constexpr int16_t kFormatText = 0;
inline constexpr int16_t kFormatBinary = 1;

/* One parameter value as a Bind message carries it. */
struct ParamValue {
  std::optional<std::string> bytes;  // nullopt = NULL
  int16_t format = kFormatText;
};

/* Checks parameter number `number` (1-based, for messages) of type `type`
 * (declared as `oid` in Parse, which tells smallint from integer) and
 * returns it as text (nullopt for NULL). Text input errors are the type's
 * own (22P02 invalid input syntax, 22003 out of range); a binary value of
 * the wrong length is 22P03 "incorrect binary data format in bind
 * parameter N". */
Result<std::optional<std::string>> ParamToText(const ParamValue& value, TypeId type, uint32_t oid,
                                               int number);

/* Whether a result column of this type can be sent in binary format
 * (the integers, oid, xid, boolean, text, name, "char"); other types are
 * sent as text. */
bool HasBinaryOutput(TypeId type);

/* The binary form of a value given in its text output form; HasBinaryOutput
 * must be true. */
std::string BinaryOutput(std::string_view text, TypeId type);

}  // namespace minipg::sql
