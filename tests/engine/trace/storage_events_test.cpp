/*
 * storage_events_test.cpp
 *   The storage layer's events (schema 6) carry the fields docs/events.md
 *   documents, in their documented forms (rel "1663/5/16384", fork "main",
 *   LSNs "0/16B3748"), and an LSN field reads back as the position written.
 */
#include "engine/trace/storage_events.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/trace/emitter.h"
#include "tests/engine/trace/event_pipe.h"

namespace minipg::trace {
namespace {

using StorageEventsTest = EventPipeTest;

const storage::BufferTag kTag{{1663, 5, 16384}, storage::ForkNumber::kMain, 3};

// Scenario: a page read names the page as pg_buffercache would, and says whether it was a hit.
TEST_F(StorageEventsTest, BufferRead) {
  EmitBufferRead(kTag, 7, false, "items");
  auto j = Receive();
  EXPECT_EQ(j["type"], "buffer_read");
  EXPECT_EQ(j["rel"], "1663/5/16384");
  EXPECT_EQ(j["relname"], "items");
  EXPECT_EQ(j["fork"], "main");
  EXPECT_EQ(j["block"], 3);
  EXPECT_EQ(j["buffer"], 7);
  EXPECT_EQ(j["hit"], false);
  EXPECT_FALSE(j.contains("usage"));
  EmitBufferRead({{1663, 5, 16384}, storage::ForkNumber::kMain, 3}, 7, true, "items", 2);
  EXPECT_EQ(Receive()["usage"], 2);
  EmitBufferRead({{1663, 5, 16384}, storage::ForkNumber::kFsm, 0}, 8, true);
  j = Receive();
  EXPECT_EQ(j["fork"], "fsm");
  EXPECT_FALSE(j.contains("relname"));  // not known: left out
}

// Scenario: evict, write and dirty carry the buffer and its page; a write says who wrote it.
TEST_F(StorageEventsTest, EvictWriteDirty) {
  EmitBufferEvict(2, kTag, true);
  auto j = Receive();
  EXPECT_EQ(j["type"], "buffer_evict");
  EXPECT_EQ(j["buffer"], 2);
  EXPECT_EQ(j["block"], 3);
  EXPECT_EQ(j["dirty"], true);
  EmitBufferWrite(2, kTag, "bgwriter");
  j = Receive();
  EXPECT_EQ(j["type"], "buffer_write");
  EXPECT_EQ(j["by"], "bgwriter");
  EXPECT_EQ(j["rel"], "1663/5/16384");
  EmitBufferDirty(4, kTag);
  j = Receive();
  EXPECT_EQ(j["type"], "buffer_dirty");
  EXPECT_EQ(j["buffer"], 4);
}

// Scenario: WAL positions are written as PostgreSQL prints them and parse back exactly.
TEST_F(StorageEventsTest, WalAndRecovery) {
  const storage::XLogRecPtr lsn = 0x16B3748, end = 0x100000030ULL;
  EmitWalInsert(lsn, end, "Heap", "INSERT", 72, 735, true);
  auto j = Receive();
  EXPECT_EQ(j["type"], "wal_insert");
  EXPECT_EQ(j["lsn"], "0/16B3748");
  EXPECT_EQ(j["end_lsn"], "1/30");
  EXPECT_EQ(j["rmgr"], "Heap");
  EXPECT_EQ(j["record"], "INSERT");
  EXPECT_EQ(j["len"], 72);
  EXPECT_EQ(j["xid"], 735);
  EXPECT_EQ(j["fpi"], true);
  EXPECT_EQ(ParseLsnField(j["lsn"].get<std::string>()), lsn);
  EXPECT_EQ(ParseLsnField(j["end_lsn"].get<std::string>()), end);
  EmitWalFlush(end, "walwriter", false);
  j = Receive();
  EXPECT_EQ(j["upto"], "1/30");
  EXPECT_EQ(j["by"], "walwriter");
  EXPECT_EQ(j["synced"], false);
  EmitRecoveryStart(lsn, "crash");
  EXPECT_EQ(Receive()["reason"], "crash");
  EmitRecoveryProgress(end, 12);
  EXPECT_EQ(Receive()["records"], 12);
  EmitRecoveryDone(end, 40, 1500);
  j = Receive();
  EXPECT_EQ(j["end_lsn"], "1/30");
  EXPECT_EQ(j["duration_us"], 1500);
}

// Scenario: the checkpointer's events carry the redo point, and when done the counts.
TEST_F(StorageEventsTest, CheckpointFields) {
  Event start(EventType::kCheckpointStart);
  start.Str("reason", "time");
  AddCheckpointStorageFields(start, 0x16B3748, nullptr).Emit();
  auto j = Receive();
  EXPECT_EQ(j["type"], "checkpoint_start");
  EXPECT_EQ(j["redo_lsn"], "0/16B3748");
  EXPECT_FALSE(j.contains("buffers_written"));
  Event done(EventType::kCheckpointDone);
  CheckpointCounts counts{12, 1, 2};
  AddCheckpointStorageFields(done, 0x16B3748, &counts).Emit();
  j = Receive();
  EXPECT_EQ(j["buffers_written"], 12);
  EXPECT_EQ(j["wal_removed"], 1);
  EXPECT_EQ(j["wal_recycled"], 2);
}

// Scenario: the layout lists the segment's areas so a viewer can draw the pool before any read.
TEST_F(StorageEventsTest, ShmemLayout) {
  EmitShmemLayout(16, 4, {{"Buffer Descriptors", 128, 1024}, {"WAL \"buffers\"", 2048, 32768}});
  auto j = Receive();
  EXPECT_EQ(j["type"], "shmem_layout");
  EXPECT_EQ(j["nbuffers"], 16);
  EXPECT_EQ(j["block_size"], 8192);
  EXPECT_EQ(j["wal_buffers"], 4);
  ASSERT_EQ(j["areas"].size(), 2u);
  EXPECT_EQ(j["areas"][1]["name"], "WAL \"buffers\"");  // escaped
  EXPECT_EQ(j["areas"][1]["size"], 32768);
}

// Scenario: what is not an LSN is refused, not misread.
TEST(ParseLsnField, Refuses) {
  EXPECT_EQ(ParseLsnField("0/0"), 0u);
  EXPECT_EQ(ParseLsnField("FFFFFFFF/FFFFFFFF"), ~uint64_t{0});
  EXPECT_EQ(ParseLsnField("0/16b3748"), 0x16B3748u);
  EXPECT_FALSE(ParseLsnField(""));
  EXPECT_FALSE(ParseLsnField("16B3748"));
  EXPECT_FALSE(ParseLsnField("0/"));
  EXPECT_FALSE(ParseLsnField("/5"));
  EXPECT_FALSE(ParseLsnField("0/123456789"));
  EXPECT_FALSE(ParseLsnField("0/12G"));
  EXPECT_FALSE(ParseLsnField("-1/5"));
}

// Scenario: the transaction events (schema 7) carry the contract's fields:
// an xid taken, a commit with its LSN, a read-only transaction's end, a snapshot.
TEST_F(StorageEventsTest, TransactionEvents) {
  EmitXidAssigned(745, 745);
  auto j = Receive();
  EXPECT_EQ(j["type"], "xid_assigned");
  EXPECT_EQ(j["xid"], 745);
  EXPECT_EQ(j["top_xid"], 745);
  EmitXactEnd(745, true, 0x1A2B3C8, true);
  j = Receive();
  EXPECT_EQ(j["type"], "xact_end");
  EXPECT_EQ(j["outcome"], "commit");
  EXPECT_EQ(j["lsn"], "0/1A2B3C8");
  EXPECT_EQ(j["flushed"], true);
  EmitXactEnd(0, false, 0, false);
  j = Receive();
  EXPECT_EQ(j["xid"], 0);
  EXPECT_EQ(j["outcome"], "abort");
  EXPECT_EQ(j["lsn"], "");
  EmitSnapshot(740, 746, {740, 743}, "transaction", "repeatable read");
  j = Receive();
  EXPECT_EQ(j["type"], "snapshot");
  EXPECT_EQ(j["xmin"], 740);
  EXPECT_EQ(j["xmax"], 746);
  EXPECT_EQ(j["xip"], nlohmann::json::array({740, 743}));
  EXPECT_EQ(j["scope"], "transaction");
  EXPECT_EQ(j["isolation"], "repeatable read");
}

}  // namespace
}  // namespace minipg::trace
