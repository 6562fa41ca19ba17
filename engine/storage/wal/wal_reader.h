/*-------------------------------------------------------------------------
 * wal_reader.h
 *   XLogReader: reads WAL records one after another from a start LSN,
 *   through the pages of segment files, and stops at the first record that
 *   is not valid: that is the end of the WAL.
 *
 *   Each page is checked (magic, info bits, timeline, its own address, and
 *   on a segment's first page the segment and page sizes and the system
 *   identifier); each record's length, resource manager, prev-link, CRC
 *   and block headers are checked before it is handed out. error() says
 *   why reading stopped, in PostgreSQL's words:
 *     invalid record length at 0/1000060: wanted 24, got 0
 *     incorrect resource manager data checksum in record at 0/1000060
 *     invalid magic number 0000 in log segment 000000010000000000000001, offset 8192
 *     record with incorrect prev-link 0/1000028 at 0/1000060
 *
 * NOTES
 *   The bytes come through a WalPageSource, which reads one 8 KiB page at a
 *   time (from pg_wal/ files, or from memory for tests and the fuzz
 *   target). The reader trusts no length it reads: a record grows page by
 *   page and never past kMaxRecordSize.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "engine/storage/wal/wal_layout.h"
#include "engine/storage/wal/wal_record.h"

namespace minipg::storage::wal {

class WalPageSource {
 public:
  virtual ~WalPageSource() = default;
  /* Reads the kWalPageSize bytes at page_addr into buf; false with a
   * message when they cannot be read (missing file, short file). */
  virtual bool ReadPage(XLogRecPtr page_addr, char* buf, std::string* error) = 0;
};

/* Pages from the segment files of a pg_wal directory. */
class WalDirSource : public WalPageSource {
 public:
  explicit WalDirSource(std::filesystem::path dir) : dir_(std::move(dir)) {}
  ~WalDirSource() override;
  bool ReadPage(XLogRecPtr page_addr, char* buf, std::string* error) override;

 private:
  std::filesystem::path dir_;
  SegNo open_seg_ = 0;
  int fd_ = -1;
};

/* Pages from segments held in memory (a missing or short one reads as absent). */
class WalMemorySource : public WalPageSource {
 public:
  explicit WalMemorySource(const std::map<SegNo, std::string>* segs) : segs_(segs) {}
  bool ReadPage(XLogRecPtr page_addr, char* buf, std::string* error) override;

 private:
  const std::map<SegNo, std::string>* segs_;
};

class XLogReader {
 public:
  /* system_id 0: take it from the first long page header seen. */
  explicit XLogReader(WalPageSource& source, uint64_t system_id = 0);

  /* Reads the record at start; then each ReadRecord() reads the next.
   * nullptr at the end of the WAL, with error() saying why. */
  const DecodedRecord* ReadRecord(XLogRecPtr start);
  const DecodedRecord* ReadNext();
  const std::string& error() const { return error_; }

  /* The first record at or after lsn, skipping a record that continues
   * onto lsn's page (for a start given as a page or segment boundary);
   * kInvalidXLogRecPtr with error() if there is none. */
  XLogRecPtr FindFirstRecord(XLogRecPtr lsn);

  XLogRecPtr read_lsn() const { return read_lsn_; }  // the last record read
  XLogRecPtr end_lsn() const { return end_lsn_; }    // the byte after it
  uint64_t system_id() const { return system_id_; }

 private:
  const DecodedRecord* Read(XLogRecPtr at, bool check_prev);
  /* Reads and checks the page at page_addr into page_. */
  bool LoadPage(XLogRecPtr page_addr);
  bool Fail(std::string message);

  WalPageSource& source_;
  uint64_t system_id_;
  std::unique_ptr<char[]> page_;
  XLogRecPtr page_addr_ = kInvalidXLogRecPtr;  // which page page_ holds, if loaded
  bool page_loaded_ = false;
  std::string record_;
  DecodedRecord decoded_;
  XLogRecPtr read_lsn_ = kInvalidXLogRecPtr;
  XLogRecPtr end_lsn_ = kInvalidXLogRecPtr;
  std::string error_;
};

}  // namespace minipg::storage::wal
