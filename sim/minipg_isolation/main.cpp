/*-------------------------------------------------------------------------
 * main.cpp
 *   minipg-isolation: runs isolation specs (PostgreSQL isolationtester's
 *   format, sim/isolation/spec.h) against one or more servers, each given
 *   by a libpq connection string (docs/testing.md, "Isolation tests"):
 *
 *     minipg-isolation --target minipg="host=/tmp/a port=5433 dbname=postgres" \
 *                      --expected tests/isolation/expected tests/isolation/specs/rollback.spec
 *
 *   Arguments are .spec files or folders (searched for *.spec). With
 *   --expected (an .out file, or a folder of NAME.out), each target's
 *   output is compared with it and a diff printed; without it and with one
 *   target, the output is printed (or written to --output-dir/NAME.out: how
 *   an expected file is made from PostgreSQL 15); with several targets,
 *   each is compared with the first. Exit status: 0 every output matched,
 *   1 some differed, 2 a spec could not be read or a server reached.
 *-------------------------------------------------------------------------
 */
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "sim/cli/runner_args.h"
#include "sim/isolation/normalize.h"
#include "sim/isolation/runner.h"

namespace fs = std::filesystem;
using namespace minipg::sim::isolation;
using minipg::sim::Target;

namespace {

/* Compares and prints "ok" or the diff; true when equal. */
bool Compare(const std::string& label, const std::string& expected, const std::string& actual) {
  if (expected == actual) {
    fmt::print("{}: ok\n", label);
    return true;
  }
  std::string diff = DiffLines(expected, actual);
  if (diff.empty()) diff = "(they differ only in the last line's newline)\n";
  fmt::print("{}: FAILED\n{}", label, diff);
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"minipg-isolation: runs isolation specs against servers and compares their outputs"};
  std::vector<std::string> target_args, paths;
  std::string expected, output_dir;
  RunOptions options;
  app.add_option("--target", target_args, "NAME=CONNINFO: a server to run the specs against (repeatable)")
      ->required();
  app.add_option("specs", paths, ".spec files, or folders holding them")->required();
  app.add_option("--expected", expected, "an expected .out file, or a folder of NAME.out files");
  app.add_option("--output-dir", output_dir, "write each spec's output (first target) to DIR/NAME.out");
  app.add_option("--step-timeout", options.step_timeout_s, "cancel a step after N seconds (default 60)");
  bool same_database = false;
  app.add_flag("--same-database", same_database, "run in the connection's database instead of a fresh one a spec");
  CLI11_PARSE(app, argc, argv);
  options.own_database = !same_database;

  std::vector<Target> targets;
  for (const std::string& t : target_args) {
    std::optional<Target> target = minipg::sim::ParseTarget(t);
    if (!target) {
      fmt::print(stderr, "minipg-isolation: --target wants NAME=CONNINFO, not \"{}\"\n", t);
      return 2;
    }
    targets.push_back(*target);
  }

  int status = 0;
  for (const fs::path& path : minipg::sim::FilesFromArgs(paths, ".spec")) {
    std::optional<std::string> text = minipg::sim::ReadWholeFile(path);
    if (!text) {
      fmt::print(stderr, "minipg-isolation: cannot read {}\n", path.string());
      status = 2;
      continue;
    }
    SpecParse parsed = ParseSpec(*text);
    if (!parsed.ok()) {
      fmt::print(stderr, "minipg-isolation: {}: {}\n", path.string(), parsed.error);
      status = 2;
      continue;
    }
    for (const std::string& step : UnusedSteps(parsed.spec)) {
      fmt::print(stderr, "minipg-isolation: {}: unused step name: {}\n", path.string(), step);
    }
    std::string name = path.stem().string();
    std::string expected_text;
    if (!expected.empty()) {
      fs::path file = fs::is_directory(expected) ? fs::path(expected) / (name + ".out") : fs::path(expected);
      std::optional<std::string> read = minipg::sim::ReadWholeFile(file);
      if (!read) {
        fmt::print(stderr, "minipg-isolation: cannot read {}\n", file.string());
        status = 2;
        continue;
      }
      expected_text = std::move(*read);
    }
    std::vector<std::string> outputs;
    for (const Target& t : targets) {
      SpecRun run = RunSpec(parsed.spec, name, t.conninfo, options);
      if (!run.error.empty()) {
        fmt::print(stderr, "minipg-isolation: {}: {}: {}\n", t.name, name, run.error);
        status = std::max(status, run.output.empty() ? 2 : 1);
      }
      outputs.push_back(run.output);
    }
    if (!output_dir.empty()) {
      std::ofstream out(fs::path(output_dir) / (name + ".out"), std::ios::binary);
      out << outputs.front();
    }
    for (size_t i = 0; i < targets.size(); ++i) {
      std::string label = fmt::format("{} on {}", name, targets[i].name);
      if (!expected.empty()) {
        if (!Compare(label, expected_text, outputs[i])) status = std::max(status, 1);
      } else if (i > 0) {
        if (!Compare(label + " (against " + targets[0].name + ")", outputs[0], outputs[i])) {
          status = std::max(status, 1);
        }
      } else if (targets.size() == 1 && output_dir.empty()) {
        fmt::print("{}", outputs[i]);
      }
    }
  }
  return status;
}
