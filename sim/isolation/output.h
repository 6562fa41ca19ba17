/*-------------------------------------------------------------------------
 * output.h
 *   How minipg-isolation prints what a step produced, as isolationtester
 *   prints it: rows aligned by libpq's PQprint (header, '|' between
 *   columns, "(N rows)"), an error as "SEVERITY:  message" (and, unlike
 *   isolationtester, its DETAIL and HINT), a notice under its session's name; all
 *   normalized (normalize.h).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <libpq-fe.h>

#include <string>
#include <string_view>
#include <vector>

#include "sim/isolation/normalize.h"

namespace minipg::sim::isolation {

/* The rows of a PGRES_TUPLES_OK result, values normalized by column. */
std::string FormatRows(const PGresult* res, const std::vector<SessionPid>& pids);

/* An error's lines: "ERROR:  primary", then "DETAIL:  detail" and
 * "HINT:  hint" if not empty. */
std::string FormatError(std::string_view severity, std::string_view primary, std::string_view detail,
                        std::string_view hint, const std::vector<SessionPid>& pids);

/* A notice as libpq formats it ("NOTICE:  text\n" and more lines), under its
 * session's name, without the lines that depend on timing. */
std::string FormatNotice(std::string_view session, std::string_view message, const std::vector<SessionPid>& pids);

}  // namespace minipg::sim::isolation
