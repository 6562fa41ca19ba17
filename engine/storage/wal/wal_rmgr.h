/*-------------------------------------------------------------------------
 * wal_rmgr.h
 *   The resource managers: for each RmgrId its name, how to name a record
 *   type (identify) and describe a record (desc) for minipg_waldump, and a
 *   redo slot that recovery fills (RegisterRedoFunctions in
 *   storage/heap/heap_redo.h, RegisterXlogRedo in postmaster/xlog_redo.h).
 *
 * NOTES
 *   The table is built once and read-only apart from the redo slots, which
 *   a process sets at start-up before it replays anything.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string>

#include "engine/common/error.h"
#include "engine/storage/wal/wal_record.h"

namespace minipg::storage::wal {

using RmgrRedoFn = Status (*)(const DecodedRecord&);

struct RmgrData {
  RmgrId id;
  const char* name;                          // "Heap", as pg_waldump prints it
  const char* (*identify)(uint8_t info);     // "INSERT+INIT"; nullptr if unknown
  std::string (*desc)(const DecodedRecord&); // "off 2 flags 0x00"
  RmgrRedoFn redo = nullptr;                 // nullptr until recovery provides it
};

/* The rmgr with that id; nullptr if there is none (the reader rejects it). */
const RmgrData* GetRmgr(uint8_t rmid);
void SetRmgrRedo(RmgrId id, RmgrRedoFn redo);

/* "INSERT", or "UNKNOWN (b0)" when the rmgr does not know the type. */
std::string IdentifyRecord(const DecodedRecord& rec);
std::string IdentifyRecord(RmgrId rmid, uint8_t info);

/* One line as pg_waldump prints it (no newline):
 * "rmgr: Heap        len (rec/tot):     59/    59, tx:        735, lsn: 0/0151E8F8,
 *  prev 0/0151E8C0, desc: INSERT off 2 flags 0x00, blkref #0: rel 1663/5/16384 blk 0" */
std::string FormatWaldumpLine(const DecodedRecord& rec);

/* "2026-12-06 11:03:12.123456 UTC" for a TimestampTz (us since 2000-01-01). */
std::string FormatTimestampTz(int64_t ts);
/* Microseconds since 2000-01-01 UTC now (a commit record's time). */
int64_t NowTimestampTz();

}  // namespace minipg::storage::wal
