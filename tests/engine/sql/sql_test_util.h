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

#include "engine/catalog/bootstrap.h"
#include "engine/catalog/shared_catalogs.h"
#include "engine/shmem/lwlock.h"
#include "engine/shmem/shmem.h"
#include "engine/sql/session.h"
#include "engine/storage/buffer/buffer_pool.h"
#include "engine/storage/data_directory.h"
#include "engine/storage/heap/transam.h"
#include "engine/storage/heap/xact.h"
#include "engine/storage/ipc/sinval.h"
#include "engine/storage/smgr/smgr.h"
#include "engine/storage/wal/xlog.h"
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

/* What a server process has of shared storage, made for one test: a small
 * buffer pool, the WAL in <dir>/pg_wal and the transaction area, in a
 * shared memory segment that forked children inherit. */
class TestStorage {
 public:
  explicit TestStorage(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir / "pg_wal");
    (void)storage::InitStorage(dir);
    (void)catalog::BootstrapSharedCatalogs(dir, "alice");
    (void)catalog::BootstrapCatalogs(dir);
    storage::SmgrInit(dir);
    std::vector<shmem::ShmemRequest> requests = storage::BufferPoolShmemRequests(64);
    requests.push_back(storage::wal::WalShmemRequest(8));
    for (auto& r : storage::TransamShmemRequests()) requests.push_back(std::move(r));
    for (auto& r : storage::SinvalShmemRequests(4)) requests.push_back(std::move(r));
    shmem::DestroySharedMemory();
    (void)shmem::CreateSharedMemory(4, 1, requests);
    storage::SetWalFlushHook(storage::wal::XLogFlushOrPanic);
    (void)storage::wal::XLogStartup({dir / "pg_wal", 1, false, 0, 0});
    storage::SharedInvalBackendInit(0, 0);
  }
  ~TestStorage() {
    (void)storage::AbortTransaction();
    storage::SetWalFlushHook(nullptr);
    storage::SmgrCloseAll();
    shmem::DestroySharedMemory();
  }
  TestStorage(const TestStorage&) = delete;
  TestStorage& operator=(const TestStorage&) = delete;
};

class SqlFixture {
 public:
  SqlFixture() : storage_(dir_.path()), session_(MakeContext(dir_.path())) {}
  /* A session of the superuser "alice" on database "postgres", whose
   * tables are in `dir`/base/5; the cluster catalog (roles and databases)
   * is made in `dir` on first use. */
  static SessionContext MakeContext(const std::filesystem::path& dir) {
    SessionContext ctx;
    ctx.data_dir = dir / "base" / "5";
    ctx.cluster_dir = dir;
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
  TestStorage storage_;
  Session session_;
};

}  // namespace minipg::sql
