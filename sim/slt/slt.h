/*-------------------------------------------------------------------------
 * slt.h
 *   sqllogictest files for minipg-slt (docs/testing.md, "SQL corpora"):
 *   the records a .test file holds, and how a result set is formatted and
 *   compared with what the file expects. No server here; runner.h runs
 *   the records through libpq.
 *
 *     .test text --ParseSlt (parser.cpp)--> SltFile --RunSltFile (runner.cpp)--> counts
 *
 *   The format (records separated by blank lines, '#' starts a comment):
 *
 *     hash-threshold 8              results with more values compare by MD5
 *     skipif mysql                  conditions on the next record; minipg
 *     onlyif postgresql             answers to the name "postgresql"
 *     statement ok | statement error
 *     SQL (one or more lines)
 *
 *     query TYPES [nosort|rowsort|valuesort] [LABEL]
 *     SQL
 *     ----
 *     one value a line, or one row a line (values separated by spaces),
 *     or "N values hashing to MD5"
 *
 *     halt                          stops reading the file
 *
 *   TYPES has a letter a column: T text, I integer, R real (printed with
 *   three decimals). NULL prints as "NULL", an empty string as "(empty)",
 *   and characters outside printable ASCII as '@', as sqllogictest does.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minipg::sim::slt {

enum class RecordKind {
  kStatement,      // statement ok | error
  kQuery,          // query TYPES ...
  kHashThreshold,  // hash-threshold N
  kHalt,           // halt: stop reading the file
  kUnknown,        // a record this runner does not know (another dialect's): skipped
};

enum class SortMode {
  kNoSort,     // rows compared in the order the server returned them
  kRowSort,    // rows sorted (as formatted text) before comparing
  kValueSort,  // every value sorted on its own, rows forgotten
};

/* skipif DB / onlyif DB before a record. */
struct Condition {
  bool only_if = false;
  std::string db;
};

struct Record {
  RecordKind kind = RecordKind::kStatement;
  int line = 0;  // the line of its first word (after conditions), 1-based
  std::vector<Condition> conditions;
  std::string sql;
  bool expect_error = false;  // statement error
  std::string types;          // query: one letter a column
  SortMode sort = SortMode::kNoSort;
  std::string label;                  // query: results shared by queries with this label
  std::vector<std::string> expected;  // query: the lines after ----
  bool has_separator = false;         // query: whether ---- was there
  int hash_threshold = 0;             // hash-threshold
};

/* A line the parser did not understand: the file stays usable, the
 * record is counted as skipped by the runner. */
struct ParseProblem {
  int line = 0;
  std::string message;
};

struct SltFile {
  std::vector<Record> records;
  std::vector<ParseProblem> problems;
};

SltFile ParseSlt(std::string_view text);

/* Whether a record's skipif/onlyif conditions let `db` run it. */
bool Applies(const Record& record, std::string_view db);

/* One value as sqllogictest prints it for a column of type letter `type`;
 * nullopt is SQL NULL. */
std::string FormatValue(const std::optional<std::string>& value, char type);

/* "N values hashing to MD5" for formatted values (MD5 of each value
 * followed by a newline). */
std::string HashLine(const std::vector<std::string>& values);

/* The formatted values of a result (rows of `columns` values each, in the
 * server's order), sorted as `sort` says. */
std::vector<std::string> SortedValues(std::vector<std::vector<std::string>> rows, SortMode sort);

/* Whether `values` (sorted, `columns` a row) match `expected` lines: one
 * value a line, one row a line, or a hash line. */
bool Matches(const std::vector<std::string>& values, size_t columns,
             const std::vector<std::string>& expected);

}  // namespace minipg::sim::slt
