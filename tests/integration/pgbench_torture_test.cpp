/*-------------------------------------------------------------------------
 * pgbench_torture_test.cpp
 *   The durability torture test under pgbench: `pgbench -i -s 1`, then
 *   rounds of the built-in TPC-B-like script from four clients (UPDATEs of
 *   an account, a teller and a branch and an INSERT into the history per
 *   transaction: many row versions, HOT and non-HOT updates, index inserts,
 *   row-lock waits between the clients), in a seeded query mode (simple,
 *   extended, prepared), while a maintenance session runs CHECKPOINT and
 *   VACUUM and autovacuum runs every second. In each round one process is
 *   killed with SIGKILL at a random moment: a backend, the checkpointer, the
 *   background writer, the WAL writer, an autovacuum worker (a backend if
 *   none showed up in time), the startup process at a random moment of its
 *   recovery from a backend's kill (the postmaster then gives up), or the
 *   whole server; after the last two, a new postmaster on the same data
 *   directory. Once the server accepts connections again:
 *     - sum(abalance) = sum(tbalance) = sum(bbalance) = sum(delta) of the
 *       history (pgbench_checks.h);
 *     - one live version per key: count(*) = count(DISTINCT key) = the
 *       scale's number of accounts, tellers and branches;
 *     - every table reads in full, and a seq scan, an index scan and an
 *       index-only scan of each primary key agree on count and sums;
 *     - the history holds every transaction pgbench counted as processed
 *       (its COMMIT was acknowledged), and at most one more per client and
 *       killed round (a COMMIT in flight when the kill came);
 *     - the server log has no PANIC, no process killed by a signal other
 *       than our SIGKILLs, no sanitizer report.
 *
 * NOTES
 *   pgbench runs with -n (no vacuum, and above all no TRUNCATE of the
 *   history before each run): the history must add up over all rounds.
 *   pgbench's exit status after a kill is 2 (its clients aborted): only its
 *   count of processed transactions is used, and only as a bound. The seed
 *   is printed; MINIPG_TORTURE_SEED=<n> replays the targets, delays and
 *   query modes, MINIPG_TORTURE_KEEP=1 keeps the data directory and log.
 *-------------------------------------------------------------------------
 */
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <iostream>
#include <memory>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/pgbench_checks.h"
#include "tests/integration/pq_server.h"
#include "tests/integration/torture_support.h"

namespace minipg::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kClients = 4;
constexpr long kAccounts = 100000;      // pgbench -s 1
constexpr long kAccountWindow = 10000;  // of them index-scanned after a round but the last
constexpr int kMaxRounds = 12;
// No new round starts after kTimeBudget once every kind of kill had its
// round, nor after kSlowMachineBudget in any case (a sanitizer build on a
// busy machine: well inside CTest's timeout).
constexpr auto kTimeBudget = std::chrono::seconds(40);
constexpr auto kSlowMachineBudget = std::chrono::seconds(120);
constexpr const char* kQueryModes[] = {"simple", "extended", "prepared"};

enum class Target {
  kBackend,
  kCheckpointer,
  kBgWriter,
  kWalWriter,
  kAutovacWorker,
  kWholeServer,
  kStartup
};
constexpr Target kAllTargets[] = {Target::kBackend,   Target::kCheckpointer,  Target::kBgWriter,
                                  Target::kWalWriter, Target::kAutovacWorker, Target::kWholeServer,
                                  Target::kStartup};

const char* TargetName(Target t) {
  switch (t) {
    case Target::kBackend:
      return "a backend";
    case Target::kCheckpointer:
      return "the checkpointer";
    case Target::kBgWriter:
      return "the background writer";
    case Target::kWalWriter:
      return "the WAL writer";
    case Target::kAutovacWorker:
      return "an autovacuum worker";
    case Target::kWholeServer:
      return "the whole server";
    case Target::kStartup:
      return "the startup process (recovering from a backend's kill)";
  }
  return "?";
}

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

/* pgbench's "number of transactions actually processed: N", or -1. */
long ProcessedTransactions(const std::string& out) {
  std::smatch m;
  static const std::regex kProcessed("number of transactions actually processed: ([0-9]+)");
  return std::regex_search(out, m, kProcessed) ? std::stol(m[1]) : -1;
}

/* The lines of a server log that no kill of ours explains. */
std::string UnexpectedLogLines(const std::string& log) {
  static const std::regex kBad("PANIC|Sanitizer|runtime error:|terminated by signal (?!9:)|TRAP");
  std::string out;
  size_t start = 0;
  while (start < log.size()) {
    size_t end = log.find('\n', start);
    if (end == std::string::npos) end = log.size();
    std::string line = log.substr(start, end - start);
    if (std::regex_search(line, kBad)) out += line + "\n";
    start = end + 1;
  }
  return out;
}

/* Until `stop`: now and then a CHECKPOINT or a VACUUM of one of pgbench's
 * tables, so that kills land before, during and after them. */
void RunMaintenance(const std::string& conninfo, uint64_t seed, const std::atomic<bool>& stop) {
  static const char* const kCommands[] = {"CHECKPOINT", "VACUUM pgbench_branches",
                                          "VACUUM pgbench_tellers", "VACUUM pgbench_history",
                                          "VACUUM pgbench_accounts"};
  std::mt19937_64 rng(seed);
  Conn c(PQconnectdb(conninfo.c_str()));
  while (PQstatus(c.get()) == CONNECTION_OK && !stop.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + rng() % 450));
    if (stop.load()) break;
    Res r(PQexec(c.get(), kCommands[rng() % std::size(kCommands)]));
  }
}

class PgbenchTorture {
 public:
  explicit PgbenchTorture(uint64_t seed) : rng_(seed) {}

  bool StartServer() {
    // Few buffers (pgbench_accounts alone is ~1,640 pages), so backends and
    // the background writer write pages too; autovacuum every second, with
    // thresholds low enough for pgbench_accounts to be vacuumed in a round.
    server_ = std::make_unique<Server>(
        std::vector<std::string>{"shared_buffers=64", "bgwriter_delay=20ms", "autovacuum_naptime=1",
                                 "autovacuum_vacuum_threshold=20",
                                 "autovacuum_vacuum_scale_factor=0.002",
                                 "autovacuum_vacuum_insert_threshold=200"},
        dir_.path());
    return server_->Start();
  }

  Server& server() { return *server_; }
  const std::filesystem::path& data_dir() const { return dir_.path(); }
  std::mt19937_64& rng() { return rng_; }

  void Initialize() {
    CommandResult r = RunPgbench(*server_, "-i -s 1 -q");
    ASSERT_EQ(r.status, 0) << r.out << server_->Log();
  }

  /* pgbench and maintenance, one kill, back to a running server. */
  void Round(Target target) {
    std::string mode = kQueryModes[rng_() % std::size(kQueryModes)];
    std::atomic<bool> stop{false};
    CommandResult bench;
    std::thread pgbench([&] {
      bench = RunPgbench(*server_, "-n -c " + std::to_string(kClients) + " -j 2 -T 3 -M " + mode);
    });
    uint64_t maintenance_seed = rng_();
    std::thread maintenance(
        [&, maintenance_seed] { RunMaintenance(Conninfo(*server_), maintenance_seed, stop); });
    EXPECT_TRUE(server_->WaitForBackends(kClients + 1, 20000)) << "pgbench did not connect";
    std::this_thread::sleep_for(std::chrono::milliseconds(200 + rng_() % 2000));
    size_t ready_before = ReadyCount(*server_);
    bool killed = Kill(target);
    pgbench.join();
    stop.store(true);
    maintenance.join();
    if (killed) {
      ++kills_;
      if (target == Target::kStartup && PostmasterGaveUp(*server_, ready_before)) ++startup_kills_;
      ASSERT_TRUE(RunningAgain(*server_, ready_before, [&] { return StartServer(); }));
    } else {
      EXPECT_EQ(bench.status, 0) << "nothing was killed, yet pgbench failed:\n" << bench.out;
    }
    long processed = ProcessedTransactions(bench.out);
    if (processed < 0) {
      history_max_known_ = false;  // pgbench said nothing: no upper bound from now on
    } else {
      history_min_ += processed;
      history_max_ += processed + (killed ? kClients : 0);
    }
  }

  /* What must hold after any round, crashed or not; `whole_indexes`: scan
   * every index in full, not just a window of pgbench_accounts_pkey. */
  void Verify(bool whole_indexes) {
    auto ready = server_->ConnectWhenReady(60000);  // past recovery (57P03)
    ASSERT_TRUE(ready.ok()) << ready.error().message << "\n" << server_->Log();
    (*ready)->Close();
    Conn c = PqConnect(*server_);
    ASSERT_EQ(PQstatus(c.get()), CONNECTION_OK);
    ExpectPgbenchBalancesAgree(c.get());
    EXPECT_EQ(
        OneValue(c.get(), "SELECT count(*) || ' ' || count(DISTINCT aid) FROM pgbench_accounts"),
        std::to_string(kAccounts) + " " + std::to_string(kAccounts));
    EXPECT_EQ(
        OneValue(c.get(), "SELECT count(*) || ' ' || count(DISTINCT tid) FROM pgbench_tellers"),
        "10 10");
    EXPECT_EQ(
        OneValue(c.get(), "SELECT count(*) || ' ' || count(DISTINCT bid) FROM pgbench_branches"),
        "1 1");
    // An index scan of pgbench_accounts reads its 100,000 rows one by one
    // (over a second in a dev build, ten with the sanitizers): a seeded
    // window of them after each round, all of them at the end.
    long from =
        whole_indexes ? 1 : 1 + static_cast<long>(rng_() % (kAccounts - kAccountWindow + 1));
    long to = whole_indexes ? kAccounts : from + kAccountWindow - 1;
    ExpectScansAgree(c.get(), "pgbench_accounts", "aid", "abalance", from, to);
    ExpectScansAgree(c.get(), "pgbench_tellers", "tid", "tbalance", 1, 10);
    ExpectScansAgree(c.get(), "pgbench_branches", "bid", "bbalance", 1, 1);
    long history = std::stol(OneValue(c.get(), "SELECT count(*) FROM pgbench_history"));
    EXPECT_GE(history, history_min_)
        << "transactions pgbench saw committed are missing from the history";
    if (history_max_known_) {
      EXPECT_LE(history, history_max_)
          << "more history rows than transactions processed or in flight";
    }
    history_rows_ = history;
    std::string unexpected = UnexpectedLogLines(server_->Log());
    EXPECT_TRUE(unexpected.empty()) << unexpected;
  }

  int kills() const { return kills_; }
  int autovac_kills() const { return autovac_kills_; }
  int startup_kills() const { return startup_kills_; }
  long history_rows() const { return history_rows_; }

 private:
  /* A seq scan, an index scan and an index-only scan of `table` (its keys
   * `from`..`to`) agree on
   * the count and sum of its key and (but for the index-only scan) the sum
   * of its balance: the index points at every live row and nothing else. */
  void ExpectScansAgree(PGconn* c, const std::string& table, const std::string& key,
                        const std::string& balance, long from, long to) {
    SCOPED_TRACE(table + " " + std::to_string(from) + ".." + std::to_string(to));
    std::string where = " FROM " + table + " WHERE " + key + " BETWEEN " + std::to_string(from) +
                        " AND " + std::to_string(to);
    std::string keys = "SELECT count(*) || ' ' || sum(" + key + ")" + where;
    std::string all =
        "SELECT count(*) || ' ' || sum(" + key + ") || ' ' || sum(" + balance + ")" + where;
    auto scan = [&](const char* settings, const std::string& sql, const std::string& node) {
      Res set(PQexec(c, settings));
      Res plan(PQexec(c, ("EXPLAIN " + sql).c_str()));
      std::string text =
          PQntuples(plan.get()) > 1 ? PQgetvalue(plan.get(), 1, 0) : PQerrorMessage(c);
      EXPECT_NE(text.find(node + " on " + table), std::string::npos) << sql << ": " << text;
      std::string value = OneValue(c, sql);
      Res reset(PQexec(c, "RESET ALL"));
      return value;
    };
    std::string seq =
        scan("SET enable_indexscan = off; SET enable_bitmapscan = off", all, "Seq Scan");
    std::string index = scan("SET enable_seqscan = off; SET enable_bitmapscan = off", all,
                             "Index Scan using " + table + "_pkey");
    std::string index_only = scan("SET enable_seqscan = off; SET enable_bitmapscan = off", keys,
                                  "Index Only Scan using " + table + "_pkey");
    EXPECT_EQ(index, seq) << "an index scan and a seq scan disagree";
    EXPECT_EQ(index_only, seq.substr(0, seq.rfind(' ')))
        << "an index-only scan and a seq scan disagree";
  }

  bool Kill(Target target) {
    switch (target) {
      case Target::kBackend:
        return KillRandomBackend(*server_, rng_);
      case Target::kCheckpointer:
        return KillChild("checkpointer");
      case Target::kBgWriter:
        return KillChild("background writer");
      case Target::kWalWriter:
        return KillChild("walwriter");
      case Target::kAutovacWorker: {
        // Workers come and go every second; wait up to one for one.
        pid_t worker = 0;
        WaitFor([&] { return (worker = ChildTitled(*server_, "autovacuum worker")) != 0; }, 1000);
        if (!KillChildConfirmed(*server_, worker)) return KillRandomBackend(*server_, rng_);
        ++autovac_kills_;
        return true;
      }
      case Target::kStartup:
        // No recovery delay here: the kill may land in the middle of the
        // replay, after it wrote some of the pages it replayed.
        KillStartupDuringRecovery(*server_, rng_, 300);
        return true;  // the backend's kill began a crash cycle in any case
      case Target::kWholeServer:
        KillWholeServer(*server_);
        return true;
    }
    return false;
  }

  bool KillChild(const std::string& title) {
    pid_t p = ChildTitled(*server_, title);
    EXPECT_NE(p, 0) << "no process titled " << title;
    return KillChildConfirmed(*server_, p);
  }

  std::mt19937_64 rng_;
  TortureDir dir_;  // outlives server_
  std::unique_ptr<Server> server_;
  long history_min_ = 0;  // transactions pgbench counted as processed, all rounds
  long history_max_ = 0;  // ... plus one in flight per client in every killed round
  bool history_max_known_ = true;
  long history_rows_ = 0;
  int kills_ = 0;
  int autovac_kills_ = 0;
  int startup_kills_ = 0;  // rounds whose kill reached the startup process during recovery
};

// Scenario: pgbench's TPC-B-like load from four clients, one kill -9 per
// round (every kind of target in a seeded order); after each, the balances
// agree, one version per key, the indexes agree with the heap, and the
// history holds every acknowledged transaction.
TEST(PgbenchTortureTest, KillNineUnderPgbench) {
  if (!HavePgbench())
    GTEST_SKIP() << "pgbench is not installed (scripts/install-deps.sh installs it)";
  uint64_t seed = TortureSeed();
  SCOPED_TRACE("seed " + std::to_string(seed) +
               " (replay: MINIPG_TORTURE_SEED=" + std::to_string(seed) + ")");
  std::printf("pgbench torture seed %" PRIu64 "\n", seed);
  PgbenchTorture torture(seed);
  std::printf("data directory %s (MINIPG_TORTURE_KEEP=1 keeps it)\n", torture.data_dir().c_str());
  ASSERT_TRUE(torture.StartServer());
  torture.Initialize();
  if (::testing::Test::HasFatalFailure()) return;
  std::vector<Target> order(std::begin(kAllTargets), std::end(kAllTargets));
  std::shuffle(order.begin(), order.end(), torture.rng());
  Clock::time_point start = Clock::now();
  int rounds = 0;
  for (; rounds < kMaxRounds; ++rounds) {
    Clock::duration used = Clock::now() - start;
    if (rounds >= static_cast<int>(order.size()) && used > kTimeBudget) break;
    if (used > kSlowMachineBudget) break;
    Target target = order[rounds % order.size()];
    SCOPED_TRACE(std::string("round ") + std::to_string(rounds + 1) + ": kill -9 of " +
                 TargetName(target));
    Clock::time_point round_start = Clock::now();
    torture.Round(target);
    if (::testing::Test::HasFatalFailure()) return;
    Clock::time_point checks_start = Clock::now();
    torture.Verify(/*whole_indexes=*/false);
    std::printf("round %d, kill -9 of %s: %.1f s to a running server, %.1f s of checks\n",
                rounds + 1, TargetName(target), Seconds(checks_start - round_start),
                Seconds(Clock::now() - checks_start));
    if (::testing::Test::HasFailure()) {
      std::cerr << "server log:\n" << torture.server().Log() << "\n";
      return;
    }
  }
  SCOPED_TRACE("after the last round, every index in full");
  torture.Verify(/*whole_indexes=*/true);
  std::printf(
      "pgbench torture: %d rounds, %d kills (%d of an autovacuum worker, %d of the startup process "
      "during recovery), %ld transactions in the history\n",
      rounds, torture.kills(), torture.autovac_kills(), torture.startup_kills(),
      torture.history_rows());
  EXPECT_GT(torture.history_rows(), 0) << "pgbench committed something";
}

}  // namespace
}  // namespace minipg::testing
