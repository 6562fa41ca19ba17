/*-------------------------------------------------------------------------
 * printer.h
 *   Printing query results the way psql's default "aligned" format does:
 *
 *      a | b
 *     ---+-----
 *      1 | one
 *     (1 row)
 *
 *   Numbers are right-aligned, everything else left-aligned; headers are
 *   centred; NULL prints as nothing.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string>

#include "sim/client/client.h"

namespace minipg::minipsql {

/* The text psql would print for one statement's result. */
std::string FormatResult(const client::StatementResult& r);

/* "ERROR:  message" plus LINE/caret like psql when a position is known. */
std::string FormatError(const protocol::ErrorFields& e, std::string_view query);

}  // namespace minipg::minipsql
