/*-------------------------------------------------------------------------
 * sql_test_util.h
 *   Helpers for SQL tests: a ResultSink that keeps what it gets, and a
 *   Session on a temporary data directory that runs a Query's text the way
 *   the backend does (parse all, then execute each statement).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/sql/session.h"
#include "engine/storage/data_directory.h"
#include "tests/engine/storage/temp_dir.h"

namespace minipg::sql {

class CollectSink : public ResultSink {
 public:
  void Describe(const std::vector<ColumnDesc>& columns) override {
    columns_ = columns;
    described_ = true;
  }
  void Row(const std::vector<std::optional<std::string>>& values) override { rows_.push_back(values); }
  void Clear() {
    columns_.clear();
    rows_.clear();
    described_ = false;
  }

  std::vector<ColumnDesc> columns_;
  std::vector<std::vector<std::optional<std::string>>> rows_;
  bool described_ = false;
};

/* What running one Query text gave: the last statement's result, or the
 * first error. */
struct RunResult {
  std::optional<Error> error;
  StatementResult result;
  CollectSink sink;  // the last statement's output
};

class SqlFixture {
 public:
  SqlFixture() : session_(MakeContext(dir_.path())) {}
  /* A session of the superuser "alice" on database "postgres", whose
   * tables are in `dir` itself; the cluster catalog (roles and databases)
   * is made in `dir` on first use. */
  static SessionContext MakeContext(const std::filesystem::path& dir) {
    SessionContext ctx;
    ctx.data_dir = dir;
    ctx.cluster_dir = dir;
    (void)storage::InitStorage(dir, "alice");
    ctx.user = "alice";
    ctx.database = "postgres";
    ctx.backend_pid = 4242;
    ctx.server_version = "15.0 (minipg 0.1.0)";
    return ctx;
  }

  RunResult RunSql(std::string_view text) {
    RunResult r;
    auto stmts = session_.Parse(text);
    if (!stmts.ok()) {
      r.error = stmts.error();
      return r;
    }
    for (const StatementPtr& stmt : *stmts) {
      r.sink.Clear();
      auto res = session_.Execute(*stmt, r.sink);
      if (!res.ok()) {
        r.error = res.error();
        return r;
      }
      r.result = *res;
    }
    return r;
  }

  Session& session() { return session_; }
  const std::filesystem::path& dir() const { return dir_.path(); }

 private:
  TempDir dir_;
  Session session_;
};

}  // namespace minipg::sql
