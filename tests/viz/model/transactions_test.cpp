/*-------------------------------------------------------------------------
 * transactions_test.cpp
 *   The viewer's picture of transactions, locks and vacuum (transactions.h)
 *   and of which snapshot sees which row version (row_versions.h), from
 *   synthetic traces: data/deadlock.jsonl (alice and bob deadlock on each
 *   other's transaction, carol holds a REPEATABLE READ snapshot, dave's
 *   DROP TABLE waits, an autovacuum worker vacuums) and lines written here.
 *-------------------------------------------------------------------------
 */
#include "viz/model/transactions.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "viz/model/model.h"
#include "viz/model/row_versions.h"

namespace minipg::viz {
namespace {

constexpr int64_t kAlice = 200, kBob = 201, kCarol = 202, kDave = 203, kWorker = 300;

std::vector<std::string> ReadLines(const char* name) {
  std::ifstream in(fmt::format("{}/{}", MINIPG_VIZ_TEST_DATA, name));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/* The 1-based number of the first line of deadlock.jsonl holding `needle`. */
size_t LineOf(std::string_view needle) {
  std::vector<std::string> lines = ReadLines("deadlock.jsonl");
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find(needle) != std::string::npos) return i + 1;
  }
  ADD_FAILURE() << "no line with " << needle;
  return 0;
}

/* The model after the first `n` lines of deadlock.jsonl (all: npos). */
Model ModelAt(size_t n = std::string::npos) {
  Model model;
  std::vector<std::string> lines = ReadLines("deadlock.jsonl");
  EXPECT_GT(lines.size(), 100u);
  for (size_t i = 0; i < lines.size() && i < n; ++i) model.ApplyLine(lines[i]);
  return model;
}

std::string Line(std::string_view type, int64_t ts, int64_t pid, std::string_view extra = "") {
  return fmt::format(R"({{"type":"{}","ts":{},"pid":{}{}{}}})", type, ts, pid, extra.empty() ? "" : ",",
                     extra);
}

// Scenario: at the moment the detector reports the deadlock, the wait-for
// graph has alice -> bob and bob -> alice (the cycle, marked) and dave ->
// each holder of a lock on accounts; the deadlock is active.
TEST(TransactionsTest, WaitForGraphDuringTheDeadlock) {
  Model m = ModelAt(LineOf(R"("type":"deadlock")"));
  for (const Anomaly& a : m.anomalies()) ADD_FAILURE() << a.message;
  const Transactions& t = m.transactions();
  ASSERT_TRUE(t.DeadlockActive());
  EXPECT_EQ(t.deadlock()->victim, kBob);
  ASSERT_EQ(t.deadlock()->cycle.size(), 2u);
  std::vector<WaitEdge> edges = t.WaitForGraph();
  ASSERT_EQ(edges.size(), 5u);
  EXPECT_EQ(edges[0].waiter, kAlice);
  EXPECT_EQ(edges[0].holder, kBob);
  EXPECT_EQ(edges[0].label, "ShareLock on transaction 746");
  EXPECT_TRUE(edges[0].in_deadlock);
  EXPECT_EQ(edges[1].waiter, kBob);
  EXPECT_EQ(edges[1].holder, kAlice);
  EXPECT_EQ(edges[1].label, "ShareLock on transaction 745");
  EXPECT_TRUE(edges[1].in_deadlock);
  for (size_t i = 2; i < 5; ++i) {
    EXPECT_EQ(edges[i].waiter, kDave);
    EXPECT_EQ(edges[i].label, "AccessExclusiveLock on relation \"accounts\"");
    EXPECT_FALSE(edges[i].in_deadlock);
  }
}

// Scenario: from the moment bob's wait closes the cycle (line 109) until the
// detector reports it, alice and bob sleep waiting for each other: the
// viewer sees the cycle itself (both arrows marked in_cycle, WaitCycle()
// from the lowest pid) while no deadlock is active yet; dave's waits are no
// part of it.
TEST(TransactionsTest, ACycleOfWaitsIsADeadlockBeforeTheDetectorFindsIt) {
  size_t bob_waits = LineOf(R"("type":"deadlock")") - 1;
  Model before = ModelAt(bob_waits - 1);
  EXPECT_TRUE(before.transactions().WaitCycle().empty());
  Model m = ModelAt(bob_waits);
  const Transactions& t = m.transactions();
  EXPECT_FALSE(t.DeadlockActive());
  EXPECT_EQ(t.WaitCycle(), (std::vector<int64_t>{kAlice, kBob}));
  std::vector<WaitEdge> edges = t.WaitForGraph();
  ASSERT_EQ(edges.size(), 5u);
  for (const WaitEdge& e : edges) {
    EXPECT_EQ(e.in_cycle, e.waiter != kDave) << e.waiter << " -> " << e.holder;
    EXPECT_FALSE(e.in_deadlock);
  }
}

// Scenario: three backends in a ring (300 -> 302 -> 301 -> 300) with a
// fourth waiting on the ring from outside: the ring is the cycle, listed
// from its lowest pid in the order of the waits; when 301 stops waiting
// (its lock_acquired, granted false: its wait failed, it holds nothing
// new) there is no cycle left.
TEST(TransactionsTest, ARingOfThreeAndAWaiterOutsideIt) {
  Model m;
  auto wait = [&m](int64_t ts, int64_t pid, int64_t xid, int64_t holder) {
    m.ApplyLine(Line("lock_wait", ts, pid,
                     fmt::format(R"("locktype":"transactionid","mode":"ShareLock","transactionid":{},)"
                                 R"("lock":"transaction {}","blocked_by":[{}])",
                                 xid, xid, holder)));
  };
  wait(10, 300, 902, 302);
  wait(11, 302, 901, 301);
  wait(12, 303, 900, 300);
  EXPECT_TRUE(m.transactions().WaitCycle().empty());
  wait(13, 301, 900, 300);
  EXPECT_EQ(m.transactions().WaitCycle(), (std::vector<int64_t>{300, 302, 301}));
  for (const WaitEdge& e : m.transactions().WaitForGraph()) EXPECT_EQ(e.in_cycle, e.waiter != 303) << e.waiter;
  m.ApplyLine(Line("lock_acquired", 14, 301,
                   R"("locktype":"transactionid","mode":"ShareLock","transactionid":900,)"
                   R"("lock":"transaction 900","waited_us":1000,"granted":false)"));
  EXPECT_TRUE(m.transactions().WaitCycle().empty());
  ASSERT_NE(m.transactions().Backend(301), nullptr);
  EXPECT_TRUE(m.transactions().Backend(301)->locks.empty()) << "a failed wait holds no lock";
  m.ApplyLine(Line("lock_acquired", 15, 303,
                   R"("locktype":"transactionid","mode":"ShareLock","transactionid":900,)"
                   R"("lock":"transaction 900","waited_us":1000,"granted":true)"));
  ASSERT_EQ(m.transactions().Backend(303)->locks.size(), 1u);
  EXPECT_EQ(m.transactions().Backend(303)->locks[0].Label(), "ShareLock on transaction 900");
  EXPECT_FALSE(m.HasAnomaly(AnomalyKind::kBadField)) << "granted is a documented boolean";
}

// Scenario: the victim's 40P01 resolves the deadlock (kept, marked
// resolved) and ends its wait; alice's lock_acquired ends hers. Once alice
// and bob have released their locks, dave waits for carol alone.
TEST(TransactionsTest, TheVictimsErrorEndsTheDeadlock) {
  Model at_error = ModelAt(LineOf(R"("sqlstate":"40P01")"));
  const Transactions& t = at_error.transactions();
  ASSERT_TRUE(t.deadlock().has_value());
  EXPECT_FALSE(t.DeadlockActive());
  EXPECT_TRUE(t.deadlock()->resolved);
  ASSERT_NE(t.Backend(kBob), nullptr);
  EXPECT_FALSE(t.Backend(kBob)->wait.has_value());
  ASSERT_TRUE(t.Backend(kAlice)->wait.has_value());
  for (const WaitEdge& e : t.WaitForGraph()) EXPECT_FALSE(e.in_deadlock);

  Model end = ModelAt();
  std::vector<WaitEdge> edges = end.transactions().WaitForGraph();
  ASSERT_EQ(edges.size(), 1u);
  EXPECT_EQ(edges[0].waiter, kDave);
  EXPECT_EQ(edges[0].holder, kCarol);
}

// Scenario: a backend's transaction: alice's xid, snapshot and locks while
// she waits; after her COMMIT no xid, no snapshot, no locks, and 745 is
// committed while bob's 746 is aborted. Carol's REPEATABLE READ snapshot
// stays for the whole transaction.
TEST(TransactionsTest, ABackendsTransactionSnapshotAndLocks) {
  Model m = ModelAt(LineOf(R"("type":"deadlock")"));
  const BackendTxn* alice = m.transactions().Backend(kAlice);
  ASSERT_NE(alice, nullptr);
  EXPECT_EQ(alice->xid, 745);
  ASSERT_TRUE(alice->snapshot.has_value());
  EXPECT_EQ(alice->snapshot->Text(), "745:747:745,746");
  EXPECT_EQ(alice->snapshot->isolation, "read committed");
  EXPECT_EQ(alice->snapshot->scope, "statement");
  ASSERT_EQ(alice->locks.size(), 2u);
  EXPECT_EQ(alice->locks[0].Label(), "RowExclusiveLock on relation \"accounts\"");
  EXPECT_EQ(alice->locks[1].Label(), "ExclusiveLock on transaction 745");
  EXPECT_EQ(alice->last_table, "accounts");
  EXPECT_EQ(m.transactions().Status(745), XidStatus::kInProgress);

  Model end = ModelAt();
  const Transactions& t = end.transactions();
  alice = t.Backend(kAlice);
  ASSERT_NE(alice, nullptr);
  EXPECT_EQ(alice->xid, 0);
  EXPECT_FALSE(alice->snapshot.has_value());
  EXPECT_TRUE(alice->locks.empty());
  EXPECT_EQ(t.Status(745), XidStatus::kCommitted);
  EXPECT_EQ(t.Status(746), XidStatus::kAborted);
  EXPECT_EQ(t.Status(9999), XidStatus::kUnknown);
  const BackendTxn* carol = t.Backend(kCarol);
  ASSERT_NE(carol, nullptr);
  ASSERT_TRUE(carol->snapshot.has_value());
  EXPECT_EQ(carol->snapshot->isolation, "repeatable read");
  EXPECT_EQ(carol->snapshot->scope, "transaction");
  EXPECT_EQ(carol->locks.size(), 1u);
}

// Scenario: the autovacuum worker is a process of its own role, its run is
// followed from start through progress to done (with what it could not
// remove), and it is no longer running after its exit.
TEST(TransactionsTest, AutovacuumWorkerAndItsRun) {
  Model during = ModelAt(LineOf(R"("heap_blks_scanned":1)"));
  const Process* w = during.FindProcess(kWorker);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->role, ProcessRole::kAutovacuumWorker);
  EXPECT_EQ(ShownRole(*w), "autovacuum worker");
  ASSERT_NE(during.FindProcess(103), nullptr);
  EXPECT_EQ(during.FindProcess(103)->role, ProcessRole::kAutovacuumLauncher);
  EXPECT_TRUE(IsAuxiliary(ProcessRole::kAutovacuumLauncher));
  const VacuumRun* run = during.transactions().RunningVacuum(kWorker);
  ASSERT_NE(run, nullptr);
  EXPECT_EQ(run->relation, "accounts");
  EXPECT_TRUE(run->autovacuum);
  EXPECT_EQ(run->phase, "scanning heap");
  EXPECT_EQ(run->heap_blks_scanned, 1);
  EXPECT_EQ(run->heap_blks_total, 1);

  Model end = ModelAt();
  EXPECT_EQ(end.transactions().RunningVacuum(kWorker), nullptr);
  ASSERT_EQ(end.transactions().vacuums().size(), 1u);
  const VacuumRun& done = end.transactions().vacuums().back();
  EXPECT_TRUE(done.done);
  EXPECT_EQ(done.removed, 1);
  EXPECT_EQ(done.dead_not_removable, 2);
  EXPECT_EQ(done.removable_cutoff, "745");
}

// Scenario: savepoints. A subtransaction's xid maps to its top-level xid;
// ROLLBACK TO aborts it (and keeps the savepoint); the top-level commit
// commits a released subtransaction with it.
TEST(TransactionsTest, SubtransactionsFollowTheirTopLevelTransaction) {
  Model m;
  m.ApplyLine(Line("postmaster_start", 5, 100, R"("port":5432)"));
  m.ApplyLine(Line("fork", 10, 100, R"("child":200,"role":"backend")"));
  m.ApplyLine(Line("xid_assigned", 20, 200, R"("xid":800,"top_xid":800)"));
  m.ApplyLine(Line("subxact", 30, 200, R"("action":"savepoint","name":"a","xid":0)"));
  m.ApplyLine(Line("xid_assigned", 40, 200, R"("xid":801,"top_xid":800)"));
  m.ApplyLine(Line("subxact", 50, 200, R"("action":"savepoint","name":"b","xid":0)"));
  m.ApplyLine(Line("xid_assigned", 60, 200, R"("xid":802,"top_xid":801)"));
  const Transactions& t = m.transactions();
  EXPECT_EQ(t.TopXid(802), 800);
  const BackendTxn* b = t.Backend(200);
  ASSERT_NE(b, nullptr);
  ASSERT_EQ(b->savepoints.size(), 2u);
  EXPECT_EQ(b->savepoints[0].xid, 801);
  EXPECT_EQ(b->savepoints[1].xid, 802);
  EXPECT_TRUE(b->Owns(802));

  m.ApplyLine(Line("subxact", 70, 200, R"("action":"rollback_to","name":"b","xid":802)"));
  EXPECT_EQ(t.Status(802), XidStatus::kAborted);
  EXPECT_FALSE(t.Backend(200)->Owns(802));
  ASSERT_EQ(t.Backend(200)->savepoints.size(), 2u);  // ROLLBACK TO keeps the savepoint
  EXPECT_EQ(t.Backend(200)->savepoints[1].xid, 0);
  m.ApplyLine(Line("subxact", 80, 200, R"("action":"release","name":"a","xid":801)"));
  EXPECT_TRUE(t.Backend(200)->savepoints.empty());
  EXPECT_TRUE(t.Backend(200)->Owns(801));
  EXPECT_EQ(t.Status(801), XidStatus::kInProgress);
  m.ApplyLine(Line("xact_end", 90, 200, R"("xid":800,"outcome":"commit","lsn":"0/1A2B3C8","flushed":true)"));
  EXPECT_EQ(t.Status(800), XidStatus::kCommitted);
  EXPECT_EQ(t.Status(801), XidStatus::kCommitted);
  EXPECT_EQ(t.Status(802), XidStatus::kAborted);
  EXPECT_EQ(m.anomaly_count(), 0u);
}

// Scenario: robustness. Events in any order and with missing fields apply
// as far as they can; a field of the wrong type is a "bad field" anomaly;
// a waiter that exits takes its wait (and the deadlock it was victim of)
// with it.
TEST(TransactionsTest, MissingFieldsWrongTypesAndExits) {
  Model m;
  m.ApplyLine(Line("postmaster_start", 5, 100, R"("port":5432)"));
  m.ApplyLine(Line("fork", 10, 100, R"("child":200,"role":"backend")"));
  m.ApplyLine(Line("fork", 11, 100, R"("child":201,"role":"backend")"));
  m.ApplyLine(Line("xact_end", 20, 200));                   // no xid, no outcome
  m.ApplyLine(Line("snapshot", 30, 200, R"("xip":"745")"));  // xip not an array
  EXPECT_EQ(m.AnomalyCount(AnomalyKind::kBadField), 1u);
  m.ApplyLine(Line("lock_wait", 40, 200, R"("blocked_by":[201,"x",201]})"));
  m.ApplyLine(Line("lock_wait", 41, 200, R"("blocked_by":[201,"x",201])"));
  m.ApplyLine(Line("deadlock", 50, 201, R"("cycle":[{"pid":201,"waits_for":200},7,{}])"));
  std::vector<WaitEdge> edges = m.transactions().WaitForGraph();
  ASSERT_EQ(edges.size(), 2u);  // 200 -> 201 from its wait, 201 -> 200 from the cycle
  EXPECT_EQ(edges[0].label, "a lock on a lock");
  EXPECT_TRUE(edges[1].in_deadlock);
  EXPECT_TRUE(m.transactions().DeadlockActive());
  EXPECT_EQ(m.transactions().deadlock()->victim, 201);  // unsaid: the detector
  m.ApplyLine(Line("child_exit", 60, 100, R"("child":201,"exit_code":1)"));
  EXPECT_FALSE(m.transactions().DeadlockActive());
  m.ApplyLine(Line("child_exit", 70, 100, R"("child":200,"exit_code":1)"));
  EXPECT_TRUE(m.transactions().WaitForGraph().empty());
  EXPECT_TRUE(m.transactions().backends().empty());
  m.ApplyLine(Line("vacuum_progress", 80, 300, R"("phase":7)"));  // from a pid never forked
  EXPECT_EQ(m.transactions().vacuums().size(), 1u);
}

/* A row version: lp, xmin, xmax, infomask. */
RowVersion Version(int64_t lp, int64_t xmin, int64_t xmax, int64_t infomask = 0) {
  RowVersion v;
  v.lp = lp;
  v.lp_flags = kLpNormal;
  v.xmin = xmin;
  v.xmax = xmax;
  v.infomask = infomask;
  v.ctid = fmt::format("(0,{})", lp);
  v.row = "(1,100)";
  return v;
}

// Scenario: visibility at the end of deadlock.jsonl. Version (0,1) was
// loaded by 740 (committed before we joined: its hint bit says so) and
// updated by alice's 745 (committed) into (0,3). Carol's REPEATABLE READ
// snapshot 745:747:745,746 still sees (0,1), not (0,3); a snapshot taken
// after the commit (748:748:) sees (0,3), not (0,1). Bob's aborted
// version (0,2) is seen by no one; without its hint bit, 740 is "not
// known to have committed", so (0,4) is not visible.
TEST(RowVersionsTest, WhichSnapshotSeesWhichVersion) {
  Model m = ModelAt();
  const Transactions& t = m.transactions();
  RowVersion old_row = Version(1, 740, 745, kHeapXminCommitted);
  RowVersion bobs = Version(2, 746, 0);
  RowVersion new_row = Version(3, 745, 0);
  RowVersion unknown = Version(4, 740, 0);
  const BackendTxn* carol = t.Backend(kCarol);
  ASSERT_NE(carol, nullptr);
  EXPECT_EQ(VisibleTo(old_row, *carol, t).seen, Seen::kVisible);
  EXPECT_EQ(VisibleTo(old_row, *carol, t).why, "its deleter 745 was in progress when the snapshot was taken");
  EXPECT_EQ(VisibleTo(new_row, *carol, t).seen, Seen::kInvisible);
  EXPECT_EQ(VisibleTo(bobs, *carol, t).seen, Seen::kInvisible);
  EXPECT_EQ(VisibleTo(unknown, *carol, t).seen, Seen::kInvisible);
  EXPECT_EQ(VisibleTo(unknown, *carol, t).why, "its inserter 740 is not known to have committed");

  BackendTxn later;
  later.snapshot = SnapshotInfo{748, 748, {}, "statement", "read committed", 0};
  EXPECT_EQ(VisibleTo(old_row, later, t).seen, Seen::kInvisible);
  EXPECT_EQ(VisibleTo(new_row, later, t).seen, Seen::kVisible);
  EXPECT_EQ(VisibleTo(bobs, later, t).seen, Seen::kInvisible);
  EXPECT_EQ(VisibleTo(bobs, later, t).why, "its inserter 746 aborted");

  const BackendTxn* alice = t.Backend(kAlice);  // committed: no snapshot now
  ASSERT_NE(alice, nullptr);
  EXPECT_EQ(VisibleTo(new_row, *alice, t).seen, Seen::kNoSnapshot);
  RowVersion unused;
  EXPECT_EQ(VisibleTo(unused, later, t).seen, Seen::kNoTuple);
}

// Scenario: a backend sees its own changes (inserted by its xid or a live
// subtransaction) and not what it deleted; a frozen xmin counts as
// committed; a lock-only xmax does not delete; XidInMVCCSnapshot maps a
// subtransaction to its top-level xid.
TEST(RowVersionsTest, OwnChangesFrozenAndLockers) {
  Model m;
  m.ApplyLine(Line("postmaster_start", 5, 100, R"("port":5432)"));
  m.ApplyLine(Line("fork", 10, 100, R"("child":200,"role":"backend")"));
  m.ApplyLine(Line("fork", 11, 100, R"("child":201,"role":"backend")"));
  m.ApplyLine(Line("xid_assigned", 20, 200, R"("xid":900,"top_xid":900)"));
  m.ApplyLine(Line("xid_assigned", 21, 200, R"("xid":901,"top_xid":900)"));
  m.ApplyLine(Line("snapshot", 22, 200, R"("xmin":900,"xmax":902,"xip":[900],"scope":"statement","isolation":"read committed")"));
  m.ApplyLine(Line("snapshot", 23, 201, R"("xmin":900,"xmax":902,"xip":[900],"scope":"statement","isolation":"read committed")"));
  const Transactions& t = m.transactions();
  const BackendTxn& mine = *t.Backend(200);
  const BackendTxn& other = *t.Backend(201);
  EXPECT_EQ(VisibleTo(Version(1, 901, 0), mine, t).seen, Seen::kVisible);
  EXPECT_EQ(VisibleTo(Version(1, 901, 0), other, t).seen, Seen::kInvisible);
  EXPECT_TRUE(XidInMVCCSnapshot(901, *other.snapshot, t));
  EXPECT_EQ(VisibleTo(Version(2, 5, 900, kHeapXminCommitted | kHeapXminInvalid), mine, t).seen, Seen::kInvisible);
  EXPECT_EQ(VisibleTo(Version(2, 5, 900, kHeapXminCommitted | kHeapXminInvalid), other, t).seen, Seen::kVisible);
  EXPECT_EQ(VisibleTo(Version(3, 2, 900, kHeapXmaxLockOnly), mine, t).seen, Seen::kVisible);
}

// Scenario: a MultiXact xmax (a FOR KEY SHARE locker beside a non-key
// UPDATE): only its updating member deletes the version. With updater 900
// (in progress), its own transaction no longer sees the old version while
// another snapshot still does; a multi of lockers only deletes nothing.
TEST(RowVersionsTest, MultiXactXmaxIsDecidedByItsUpdater) {
  Model m;
  m.ApplyLine(Line("postmaster_start", 5, 100, R"("port":5432)"));
  m.ApplyLine(Line("fork", 10, 100, R"("child":200,"role":"backend")"));
  m.ApplyLine(Line("fork", 11, 100, R"("child":201,"role":"backend")"));
  m.ApplyLine(Line("xid_assigned", 20, 200, R"("xid":900,"top_xid":900)"));
  m.ApplyLine(Line("snapshot", 22, 200, R"("xmin":900,"xmax":901,"xip":[900],"scope":"statement","isolation":"read committed")"));
  m.ApplyLine(Line("snapshot", 23, 201, R"("xmin":900,"xmax":901,"xip":[900],"scope":"statement","isolation":"read committed")"));
  const Transactions& t = m.transactions();
  const BackendTxn& updater = *t.Backend(200);
  const BackendTxn& other = *t.Backend(201);
  RowVersion with_updater = Version(1, 2, 7, kHeapXminCommitted | kHeapXminInvalid | kHeapXmaxIsMulti);
  with_updater.update_xid = 900;
  EXPECT_EQ(VisibleTo(with_updater, updater, t).seen, Seen::kInvisible);
  EXPECT_EQ(VisibleTo(with_updater, updater, t).why, "deleted by its own transaction 900");
  EXPECT_EQ(VisibleTo(with_updater, other, t).seen, Seen::kVisible);
  EXPECT_EQ(VisibleTo(with_updater, other, t).why, "its deleter 900 was in progress when the snapshot was taken");
  RowVersion lockers = Version(2, 2, 8, kHeapXminCommitted | kHeapXminInvalid | kHeapXmaxIsMulti);
  EXPECT_EQ(VisibleTo(lockers, updater, t).seen, Seen::kVisible);
  EXPECT_EQ(VisibleTo(lockers, updater, t).why, "xmax 8 is a MultiXact of lockers only");
  BackendTxn later;
  later.snapshot = SnapshotInfo{902, 902, {}, "statement", "read committed", 0};
  m.ApplyLine(Line("xact_end", 30, 200, R"("xid":900,"outcome":"commit","lsn":"0/100","flushed":true)"));
  EXPECT_EQ(VisibleTo(with_updater, later, m.transactions()).seen, Seen::kInvisible);
}

// Scenario: minipg_page_items' columns are found by name, whatever their
// order; a missing one is an error that names it; an unused line pointer
// has no row.
TEST(RowVersionsTest, ParsePageItems) {
  std::vector<std::string> cols = {"lp", "lp_off", "lp_flags", "lp_len", "t_xmin", "t_xmax", "t_field3",
                                   "t_ctid", "t_infomask2", "t_infomask", "t_hoff", "t_bits", "t_oid",
                                   "t_data", "t_row"};
  std::vector<std::vector<std::optional<std::string>>> rows = {
      {"1", "8160", "1", "32", "740", "745", "0", "(0,3)", "2", "256", "24", std::nullopt, std::nullopt,
       "\\x01", "(1,100)"},
      {"2", "0", "0", "0", std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
       std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt}};
  PageItems items = ParsePageItems(cols, rows);
  ASSERT_TRUE(items.error.empty()) << items.error;
  ASSERT_EQ(items.versions.size(), 2u);
  EXPECT_EQ(items.versions[0].xmin, 740);
  EXPECT_EQ(items.versions[0].xmax, 745);
  EXPECT_EQ(items.versions[0].infomask, 256);
  EXPECT_EQ(items.versions[0].ctid, "(0,3)");
  EXPECT_EQ(items.versions[0].row, "(1,100)");
  EXPECT_TRUE(items.versions[0].HasTuple());
  EXPECT_FALSE(items.versions[1].HasTuple());
  EXPECT_FALSE(items.versions[1].row.has_value());
  EXPECT_EQ(items.versions[0].update_xid, 0) << "no update_xid column: none";
  cols.push_back("update_xid");
  rows[0].push_back("745");
  rows[1].push_back(std::nullopt);
  EXPECT_EQ(ParsePageItems(cols, rows).versions[0].update_xid, 745);
  cols.pop_back();
  cols.pop_back();
  EXPECT_EQ(ParsePageItems(cols, rows).error, "minipg_page_items gave no column \"t_row\"");
}

}  // namespace
}  // namespace minipg::viz
