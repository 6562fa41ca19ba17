/*-------------------------------------------------------------------------
 * ps_status.h
 *   Process titles as `ps` shows them, like PostgreSQL's:
 *
 *     minipg: postmaster
 *     minipg: alice shop 127.0.0.1(52114) idle
 *     minipg: event collector
 *
 * NOTES
 *   On Linux the title is written over the memory of argv (and the
 *   environment strings after it, which are first moved elsewhere), the
 *   technique of PostgreSQL's ps_status.c. InitPsStatus() must run before
 *   anything else reads argv or environ, and returns a copy of the
 *   arguments for the program to parse.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace minipg {

/* Takes over argv's memory for titles; returns a safe copy of argv. */
std::vector<std::string> InitPsStatus(int argc, char** argv);

/* Sets the whole title ("minipg: " is prefixed). */
void SetPsTitle(std::string_view title);

/* Keeps the title's fixed part ("alice shop [local]") and sets its activity ("idle"). */
void SetPsActivity(std::string_view activity);
void SetPsFixedPart(std::string_view fixed);

/* The current title, as set (for tests and the viz snapshot). */
std::string GetPsTitle();

}  // namespace minipg
