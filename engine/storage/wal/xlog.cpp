/*-------------------------------------------------------------------------
 * xlog.cpp
 *   WAL buffers, insertion and flushing in shared memory (xlog.h).
 *
 *   The area "WAL":
 *     WalShared                the locks, positions, settings, counters
 *     XLogRecPtr[nbuffers]     which WAL page each buffer holds (0: none)
 *     char[nbuffers][8192]     the buffer pages; page P lives in buffer
 *                              (P / 8192) % nbuffers
 *
 * NOTES
 *   One WALInsert lock covers both reserving the space and copying the
 *   record in (PostgreSQL has eight insertion locks so that copies run in
 *   parallel, and a way to wait for copies in progress; minipg copies one
 *   record at a time). `copied` is therefore exact: every byte before it
 *   is in the buffers, and no page at or after write_upto is replaced
 *   before it is written, because replacing takes WALWrite and writes first.
 *   A page's buffer is written whole even when only part of it is filled;
 *   the same page is written again when it has more (as in PostgreSQL).
 *   Pages never used (the rest of a segment after a SWITCH record) are not
 *   written: the segment file is zero-filled.
 *   Each process keeps its own descriptor of the segment it last wrote.
 *-------------------------------------------------------------------------
 */
#include "engine/storage/wal/xlog.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/shmem/lwlock.h"
#include "engine/storage/wal/wal_bytes.h"
#include "engine/storage/wal/wal_memory.h"
#include "engine/storage/wal/wal_records.h"

namespace minipg::storage::wal {

namespace {

using shmem::LWLock;
using shmem::LWLockAcquire;
using shmem::LWLockMode;
using shmem::LWLockRelease;

constexpr size_t kWalDirMax = 1024;
constexpr int kDelayChkptSlots = 256;  // committers between their commit record and pg_xact at once

struct WalShared {
  LWLock insert_lock;  // WALInsert: reserve + copy
  LWLock write_lock;   // WALWrite: write + sync
  uint32_t nbuffers;
  bool started;  // XLogStartup has run: positions and directory are set
  bool broken;   // an insert failed part-way: nothing is written until the crash cycle
  bool fsync;
  bool full_page_writes;
  uint64_t system_id;
  char wal_dir[kWalDirMax];
  // Under insert_lock:
  uint64_t insert_pos;  // usable byte position of the next record
  XLogRecPtr prev_lsn;  // the last record's start
  // Readable by anyone:
  std::atomic<uint64_t> copied;      // LSN: all WAL before it is in the buffers
  std::atomic<uint64_t> write_upto;  // written to the segment files (under write_lock)
  std::atomic<uint64_t> flush_upto;  // and fdatasynced (under write_lock)
  std::atomic<uint64_t> redo_ptr;    // RedoRecPtr: the latest checkpoint's redo point
  std::atomic<uint64_t> stat_records, stat_fpi, stat_bytes, stat_buffers_full, stat_write, stat_sync;
  std::atomic<uint64_t> stat_fpi_redone;  // records assembled again: a checkpoint began meanwhile
  // DelayCheckpointStart: per slot a generation, odd while a committer holds it.
  std::atomic<uint64_t> delay_chkpt[kDelayChkptSlots];
};

size_t AreaSize(int nbuffers) {
  return sizeof(WalShared) + static_cast<size_t>(nbuffers) * (sizeof(XLogRecPtr) + kWalPageSize);
}

WalShared* Shared() { return static_cast<WalShared*>(shmem::ShmemArea(kWalShmemAreaName)); }

/* The area, once XLogStartup has set it up; else nullptr and *error says why. */
WalShared* StartedShared(Error* error) {
  WalShared* w = Shared();
  if (w == nullptr) {
    *error = MakeError(sqlstate::kInternalError, "the WAL shared memory area does not exist");
  } else if (!w->started) {
    *error = MakeError(sqlstate::kInternalError, "the WAL has not been started (XLogStartup)");
    w = nullptr;
  }
  return w;
}
XLogRecPtr* SlotPages(WalShared* w) { return reinterpret_cast<XLogRecPtr*>(w + 1); }
/* Which page a buffer holds: set by inserters, read by writers. */
XLogRecPtr SlotPage(WalShared* w, size_t slot) {
  return std::atomic_ref<XLogRecPtr>(SlotPages(w)[slot]).load(std::memory_order_acquire);
}
void SetSlotPage(WalShared* w, size_t slot, XLogRecPtr page) {
  std::atomic_ref<XLogRecPtr>(SlotPages(w)[slot]).store(page, std::memory_order_release);
}
char* SlotData(WalShared* w, size_t slot) {
  return reinterpret_cast<char*>(SlotPages(w) + w->nbuffers) + slot * kWalPageSize;
}
size_t SlotOf(const WalShared* w, XLogRecPtr page_addr) { return (page_addr / kWalPageSize) % w->nbuffers; }

WalHooks g_hooks;
XLogRecPtr g_last_insert_start = 0;  // this process's

/* This process's open segment (any process may write). */
struct OpenSegment {
  pid_t pid = 0;
  SegNo seg = 0;
  int fd = -1;
};
OpenSegment g_open;

void CloseSegment() {
  if (g_open.fd >= 0 && g_open.pid == ::getpid()) ::close(g_open.fd);
  g_open = {};
}

Result<int> SegmentFd(WalShared* w, SegNo seg) {
  if (g_open.fd >= 0 && g_open.pid == ::getpid() && g_open.seg == seg) return g_open.fd;
  if (g_open.fd >= 0 && g_open.pid == ::getpid()) ::close(g_open.fd);
  g_open.fd = -1;  // a descriptor inherited through fork() is left to the parent
  auto fd = OpenOrCreateSegment(w->wal_dir, seg, w->fsync);
  if (!fd.ok()) return fd.error();
  g_open = {::getpid(), seg, *fd};
  return *fd;
}

/* fdatasync of every segment holding WAL in [from, upto). */
Status SyncSegments(WalShared* w, XLogRecPtr from, XLogRecPtr upto) {
  if (!w->fsync || upto <= from) return OkStatus();
  for (SegNo seg = LsnToSeg(from); seg <= LsnToPrevSeg(upto); ++seg) {
    auto fd = SegmentFd(w, seg);
    if (!fd.ok()) return fd.error();
    w->stat_sync.fetch_add(1, std::memory_order_relaxed);
    if (::fdatasync(*fd) != 0) {
      return MakeError(sqlstate::kIoError,
                       fmt::format("could not fdatasync file \"{}\": {}", WalFileName(seg), std::strerror(errno)),
                       Severity::kPanic);
    }
  }
  return OkStatus();
}

/* Writes the pages holding [write_upto, upto) and, if sync, makes
 * everything up to upto durable. Caller holds WALWrite. */
Status WriteUpTo(WalShared* w, XLogRecPtr upto, bool sync) {
  XLogRecPtr from = w->write_upto.load(std::memory_order_acquire);
  XLogRecPtr page = PageStart(from);
  while (page < upto) {
    size_t slot = SlotOf(w, page);
    if (SlotPage(w, slot) != page) {  // never used (after a SWITCH): zeros on disk
      page += kWalPageSize;
      continue;
    }
    // One write for the run of pages that sit side by side in the buffers
    // and in the same segment file.
    size_t npages = 1;
    while (page + npages * kWalPageSize < upto && slot + npages < w->nbuffers &&
           LsnSegOffset(page + npages * kWalPageSize) != 0 &&
           SlotPage(w, slot + npages) == page + npages * kWalPageSize) {
      ++npages;
    }
    SegNo seg = LsnToSeg(page);
    auto fd = SegmentFd(w, seg);
    if (!fd.ok()) {
      Error e = fd.error();
      e.severity = Severity::kPanic;  // WAL that cannot be written: as PostgreSQL, a PANIC
      return e;
    }
    const char* data = SlotData(w, slot);
    uint32_t off = LsnSegOffset(page);
    size_t len = npages * kWalPageSize;
    w->stat_write.fetch_add(1, std::memory_order_relaxed);
    for (size_t done = 0; done < len;) {
      ssize_t n = ::pwrite(*fd, data + done, len - done, static_cast<off_t>(off + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        int err = n == 0 ? ENOSPC : errno;
        return MakeError(err == ENOSPC ? sqlstate::kDiskFull : sqlstate::kIoError,
                         fmt::format("could not write to log file {} at offset {}, length {}: {}", WalFileName(seg),
                                     off, len, std::strerror(err)),
                         Severity::kPanic);
      }
      done += static_cast<size_t>(n);
    }
    page += len;
  }
  if (upto > from) w->write_upto.store(upto, std::memory_order_release);
  if (sync) {
    XLogRecPtr flushed = w->flush_upto.load(std::memory_order_acquire);
    Status st = SyncSegments(w, flushed, upto);
    if (!st.ok()) return st;
    if (upto > flushed) w->flush_upto.store(upto, std::memory_order_release);
  }
  return OkStatus();
}

/* The buffer page for page_addr, initialised on first use. Caller holds
 * WALInsert; all WAL before `copied` is in the buffers. */
Result<char*> GetPage(WalShared* w, XLogRecPtr page_addr) {
  size_t slot = SlotOf(w, page_addr);
  XLogRecPtr held = SlotPage(w, slot);
  if (held == page_addr) return SlotData(w, slot);
  if (held != 0 && w->write_upto.load(std::memory_order_acquire) < held + kWalPageSize) {
    // The buffer still holds an older page not yet written: write it out.
    w->stat_buffers_full.fetch_add(1, std::memory_order_relaxed);
    LWLockAcquire(&w->write_lock, LWLockMode::kExclusive);
    Status st = WriteUpTo(w, held + kWalPageSize, false);
    LWLockRelease(&w->write_lock);
    if (!st.ok()) return st.error();
  }
  InitWalPage(SlotData(w, slot), page_addr, w->system_id);
  SetSlotPage(w, slot, page_addr);
  return SlotData(w, slot);
}

}  // namespace

shmem::ShmemRequest WalShmemRequest(int wal_buffers) {
  if (wal_buffers < 4) wal_buffers = 4;
  return {kWalShmemAreaName, AreaSize(wal_buffers), [wal_buffers](void* p) {
            auto* w = new (p) WalShared{};
            shmem::LWLockInit(&w->insert_lock, shmem::LWLockTranche::kWALInsert);
            shmem::LWLockInit(&w->write_lock, shmem::LWLockTranche::kWALWrite);
            w->nbuffers = static_cast<uint32_t>(wal_buffers);
            w->fsync = true;
            w->full_page_writes = true;
          }};
}

Status XLogStartup(const WalStartup& s) {
  WalShared* w = Shared();
  if (w == nullptr) return MakeError(sqlstate::kInternalError, "the WAL shared memory area does not exist");
  std::string dir = s.wal_dir.string();
  if (dir.size() >= kWalDirMax) return MakeError(sqlstate::kInternalError, "WAL directory path is too long");
  LWLockAcquire(&w->insert_lock, LWLockMode::kExclusive);
  LWLockAcquire(&w->write_lock, LWLockMode::kExclusive);
  CloseSegment();  // a descriptor from before (another directory, an old segment) is not reused
  std::memcpy(w->wal_dir, dir.c_str(), dir.size() + 1);
  w->fsync = s.fsync;
  w->full_page_writes = s.full_page_writes;
  w->redo_ptr.store(s.redo_lsn);
  w->system_id = s.system_id;
  XLogRecPtr insert = s.insert_lsn == 0 ? FirstRecordLsn() : s.insert_lsn;
  w->insert_pos = RecPtrToBytePos(insert);
  w->prev_lsn = s.prev_lsn;
  std::memset(SlotPages(w), 0, w->nbuffers * sizeof(XLogRecPtr));
  // The page the insert position is on: its earlier bytes from disk, or a new header.
  XLogRecPtr page = PageStart(insert);
  size_t slot = SlotOf(w, page);
  char* data = SlotData(w, slot);
  InitWalPage(data, page, s.system_id);
  std::string path = (s.wal_dir / WalFileName(LsnToSeg(page))).string();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    size_t keep = LsnPageOffset(insert);
    bool read = keep > 0 && ::pread(fd, data, keep, LsnSegOffset(page)) == static_cast<ssize_t>(keep);
    if (read && ReadWalPageHeader(data).pageaddr != page) read = false;  // not this page's bytes
    if (!read) InitWalPage(data, page, s.system_id);
    ::close(fd);
  }
  SetSlotPage(w, slot, page);
  w->copied.store(insert);
  w->write_upto.store(insert);
  w->flush_upto.store(insert);
  w->started = true;
  w->broken = false;
  LWLockRelease(&w->write_lock);
  LWLockRelease(&w->insert_lock);
  return OkStatus();
}

bool XLogStarted() {
  WalShared* w = Shared();
  return w != nullptr && w->started;
}

namespace {

/* The blocks with each page_if_needed turned into an image (`page`) when
 * its page_lsn is at or before `redo`. */
std::vector<XLogBlockRef> DecideImages(std::span<const XLogBlockRef> blocks, bool full_page_writes,
                                       XLogRecPtr redo) {
  std::vector<XLogBlockRef> refs(blocks.begin(), blocks.end());
  for (XLogBlockRef& r : refs) {
    if (r.page_if_needed != nullptr && full_page_writes && r.page_lsn <= redo) r.page = r.page_if_needed;
  }
  return refs;
}

/* True when a block left without an image needs one under redo point `redo`. */
bool MissesImage(std::span<const XLogBlockRef> refs, bool full_page_writes, XLogRecPtr redo) {
  for (const XLogBlockRef& r : refs) {
    if (r.page_if_needed != nullptr && r.page == nullptr && full_page_writes && r.page_lsn <= redo) return true;
  }
  return false;
}

}  // namespace

XLogRecPtr XLogInsertOrPanic(RmgrId rmid, uint8_t info, TransactionId xid, std::span<const XLogBlockRef> blocks,
                             std::string_view main_data) {
  auto end = XLogInsert(rmid, info, xid, blocks, main_data);
  if (!end.ok()) {
    std::fprintf(stderr, "PANIC:  %s\n", end.error().message.c_str());
    std::abort();
  }
  return *end;
}

Result<XLogRecPtr> XLogInsert(RmgrId rmid, uint8_t info, TransactionId xid, std::span<const XLogBlockRef> blocks,
                              std::string_view main_data) {
  Error error;
  WalShared* w = StartedShared(&error);
  if (w == nullptr) return error;
  bool is_switch = rmid == RmgrId::kXlog && (info & kXlrRmgrInfoMask) == kXlogSwitch;
  // Which pages need an image is decided from RedoRecPtr read without the
  // lock, and checked again under it: a checkpoint that began in between
  // moved the redo point past a page assembled without its image, and the
  // record is assembled again (PostgreSQL: XLogInsertRecord returns
  // InvalidXLogRecPtr and XLogInsert loops). Without the check, a page
  // changed first after that redo point would have no image in the WAL
  // from it, and a torn write of it could not be repaired.
  std::vector<XLogBlockRef> refs;
  std::string record;
  for (;;) {
    XLogRecPtr redo = w->redo_ptr.load(std::memory_order_acquire);
    refs = DecideImages(blocks, w->full_page_writes, redo);
    record = AssembleRecord(rmid, info, xid, refs, main_data);
    LWLockAcquire(&w->insert_lock, LWLockMode::kExclusive);
    XLogRecPtr now = w->redo_ptr.load(std::memory_order_acquire);
    if (now == redo || !MissesImage(refs, w->full_page_writes, now)) break;
    LWLockRelease(&w->insert_lock);
    w->stat_fpi_redone.fetch_add(1, std::memory_order_relaxed);
  }
  uint32_t tot_len = static_cast<uint32_t>(record.size());
  uint64_t start_pos = w->insert_pos;
  XLogRecPtr start = BytePosToRecPtr(start_pos);
  FinishRecord(record, w->prev_lsn);
  Status failed = OkStatus();
  std::string scratch;  // where the rest of a failed copy goes
  CopyRecordToPages(record, start, [&](XLogRecPtr page_addr) -> char* {
    // Everything before this page is copied: it may now be written out.
    if (page_addr > start) w->copied.store(page_addr, std::memory_order_release);
    auto page = failed.ok() ? GetPage(w, page_addr) : Result<char*>(failed.error());
    if (!page.ok()) {
      failed = page.error();
      scratch.assign(kWalPageSize, '\0');
      return scratch.data();
    }
    return *page;
  });
  if (!failed.ok()) {
    // Part of the record may already be written: this WAL cannot go on.
    // PostgreSQL fails here inside a critical section, a PANIC; so do we,
    // and no process inserts again until the crash cycle starts it afresh.
    w->started = false;
    w->broken = true;
    LWLockRelease(&w->insert_lock);
    Error e = failed.error();
    e.severity = Severity::kPanic;
    return e;
  }
  XLogRecPtr end = BytePosToEndRecPtr(start_pos + tot_len);
  uint64_t next_pos = start_pos + ReservedSize(tot_len);
  if (is_switch && LsnSegOffset(end) != 0) {
    end = SegStart(LsnToSeg(end) + 1);
    next_pos = RecPtrToBytePos(end);
  }
  w->insert_pos = next_pos;
  w->prev_lsn = start;
  g_last_insert_start = start;
  w->copied.store(BytePosToEndRecPtr(next_pos), std::memory_order_release);
  LWLockRelease(&w->insert_lock);

  w->stat_records.fetch_add(1, std::memory_order_relaxed);
  w->stat_bytes.fetch_add(tot_len, std::memory_order_relaxed);
  bool fpi = false;
  for (const auto& b : refs) {
    if (b.page != nullptr) {
      w->stat_fpi.fetch_add(1, std::memory_order_relaxed);
      fpi = true;
    }
  }
  if (g_hooks.on_insert != nullptr) g_hooks.on_insert({start, end, rmid, info, tot_len, xid, fpi});
  return end;
}

Status XLogFlush(XLogRecPtr upto) {
  // During recovery (the area exists, XLogStartup has not run yet) a page
  // the startup process or the background writer writes out carries the
  // LSN of WAL read from pg_wal, which the startup process fsynced before
  // replay: nothing to flush (PostgreSQL: crash recovery's XLogFlush does
  // not write WAL either).
  if (WalShared* r = Shared(); r != nullptr && !r->started && !r->broken) return OkStatus();
  Error error;
  WalShared* w = StartedShared(&error);
  if (w == nullptr) return error;
  if (upto <= w->flush_upto.load(std::memory_order_acquire)) return OkStatus();
  LWLockAcquire(&w->write_lock, LWLockMode::kExclusive);
  Status st = OkStatus();
  XLogRecPtr flushed_to = 0;
  if (upto > w->flush_upto.load(std::memory_order_acquire)) {
    // Flush everything inserted so far, not just up to upto: the commits
    // waiting behind us on the lock are then covered by this one sync.
    XLogRecPtr copied = w->copied.load(std::memory_order_acquire);
    st = WriteUpTo(w, copied, true);
    if (st.ok()) flushed_to = copied;
    if (st.ok() && upto > copied) {
      st = MakeError(sqlstate::kInternalError,
                     fmt::format("xlog flush request {} is not satisfied --- flushed only to {}", FormatLsn(upto),
                                 FormatLsn(copied)));
    }
  }
  LWLockRelease(&w->write_lock);
  if (flushed_to != 0 && g_hooks.on_flush != nullptr) g_hooks.on_flush({flushed_to, w->fsync});
  return st;
}

void SetWalHooks(WalHooks hooks) { g_hooks = hooks; }

XLogRecPtr XLogLastInsertStart() { return g_last_insert_start; }

void XLogFlushOrPanic(XLogRecPtr upto) {
  Status st = XLogFlush(upto);
  if (!st.ok()) {
    std::fprintf(stderr, "PANIC:  %s\n", st.error().message.c_str());
    std::abort();
  }
}

Result<bool> XLogBackgroundFlush() {
  Error error;
  WalShared* w = StartedShared(&error);
  if (w == nullptr) return error;
  XLogRecPtr copied = w->copied.load(std::memory_order_acquire);
  if (copied <= w->flush_upto.load(std::memory_order_acquire)) return false;
  Status st = XLogFlush(copied);
  if (!st.ok()) return st.error();
  return true;
}

WalPositions GetWalPositions() {
  WalShared* w = Shared();
  if (w == nullptr) return {};
  LWLockAcquire(&w->insert_lock, LWLockMode::kShared);
  WalPositions p{BytePosToRecPtr(w->insert_pos), w->write_upto.load(), w->flush_upto.load(), w->prev_lsn};
  LWLockRelease(&w->insert_lock);
  return p;
}

WalStats GetWalStats() {
  WalShared* w = Shared();
  if (w == nullptr) return {};
  return {w->stat_records.load(), w->stat_fpi.load(), w->stat_bytes.load(), w->stat_buffers_full.load(),
          w->stat_write.load(), w->stat_sync.load()};
}

Result<XLogRecPtr> XLogBeginCheckpoint() {
  Error error;
  WalShared* w = StartedShared(&error);
  if (w == nullptr) return error;
  // Under the insert lock: every record inserted after this point sees the
  // new redo point, so no page change slips between the two.
  LWLockAcquire(&w->insert_lock, LWLockMode::kExclusive);
  XLogRecPtr redo = BytePosToRecPtr(w->insert_pos);
  w->redo_ptr.store(redo, std::memory_order_release);
  LWLockRelease(&w->insert_lock);
  return redo;
}

void XLogSetRedoPtr(XLogRecPtr redo) {
  WalShared* w = Shared();
  if (w != nullptr) w->redo_ptr.store(redo, std::memory_order_release);
}

XLogRecPtr GetRedoRecPtr() {
  WalShared* w = Shared();
  return w == nullptr ? 0 : w->redo_ptr.load(std::memory_order_acquire);
}

bool XLogNeedsFullPageImage(XLogRecPtr page_lsn) {
  WalShared* w = Shared();
  return w != nullptr && w->full_page_writes && page_lsn <= w->redo_ptr.load(std::memory_order_acquire);
}

DelayCheckpointStart::DelayCheckpointStart() {
  WalShared* w = Shared();
  if (w == nullptr) return;
  for (;;) {
    for (int i = 0; i < kDelayChkptSlots; ++i) {
      uint64_t g = w->delay_chkpt[i].load();
      if ((g & 1) == 0 && w->delay_chkpt[i].compare_exchange_strong(g, g + 1)) {
        slot_ = i;
        return;
      }
    }
    ::usleep(1000);  // more committers than slots at this instant: wait for one
  }
}

DelayCheckpointStart::~DelayCheckpointStart() {
  if (slot_ >= 0) Shared()->delay_chkpt[slot_].fetch_add(1);
}

void XLogWaitForDelayingCommitters() {
  WalShared* w = Shared();
  if (w == nullptr) return;
  uint64_t seen[kDelayChkptSlots];
  for (int i = 0; i < kDelayChkptSlots; ++i) seen[i] = w->delay_chkpt[i].load();
  for (int i = 0; i < kDelayChkptSlots; ++i) {
    // A holder that began before the redo point was set: wait until it is done.
    while ((seen[i] & 1) != 0 && w->delay_chkpt[i].load() == seen[i]) ::usleep(1000);
  }
}

uint64_t XLogRecordsReassembled() {
  WalShared* w = Shared();
  return w == nullptr ? 0 : w->stat_fpi_redone.load();
}

shmem::LWLock* XLogInsertLock() {
  WalShared* w = Shared();
  return w == nullptr ? nullptr : &w->insert_lock;
}

shmem::LWLock* XLogWriteLock() {
  WalShared* w = Shared();
  return w == nullptr ? nullptr : &w->write_lock;
}

Result<SegmentCleanup> XLogRemoveOldSegments(XLogRecPtr redo_lsn, int keep_future) {
  Error error;
  WalShared* w = StartedShared(&error);
  if (w == nullptr) return error;
  XLogRecPtr insert = GetWalPositions().insert;
  return RemoveOldSegments(w->wal_dir, std::min(redo_lsn, insert), insert, keep_future);
}

}  // namespace minipg::storage::wal
