/*-------------------------------------------------------------------------
 * block.h
 *   The names every part of the page-based storage layer shares: a block
 *   (one 8 KiB page of a relation file), which relation file and fork it
 *   belongs to, and a position in the write-ahead log (an LSN).
 *
 * NOTES
 *   As in PostgreSQL: a relation's data lives in files named by its
 *   relfilenode inside its database's folder (base/<database oid>/), one
 *   file per fork (main data, free space map, visibility map). A buffer in
 *   shared memory is known by its BufferTag. An LSN is a byte position in
 *   the endless WAL stream, printed as two hex halves ("0/16B3748").
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <fmt/format.h>

namespace minipg::storage {

using Oid = uint32_t;
using BlockNumber = uint32_t;
using TransactionId = uint32_t;
using XLogRecPtr = uint64_t;  // an LSN: a byte position in the WAL

inline constexpr size_t kBlockSize = 8192;                 // SHOW block_size
inline constexpr BlockNumber kInvalidBlockNumber = 0xFFFFFFFFu;
inline constexpr XLogRecPtr kInvalidXLogRecPtr = 0;
inline constexpr TransactionId kInvalidTransactionId = 0;
/* The first xid a transaction gets (1 and 2 are PostgreSQL's bootstrap and
 * frozen xids): a new cluster's next xid and its oldest xid. */
inline constexpr TransactionId kFirstNormalTransactionId = 3;

/* PostgreSQL's built-in tablespaces: base/ and global/. */
inline constexpr Oid kDefaultTablespaceOid = 1663;  // pg_default
inline constexpr Oid kGlobalTablespaceOid = 1664;   // pg_global

/* A relation's fork (the numbers are on disk, in WAL records and in
 * pg_buffercache.relforknumber: never renumber). */
enum class ForkNumber : uint8_t {
  kMain = 0,
  kFsm = 1,             // free space map: file suffix "_fsm"
  kVisibilityMap = 2,   // file suffix "_vm"
};

/* Which relation file: PostgreSQL's RelFileLocator. */
struct RelFileLocator {
  Oid spc_oid = kDefaultTablespaceOid;
  Oid db_oid = 0;
  Oid rel_number = 0;  // pg_class.relfilenode
  friend bool operator==(const RelFileLocator&, const RelFileLocator&) = default;
};

/* Which page: what a shared buffer holds. */
struct BufferTag {
  RelFileLocator rel;
  ForkNumber fork = ForkNumber::kMain;
  BlockNumber block = kInvalidBlockNumber;
  friend bool operator==(const BufferTag&, const BufferTag&) = default;
};

/* "16B3748" as PostgreSQL prints an LSN: "0/16B3748". */
inline std::string FormatLsn(XLogRecPtr lsn) {
  return fmt::format("{:X}/{:X}", static_cast<uint32_t>(lsn >> 32), static_cast<uint32_t>(lsn));
}

}  // namespace minipg::storage
