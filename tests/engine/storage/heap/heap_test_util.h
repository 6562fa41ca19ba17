/*-------------------------------------------------------------------------
 * heap_test_util.h
 *   A data directory with shared memory holding a small buffer pool, the
 *   WAL and the transaction area, as a server process has them, for the
 *   heap, transaction and redo tests; and reading the WAL back for redo.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "engine/shmem/lwlock.h"
#include "engine/shmem/shmem.h"
#include "engine/storage/buffer/buffer_pool.h"
#include "engine/storage/heap/heap_redo.h"
#include "engine/storage/heap/heapam.h"
#include "engine/storage/heap/multixact.h"
#include "engine/storage/heap/procarray.h"
#include "engine/storage/heap/subtrans.h"
#include "engine/storage/heap/transam.h"
#include "engine/storage/heap/xact.h"
#include "engine/storage/ipc/sinval.h"
#include "engine/storage/smgr/smgr.h"
#include "engine/storage/wal/wal_layout.h"
#include "engine/storage/wal/wal_reader.h"
#include "engine/storage/wal/wal_rmgr.h"
#include "engine/storage/wal/xlog.h"
#include "tests/engine/storage/temp_dir.h"

namespace minipg::storage {

inline constexpr uint64_t kTestSystemId = 7;

class HeapTest : public ::testing::Test {
 protected:
  static constexpr RelFileLocator kRel{kDefaultTablespaceOid, 5, 16384};
  static constexpr int kSinvalProcs = 4;  // read positions in the invalidation ring

  void SetUp() override { Start(); }
  void TearDown() override { Stop(); }

  /* Shared memory as a server makes it; `wal` false: no WAL positions
   * (recovery, before XLogStartup); `procarray`: with the process array
   * (this process has no slot in it), so an xid left in progress by a
   * crash counts as not running, as in a restarted server. */
  void Start(bool wal = true, int nbuffers = 16, bool procarray = false) {
    std::filesystem::create_directories(dir_.path() / "base" / "5");
    std::filesystem::create_directories(dir_.path() / "pg_wal");
    SmgrInit(dir_.path());
    std::vector<shmem::ShmemRequest> requests = BufferPoolShmemRequests(nbuffers);
    requests.push_back(wal::WalShmemRequest(8));
    for (auto& r : TransamShmemRequests()) requests.push_back(std::move(r));
    for (auto& r : SubTransShmemRequests()) requests.push_back(std::move(r));
    for (auto& r : MultiXactShmemRequests()) requests.push_back(std::move(r));
    for (auto& r : SinvalShmemRequests(kSinvalProcs)) requests.push_back(std::move(r));
    if (procarray) {
      for (auto& r : ProcArrayShmemRequests(4)) requests.push_back(std::move(r));
    }
    ASSERT_TRUE(shmem::CreateSharedMemory(8, 1, requests).ok());
    SharedInvalBackendInit(0, 0);  // this process reads the ring as slot 0
    // During recovery the WAL being replayed is on disk already: no flush.
    SetWalFlushHook(wal ? wal::XLogFlushOrPanic : nullptr);
    if (wal) {
      ASSERT_TRUE(wal::XLogStartup({dir_.path() / "pg_wal", kTestSystemId, false, 0, 0}).ok());
    }
  }

  /* As if the server stopped dead: nothing written that is not written. */
  void Stop() {
    (void)AbortTransaction();
    wal::XLogSetRedoPtr(0);
    SetWalFlushHook(nullptr);
    SmgrCloseAll();
    shmem::DestroySharedMemory();
  }

  static std::vector<ColumnDef> Columns() { return {{"id", ColumnType::kInt4}, {"name", ColumnType::kText}}; }
  static Tuple Row(int64_t id) { return {Datum(id), Datum(std::string("row ") + std::to_string(id))}; }

  static std::vector<int64_t> ScanIds(RelFileLocator rel = kRel) {
    std::vector<int64_t> ids;
    HeapTableScan scan(rel, Columns());
    EXPECT_TRUE(scan.Open().ok());
    for (;;) {
      auto row = scan.Next();
      EXPECT_TRUE(row.ok()) << (row.ok() ? "" : row.error().message);
      if (!row.ok() || !row->has_value()) break;
      ids.push_back(std::get<int64_t>((**row)[0]));
    }
    return ids;
  }

  /* The TID of the row with that id (a test failure if there is none). */
  static ItemPointer TidOf(int64_t id, RelFileLocator rel = kRel) {
    HeapTableScan scan(rel, Columns());
    EXPECT_TRUE(scan.Open().ok());
    for (;;) {
      auto row = scan.Next();
      if (!row.ok() || !row->has_value()) break;
      if (std::get<int64_t>((**row)[0]) == id) return scan.last_tid();
    }
    ADD_FAILURE() << "no row " << id;
    return {};
  }

  /* The stored header of the tuple at `tid`. */
  static HeapTupleHeader HeaderAt(ItemPointer tid, RelFileLocator rel = kRel) {
    auto b = ReadBuffer(BufferTag{rel, ForkNumber::kMain, tid.block});
    EXPECT_TRUE(b.ok());
    if (!b.ok()) return {};
    LockBuffer(*b, BufferLockMode::kShare);
    const char* page = BufferGetPage(*b);
    auto h = HeapTupleGetHeader(PageGetItem(page, PageGetItemId(page, tid.offset)));
    UnlockBuffer(*b);
    ReleaseBuffer(*b);
    EXPECT_TRUE(h.ok());
    return h.ok() ? *h : HeapTupleHeader{};
  }

  void InsertIds(int64_t from, int64_t to, RelFileLocator rel = kRel) {
    std::vector<Tuple> rows;
    for (int64_t i = from; i < to; ++i) rows.push_back(Row(i));
    Status s = HeapInsert(rel, Columns(), rows);
    ASSERT_TRUE(s.ok()) << s.error().message;
  }

  /* Replays every record from `from` (the first record if 0) with the
   * redo functions; returns how many were replayed. */
  int Replay(XLogRecPtr from = 0) {
    RegisterRedoFunctions();
    wal::WalDirSource src(dir_.path() / "pg_wal");
    wal::XLogReader reader(src, kTestSystemId);
    int n = 0;
    for (const wal::DecodedRecord* r = reader.ReadRecord(from == 0 ? wal::FirstRecordLsn() : from); r != nullptr;
         r = reader.ReadNext()) {
      const wal::RmgrData* rmgr = wal::GetRmgr(r->header.rmid);
      if (rmgr == nullptr || rmgr->redo == nullptr) continue;  // XLOG records are aux's
      Status s = rmgr->redo(*r);
      EXPECT_TRUE(s.ok()) << wal::FormatWaldumpLine(*r) << ": " << (s.ok() ? "" : s.error().message);
      ++n;
    }
    return n;
  }

  std::string FileBytes(const std::string& relative) const {
    std::ifstream in(dir_.path() / relative, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  TempDir dir_;
};

}  // namespace minipg::storage
