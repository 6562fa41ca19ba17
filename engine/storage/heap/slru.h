/*-------------------------------------------------------------------------
 * slru.h
 *   A simple least-recently-used cache of the pages of one SLRU directory
 *   in shared memory (PostgreSQL's slru.c): pg_xact, pg_subtrans,
 *   pg_multixact/offsets and pg_multixact/members each have one.
 *
 *   On disk (PostgreSQL's layout):
 *
 *     <directory>/0000   pages 0..31 of 8 KiB
 *     <directory>/0001   pages 32..63, ...   (segment name: 4 hex digits)
 *
 *   In shared memory, one SlruCtl placed by its module inside that
 *   module's area (SlruCtl::ShmemSize, SlruCtl::Init):
 *
 *     SlruCtl   lock (the module's tranche), directory, options, counter
 *     slots     nslots x (page number or -1, dirty, LSN, last use)
 *     pages     nslots x 8 KiB
 *
 * NOTES
 *   Every page access holds lock() exclusively (PostgreSQL shares it for
 *   reads of a resident page; minipg keeps one mode). A page is read into
 *   a slot when first needed: a missing file, or a page past its end,
 *   reads as zeros. The least recently used slot is taken for it, its page
 *   written back first if dirty. Flush() (checkpoints, shutdown) writes
 *   every dirty page; Reset() forgets every page and removes the files.
 *   Per-page LSN (pg_xact's commit rule, also used by pg_multixact):
 *   MarkDirty(slot, lsn) remembers the newest LSN whose change is on the
 *   page, and before the page is written the WAL is flushed to it, so a
 *   page on disk never holds a change the WAL could lose. An LSN of 0
 *   (redo, pg_subtrans) asks for no flush.
 *   Lock order: a module's own locks (e.g. MultiXactGen), then this lock,
 *   then the WAL's (WALWrite).
 *   Errors: PostgreSQL's "could not access status of transaction N" (58030)
 *   with a DETAIL naming the file and the system error.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/common/error.h"
#include "engine/shmem/lwlock.h"
#include "engine/storage/block.h"

namespace minipg::storage {

inline constexpr uint32_t kSlruPagesPerSegment = 32;  // SLRU_PAGES_PER_SEGMENT

/* "pg_xact/0000": the segment of `directory` holding `pageno`. */
std::string SlruSegmentPath(std::string_view directory, int64_t pageno);

struct SlruOptions {
  const char* directory = "";       // relative to the data directory, e.g. "pg_multixact/offsets"
  int nslots = 8;                   // page buffers
  shmem::LWLockTranche tranche = shmem::LWLockTranche::kXactSLRU;
  uint32_t items_per_page = 1;      // the "transaction N" an error names: page * items_per_page
  bool fsync = true;                // fsync a segment after writing a page to it
};

/* One SLRU's shared state; lives in shared memory, followed by its slots
 * and pages (never constructed or copied by value). */
class SlruCtl {
 public:
  /* Bytes for an SlruCtl of `nslots` slots (with its slots and pages). */
  static size_t ShmemSize(int nslots);
  /* Builds one at `mem` (ShmemSize bytes, 8-aligned): every slot empty. */
  static SlruCtl* Init(void* mem, const SlruOptions& options);

  shmem::LWLock* lock() { return &lock_; }

  /* The slot holding `pageno`, read in if needed. lock() held exclusively. */
  Result<int> ReadPage(int64_t pageno);
  char* page(int slot);
  /* The page in `slot` changed; `lsn` (0: none) must be flushed before it
   * is written. lock() held exclusively. */
  void MarkDirty(int slot, XLogRecPtr lsn = 0);
  /* The newest LSN given to MarkDirty for the page now in `slot`. */
  XLogRecPtr page_lsn(int slot) const;

  /* Writes every dirty page (takes lock()). */
  Status Flush();
  /* Forgets every page and removes the directory's files (takes lock()). */
  Status Reset();
  /* Forgets every page after `pageno` and removes them from disk: its
   * segment file is cut after it and later segment files are removed, so
   * they read as zeros again (takes lock()). */
  Status TruncateAfter(int64_t pageno);

  /* "pg_xact/0000": the segment holding `pageno`, relative to the data
   * directory. */
  std::string SegmentPath(int64_t pageno) const;

 private:
  struct Slot {
    int64_t pageno;  // -1: empty
    bool dirty;
    XLogRecPtr lsn;
    uint64_t last_used;
  };

  Slot* slots();
  const Slot* slots() const;
  Status ReadFromDisk(int64_t pageno, char* out) const;
  Status WriteToDisk(int slot);
  Error IoFailure(const char* what, int64_t pageno, int err) const;

  shmem::LWLock lock_;
  char directory_[48];
  int nslots_;
  uint32_t items_per_page_;
  bool fsync_;
  uint64_t use_counter_;
};

}  // namespace minipg::storage
