/*-------------------------------------------------------------------------
 * wal_memory.h
 *   Laying a finished record's bytes into WAL pages (shared by the WAL
 *   buffers in shared memory and by MemoryWal), and MemoryWal: a WAL built
 *   in memory, one string per segment, for tests, seed corpora and tools.
 *
 * NOTES
 *   CopyRecordToPages writes the part of the record that fits on its
 *   first page, then on each further page after that page's header,
 *   marking the page as continuing a record (rem_len, kXlpFirstIsContRecord).
 *   The caller has reserved the space (start is a record's start LSN from
 *   BytePosToRecPtr) and page_at() gives a page whose header is written.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "engine/common/error.h"
#include "engine/storage/wal/wal_layout.h"
#include "engine/storage/wal/wal_record.h"

namespace minipg::storage::wal {

void CopyRecordToPages(std::string_view record, XLogRecPtr start,
                       const std::function<char*(XLogRecPtr page_addr)>& page_at);

/* How much WAL (usable bytes) a record of this size reserves; a SWITCH
 * record also takes the rest of its segment. */
uint64_t ReservedSize(uint32_t tot_len);

class MemoryWal {
 public:
  explicit MemoryWal(uint64_t system_id = 1, XLogRecPtr start = FirstRecordLsn());

  /* Assembles, chains and copies in a record; returns its start LSN. */
  XLogRecPtr Append(RmgrId rmid, uint8_t info, TransactionId xid,
                    std::span<const XLogBlockRef> blocks, std::string_view main_data);
  /* Copies in an assembled record (prev and CRC are set here). */
  XLogRecPtr AppendRecord(std::string record);

  XLogRecPtr insert_lsn() const { return BytePosToRecPtr(pos_); }  // where the next record goes
  XLogRecPtr end_lsn() const { return end_; }                      // the end of the last record
  XLogRecPtr last_lsn() const { return prev_; }                    // the last record's start
  uint64_t system_id() const { return system_id_; }

  /* Segments touched so far, 16 MiB each (pages never reached are zeros). */
  const std::map<SegNo, std::string>& segments() const { return segs_; }
  std::string& segment(SegNo seg) { return segs_.at(seg); }
  /* Writes every segment as pg_wal-style files into dir. */
  Status WriteTo(const std::filesystem::path& dir) const;

 private:
  char* PageAt(XLogRecPtr page_addr);

  uint64_t system_id_;
  uint64_t pos_;            // usable byte position of the next record
  XLogRecPtr prev_ = 0;
  XLogRecPtr end_ = 0;
  XLogRecPtr initialized_upto_ = 0;  // pages before this have headers
  std::map<SegNo, std::string> segs_;
};

}  // namespace minipg::storage::wal
