/*-------------------------------------------------------------------------
 * sql_logic_test.cpp
 *   Runs every tests/engine/sql/logic/<name>.test file (sqllogictest style)
 *   against a fresh Session on a fresh data directory. One test per file.
 *
 *   File format (blocks separated by blank lines; '#' starts a comment):
 *
 *     statement ok
 *     CREATE TABLE t (a int)
 *
 *     statement error 42P01 relation "nope" does not exist
 *     SELECT * FROM nope
 *
 *     query [rowsort] [colnames]
 *     SELECT a, NULL FROM t
 *     ----
 *     1|NULL
 *
 *   The SQL may span lines and hold several statements; it runs as one
 *   Query message would. "statement error" names the SQLSTATE and,
 *   optionally, the exact message. A query's expected rows are its values
 *   joined by '|', NULL for SQL NULL and (empty) for an empty string; with
 *   colnames the first line is the column names; rowsort sorts both sides.
 *-------------------------------------------------------------------------
 */
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/engine/sql/sql_test_util.h"

#ifndef MINIPG_SQL_LOGIC_DIR
#define MINIPG_SQL_LOGIC_DIR ""
#endif

namespace minipg::sql {
namespace {

std::filesystem::path LogicDir() {
  if (const char* src = std::getenv("MINIPG_SOURCE_DIR"); src != nullptr && *src != '\0') {
    return std::filesystem::path(src) / "tests" / "engine" / "sql" / "logic";
  }
  return MINIPG_SQL_LOGIC_DIR;
}

std::vector<std::string> LogicFiles() {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(LogicDir(), ec)) {
    if (entry.path().extension() == ".test") {
      files.push_back(entry.path().filename().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string FormatRow(const std::vector<std::optional<std::string>>& row) {
  std::string out;
  for (size_t i = 0; i < row.size(); ++i) {
    if (i > 0) {
      out += "|";
    }
    out += !row[i] ? "NULL" : row[i]->empty() ? "(empty)" : *row[i];
  }
  return out;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) {
    out += "  " + l + "\n";
  }
  return out;
}

class LogicFileRunner {
 public:
  explicit LogicFileRunner(const std::filesystem::path& path) : path_(path) {}

  /* Returns one message per failed block, each with its line number. */
  std::vector<std::string> Run() {
    std::ifstream in(path_);
    if (!in) {
      return {"cannot open " + path_.string()};
    }
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
      lines.push_back(line);
    }
    size_t i = 0;
    while (i < lines.size()) {
      const std::string& head = lines[i];
      if (head.empty() || head[0] == '#') {
        ++i;
        continue;
      }
      size_t block_line = i + 1;
      ++i;
      std::string sql;
      while (i < lines.size() && !lines[i].empty() && lines[i] != "----") {
        sql += lines[i++] + "\n";
      }
      std::vector<std::string> expected;
      if (i < lines.size() && lines[i] == "----") {
        ++i;
        while (i < lines.size() && !lines[i].empty()) {
          expected.push_back(lines[i++]);
        }
      }
      RunBlock(head, sql, expected, block_line);
    }
    return failures_;
  }

 private:
  void Fail(size_t line, const std::string& what) {
    failures_.push_back(path_.filename().string() + ":" + std::to_string(line) + ": " + what);
  }

  void RunBlock(const std::string& head, const std::string& sql, std::vector<std::string> expected,
                size_t line) {
    std::istringstream words(head);
    std::string kind;
    words >> kind;
    RunResult r = fixture_.RunSql(sql);
    if (kind == "statement") {
      std::string mode;
      words >> mode;
      if (mode == "ok") {
        if (r.error) {
          Fail(line, "expected success, got " + r.error->sqlstate + " " + r.error->message);
        }
        return;
      }
      if (mode == "error") {
        std::string sqlstate;
        words >> sqlstate;
        std::string message;
        std::getline(words, message);
        message.erase(0, message.find_first_not_of(' '));
        if (!r.error) {
          Fail(line, "expected error " + sqlstate + ", got success");
        } else if (r.error->sqlstate != sqlstate) {
          Fail(line, "expected error " + sqlstate + ", got " + r.error->sqlstate + " " + r.error->message);
        } else if (!message.empty() && r.error->message != message) {
          Fail(line, "expected message \"" + message + "\", got \"" + r.error->message + "\"");
        }
        return;
      }
      Fail(line, "unknown statement mode \"" + mode + "\"");
      return;
    }
    if (kind != "query") {
      Fail(line, "unknown block \"" + head + "\"");
      return;
    }
    bool rowsort = false;
    bool colnames = false;
    for (std::string opt; words >> opt;) {
      rowsort |= opt == "rowsort";
      colnames |= opt == "colnames";
    }
    if (r.error) {
      Fail(line, "query failed: " + r.error->sqlstate + " " + r.error->message);
      return;
    }
    std::vector<std::string> actual;
    for (const auto& row : r.sink.rows_) {
      actual.push_back(FormatRow(row));
    }
    if (rowsort) {
      std::sort(actual.begin(), actual.end());
      std::sort(expected.begin() + (colnames && !expected.empty() ? 1 : 0), expected.end());
    }
    if (colnames) {
      std::string names;
      for (size_t c = 0; c < r.sink.columns_.size(); ++c) {
        names += (c > 0 ? "|" : "") + r.sink.columns_[c].name;
      }
      actual.insert(actual.begin(), names);
    }
    if (actual != expected) {
      Fail(line, "query result differs\nexpected:\n" + JoinLines(expected) + "actual:\n" + JoinLines(actual));
    }
  }

  std::filesystem::path path_;
  SqlFixture fixture_;
  std::vector<std::string> failures_;
};

class SqlLogicTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SqlLogicTest, File) {
  LogicFileRunner runner(LogicDir() / GetParam());
  for (const std::string& failure : runner.Run()) {
    ADD_FAILURE() << failure;
  }
}

INSTANTIATE_TEST_SUITE_P(Logic, SqlLogicTest, ::testing::ValuesIn(LogicFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param.substr(0, info.param.size() - 5);
                           std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
                           return name;
                         });

// The driver must find files: an empty directory would make every run pass.
TEST(SqlLogicFilesTest, FilesExist) { EXPECT_GE(LogicFiles().size(), 3u) << LogicDir(); }

}  // namespace
}  // namespace minipg::sql
