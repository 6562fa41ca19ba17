/*-------------------------------------------------------------------------
 * float.h
 *   double precision (float8): text input and output as PostgreSQL 15's
 *   float8in / float8out (extra_float_digits = 1: the shortest text that
 *   reads back the same double), and the overflow checks its arithmetic
 *   makes.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string>
#include <string_view>

#include "engine/common/error.h"

namespace minipg::sql::adt {

/* "0.1", "1e+100", "1.2345678901234567e+19", "-Infinity", "NaN". */
std::string Float8Out(double v);
/* ' 1.5 ', '1e3', 'NaN', '-Infinity', 'inf'; 22P02 or 22003 with PostgreSQL's words.
 * type_name: "double precision" or "real" for the messages. */
Result<double> Float8In(std::string_view text, const char* type_name = "double precision");
/* A result that overflowed (inf from finite inputs) or underflowed (0 from
 * non-zero ones): 22003 "value out of range: overflow/underflow". */
Result<double> CheckFloat8(double result, bool inputs_infinite, bool zero_allowed);

}  // namespace minipg::sql::adt
