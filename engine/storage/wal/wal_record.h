/*-------------------------------------------------------------------------
 * wal_record.h
 *   One WAL record: its header, the block references that say which pages
 *   it changes (each with optional data and an optional full page image),
 *   and the main data its resource manager reads. Building a record
 *   (AssembleRecord + FinishRecord) and taking one apart (DecodeRecord).
 *
 *   Record (little-endian, PostgreSQL's XLogRecord in spirit):
 *     OFFSET SIZE  FIELD
 *     0      4     tot_len   the whole record, header included
 *     4      4     xid       the transaction, 0 if none
 *     8      8     prev      LSN of the record before this one
 *     16     1     info      high 4 bits: the rmgr's record type; low 4: flags
 *     17     1     rmid      resource manager (RmgrId)
 *     18     2     (zero)
 *     20     4     crc       CRC-32C of bytes 24..tot_len, then of bytes 0..20
 *     24     ...   block headers, in block id order, then the main data
 *                  header, then each block's image and data, then the main data
 *
 *   Block header:
 *     1  block id (0..31)
 *     1  fork_flags: fork number (low 4 bits) | kBlockHasImage |
 *        kBlockHasData | kBlockWillInit | kBlockSameRel
 *     2  data length
 *     if kBlockHasImage: 2 image length, 2 hole offset, 1 image info
 *        (kImageHasHole | kImageApply); the hole is kBlockSize - image length
 *     if not kBlockSameRel: 12 RelFileLocator (spc, db, rel)
 *     4  block number
 *   Main data header: 1 byte kBlockIdDataShort + 1 byte length, or
 *   kBlockIdDataLong + 4 bytes length; absent when there is no main data.
 *
 * NOTES
 *   A full page image leaves out the page's hole (between pd_lower and
 *   pd_upper) when the page has the standard layout. The prev field and
 *   the CRC are set when the record's place in the WAL is known
 *   (FinishRecord), under the insert lock.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/storage/block.h"

namespace minipg::storage::wal {

enum class RmgrId : uint8_t {
  kXlog = 0,
  kTransaction = 1,
  kStorage = 2,
  kDatabase = 4,
  kHeap = 10,
  kBtree = 11,
  kHeap2 = 9,  // pruning and vacuuming heap pages
  kMultiXact = 6,  // pg_multixact: a new MultiXactId and its members
};
inline constexpr uint8_t kMaxRmgrId = 11;

inline constexpr size_t kRecordHeaderSize = 24;
inline constexpr size_t kRecordCrcOffset = 20;
inline constexpr uint32_t kMaxRecordSize = 64u * 1024 * 1024;  // a sane bound for readers
inline constexpr uint8_t kMaxBlockId = 31;
inline constexpr uint8_t kBlockIdDataShort = 255;
inline constexpr uint8_t kBlockIdDataLong = 254;

/* info: the low 4 bits belong to the WAL machinery, the high 4 to the rmgr. */
inline constexpr uint8_t kXlrInfoMask = 0x0F;
inline constexpr uint8_t kXlrRmgrInfoMask = 0xF0;

inline constexpr uint8_t kBlockForkMask = 0x0F;
inline constexpr uint8_t kBlockHasImage = 0x10;
inline constexpr uint8_t kBlockHasData = 0x20;
inline constexpr uint8_t kBlockWillInit = 0x40;
inline constexpr uint8_t kBlockSameRel = 0x80;

inline constexpr uint8_t kImageHasHole = 0x01;
inline constexpr uint8_t kImageApply = 0x02;

/* What XLogInsert's caller says about one page the record changes. */
struct XLogBlockRef {
  uint8_t id = 0;             // 0..31, increasing within a record
  BufferTag tag;
  bool will_init = false;     // redo rebuilds the page from nothing
  const char* page = nullptr; // non-null: include a full page image of it
  bool standard_page = true;  // the image may leave out pd_lower..pd_upper
  std::string_view data;      // the rmgr's per-block data
  // A buffer's page as changed (its pd_lsn still the LSN before this change,
  // page_lsn): XLogInsert includes its full image when full_page_writes is
  // on and page_lsn is at or before the redo point, decided again under the
  // WAL insert lock (PostgreSQL's XLogRegisterBuffer). `page` instead forces
  // the image; AssembleRecord reads only `page`.
  const char* page_if_needed = nullptr;
  XLogRecPtr page_lsn = 0;
};

/* The fixed header. */
struct RecordHeader {
  uint32_t tot_len = 0;
  TransactionId xid = 0;
  XLogRecPtr prev = 0;
  uint8_t info = 0;
  uint8_t rmid = 0;
  uint32_t crc = 0;
};
RecordHeader ReadRecordHeader(const char* p);  // needs kRecordHeaderSize bytes

struct DecodedBlock {
  uint8_t id = 0;
  BufferTag tag;
  uint8_t fork_flags = 0;
  bool has_image = false;
  bool apply_image = false;
  uint16_t hole_offset = 0;
  uint16_t hole_length = 0;
  std::string image;  // the stored bytes (the hole left out)
  std::string data;
  bool will_init() const { return (fork_flags & kBlockWillInit) != 0; }
  bool has_data() const { return (fork_flags & kBlockHasData) != 0; }
};

struct DecodedRecord {
  XLogRecPtr lsn = 0;      // where it starts
  XLogRecPtr end_lsn = 0;  // the byte after its last one
  RecordHeader header;
  std::vector<DecodedBlock> blocks;
  std::string main_data;
  RmgrId rmid() const { return static_cast<RmgrId>(header.rmid); }
  uint8_t rmgr_info() const { return header.info & kXlrRmgrInfoMask; }
  /* Bytes of the record that are not full page images (pg_waldump's "rec"). */
  uint32_t RecLenWithoutImages() const;
  const DecodedBlock* Block(uint8_t id) const;
};

/* Builds a record with prev and crc left zero (see FinishRecord). Blocks
 * must have increasing ids <= kMaxBlockId. */
std::string AssembleRecord(RmgrId rmid, uint8_t info, TransactionId xid,
                           std::span<const XLogBlockRef> blocks, std::string_view main_data);
/* Sets prev and the CRC: the record is then ready to be copied into the WAL. */
void FinishRecord(std::string& record, XLogRecPtr prev);
/* The CRC the record should carry (over the payload, then the header up to crc). */
uint32_t ComputeRecordCrc(std::string_view record);

/* Splits a whole record whose length and CRC were checked. An error names
 * what is wrong in PostgreSQL's words ("out-of-order block_id 3 at 0/...");
 * on success it is empty. */
std::string DecodeRecord(std::string_view record, XLogRecPtr lsn, DecodedRecord* out);

/* The 8 KiB page a block's image restores (the hole filled with zeros). */
std::string RestoreBlockImage(const DecodedBlock& block);

}  // namespace minipg::storage::wal
