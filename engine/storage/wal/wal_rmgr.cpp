/*-------------------------------------------------------------------------
 * wal_rmgr.cpp
 *   The resource manager table and each rmgr's identify and desc
 *   functions, worded as PostgreSQL's rmgrdesc/ files word them.
 *-------------------------------------------------------------------------
 */
#include "engine/storage/wal/wal_rmgr.h"

#include <array>
#include <chrono>
#include <ctime>

#include <fmt/format.h>

#include "engine/storage/wal/btree_records.h"
#include "engine/storage/wal/multixact_records.h"
#include "engine/storage/wal/wal_layout.h"
#include "engine/storage/wal/wal_records.h"

namespace minipg::storage::wal {

namespace {

constexpr int64_t kUnixToPgEpochSeconds = 946684800;  // 2000-01-01 - 1970-01-01

std::string RelDir(const RelFileLocator& rel) {
  if (rel.spc_oid == kGlobalTablespaceOid) return "global";
  if (rel.spc_oid == kDefaultTablespaceOid) return fmt::format("base/{}", rel.db_oid);
  return fmt::format("pg_tblspc/{}/{}", rel.spc_oid, rel.db_oid);
}
std::string RelPathOf(const RelFileLocator& rel, ForkNumber fork) {
  static constexpr const char* kSuffix[] = {"", "_fsm", "_vm"};
  auto f = static_cast<size_t>(fork);
  return fmt::format("{}/{}{}", RelDir(rel), rel.rel_number, f < 3 ? kSuffix[f] : "_?");
}

const char* ForkName(ForkNumber fork) {
  switch (fork) {
    case ForkNumber::kMain: return "main";
    case ForkNumber::kFsm: return "fsm";
    case ForkNumber::kVisibilityMap: return "vm";
  }
  return "init";
}

/* XLOG ---------------------------------------------------------------- */
const char* XlogIdentify(uint8_t info) {
  switch (info & kXlrRmgrInfoMask) {
    case kXlogCheckpointShutdown: return "CHECKPOINT_SHUTDOWN";
    case kXlogCheckpointOnline: return "CHECKPOINT_ONLINE";
    case kXlogNextOid: return "NEXTOID";
    case kXlogSwitch: return "SWITCH";
    case kXlogFpi: return "FPI";
  }
  return nullptr;
}
std::string XlogDesc(const DecodedRecord& rec) {
  uint8_t info = rec.rmgr_info();
  if (info == kXlogCheckpointShutdown || info == kXlogCheckpointOnline) {
    auto c = DecodePayload<CheckpointRecord>(rec.main_data);
    if (!c) return "(malformed)";
    return fmt::format("redo {}; tli {}; prev tli {}; fpw {}; xid 0:{}; oid {}; multi {}; offset {}; {}",
                       FormatLsn(c->redo), c->timeline, c->timeline, c->full_page_writes ? "true" : "false",
                       c->next_xid, c->next_oid, c->next_multi, c->next_multi_offset,
                       info == kXlogCheckpointShutdown ? "shutdown" : "online");
  }
  if (info == kXlogNextOid) {
    auto n = DecodePayload<NextOidRecord>(rec.main_data);
    return n ? fmt::format("{}", n->next_oid) : "(malformed)";
  }
  return "";
}

/* Transaction ------------------------------------------------------------ */
const char* XactIdentify(uint8_t info) {
  switch (info & kXlrRmgrInfoMask) {
    case kXactCommit: return "COMMIT";
    case kXactAbort: return "ABORT";
  }
  return nullptr;
}
std::string XactDesc(const DecodedRecord& rec) {
  auto x = DecodeXactPayload(rec.main_data);
  if (!x) return "(malformed)";
  std::string out = FormatTimestampTz(x->xact_time);
  if (!x->rels.empty()) out += "; rels:";
  for (const RelFileLocator& r : x->rels) out += " " + RelPathOf(r, ForkNumber::kMain);
  if (!x->subxids.empty()) out += "; subxacts:";
  for (TransactionId xid : x->subxids) out += " " + std::to_string(xid);
  return out;
}

/* Storage ---------------------------------------------------------------- */
const char* SmgrIdentify(uint8_t info) {
  switch (info & kXlrRmgrInfoMask) {
    case kSmgrCreate: return "CREATE";
    case kSmgrTruncate: return "TRUNCATE";
  }
  return nullptr;
}
std::string SmgrDesc(const DecodedRecord& rec) {
  if (rec.rmgr_info() == kSmgrCreate) {
    auto c = DecodePayload<SmgrCreateRecord>(rec.main_data);
    return c ? RelPathOf(c->rel, c->fork) : "(malformed)";
  }
  if (rec.rmgr_info() == kSmgrTruncate) {
    auto t = DecodePayload<SmgrTruncateRecord>(rec.main_data);
    if (!t) return "(malformed)";
    return fmt::format("{} to {} blocks flags {}", RelPathOf(t->rel, ForkNumber::kMain), t->nblocks, t->flags);
  }
  return "";
}

/* Heap ------------------------------------------------------------------- */
const char* HeapIdentify(uint8_t info) {
  bool init = (info & kHeapInitPage) != 0;
  switch (info & kHeapOpMask) {
    case kHeapInsert: return init ? "INSERT+INIT" : "INSERT";
    case kHeapDelete: return "DELETE";
    case kHeapUpdate: return init ? "UPDATE+INIT" : "UPDATE";
    case kHeapHotUpdate: return init ? "HOT_UPDATE+INIT" : "HOT_UPDATE";
    case kHeapLock: return "LOCK";
  }
  return nullptr;
}
std::string InfoBits(uint8_t bits) {
  std::string out;
  if (bits & kXlhlXmaxIsMulti) out += "IS_MULTI ";
  if (bits & kXlhlXmaxLockOnly) out += "LOCK_ONLY ";
  if (bits & kXlhlXmaxExclLock) out += "EXCL_LOCK ";
  if (bits & kXlhlXmaxKeyshrLock) out += "KEYSHR_LOCK ";
  if (bits & kXlhlKeysUpdated) out += "KEYS_UPDATED ";
  return out;
}
std::string HeapDesc(const DecodedRecord& rec) {
  switch (rec.rmgr_info() & kHeapOpMask) {
    case kHeapInsert: {
      auto h = DecodePayload<HeapInsertRecord>(rec.main_data);
      return h ? fmt::format("off {} flags 0x{:02X}", h->offnum, h->flags) : "(malformed)";
    }
    case kHeapDelete: {
      auto d = DecodePayload<HeapDeleteRecord>(rec.main_data);
      return d ? fmt::format("off {} flags 0x{:02X} {}", d->offnum, d->flags, InfoBits(d->infobits_set))
               : "(malformed)";
    }
    case kHeapLock: {
      auto l = DecodePayload<HeapLockRecord>(rec.main_data);
      return l ? fmt::format("off {}: xid {}: flags 0x{:02X} {}", l->offnum, l->locking_xid, l->flags,
                             InfoBits(l->infobits_set))
               : "(malformed)";
    }
    case kHeapUpdate:
    case kHeapHotUpdate: {
      auto u = DecodePayload<HeapUpdateRecord>(rec.main_data);
      return u ? fmt::format("off {} xmax {} flags 0x{:02X} {}; new off {} xmax {}", u->old_offnum,
                             u->old_xmax, u->flags, InfoBits(u->old_infobits_set), u->new_offnum,
                             u->new_xmax)
               : "(malformed)";
    }
  }
  return "";
}

/* Heap2 ------------------------------------------------------------------ */
const char* Heap2Identify(uint8_t info) {
  switch (info & kXlrRmgrInfoMask) {
    case kHeap2Prune: return "PRUNE";
    case kHeap2Vacuum: return "VACUUM";
    case kHeap2FreezePage: return "FREEZE_PAGE";
    case kHeap2Visible: return "VISIBLE";
  }
  return nullptr;
}
std::string Heap2Desc(const DecodedRecord& rec) {
  if (rec.rmgr_info() == kHeap2Prune) {
    auto p = DecodePayload<HeapPruneRecord>(rec.main_data);
    return p ? fmt::format("latestRemovedXid {} nredirected {} ndead {}", p->latest_removed_xid, p->nredirected,
                           p->ndead)
             : "(malformed)";
  }
  if (rec.rmgr_info() == kHeap2FreezePage) {
    auto f = DecodePayload<HeapFreezePageRecord>(rec.main_data);
    return f ? fmt::format("cutoff xid {} ntuples {}", f->cutoff_xid, f->ntuples) : "(malformed)";
  }
  if (rec.rmgr_info() == kHeap2Visible) {
    auto v = DecodePayload<HeapVisibleRecord>(rec.main_data);
    return v ? fmt::format("cutoff xid {} flags 0x{:02X}", v->cutoff_xid, v->flags) : "(malformed)";
  }
  auto v = DecodePayload<HeapVacuumRecord>(rec.main_data);
  return v ? fmt::format("nunused {}", v->nunused) : "(malformed)";
}

/* Database --------------------------------------------------------------- */
const char* DbaseIdentify(uint8_t info) {
  switch (info & kXlrRmgrInfoMask) {
    case kDbaseCreate: return "CREATE_FILE_COPY";
    case kDbaseDrop: return "DROP";
  }
  return nullptr;
}
std::string DbaseDesc(const DecodedRecord& rec) {
  if (rec.rmgr_info() == kDbaseCreate) {
    auto c = DecodePayload<DbaseCreateRecord>(rec.main_data);
    if (!c) return "(malformed)";
    return fmt::format("copy dir {}/{} to {}/{}", c->src_tablespace_id, c->src_db_id, c->tablespace_id, c->db_id);
  }
  auto d = DecodePayload<DbaseRecord>(rec.main_data);
  if (!d) return "(malformed)";
  return fmt::format("dir {}/{}", d->tablespace_id, d->db_id);
}

std::array<RmgrData, kMaxRmgrId + 1>& Table() {
  static std::array<RmgrData, kMaxRmgrId + 1> table = [] {
    std::array<RmgrData, kMaxRmgrId + 1> t{};
    auto put = [&t](RmgrData d) { t[static_cast<size_t>(d.id)] = d; };
    put({RmgrId::kXlog, "XLOG", XlogIdentify, XlogDesc});
    put({RmgrId::kTransaction, "Transaction", XactIdentify, XactDesc});
    put({RmgrId::kStorage, "Storage", SmgrIdentify, SmgrDesc});
    put({RmgrId::kDatabase, "Database", DbaseIdentify, DbaseDesc});
    put({RmgrId::kMultiXact, "MultiXact", MultiXactIdentify, MultiXactDesc});
    put({RmgrId::kHeap2, "Heap2", Heap2Identify, Heap2Desc});
    put({RmgrId::kHeap, "Heap", HeapIdentify, HeapDesc});
    put({RmgrId::kBtree, "Btree", BtreeIdentify, BtreeDesc});
    return t;
  }();
  return table;
}

}  // namespace

const RmgrData* GetRmgr(uint8_t rmid) {
  if (rmid > kMaxRmgrId) return nullptr;
  const RmgrData& d = Table()[rmid];
  return d.name == nullptr ? nullptr : &d;
}

void SetRmgrRedo(RmgrId id, RmgrRedoFn redo) { Table()[static_cast<size_t>(id)].redo = redo; }

std::string IdentifyRecord(RmgrId rmid, uint8_t info) {
  const RmgrData* rm = GetRmgr(static_cast<uint8_t>(rmid));
  const char* id = rm != nullptr ? rm->identify(info) : nullptr;
  if (id == nullptr) return fmt::format("UNKNOWN ({:x})", info & kXlrRmgrInfoMask);
  return id;
}

std::string IdentifyRecord(const DecodedRecord& rec) { return IdentifyRecord(rec.rmid(), rec.header.info); }

std::string FormatWaldumpLine(const DecodedRecord& rec) {
  const RmgrData* rm = GetRmgr(rec.header.rmid);
  std::string line = fmt::format(
      "rmgr: {:<11} len (rec/tot): {:>6}/{:>6}, tx: {:>10}, lsn: {}, prev {}, desc: {} {}",
      rm != nullptr ? rm->name : "?", rec.RecLenWithoutImages(), rec.header.tot_len, rec.header.xid,
      FormatLsnPadded(rec.lsn), FormatLsnPadded(rec.header.prev), IdentifyRecord(rec),
      rm != nullptr ? rm->desc(rec) : "");
  for (const DecodedBlock& b : rec.blocks) {
    line += fmt::format(", blkref #{}: rel {}/{}/{}", b.id, b.tag.rel.spc_oid, b.tag.rel.db_oid,
                        b.tag.rel.rel_number);
    if (b.tag.fork != ForkNumber::kMain) line += fmt::format(" fork {}", ForkName(b.tag.fork));
    line += fmt::format(" blk {}", b.tag.block);
    if (b.has_image) line += b.apply_image ? " FPW" : " FPW for WAL verification";
  }
  return line;
}

std::string FormatTimestampTz(int64_t ts) {
  int64_t usec = ts % 1000000;
  int64_t secs = ts / 1000000;
  if (usec < 0) {
    usec += 1000000;
    secs -= 1;
  }
  std::time_t t = static_cast<std::time_t>(secs + kUnixToPgEpochSeconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::string out = fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1,
                                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (usec != 0) {
    std::string frac = fmt::format("{:06}", usec);
    while (frac.back() == '0') frac.pop_back();
    out += "." + frac;
  }
  return out + " UTC";
}

int64_t NowTimestampTz() {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  return us - kUnixToPgEpochSeconds * 1000000;
}

}  // namespace minipg::storage::wal
