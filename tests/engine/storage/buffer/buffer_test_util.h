/*-------------------------------------------------------------------------
 * buffer_test_util.h
 *   A data directory with shared memory holding a small buffer pool, and
 *   relations whose pages each carry one 32-bit counter, for the buffer
 *   pool's tests.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "engine/shmem/lwlock.h"
#include "engine/shmem/shmem.h"
#include "engine/storage/buffer/buffer_pool.h"
#include "engine/storage/page/page.h"
#include "engine/storage/smgr/smgr.h"
#include "tests/engine/storage/temp_dir.h"

namespace minipg::storage {

/* The events the hook heard, in this process. */
inline std::vector<BufferEvent>& HeardEvents() {
  static std::vector<BufferEvent> events;
  return events;
}

class BufferPoolTest : public ::testing::Test {
 protected:
  static constexpr RelFileLocator kRel{kDefaultTablespaceOid, 5, 16384};
  static constexpr RelFileLocator kOtherRel{kDefaultTablespaceOid, 5, 16385};

  void TearDown() override {
    shmem::LWLockReleaseAll();
    ReleaseAllBuffers();
    SetWalFlushHook(nullptr);
    SetBufferEventHook(nullptr);
    SmgrCloseAll();
    shmem::DestroySharedMemory();
  }

  /* A pool of `nbuffers` and relation kRel (and kOtherRel) with `npages`
   * pages, page i's counter = i. */
  void MakePool(int nbuffers, int npages, std::vector<shmem::ShmemRequest> extra = {}) {
    std::filesystem::create_directories(dir_.path() / "base" / "5");
    SmgrInit(dir_.path());
    std::vector<shmem::ShmemRequest> requests = BufferPoolShmemRequests(nbuffers);
    for (auto& r : extra) requests.push_back(std::move(r));
    ASSERT_TRUE(shmem::CreateSharedMemory(8, 1, requests).ok());
    for (const RelFileLocator& rel : {kRel, kOtherRel}) {
      ASSERT_TRUE(SmgrCreate(rel, ForkNumber::kMain).ok());
      for (int i = 0; i < npages; ++i) {
        ASSERT_TRUE(SmgrExtend(Tag(i, rel), MakePage(static_cast<uint32_t>(i)).data()).ok());
      }
    }
    HeardEvents().clear();
    SetBufferEventHook([](const BufferEvent& e) { HeardEvents().push_back(e); });
  }

  static BufferTag Tag(BlockNumber block, RelFileLocator rel = kRel) { return BufferTag{rel, ForkNumber::kMain, block}; }

  static std::vector<char> MakePage(uint32_t counter) {
    std::vector<char> page(kBlockSize, 0);
    PageInit(page.data(), 0);
    EXPECT_EQ(PageAddItem(page.data(), std::string_view(reinterpret_cast<const char*>(&counter), 4)), 1);
    return page;
  }

  static uint32_t& Counter(char* page) {
    return *reinterpret_cast<uint32_t*>(PageGetItemData(page, PageGetItemId(page, 1)));
  }

  /* The counter as the file has it (not through the pool). */
  static uint32_t CounterOnDisk(const BufferTag& tag) {
    std::vector<char> page(kBlockSize);
    EXPECT_TRUE(SmgrRead(tag, page.data()).ok());
    return Counter(page.data());
  }

  /* Reads, pins and returns a buffer, failing the test on an error. */
  static Buffer Read(const BufferTag& tag, bool* hit = nullptr) {
    auto b = ReadBuffer(tag, hit);
    EXPECT_TRUE(b.ok()) << (b.ok() ? "" : b.error().message);
    return b.ok() ? *b : kInvalidBuffer;
  }

  /* Adds `delta` to the page's counter under the exclusive content lock. */
  static void Bump(const BufferTag& tag, uint32_t delta, XLogRecPtr lsn = 0) {
    Buffer b = Read(tag);
    LockBuffer(b, BufferLockMode::kExclusive);
    Counter(BufferGetPage(b)) += delta;
    if (lsn != 0) PageSetLSN(BufferGetPage(b), lsn);
    MarkBufferDirty(b);
    UnlockBuffer(b);
    ReleaseBuffer(b);
  }

  static int Count(BufferEvent::Kind kind) {
    int n = 0;
    for (const BufferEvent& e : HeardEvents()) n += e.kind == kind;
    return n;
  }

  static int ExitCode(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
  }

  TempDir dir_;
};

}  // namespace minipg::storage
