/*-------------------------------------------------------------------------
 * runner.h
 *   Running a sqllogictest file (slt.h) against one server through libpq,
 *   counting the records that passed, failed and were skipped.
 *
 * NOTES
 *   Each file runs in a database of its own (CREATE DATABASE before,
 *   DROP DATABASE after), so files do not see each other's tables and
 *   minipg and PostgreSQL start every file from the same empty state. A
 *   server that cannot create one (no privilege) runs the file in the
 *   database the connection string names. A lost connection (a crashed
 *   backend) is reopened for the next record, and the record fails.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string>
#include <vector>

#include "sim/slt/slt.h"

namespace minipg::sim::slt {

struct RunOptions {
  std::string db_name = "postgresql";  // the name skipif/onlyif test
  bool own_database = true;            // a fresh database for the file
  int statement_timeout_ms = 30'000;   // a hung statement fails, not the run
};

struct Counts {
  size_t passed = 0;
  size_t failed = 0;
  size_t skipped = 0;
  Counts& operator+=(const Counts& o) {
    passed += o.passed;
    failed += o.failed;
    skipped += o.skipped;
    return *this;
  }
};

/* A record that failed: where, and what differed. */
struct Failure {
  int line = 0;
  std::string sql;
  std::string why;
};

struct FileRun {
  Counts counts;
  std::vector<Failure> failures;
  std::string error;  // set when the file could not run at all (no connection)
};

FileRun RunSltFile(const SltFile& file, const std::string& conninfo, const RunOptions& options);

}  // namespace minipg::sim::slt
