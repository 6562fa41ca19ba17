/*-------------------------------------------------------------------------
 * printer.h
 *   Printing query results the way psql does. The default "aligned"
 *   format:
 *
 *      a | b
 *     ---+-----
 *      1 | one
 *     (1 row)
 *
 *   Numbers are right-aligned, everything else left-aligned; headers are
 *   centred; NULL prints as nothing. Also psql's unaligned format (-A,
 *   fields joined by '|'), tuples only (-t: no header, no footer) and
 *   expanded display (\x: one "-[ RECORD n ]" block per row).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string>

#include "sim/client/client.h"

namespace minipg::minipsql {

struct PrintOptions {
  bool unaligned = false;    // -A, \a
  bool tuples_only = false;  // -t, \t
  bool expanded = false;     // \x
  std::string field_separator = "|";
  std::string title;   // centred above the table (\d, \dt, \l, \du)
  bool footer = true;  // "(N rows)"
};

/* The text psql would print for one statement's result (rows, or the
 * command tag for a statement without rows). */
std::string FormatResult(const client::StatementResult& r, const PrintOptions& opts);
inline std::string FormatResult(const client::StatementResult& r) {
  return FormatResult(r, PrintOptions{});
}

/* "ERROR:  message" plus LINE/caret like psql when a position is known,
 * then DETAIL, HINT and CONTEXT lines. `prefix` ("minipsql:file.sql:3: ")
 * goes before the first line, as psql does for scripts. */
std::string FormatError(const protocol::ErrorFields& e, std::string_view query,
                        std::string_view prefix = "");

}  // namespace minipg::minipsql
