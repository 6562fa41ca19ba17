/*-------------------------------------------------------------------------
 * runner.h
 *   Running an isolation spec (spec.h) against one server through libpq,
 *   as PostgreSQL's isolationtester does, producing its output:
 *
 *     Parsed test spec with 2 sessions
 *
 *     starting permutation: s1a s2a s1c
 *     step s1a: LOCK TABLE t;
 *     step s2a: SELECT * FROM t; <waiting ...>
 *     step s1c: COMMIT;
 *     step s2a: <... completed>
 *     id
 *     --
 *      1
 *     (1 row)
 *
 * NOTES
 *   One control connection runs the setup and teardown blocks and watches
 *   the sessions; each session has a connection of its own, with
 *   application_name "isolation/<session>". A step is sent without waiting
 *   for its result; while it has none, the control connection asks every
 *   10 ms whether its backend waits for a lock (pg_stat_activity's
 *   wait_event_type 'Lock', which minipg and PostgreSQL 15 both show; the
 *   real isolationtester asks pg_isolation_test_session_is_blocked). A
 *   waiting step is reported "<waiting ...>" and the permutation goes on
 *   with the next step; it is reported "<... completed>" once its result
 *   arrives. A step still running after the step timeout is canceled, and
 *   after twice that the spec is given up.
 *
 *   Unlike isolationtester, an error's DETAIL and HINT are printed after it,
 *   and pids, xids and OIDs are normalized (normalize.h), so a deadlock's
 *   DETAIL reads the same on both servers. Results print as libpq's
 *   PQprint aligns them, as isolationtester prints them.
 *
 *   Each spec runs in a fresh database "isolation_<spec name>" (created
 *   before, dropped after), so both servers start from the same state and
 *   VACUUM VERBOSE names the same database.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string>

#include "sim/isolation/spec.h"

namespace minipg::sim::isolation {

struct RunOptions {
  int step_timeout_s = 60;    // cancel a step after this; give up after twice this
  bool own_database = true;   // false: run in the database the conninfo names
};

struct SpecRun {
  std::string output;  // what isolationtester would print (normalized)
  std::string error;   // set when the spec could not run to its end
};

SpecRun RunSpec(const TestSpec& spec, const std::string& spec_name, const std::string& conninfo,
                const RunOptions& options);

}  // namespace minipg::sim::isolation
