/*-------------------------------------------------------------------------
 * minipg_waldump.cpp
 *   minipg_waldump: prints the records of a WAL segment (or an LSN range)
 *   one per line, as PostgreSQL's pg_waldump does, for teaching.
 *
 *     minipg_waldump [-p DIR] [-s START] [-e END] [SEGMENT]
 *
 *   SEGMENT is a segment file (a path, or a name looked up in DIR): alone,
 *   it prints that segment's records. -s starts at an LSN (the first
 *   record at or after it), -e stops before END. DIR is a pg_wal directory
 *   or a data directory holding one. Reading stops at the end of the range
 *   or at the first invalid record, whose reason is printed as pg_waldump
 *   prints it ("error in WAL record at 0/...: invalid record length at
 *   0/...: wanted 24, got 0"); the exit status is then 1.
 *-------------------------------------------------------------------------
 */
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "engine/storage/wal/wal_layout.h"
#include "engine/storage/wal/wal_reader.h"
#include "engine/storage/wal/wal_rmgr.h"

namespace fs = std::filesystem;
namespace wal = minipg::storage::wal;
using minipg::storage::FormatLsn;
using minipg::storage::XLogRecPtr;

namespace {

int Fatal(const std::string& message) {
  std::fprintf(stderr, "minipg_waldump: error: %s\n", message.c_str());
  return 1;
}

std::optional<XLogRecPtr> LsnOption(const std::string& text, const char* what, int* status) {
  if (text.empty()) return std::nullopt;
  auto lsn = wal::ParseLsn(text);
  if (!lsn) *status = Fatal(fmt::format("invalid WAL location: \"{}\" ({})", text, what));
  return lsn;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"minipg_waldump decodes and displays minipg write-ahead logs for debugging."};
  std::string dir_opt;
  std::string start_opt;
  std::string end_opt;
  std::string segment_opt;
  app.add_option("-p,--path", dir_opt, "directory in which to find WAL segment files (or its pg_wal/)");
  app.add_option("-s,--start", start_opt, "start reading at WAL location RECPTR");
  app.add_option("-e,--end", end_opt, "stop reading at WAL location RECPTR");
  app.add_option("segment", segment_opt, "a WAL segment file to print");
  CLI11_PARSE(app, argc, argv);

  int status = 0;
  auto start = LsnOption(start_opt, "-s", &status);
  auto end = LsnOption(end_opt, "-e", &status);
  if (status != 0) return status;

  fs::path dir = dir_opt.empty() ? fs::path(".") : fs::path(dir_opt);
  if (!dir_opt.empty() && fs::is_directory(dir / "pg_wal")) dir /= "pg_wal";
  if (!segment_opt.empty()) {
    fs::path seg_path(segment_opt);
    if (dir_opt.empty() && seg_path.has_parent_path()) dir = seg_path.parent_path();
    auto seg = wal::ParseWalFileName(seg_path.filename().string());
    if (!seg) return Fatal(fmt::format("could not parse WAL file name \"{}\"", segment_opt));
    if (!fs::exists(dir / seg_path.filename())) {
      return Fatal(fmt::format("could not find file \"{}\"", (dir / seg_path.filename()).string()));
    }
    XLogRecPtr seg_start = wal::SegStart(*seg);
    XLogRecPtr seg_end = wal::SegStart(*seg + 1);
    if (start && (*start < seg_start || *start >= seg_end)) {
      return Fatal(fmt::format("start WAL location {} is not inside file \"{}\"", FormatLsn(*start),
                               seg_path.filename().string()));
    }
    if (!start) start = seg_start;
    if (!end) end = seg_end;
  }
  if (!start) return Fatal("no start WAL location given");
  if (end && *end <= *start) {
    return Fatal(fmt::format("end WAL location {} is not after start WAL location {}", FormatLsn(*end),
                             FormatLsn(*start)));
  }

  wal::WalDirSource source(dir);
  wal::XLogReader reader(source);
  XLogRecPtr first = reader.FindFirstRecord(*start);
  if (first == minipg::storage::kInvalidXLogRecPtr) {
    return Fatal(fmt::format("could not find a valid record after {}", FormatLsn(*start)));
  }
  if (first != *start && wal::LsnPageOffset(*start) != 0) {
    std::printf("first record is after %s, at %s, skipping over %llu bytes\n", FormatLsn(*start).c_str(),
                FormatLsn(first).c_str(), static_cast<unsigned long long>(first - *start));
  }
  for (const wal::DecodedRecord* r = reader.ReadRecord(first); r != nullptr; r = reader.ReadNext()) {
    if (end && r->lsn >= *end) return 0;
    std::printf("%s\n", wal::FormatWaldumpLine(*r).c_str());
    if (end && wal::WalAlign(r->end_lsn) >= *end) return 0;  // e.g. after a SWITCH: the segment is done
  }
  std::fflush(stdout);
  return Fatal(fmt::format("error in WAL record at {}: {}", FormatLsn(reader.read_lsn()), reader.error()));
}
