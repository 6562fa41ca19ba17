/*-------------------------------------------------------------------------
 * multixact_records.h
 *   The MultiXact resource manager's records (RmgrId::kMultiXact, id 6 as
 *   in PostgreSQL): their info codes, main data layout and how
 *   minipg_waldump names and describes them. Redo is in
 *   engine/storage/heap/multixact.cpp.
 *
 *   CREATE_ID (0x20), main data MultiXactCreateRecord (PostgreSQL's
 *   xl_multixact_create, all little-endian):
 *
 *     OFFSET  SIZE  DESCRIPTION
 *          0     4  the new MultiXactId
 *          4     4  the offset of its first member in pg_multixact/members
 *          8     4  nmembers
 *         12   8*n  per member: 4 xid, 4 status (MultiXactStatus)
 *
 *   desc, as pg_waldump: "CREATE_ID 3 offset 5 nmembers 2: 740 (keysh) 741 (sh) "
 *   minipg writes no ZERO_OFF_PAGE / ZERO_MEM_PAGE / TRUNCATE_ID records
 *   (a page never written reads as zeros; no truncation), but names them.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/storage/block.h"

namespace minipg::storage::wal {

struct DecodedRecord;

inline constexpr uint8_t kMultiXactZeroOffPage = 0x00;
inline constexpr uint8_t kMultiXactZeroMemPage = 0x10;
inline constexpr uint8_t kMultiXactCreateId = 0x20;
inline constexpr uint8_t kMultiXactTruncateId = 0x30;

struct MultiXactCreateRecord {
  struct Member {
    TransactionId xid = 0;
    uint8_t status = 0;  // storage::MultiXactStatus
    bool operator==(const Member&) const = default;
  };
  uint32_t multi = 0;
  uint32_t offset = 0;
  std::vector<Member> members;
};
std::string EncodeMultiXactCreate(const MultiXactCreateRecord& rec);
/* nullopt unless the bytes are exactly one record's. */
std::optional<MultiXactCreateRecord> DecodeMultiXactCreate(std::string_view in);

/* "keysh", "sh", "fornokeyupd", "forupd", "nokeyupd", "upd"; "unk" else. */
const char* MultiXactStatusText(uint8_t status);

const char* MultiXactIdentify(uint8_t info);
std::string MultiXactDesc(const DecodedRecord& rec);

}  // namespace minipg::storage::wal
