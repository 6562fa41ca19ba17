/*-------------------------------------------------------------------------
 * storage_events.cpp
 *   Building the storage layer's events (see storage_events.h).
 *-------------------------------------------------------------------------
 */
#include "engine/trace/storage_events.h"

#include <fmt/format.h>

#include <charconv>

#include "engine/trace/emitter.h"

namespace minipg::trace {
namespace {

std::string Lsn(storage::XLogRecPtr lsn) {
  return storage::FormatLsn(lsn);
}

/* The fields that name a page: rel, fork, block. */
Event& Page(Event& ev, const storage::BufferTag& tag) {
  return ev.Str("rel", RelFieldValue(tag.rel).view())
      .Str("fork", ForkFieldValue(tag.fork))
      .Int("block", tag.block);
}

}  // namespace

RelFieldValue::RelFieldValue(const storage::RelFileLocator& rel) {
  char* p = text_;
  char* end = text_ + sizeof text_;
  p = std::to_chars(p, end, rel.spc_oid).ptr;
  *p++ = '/';
  p = std::to_chars(p, end, rel.db_oid).ptr;
  *p++ = '/';
  p = std::to_chars(p, end, rel.rel_number).ptr;
  len_ = static_cast<size_t>(p - text_);
}

std::string_view ForkFieldValue(storage::ForkNumber fork) {
  switch (fork) {
    case storage::ForkNumber::kMain:
      return "main";
    case storage::ForkNumber::kFsm:
      return "fsm";
    case storage::ForkNumber::kVisibilityMap:
      return "vm";
  }
  return "main";
}

void EmitShmemLayout(int64_t nbuffers, int64_t wal_buffers,
                     const std::vector<ShmemAreaField>& areas) {
  std::string list = "[";
  for (const ShmemAreaField& a : areas) {
    if (list.size() > 1) list += ',';
    list += "{\"name\":";
    AppendJsonString(list, a.name);
    list += fmt::format(",\"offset\":{},\"size\":{}}}", a.offset, a.size);
  }
  list += ']';
  Event(EventType::kShmemLayout)
      .Int("nbuffers", nbuffers)
      .Int("block_size", static_cast<int64_t>(storage::kBlockSize))
      .Int("wal_buffers", wal_buffers)
      .Raw("areas", list)
      .Emit();
}

void EmitBufferRead(const storage::BufferTag& tag, int64_t buffer, bool hit,
                    std::string_view relname, int usage) {
  Event ev(EventType::kBufferRead);
  Page(ev, tag);
  if (!relname.empty()) ev.Str("relname", relname);
  ev.Int("buffer", buffer).Bool("hit", hit);
  if (usage >= 0) ev.Int("usage", usage);
  ev.Emit();
}

void EmitBufferEvict(int64_t buffer, const storage::BufferTag& old, bool dirty) {
  Event ev(EventType::kBufferEvict);
  ev.Int("buffer", buffer);
  Page(ev, old).Bool("dirty", dirty).Emit();
}

void EmitBufferWrite(int64_t buffer, const storage::BufferTag& tag, std::string_view by) {
  Event ev(EventType::kBufferWrite);
  ev.Int("buffer", buffer);
  Page(ev, tag).Str("by", by).Emit();
}

void EmitBufferDirty(int64_t buffer, const storage::BufferTag& tag) {
  Event ev(EventType::kBufferDirty);
  ev.Int("buffer", buffer);
  Page(ev, tag).Emit();
}

Event& AddCheckpointStorageFields(Event& ev, storage::XLogRecPtr redo_lsn,
                                  const CheckpointCounts* done) {
  ev.Str("redo_lsn", Lsn(redo_lsn));
  if (done != nullptr) {
    ev.Int("buffers_written", done->buffers_written)
        .Int("wal_removed", done->wal_removed)
        .Int("wal_recycled", done->wal_recycled);
  }
  return ev;
}

void EmitWalInsert(storage::XLogRecPtr lsn, storage::XLogRecPtr end_lsn, std::string_view rmgr,
                   std::string_view record, int64_t len, storage::TransactionId xid, bool fpi) {
  Event(EventType::kWalInsert)
      .Str("lsn", Lsn(lsn))
      .Str("end_lsn", Lsn(end_lsn))
      .Str("rmgr", rmgr)
      .Str("record", record)
      .Int("len", len)
      .Int("xid", xid)
      .Bool("fpi", fpi)
      .Emit();
}

void EmitWalFlush(storage::XLogRecPtr upto, std::string_view by, bool synced) {
  Event(EventType::kWalFlush).Str("upto", Lsn(upto)).Str("by", by).Bool("synced", synced).Emit();
}

void EmitRecoveryStart(storage::XLogRecPtr redo, std::string_view reason) {
  Event(EventType::kRecoveryStart).Str("redo_lsn", Lsn(redo)).Str("reason", reason).Emit();
}

void EmitRecoveryProgress(storage::XLogRecPtr lsn, int64_t records) {
  Event(EventType::kRecoveryProgress).Str("lsn", Lsn(lsn)).Int("records", records).Emit();
}

void EmitRecoveryDone(storage::XLogRecPtr end, int64_t records, int64_t duration_us) {
  Event(EventType::kRecoveryDone)
      .Str("end_lsn", Lsn(end))
      .Int("records", records)
      .Int("duration_us", duration_us)
      .Emit();
}

void EmitXidAssigned(storage::TransactionId xid, storage::TransactionId top_xid) {
  Event(EventType::kXidAssigned).Int("xid", xid).Int("top_xid", top_xid).Emit();
}

void EmitXactEnd(storage::TransactionId xid, bool commit, storage::XLogRecPtr lsn, bool flushed) {
  Event(EventType::kXactEnd)
      .Int("xid", xid)
      .Str("outcome", commit ? "commit" : "abort")
      .Str("lsn", lsn == 0 ? std::string() : Lsn(lsn))
      .Bool("flushed", flushed)
      .Emit();
}

void EmitSnapshot(storage::TransactionId xmin, storage::TransactionId xmax,
                  const std::vector<storage::TransactionId>& xip, std::string_view scope,
                  std::string_view isolation) {
  std::string list = "[";
  for (size_t i = 0; i < xip.size(); ++i) list += (i == 0 ? "" : ",") + std::to_string(xip[i]);
  list += "]";
  Event(EventType::kSnapshot)
      .Int("xmin", xmin)
      .Int("xmax", xmax)
      .Raw("xip", list)
      .Str("scope", scope)
      .Str("isolation", isolation)
      .Emit();
}

}  // namespace minipg::trace
