/*
 * torture_test.cpp
 *   The durability torture test: several writer sessions commit rows at
 *   once (single INSERTs, multi-row INSERTs, COPY FROM STDIN, BEGIN ..
 *   COMMIT blocks spanning two tables) while a CHECKPOINT session runs;
 *   in each round one process is killed with SIGKILL at a random moment:
 *   a backend, the checkpointer, the background writer, the WAL writer,
 *   the startup process (during the crash cycle's recovery), or the whole
 *   server (postmaster and all children, then a new postmaster on the same
 *   data directory). After each round:
 *     - every acknowledged row is there exactly once (a writer counts a
 *       transaction as acknowledged only once its COMMIT's, or its
 *       autocommit statement's, CommandComplete arrived);
 *     - a transaction whose outcome the client never heard is all there or
 *       not there at all, and no row was ever inserted twice;
 *     - both tables can be read in full;
 *     - pg_control_checkpoint() is sane (redo <= checkpoint <= current LSN).
 *   Every row carries its writer and a sequence number unique within it.
 *
 * NOTES
 *   The seed is printed with every failure; MINIPG_TORTURE_SEED=<n> replays
 *   the same kill targets, kill delays and statement mix (the exact moment
 *   still depends on the machine). Rounds stop early once the time budget is
 *   used, so a slow machine runs fewer rounds, never a longer test; each kind
 *   of kill still comes first in some round.
 */
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>
#include <tuple>

#include "tests/integration/server_harness.h"
#include "tests/integration/torture_support.h"

namespace minipg::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kWriters = 4;
constexpr int kMaxRounds = 8;
constexpr auto kTimeBudget = std::chrono::seconds(45);  // no new round starts after it
const char* const kTables[] = {"torture_a", "torture_b"};

enum class Target { kBackend, kCheckpointer, kBgWriter, kWalWriter, kStartup, kWholeServer };
constexpr Target kAllTargets[] = {Target::kBackend,   Target::kCheckpointer, Target::kBgWriter,
                                  Target::kWalWriter, Target::kStartup,      Target::kWholeServer};

const char* TargetName(Target t) {
  switch (t) {
    case Target::kBackend: return "a backend";
    case Target::kCheckpointer: return "the checkpointer";
    case Target::kBgWriter: return "the background writer";
    case Target::kWalWriter: return "the WAL writer";
    case Target::kStartup: return "the startup process";
    case Target::kWholeServer: return "the whole server";
  }
  return "?";
}

/* One transaction a writer sent: which rows, and what the client heard. */
struct Txn {
  int writer = 0;
  std::vector<std::pair<int, int>> rows;  // (table index, seq)
  bool acknowledged = false;              // its COMMIT's CommandComplete arrived
};

/* What every writer sent, over all rounds. */
struct History {
  std::mutex mu;
  std::vector<Txn> txns;
  void Add(Txn t) {
    std::lock_guard<std::mutex> lock(mu);
    txns.push_back(std::move(t));
  }
};

std::string Note(std::mt19937_64& rng) { return std::string(20 + rng() % 180, static_cast<char>('a' + rng() % 26)); }

std::string ValuesRow(int writer, int seq, const std::string& note) {
  return "(" + std::to_string(writer) + ", " + std::to_string(seq) + ", '" + note + "')";
}

bool Acked(const Result<client::QueryResult>& r, const char* tag = nullptr) {
  if (!r.ok() || !r->ok() || r->statements.empty()) return false;
  return tag == nullptr || r->statements.back().tag == tag;
}

/* One writer session for one round: transactions until told to stop or
 * until its connection breaks (the kill). Returns its next sequence number. */
int RunWriter(const client::ConnectOptions& options, int writer, int next_seq, uint64_t seed,
              const std::atomic<bool>& stop, History& history) {
  std::mt19937_64 rng(seed);
  auto conn = client::Connection::Connect(options);
  if (!conn.ok()) return next_seq;
  client::Connection& c = **conn;
  while (!stop.load()) {
    Txn t;
    t.writer = writer;
    int table = static_cast<int>(rng() % 2);
    int kind = static_cast<int>(rng() % 4);
    bool broken = false;
    if (kind == 0) {  // one row, autocommit
      t.rows.push_back({table, next_seq++});
      history.Add(t);  // recorded before it is sent: its outcome may never be heard
      auto r = c.Query(std::string("INSERT INTO ") + kTables[table] + " VALUES " +
                       ValuesRow(writer, t.rows[0].second, Note(rng)));
      t.acknowledged = Acked(r);
      broken = !r.ok();
    } else if (kind == 1) {  // a multi-row INSERT
      std::string sql = std::string("INSERT INTO ") + kTables[table] + " VALUES ";
      int n = 2 + static_cast<int>(rng() % 30);
      for (int i = 0; i < n; ++i) {
        t.rows.push_back({table, next_seq});
        sql += (i ? ", " : "") + ValuesRow(writer, next_seq++, Note(rng));
      }
      history.Add(t);
      auto r = c.Query(sql);
      t.acknowledged = Acked(r);
      broken = !r.ok();
    } else if (kind == 2) {  // COPY FROM STDIN
      std::string data;
      int n = 10 + static_cast<int>(rng() % 300);
      for (int i = 0; i < n; ++i) {
        t.rows.push_back({table, next_seq});
        data += std::to_string(writer) + "\t" + std::to_string(next_seq++) + "\t" + Note(rng) + "\n";
      }
      history.Add(t);
      std::istringstream in(data);
      auto r = c.CopyIn(std::string("COPY ") + kTables[table] + " FROM STDIN", in);
      t.acknowledged = Acked(r);
      broken = !r.ok();
    } else {  // BEGIN .. COMMIT over both tables, one statement at a time
      int n = 2 + static_cast<int>(rng() % 8);
      for (int i = 0; i < n; ++i) t.rows.push_back({static_cast<int>(rng() % 2), next_seq++});
      history.Add(t);
      auto r = c.Query("BEGIN");
      bool ok = Acked(r);
      for (size_t i = 0; ok && i < t.rows.size(); ++i) {
        r = c.Query(std::string("INSERT INTO ") + kTables[t.rows[i].first] + " VALUES " +
                    ValuesRow(writer, t.rows[i].second, Note(rng)));
        ok = Acked(r);
      }
      if (ok) r = c.Query("COMMIT");
      t.acknowledged = ok && Acked(r, "COMMIT");
      broken = !r.ok() || !ok;
    }
    if (t.acknowledged) {
      std::lock_guard<std::mutex> lock(history.mu);
      // The entry added before sending: find it from the end (this writer's last).
      for (auto it = history.txns.rbegin(); it != history.txns.rend(); ++it) {
        if (it->writer == writer) {
          it->acknowledged = true;
          break;
        }
      }
    }
    if (broken) break;  // the kill reached this session: the round is over for it
  }
  c.Abandon();
  return next_seq;
}

/* A session that asks for a CHECKPOINT now and then, so that kills land
 * before, during and after checkpoints. */
void RunCheckpoints(const client::ConnectOptions& options, uint64_t seed, const std::atomic<bool>& stop) {
  std::mt19937_64 rng(seed);
  auto conn = client::Connection::Connect(options);
  if (!conn.ok()) return;
  while (!stop.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 400));
    if (stop.load()) break;
    if (!(*conn)->Query("CHECKPOINT").ok()) break;
  }
  (*conn)->Abandon();
}

uint64_t ParseLsn(const std::string& s) {
  unsigned hi = 0, lo = 0;
  if (std::sscanf(s.c_str(), "%X/%X", &hi, &lo) != 2) return 0;
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

class Torture {
 public:
  Torture(uint64_t seed) : seed_(seed), rng_(seed) {
    // Keeps the startup process alive long enough to be found and killed.
    setenv("MINIPG_TEST_RECOVERY_DELAY_MS", "300", 1);
  }
  ~Torture() {
    server_.reset();
    unsetenv("MINIPG_TEST_RECOVERY_DELAY_MS");
  }

  bool StartServer() {
    // Few buffers, so that pages are evicted and written by backends and the
    // background writer too, not only by checkpoints.
    server_ =
        std::make_unique<Server>(std::vector<std::string>{"shared_buffers=32", "bgwriter_delay=20ms"}, dir_.path());
    return server_->Start();
  }

  Server& server() { return *server_; }

  /* One round: writers and checkpoints, one kill, back to a running server. */
  void Round(Target target) {
    std::atomic<bool> stop{false};
    client::ConnectOptions options = server_->Options();
    std::vector<std::thread> threads;
    std::vector<int> next(kWriters);
    for (int w = 0; w < kWriters; ++w) {
      uint64_t s = rng_();
      threads.emplace_back([&, w, s] { next[w] = RunWriter(options, w, next_seq_[w], s, stop, history_); });
    }
    uint64_t cs = rng_();
    threads.emplace_back([&, cs] { RunCheckpoints(options, cs, stop); });
    ASSERT_TRUE(server_->WaitForBackends(kWriters + 1, 20000)) << server_->Log();
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng_() % 1200));
    size_t ready_before = ReadyCount(*server_);
    Kill(target);
    stop.store(true);
    for (auto& t : threads) t.join();
    for (int w = 0; w < kWriters; ++w) next_seq_[w] = next[w];
    if (target == Target::kStartup && PostmasterGaveUp(*server_, ready_before)) ++startup_kills_;
    ASSERT_TRUE(RunningAgain(*server_, ready_before, [&] { return StartServer(); }));
    EXPECT_NE(server_->Log().find("redo starts at"), std::string::npos) << "recovery replayed the WAL";
  }

  /* Every acknowledged row exactly once, every transaction all or nothing. */
  void Verify() {
    auto conn = server_->ConnectWhenReady(60000);
    ASSERT_TRUE(conn.ok()) << conn.error().message << "\n" << server_->Log();
    client::Connection& c = **conn;
    std::map<std::tuple<int, int, int>, int> seen;  // (table, writer, seq) -> how many times
    std::map<int, int> max_seq;                     // writer -> the highest seq present
    for (int table = 0; table < 2; ++table) {
      auto r = c.Query(std::string("SELECT writer, seq FROM ") + kTables[table]);
      ASSERT_TRUE(r.ok() && r->ok()) << kTables[table] << " cannot be read: "
                                     << (r.ok() ? r->error->message : r.error().message);
      for (const auto& row : r->statements.back().rows) {
        int writer = std::stoi(row[0].value_or("-1")), seq = std::stoi(row[1].value_or("-1"));
        ++seen[{table, writer, seq}];
        max_seq[writer] = std::max(max_seq[writer], seq);
      }
    }
    size_t expected_rows = 0;
    std::lock_guard<std::mutex> lock(history_.mu);
    for (const Txn& t : history_.txns) {
      size_t present = 0;
      for (auto [table, seq] : t.rows) {
        auto it = seen.find({table, t.writer, seq});
        if (it == seen.end()) continue;
        EXPECT_EQ(it->second, 1) << "writer " << t.writer << " seq " << seq << " is there " << it->second
                                 << " times";
        ++present;
        seen.erase(it);
      }
      if (t.acknowledged) {
        EXPECT_EQ(present, t.rows.size()) << "an acknowledged transaction of writer " << t.writer << " (seq "
                                          << t.rows[0].second << "..) lost rows (its highest seq present: "
                                          << max_seq[t.writer] << ")";
      } else {
        EXPECT_TRUE(present == 0 || present == t.rows.size())
            << "a transaction of writer " << t.writer << " (seq " << t.rows[0].second << "..) is half there: "
            << present << " of " << t.rows.size() << " rows";
      }
      expected_rows += present;
    }
    EXPECT_TRUE(seen.empty()) << seen.size() << " rows that no writer sent (first: writer "
                              << std::get<1>(seen.begin()->first) << " seq " << std::get<2>(seen.begin()->first)
                              << ")";
    acknowledged_rows_ = expected_rows;

    auto cp = c.Query("SELECT checkpoint_lsn, redo_lsn, pg_current_wal_lsn() FROM pg_control_checkpoint()");
    ASSERT_TRUE(cp.ok() && cp->ok() && !cp->statements.back().rows.empty());
    const auto& row = cp->statements.back().rows[0];
    uint64_t checkpoint = ParseLsn(row[0].value_or("")), redo = ParseLsn(row[1].value_or(""));
    uint64_t current = ParseLsn(row[2].value_or(""));
    EXPECT_NE(checkpoint, 0u);
    EXPECT_LE(redo, checkpoint) << "the redo point is at or before its checkpoint record";
    EXPECT_LT(checkpoint, current) << "the WAL goes on after the last checkpoint";
    c.Close();
  }

  void CreateTables() {
    auto c = server_->ConnectWhenReady(30000);
    ASSERT_TRUE(c.ok());
    for (const char* t : kTables) {
      auto r = (*c)->Query(std::string("CREATE TABLE ") + t + " (writer int, seq int, note text)");
      ASSERT_TRUE(r.ok() && r->ok());
    }
    (*c)->Close();
  }

  size_t rows() const { return acknowledged_rows_; }
  int startup_kills() const { return startup_kills_; }
  std::mt19937_64& rng() { return rng_; }

 private:
  void Kill(Target target) {
    switch (target) {
      case Target::kBackend:
        KillRandomBackend(*server_, rng_);
        break;
      case Target::kCheckpointer:
        KillChild("checkpointer");
        break;
      case Target::kBgWriter:
        KillChild("background writer");
        break;
      case Target::kWalWriter:
        KillChild("walwriter");
        break;
      case Target::kStartup:
        // Within the test's recovery delay (300 ms): before replay begins.
        KillStartupDuringRecovery(*server_, rng_, 100);
        break;
      case Target::kWholeServer:
        KillWholeServer(*server_);
        break;
    }
  }

  void KillChild(const std::string& title) {
    pid_t p = ChildTitled(*server_, title);
    ASSERT_NE(p, 0) << "no process titled " << title;
    kill(p, SIGKILL);
  }

  uint64_t seed_;
  std::mt19937_64 rng_;
  TortureDir dir_;  // outlives server_
  std::unique_ptr<Server> server_;
  History history_;
  int next_seq_[kWriters] = {};
  size_t acknowledged_rows_ = 0;
  int startup_kills_ = 0;  // rounds whose kill reached the startup process during recovery
};

// Scenario: rounds of concurrent writers and one kill -9 each (every kind
// of target in turn, in a seeded order); after each, every acknowledged
// commit is there once, no transaction is half there, every table reads.
TEST(TortureTest, KillNineUnderConcurrentWriters) {
  uint64_t seed = TortureSeed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (replay: MINIPG_TORTURE_SEED=" + std::to_string(seed) + ")");
  std::printf("torture seed %" PRIu64 "\n", seed);
  Torture torture(seed);
  ASSERT_TRUE(torture.StartServer());
  torture.CreateTables();
  std::vector<Target> order(std::begin(kAllTargets), std::end(kAllTargets));
  std::shuffle(order.begin(), order.end(), torture.rng());
  Clock::time_point start = Clock::now();
  int rounds = 0;
  for (; rounds < kMaxRounds; ++rounds) {
    if (rounds >= 4 && Clock::now() - start > kTimeBudget) break;
    Target target = order[rounds % order.size()];
    SCOPED_TRACE(std::string("round ") + std::to_string(rounds + 1) + ": kill -9 of " + TargetName(target));
    torture.Round(target);
    if (::testing::Test::HasFatalFailure()) return;
    torture.Verify();
    if (::testing::Test::HasFailure()) {
      std::cerr << "server log:\n" << torture.server().Log() << "\n";
      return;
    }
  }
  std::printf("torture: %d rounds, %zu rows present, %d startup process(es) killed during recovery\n", rounds,
              torture.rows(), torture.startup_kills());
  EXPECT_GT(torture.rows(), 0u) << "the writers committed something";
}

}  // namespace
}  // namespace minipg::testing
