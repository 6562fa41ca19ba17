/*-------------------------------------------------------------------------
 * wal_memory.cpp
 *   CopyRecordToPages and MemoryWal (see wal_memory.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/wal/wal_memory.h"

#include <algorithm>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/storage/wal/wal_bytes.h"
#include "engine/storage/wal/wal_records.h"

namespace minipg::storage::wal {

void CopyRecordToPages(std::string_view record, XLogRecPtr start,
                       const std::function<char*(XLogRecPtr page_addr)>& page_at) {
  XLogRecPtr at = start;
  bool first = true;
  while (!record.empty()) {
    XLogRecPtr page_addr = PageStart(at);
    char* page = page_at(page_addr);
    if (!first) {
      SetWalPageContinuation(page, static_cast<uint32_t>(record.size()));
      at = page_addr + PageHeaderSize(page_addr);
    }
    size_t room = kWalPageSize - LsnPageOffset(at);
    size_t n = std::min(room, record.size());
    std::memcpy(page + LsnPageOffset(at), record.data(), n);
    record.remove_prefix(n);
    at += n;
    first = false;
  }
}

uint64_t ReservedSize(uint32_t tot_len) { return WalAlign(tot_len); }

MemoryWal::MemoryWal(uint64_t system_id, XLogRecPtr start)
    : system_id_(system_id), pos_(RecPtrToBytePos(start)) {
  initialized_upto_ = PageStart(start);
}

char* MemoryWal::PageAt(XLogRecPtr page_addr) {
  SegNo seg = LsnToSeg(page_addr);
  auto [it, added] = segs_.try_emplace(seg);
  if (added) it->second.assign(kWalSegSize, '\0');
  char* page = it->second.data() + LsnSegOffset(page_addr);
  if (page_addr >= initialized_upto_) {
    InitWalPage(page, page_addr, system_id_);
    initialized_upto_ = page_addr + kWalPageSize;
  }
  return page;
}

XLogRecPtr MemoryWal::Append(RmgrId rmid, uint8_t info, TransactionId xid,
                             std::span<const XLogBlockRef> blocks, std::string_view main_data) {
  return AppendRecord(AssembleRecord(rmid, info, xid, blocks, main_data));
}

XLogRecPtr MemoryWal::AppendRecord(std::string record) {
  RecordHeader h = ReadRecordHeader(record.data());
  XLogRecPtr start = BytePosToRecPtr(pos_);
  FinishRecord(record, prev_);
  CopyRecordToPages(record, start, [this](XLogRecPtr p) { return PageAt(p); });
  pos_ += ReservedSize(h.tot_len);
  end_ = BytePosToEndRecPtr(RecPtrToBytePos(start) + h.tot_len);
  bool is_switch = h.rmid == static_cast<uint8_t>(RmgrId::kXlog) && (h.info & kXlrRmgrInfoMask) == kXlogSwitch;
  if (is_switch && LsnSegOffset(end_) != 0) {
    // The rest of the segment is unused: the next record starts the next one.
    end_ = SegStart(LsnToSeg(end_) + 1);
    pos_ = RecPtrToBytePos(end_);
  }
  prev_ = start;
  return start;
}

Status MemoryWal::WriteTo(const std::filesystem::path& dir) const {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  for (const auto& [seg, bytes] : segs_) {
    auto path = dir / WalFileName(seg);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      return MakeError(sqlstate::kIoError, fmt::format("could not write file \"{}\"", path.string()));
    }
  }
  return OkStatus();
}

}  // namespace minipg::storage::wal
