/*-------------------------------------------------------------------------
 * multixact_records.cpp
 *   Encoding, decoding and describing MultiXact records (see
 *   multixact_records.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/wal/multixact_records.h"

#include <iterator>

#include <fmt/format.h>

#include "engine/storage/wal/wal_bytes.h"
#include "engine/storage/wal/wal_record.h"

namespace minipg::storage::wal {

namespace {
constexpr size_t kFixedSize = 12;
constexpr size_t kMemberSize = 8;
}  // namespace

std::string EncodeMultiXactCreate(const MultiXactCreateRecord& rec) {
  ByteWriter w;
  w.U32(rec.multi);
  w.U32(rec.offset);
  w.U32(static_cast<uint32_t>(rec.members.size()));
  for (const auto& m : rec.members) {
    w.U32(m.xid);
    w.U32(m.status);
  }
  return std::move(w.str());
}

std::optional<MultiXactCreateRecord> DecodeMultiXactCreate(std::string_view in) {
  if (in.size() < kFixedSize) return std::nullopt;
  ByteReader r(in);
  MultiXactCreateRecord rec;
  rec.multi = r.U32();
  rec.offset = r.U32();
  uint32_t n = r.U32();
  if ((in.size() - kFixedSize) % kMemberSize != 0 || (in.size() - kFixedSize) / kMemberSize != n) return std::nullopt;
  rec.members.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    MultiXactCreateRecord::Member m;
    m.xid = r.U32();
    uint32_t status = r.U32();
    if (status > 0xFF) return std::nullopt;
    m.status = static_cast<uint8_t>(status);
    rec.members.push_back(m);
  }
  if (!r.ok()) return std::nullopt;
  return rec;
}

const char* MultiXactStatusText(uint8_t status) {
  static constexpr const char* kNames[] = {"keysh", "sh", "fornokeyupd", "forupd", "nokeyupd", "upd"};
  return status < std::size(kNames) ? kNames[status] : "unk";
}

const char* MultiXactIdentify(uint8_t info) {
  switch (info & kXlrRmgrInfoMask) {
    case kMultiXactZeroOffPage: return "ZERO_OFF_PAGE";
    case kMultiXactZeroMemPage: return "ZERO_MEM_PAGE";
    case kMultiXactCreateId: return "CREATE_ID";
    case kMultiXactTruncateId: return "TRUNCATE_ID";
  }
  return nullptr;
}

std::string MultiXactDesc(const DecodedRecord& rec) {
  if (rec.rmgr_info() != kMultiXactCreateId) return "";
  auto c = DecodeMultiXactCreate(rec.main_data);
  if (!c) return "(malformed)";
  std::string out = fmt::format("{} offset {} nmembers {}: ", c->multi, c->offset, c->members.size());
  for (const auto& m : c->members) out += fmt::format("{} ({}) ", m.xid, MultiXactStatusText(m.status));
  return out;
}

}  // namespace minipg::storage::wal
