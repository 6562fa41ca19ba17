/*-------------------------------------------------------------------------
 * normalize.h
 *   What makes one spec print the same on minipg and PostgreSQL 15, and
 *   twice on the same server: the numbers a run cannot repeat (backend
 *   pids, transaction ids, OIDs) replaced by names, the lines of VACUUM
 *   VERBOSE that depend on timing dropped, and a line diff of two outputs.
 *
 *   A pid of a session of the spec becomes PID(s1) (its session's name),
 *   any other pid PID; a transaction id XID; a virtual transaction id
 *   VXID; an OID OID. In messages (errors, their DETAIL, notices) by the
 *   words before the number ("Process 1234", "transaction 745", "relation
 *   16384 of database 5"); in result cells by the column's name (one
 *   containing "pid"; "transactionid", "database", "objid", "classid",
 *   "virtualxid", and names ending in "xid", "xmin" or "xmax").
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace minipg::sim::isolation {

struct SessionPid {
  std::string session;
  int pid = 0;
};

/* A message's text (several lines allowed) with pids, xids and OIDs named. */
std::string NormalizeMessage(std::string_view text, const std::vector<SessionPid>& pids);

/* A result value of column `column` (NULLs are not passed here). */
std::string NormalizeCell(std::string_view column, std::string_view value, const std::vector<SessionPid>& pids);

/* Whether a line of a notice depends on timing (VACUUM VERBOSE's removable
 * cutoff, rates, buffer and WAL usage, CPU times) and is left out. */
bool IsTimingLine(std::string_view line);

/* A unified-style diff of two texts by lines ("" when equal): lines only
 * in `expected` start with '-', only in `actual` with '+', and up to two
 * unchanged lines around each change with ' '. */
std::string DiffLines(std::string_view expected, std::string_view actual);

}  // namespace minipg::sim::isolation
