/*-------------------------------------------------------------------------
 * control_file.h
 *   global/pg_control: what the server knows about itself across restarts
 *   (PostgreSQL's pg_control, much reduced): whether it was shut down
 *   cleanly, and when the last checkpoint was.
 *
 *   File global/pg_control (all integers little-endian):
 *
 *     OFFSET  SIZE  DESCRIPTION
 *          0     8  magic "MPGCTL01"
 *          8     4  format version (1)
 *         12     4  state (DbState below)
 *         16     8  time of the last update, microseconds since the Unix epoch
 *         24     8  time of the last checkpoint, microseconds since the Unix epoch (0 = none)
 *         32     8  number of checkpoints completed in this data directory
 *         40     4  CRC-32 of bytes 0..39
 *
 * NOTES
 *   Written whole: a temporary file global/pg_control.tmp, fsync, rename()
 *   over the old one, fsync of global/. A crash leaves the old or the new
 *   file, never a mix. The postmaster writes it at start ("in production")
 *   and the checkpointer after every checkpoint (its last one, at shutdown,
 *   says "shut down"); a start that finds "in production" knows the server
 *   before it did not shut down cleanly.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "engine/common/error.h"

namespace minipg::storage {

/* The states PostgreSQL's DBState has (the numbers are on disk). */
enum class DbState : uint32_t {
  kStartup = 0,       // "starting up"
  kShutdowned = 1,    // "shut down": the last checkpoint was a shutdown checkpoint
  kInProduction = 6,  // "in production": a server is (or was, if it crashed) running
};

const char* DbStateName(DbState s);

struct ControlFile {
  DbState state = DbState::kStartup;
  int64_t time = 0;             // last update
  int64_t checkpoint_time = 0;  // last checkpoint (0 = none yet)
  uint64_t checkpoint_count = 0;
};

std::filesystem::path ControlFilePath(const std::filesystem::path& data_dir);

/* Reads global/pg_control; nullopt if there is none yet (a new data
 * directory); an error if it is damaged. */
Result<std::optional<ControlFile>> ReadControlFile(const std::filesystem::path& data_dir);

/* Replaces global/pg_control atomically (tmp + fsync + rename + fsync dir). */
Status WriteControlFile(const std::filesystem::path& data_dir, const ControlFile& control);

/* A time as PostgreSQL's log shows it: "2026-11-25 05:40:01 UTC". */
std::string FormatLogTime(int64_t micros);

}  // namespace minipg::storage
