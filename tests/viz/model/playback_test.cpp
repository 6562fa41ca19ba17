/*-------------------------------------------------------------------------
 * playback_test.cpp
 *   Tests of playback (viz/model/playback.h) and its record (trace_store.h):
 *   whatever way a position is reached (stepping, seeking back and forth,
 *   playing with the clock), the model shown is the one a fresh model
 *   would have after that many lines; pausing freezes the picture while
 *   recording goes on; a saved trace is exactly what was received.
 *-------------------------------------------------------------------------
 */
#include "viz/model/playback.h"

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace minipg::viz {
namespace {

std::vector<std::string> ReadLines(const char* name) {
  std::ifstream in(fmt::format("{}/{}", MINIPG_VIZ_TEST_DATA, name));
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

/* What a model shows, as one comparable string. */
std::string Fingerprint(const Model& m) {
  std::string out = fmt::format("lines={} events={} anomalies={} last_ts={} log={} step={} caption={}\n",
                                m.lines_seen(), m.events_seen(), m.anomaly_count(), m.last_ts(),
                                m.log().size(), m.narration().step, m.narration().caption);
  for (const Process& p : m.processes()) {
    out += fmt::format("{} {} {} q={} done={} exited={} crashed={}\n", p.pid, RoleName(p.role),
                       p.state_text, p.current_query, p.queries_done, p.exited, p.crashed);
  }
  return out;
}

std::string FreshFingerprint(const std::vector<std::string>& lines, size_t n) {
  Model m;
  for (size_t i = 0; i < n; ++i) m.ApplyLine(lines[i]);
  return Fingerprint(m);
}

std::string Line(std::string_view type, int64_t ts, int64_t pid, std::string_view extra = "") {
  return fmt::format(R"({{"type":"{}","ts":{},"pid":{}{}{}}})", type, ts, pid,
                     extra.empty() ? "" : ",", extra);
}

// Every position, reached by seeking in a shuffled order (so both the
// checkpoint path and the step-forward path run), shows the fresh model's picture.
TEST(PlaybackTest, SeekingAnywhereShowsTheModelAfterThatManyLines) {
  std::vector<std::string> lines = ReadLines("export_session.jsonl");
  ASSERT_GT(lines.size(), 50u);
  Playback pb(ModelOptions{}, /*checkpoint_every=*/7, /*lines_per_process=*/0);
  for (const std::string& l : lines) pb.Append(l);
  ASSERT_EQ(pb.error(), "");
  EXPECT_GE(pb.checkpoint_count(), lines.size() / 7);
  EXPECT_EQ(pb.size(), lines.size());
  EXPECT_EQ(Fingerprint(pb.shown()), FreshFingerprint(lines, lines.size()));

  std::vector<size_t> order;
  for (size_t n = 0; n <= lines.size(); ++n) order.push_back(n);
  std::mt19937 rng(42);
  std::shuffle(order.begin(), order.end(), rng);
  for (size_t n : order) {
    pb.SeekLine(n);
    EXPECT_EQ(pb.mode(), PlaybackMode::kPaused);
    ASSERT_EQ(pb.position(), n);
    ASSERT_EQ(Fingerprint(pb.shown()), FreshFingerprint(lines, n)) << "at line " << n;
  }
}

TEST(PlaybackTest, StepBackAndForwardMoveOneEvent) {
  std::vector<std::string> lines = ReadLines("three_backends.jsonl");
  Playback pb(ModelOptions{}, 5, /*lines_per_process=*/0);
  for (const std::string& l : lines) pb.Append(l);
  pb.StepBack();  // from live: pause at the end, then one back
  EXPECT_EQ(pb.mode(), PlaybackMode::kPaused);
  EXPECT_EQ(pb.position(), lines.size() - 1);
  EXPECT_EQ(Fingerprint(pb.shown()), FreshFingerprint(lines, lines.size() - 1));
  for (size_t i = 0; i < lines.size() + 3; ++i) pb.StepBack();  // stops at 0
  EXPECT_EQ(pb.position(), 0u);
  EXPECT_EQ(pb.shown().events_seen(), 0u);
  pb.StepForward();
  pb.StepForward();
  EXPECT_EQ(pb.position(), 2u);
  EXPECT_EQ(Fingerprint(pb.shown()), FreshFingerprint(lines, 2));
  pb.GoLive();
  EXPECT_TRUE(pb.live());
  EXPECT_EQ(Fingerprint(pb.shown()), FreshFingerprint(lines, lines.size()));
}

// Scenario: the viewer pauses while the server keeps sending; the picture
// stays, the record and the live model go on, and going live shows it all.
TEST(PlaybackTest, PauseFreezesThePictureWhileRecordingGoesOn) {
  Playback pb(ModelOptions{});
  pb.Append(Line("postmaster_start", 100, 10, R"("port":5432,"max_connections":5)"));
  pb.Append(Line("fork", 110, 10, R"("child":20,"role":"backend","conn":1)"));
  pb.Pause();
  pb.Append(Line("fork", 120, 10, R"("child":21,"role":"backend","conn":2)"));
  pb.Append(Line("fork", 130, 10, R"("child":22,"role":"backend","conn":3)"));
  EXPECT_EQ(pb.shown().processes().size(), 2u);
  EXPECT_EQ(pb.live_model().processes().size(), 4u);
  EXPECT_EQ(pb.size(), 4u);
  EXPECT_EQ(pb.position(), 2u);
  pb.GoLive();
  EXPECT_EQ(pb.shown().processes().size(), 4u);
}

// Playing advances with the clock times the speed; a long quiet stretch is
// shortened; the end of a live record goes live, of a finished one pauses.
TEST(PlaybackTest, PlayingFollowsTheClockAndSpeed) {
  std::vector<std::string> lines = {
      Line("postmaster_start", 1'000'000, 10, R"("port":5432,"max_connections":5)"),
      Line("fork", 1'100'000, 10, R"("child":20,"role":"backend","conn":1)"),
      Line("fork", 1'300'000, 10, R"("child":21,"role":"backend","conn":2)"),
      Line("fork", 61'300'000, 10, R"("child":22,"role":"backend","conn":3)"),  // a minute later
  };
  Playback pb(ModelOptions{});
  pb.set_source_live(false);
  for (const std::string& l : lines) pb.Append(l);
  pb.SeekLine(0);
  pb.Play();
  EXPECT_EQ(pb.mode(), PlaybackMode::kPlaying);
  pb.Tick(0);  // the clock starts at the first event
  EXPECT_EQ(pb.position(), 1u);
  pb.Tick(50'000);  // 1x: 50 ms is not yet 100 ms
  EXPECT_EQ(pb.position(), 1u);
  pb.SetSpeed(4.0);
  pb.Tick(50'000);  // 4x: 200 ms more -> 1.25 s: the first fork
  EXPECT_EQ(pb.position(), 2u);
  pb.SetSpeed(1.0);
  pb.Tick(100'000);  // 1.35 s: the second fork
  EXPECT_EQ(pb.position(), 3u);
  pb.Tick(100'000);  // the minute-long gap is shortened to 2 s
  EXPECT_EQ(pb.position(), 3u);
  pb.Tick(static_cast<int64_t>(Playback::kMaxGapUs));
  EXPECT_EQ(pb.position(), 4u);
  EXPECT_EQ(pb.mode(), PlaybackMode::kPaused);  // a finished record: paused at its end
  EXPECT_EQ(pb.shown().processes().size(), 4u);

  pb.SetSpeed(100.0);
  EXPECT_EQ(pb.speed(), Playback::kMaxSpeed);
  pb.SetSpeed(0.0);
  EXPECT_EQ(pb.speed(), Playback::kMinSpeed);

  pb.set_source_live(true);
  pb.SeekLine(3);
  pb.Play();
  pb.Tick(10 * Playback::kMaxGapUs);
  EXPECT_TRUE(pb.live());  // caught up with a live source: following it again
}

TEST(PlaybackTest, SeekTsShowsEverythingUpToThatMoment) {
  Playback pb(ModelOptions{}, 1, /*lines_per_process=*/0);
  for (int i = 0; i < 1000; ++i) {
    pb.Append(Line("fork", 1000 + i * 10, 10, fmt::format(R"("child":{},"role":"backend","conn":{})", 100 + i, i)));
  }
  pb.SeekTs(1000 + 500 * 10);  // forks 0..500
  EXPECT_EQ(pb.position(), 501u);
  EXPECT_EQ(pb.shown().last_ts(), 1000 + 500 * 10);
  pb.SeekTs(0);
  EXPECT_EQ(pb.position(), 0u);
  pb.SeekTs(1'000'000'000);
  EXPECT_EQ(pb.position(), 1000u);
  // 1000 lines with a checkpoint every line: still at most kMaxCheckpoints.
  EXPECT_LE(pb.checkpoint_count(), Playback::kMaxCheckpoints);
  EXPECT_GE(pb.checkpoint_every(), 16u);
}

// Scenario: a model of 1,000 backends is costly to copy, so checkpoints
// come at least 32 lines per process apart, not every 100 lines; seeking
// still shows exactly the model after that many lines.
TEST(PlaybackTest, CheckpointsSpreadOutAsTheModelGrows) {
  Playback pb(ModelOptions{}, /*checkpoint_every=*/100, /*lines_per_process=*/32);
  int64_t ts = 1000;
  for (int i = 0; i < 1000; ++i) {
    pb.Append(Line("fork", ts++, 10, fmt::format(R"("child":{},"role":"backend","conn":{})", 100 + i, i)));
  }
  size_t after_forks = pb.checkpoint_count();
  constexpr size_t kMore = 100000;
  for (size_t i = 0; i < kMore; ++i) {
    pb.Append(Line("state", ts++, 100 + static_cast<int64_t>(i % 1000), R"("state":"idle")"));
  }
  // 1,001 processes (the postmaster too, once seen) at 32 lines each: one
  // checkpoint per 32,032 lines or more, where 100 lines would make 1,000.
  EXPECT_GE(pb.checkpoint_count(), after_forks + 1);
  EXPECT_LE(pb.checkpoint_count(), after_forks + kMore / 32000);
  // Seeking restores a checkpoint and replays from it: the model is the one
  // after exactly that many lines (at 50,000 and 90,000 a checkpoint lies
  // behind, not at line 0).
  std::vector<std::string> lines;
  for (int i = 0; i < 1000; ++i) {
    lines.push_back(Line("fork", 1000 + i, 10, fmt::format(R"("child":{},"role":"backend","conn":{})", 100 + i, i)));
  }
  for (size_t i = 0; i < kMore; ++i) {
    lines.push_back(Line("state", 2000 + static_cast<int64_t>(i), 100 + static_cast<int64_t>(i % 1000),
                         R"("state":"idle")"));
  }
  for (size_t n : {size_t{50000}, size_t{90000}, size_t{1500}}) {
    pb.SeekLine(n);
    ASSERT_EQ(pb.position(), n);
    EXPECT_EQ(Fingerprint(pb.shown()), FreshFingerprint(lines, n)) << "at line " << n;
  }
}

TEST(PlaybackTest, SavedTraceIsExactlyWhatWasReceived) {
  std::vector<std::string> lines = ReadLines("export_session.jsonl");
  lines.insert(lines.begin() + 3, "");            // blank and malformed lines are kept too
  lines.insert(lines.begin() + 5, "{not json");
  Playback pb(ModelOptions{});
  for (const std::string& l : lines) pb.Append(l);
  std::string path = ::testing::TempDir() + "/playback_saved.jsonl";
  ASSERT_EQ(pb.SaveTrace(path), "");
  std::ifstream in(path);
  std::stringstream got;
  got << in.rdbuf();
  std::string want;
  for (const std::string& l : lines) want += l + "\n";
  EXPECT_EQ(got.str(), want);
  EXPECT_NE(pb.SaveTrace("/nonexistent-dir/x.jsonl"), "");
}

TEST(TraceStoreTest, ReadsAcrossBlocksAndChunks) {
  TraceStore store;
  ASSERT_EQ(store.error(), "");
  std::vector<std::string> lines;
  for (int i = 0; i < 3000; ++i) {
    lines.push_back(std::string(static_cast<size_t>(i % 97) * 13, 'x') + std::to_string(i));
    store.Append(lines.back(), i);
  }
  std::vector<std::string> got;
  ASSERT_TRUE(store.Read(250, 2900, [&](size_t i, std::string_view l) {
    EXPECT_EQ(i, 250 + got.size());
    got.emplace_back(l);
  }));
  ASSERT_EQ(got.size(), 2650u);
  for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], lines[250 + i]);
}

// Scenario: finding a moment in a long record (the slider, a Timeline
// click): LinesUpTo gives the first line whose ts is after the moment, also
// when timestamps go back now and then (events of several processes), with
// blank lines and lines without a ts in between; the answer is the same as
// scanning every line.
TEST(TraceStoreTest, LinesUpToFindsTheFirstLaterLine) {
  TraceStore store;
  ASSERT_EQ(store.error(), "");
  std::vector<int64_t> ts;
  for (int i = 0; i < 5000; ++i) {
    int64_t t = i % 10 == 3 ? -1 : 1000 + i * 10 - (i % 7 == 0 ? 700 : 0);  // some go back
    ts.push_back(t);
    std::string line = t < 0 ? std::string()
                             : fmt::format(R"({{"type":"state","ts":{},"pid":1,"state":"idle"}})", t);
    store.Append(line, t);
  }
  for (int64_t target : {int64_t{0}, int64_t{999}, int64_t{1000}, int64_t{5555}, int64_t{20000},
                         int64_t{40000}, int64_t{50990}, int64_t{60000}}) {
    size_t want = ts.size();
    for (size_t i = 0; i < ts.size(); ++i) {
      if (ts[i] > target) {
        want = i;
        break;
      }
    }
    EXPECT_EQ(store.LinesUpTo(target), want) << target;
  }
}

}  // namespace
}  // namespace minipg::viz
