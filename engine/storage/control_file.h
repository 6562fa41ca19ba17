/*-------------------------------------------------------------------------
 * control_file.h
 *   global/pg_control: what the server knows about itself across restarts
 *   (PostgreSQL's pg_control, reduced to the fields pg_controldata and
 *   pg_control_checkpoint() show): whether it was shut down cleanly, where
 *   the last checkpoint record is and the copy of that record, which WAL
 *   belongs to this cluster (system identifier).
 *
 *   File global/pg_control, format version 3 (all integers little-endian):
 *
 *     OFFSET  SIZE  DESCRIPTION
 *          0     8  magic "MPGCTL01" (a minipg control file of any version)
 *          8     4  format version (3; PostgreSQL's PG_CONTROL_VERSION)
 *         12     4  state (DbState below)
 *         16     8  system identifier (also in every WAL segment's first page)
 *         24     8  time of the last update, microseconds since the Unix epoch
 *         32     8  checkpoint LSN: where the last checkpoint record starts
 *         40     8  redo LSN: where recovery starts replaying
 *         48     4  timeline (1)
 *         52     1  full_page_writes of the last checkpoint
 *         53     3  (zero)
 *         56     4  next transaction id
 *         60     4  next OID
 *         64     8  time of the last checkpoint, microseconds since the Unix epoch
 *         72     8  number of checkpoints completed in this data directory
 *         80     4  next MultiXactId
 *         84     4  next multixact member offset
 *         88     4  CRC-32 of bytes 0..87
 *
 * NOTES
 *   Written whole: a temporary file global/pg_control.tmp, fsync, rename()
 *   over the old one, fsync of global/. A crash leaves the old or the new
 *   file, never a mix (PostgreSQL overwrites its 512-byte sector in place).
 *   A control file of another format version is refused with PostgreSQL's
 *   FATAL "database files are incompatible with server".
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "engine/common/error.h"
#include "engine/storage/block.h"

namespace minipg::storage {

inline constexpr uint32_t kControlFileVersion = 3;

/* The states PostgreSQL's DBState has (the numbers are on disk). */
enum class DbState : uint32_t {
  kStartup = 0,              // "starting up"
  kShutdowned = 1,           // "shut down": the last checkpoint was a shutdown checkpoint
  kShutdownedInRecovery = 2, // "shut down in recovery"
  kShutdowning = 3,          // "shutting down": the shutdown checkpoint is being written
  kInCrashRecovery = 4,      // "in crash recovery": the startup process is replaying WAL
  kInArchiveRecovery = 5,    // "in archive recovery" (not used by minipg)
  kInProduction = 6,         // "in production": a server is (or was, if it crashed) running
};

const char* DbStateName(DbState s);

struct ControlFile {
  DbState state = DbState::kStartup;
  uint64_t system_identifier = 0;
  int64_t time = 0;                  // last update, us since the Unix epoch
  XLogRecPtr checkpoint_lsn = 0;     // the last checkpoint record
  XLogRecPtr redo_lsn = 0;           // its redo point
  uint32_t timeline = 1;
  bool full_page_writes = true;
  TransactionId next_xid = kFirstNormalTransactionId;  // a new cluster's
  Oid next_oid = 16384;              // a new cluster's: FirstNormalObjectId
  int64_t checkpoint_time = 0;       // last checkpoint, us since the Unix epoch (0 = none yet)
  uint64_t checkpoint_count = 0;
  uint32_t next_multi = 1;           // the next MultiXactId (pg_multixact)
  uint32_t next_multi_offset = 0;    // where its members go
};

std::filesystem::path ControlFilePath(const std::filesystem::path& data_dir);

/* Reads global/pg_control; nullopt if there is none (a data directory not
 * yet initialized). Errors: FATAL 58030 "database files are incompatible
 * with server" (another format version, with DETAIL and HINT), XX001
 * "incorrect checksum in control file", or an I/O error. */
Result<std::optional<ControlFile>> ReadControlFile(const std::filesystem::path& data_dir);

/* Replaces global/pg_control atomically (tmp + fsync + rename + fsync dir). */
Status WriteControlFile(const std::filesystem::path& data_dir, const ControlFile& control);

/* The bytes of a control file (for tests that damage or age one). */
std::string EncodeControlFile(const ControlFile& control);

/* A new system identifier, as initdb makes one: the time in seconds in the
 * high 32 bits, microseconds and the pid below. */
uint64_t NewSystemIdentifier();

/* A time as PostgreSQL's log shows it: "2026-11-25 05:40:01 UTC". */
std::string FormatLogTime(int64_t micros);

}  // namespace minipg::storage
