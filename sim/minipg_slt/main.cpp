/*-------------------------------------------------------------------------
 * main.cpp
 *   minipg-slt: runs sqllogictest files against one or more servers, each
 *   given by a libpq connection string, and prints per file and in total
 *   how many records passed, failed and were skipped on each, side by side
 *   (docs/testing.md, "SQL corpora"):
 *
 *     minipg-slt --target minipg="host=/tmp/a port=5433 dbname=postgres" \
 *                --target postgresql="host=/tmp/b port=5432 dbname=postgres" \
 *                tests/slt
 *
 *   Arguments are .test files or folders (searched for *.test). Exit
 *   status: 0 every record passed on every target, 1 some failed, 2 a
 *   file could not be read or a server could not be reached.
 *-------------------------------------------------------------------------
 */
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "sim/cli/runner_args.h"
#include "sim/slt/runner.h"

namespace fs = std::filesystem;
using namespace minipg::sim::slt;

namespace {

/* A server and its counts over all files. */
struct TargetRun {
  minipg::sim::Target server;
  Counts total;
};

std::string Rate(const Counts& c) {
  size_t ran = c.passed + c.failed;
  if (ran == 0) return "-";
  return fmt::format("{:.1f}% ({}/{})", 100.0 * static_cast<double>(c.passed) / static_cast<double>(ran), c.passed,
                     ran);
}

std::string Cells(const Counts& c) { return fmt::format("{:>7} {:>6} {:>6}", c.passed, c.failed, c.skipped); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"minipg-slt: runs sqllogictest files against servers and compares their pass rates"};
  std::vector<std::string> target_args, paths;
  RunOptions options;
  int show_failures = 0;
  app.add_option("--target", target_args, "NAME=CONNINFO: a server to run the files against (repeatable)")
      ->required();
  app.add_option("files", paths, ".test files, or folders holding them")->required();
  app.add_option("--db-name", options.db_name, "the name skipif/onlyif match (default postgresql)");
  app.add_option("--failures", show_failures, "print up to N failed records of each file and target");
  bool same_database = false;
  app.add_flag("--same-database", same_database,
               "run in the connection's database instead of a fresh one a file");
  CLI11_PARSE(app, argc, argv);
  options.own_database = !same_database;

  std::vector<TargetRun> targets;
  for (const std::string& t : target_args) {
    std::optional<minipg::sim::Target> target = minipg::sim::ParseTarget(t);
    if (!target) {
      fmt::print(stderr, "minipg-slt: --target wants NAME=CONNINFO, not \"{}\"\n", t);
      return 2;
    }
    targets.push_back({*target, {}});
  }

  int status = 0;
  std::string header = fmt::format("{:<32}", "file");
  std::string sub = fmt::format("{:<32}", "");
  for (const TargetRun& t : targets) {
    header += fmt::format("  {:<21}", t.server.name);
    sub += fmt::format("  {:>7} {:>6} {:>6}", "pass", "fail", "skip");
  }
  std::vector<std::string> table;
  for (const fs::path& path : minipg::sim::FilesFromArgs(paths, ".test")) {
    std::optional<std::string> text = minipg::sim::ReadWholeFile(path);
    if (!text) {
      fmt::print(stderr, "minipg-slt: cannot read {}\n", path.string());
      status = 2;
      continue;
    }
    SltFile file = ParseSlt(*text);
    std::string row = fmt::format("{:<32}", path.filename().string());
    for (TargetRun& t : targets) {
      FileRun run = RunSltFile(file, t.server.conninfo, options);
      if (!run.error.empty()) {
        fmt::print(stderr, "minipg-slt: {}: {}\n", t.server.name, run.error);
        return 2;
      }
      if (run.counts.failed > 0) status = std::max(status, 1);
      for (int i = 0; i < show_failures && i < static_cast<int>(run.failures.size()); ++i) {
        const Failure& f = run.failures[static_cast<size_t>(i)];
        fmt::print("{}: {}:{}: {}\n    {}\n", t.server.name, path.string(), f.line, f.why, f.sql);
      }
      t.total += run.counts;
      row += "  " + Cells(run.counts);
    }
    table.push_back(std::move(row));
  }
  fmt::print("{}\n{}\n", header, sub);
  for (const std::string& row : table) fmt::print("{}\n", row);
  std::string total = fmt::format("{:<32}", "total"), rate = fmt::format("{:<32}", "pass rate");
  for (const TargetRun& t : targets) {
    total += "  " + Cells(t.total);
    rate += fmt::format("  {:<21}", Rate(t.total));
  }
  fmt::print("{}\n{}\n", total, rate);
  return status;
}
