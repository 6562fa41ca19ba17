/*-------------------------------------------------------------------------
 * varchar.h
 *   character varying(n) and character(n) (bpchar): the length checks of
 *   their type modifier and bpchar's blank-padding semantics.
 *
 * NOTES
 *   Lengths count characters (UTF-8), not bytes, as PostgreSQL's do.
 *   A bpchar value is stored padded to n; its trailing blanks do not count
 *   when compared, measured by length() or cast to text.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/common/error.h"

namespace minipg::sql::adt {

/* Characters in UTF-8 text. */
size_t CharLength(std::string_view s);
/* The first n characters' bytes. */
size_t BytesOfChars(std::string_view s, size_t n);

/* varchar(n): longer values are an error (22001 "value too long for type
 * character varying(n)") unless the excess is blanks or the cast is explicit,
 * where they are cut. typmod -1: unchanged. */
Result<std::string> VarcharApplyTypmod(std::string s, int32_t typmod, bool explicit_cast);
/* char(n): the same check, then blank-padded to n characters. */
Result<std::string> BpcharApplyTypmod(std::string s, int32_t typmod, bool explicit_cast);
/* A bpchar without its trailing blanks (its value as text). */
std::string_view BpcharTrimmed(std::string_view s);

}  // namespace minipg::sql::adt
