/*-------------------------------------------------------------------------
 * wal_reader.cpp
 *   XLogReader and its page sources (see wal_reader.h).
 *
 * NOTES
 *   A record is gathered page by page: the part on its first page, then
 *   the part after each following page's header, which must say it
 *   continues a record and how much of it remains. The header is checked
 *   as soon as its 24 bytes are in, before anything more is read, so a
 *   garbage length never makes the reader read far.
 *-------------------------------------------------------------------------
 */
#include "engine/storage/wal/wal_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "engine/storage/wal/wal_bytes.h"
#include "engine/storage/wal/wal_records.h"
#include "engine/storage/wal/wal_rmgr.h"

namespace minipg::storage::wal {

/* --- sources ------------------------------------------------------------ */

WalDirSource::~WalDirSource() {
  if (fd_ >= 0) ::close(fd_);
}

bool WalDirSource::ReadPage(XLogRecPtr page_addr, char* buf, std::string* error) {
  SegNo seg = LsnToSeg(page_addr);
  std::string name = WalFileName(seg);
  if (fd_ < 0 || seg != open_seg_) {
    if (fd_ >= 0) ::close(fd_);
    auto path = dir_ / name;
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      *error = fmt::format("could not open file \"{}\": {}", path.string(), std::strerror(errno));
      return false;
    }
    open_seg_ = seg;
  }
  uint32_t offset = LsnSegOffset(page_addr);
  size_t got = 0;
  while (got < kWalPageSize) {
    ssize_t n = ::pread(fd_, buf + got, kWalPageSize - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *error = n < 0 ? fmt::format("could not read from log segment {}, offset {}: {}", name, offset,
                                   std::strerror(errno))
                     : fmt::format("could not read from log segment {}, offset {}: read {} of {}", name,
                                   offset, got, kWalPageSize);
      return false;
    }
    got += static_cast<size_t>(n);
  }
  return true;
}

bool WalMemorySource::ReadPage(XLogRecPtr page_addr, char* buf, std::string* error) {
  SegNo seg = LsnToSeg(page_addr);
  uint32_t offset = LsnSegOffset(page_addr);
  auto it = segs_->find(seg);
  if (it == segs_->end()) {
    *error = fmt::format("could not open file \"{}\": No such file or directory", WalFileName(seg));
    return false;
  }
  if (it->second.size() < offset + kWalPageSize) {
    size_t have = it->second.size() > offset ? it->second.size() - offset : 0;
    *error = fmt::format("could not read from log segment {}, offset {}: read {} of {}", WalFileName(seg),
                         offset, have, kWalPageSize);
    return false;
  }
  std::memcpy(buf, it->second.data() + offset, kWalPageSize);
  return true;
}

/* --- the reader --------------------------------------------------------- */

XLogReader::XLogReader(WalPageSource& source, uint64_t system_id)
    : source_(source), system_id_(system_id), page_(new char[kWalPageSize]) {}

bool XLogReader::Fail(std::string message) {
  error_ = std::move(message);
  return false;
}

bool XLogReader::LoadPage(XLogRecPtr page_addr) {
  if (page_loaded_ && page_addr_ == page_addr) return true;
  page_loaded_ = false;
  std::string err;
  if (!source_.ReadPage(page_addr, page_.get(), &err)) return Fail(std::move(err));
  WalPageHeader h = ReadWalPageHeader(page_.get());
  std::string seg = WalFileName(LsnToSeg(page_addr));
  uint32_t offset = LsnSegOffset(page_addr);
  if (h.magic != kWalPageMagic) {
    return Fail(fmt::format("invalid magic number {:04X} in log segment {}, offset {}", h.magic, seg, offset));
  }
  bool should_be_long = offset == 0;
  if ((h.info & ~kXlpAllFlags) != 0 || should_be_long != ((h.info & kXlpLongHeader) != 0)) {
    return Fail(fmt::format("invalid info bits {:04X} in log segment {}, offset {}", h.info, seg, offset));
  }
  if (should_be_long) {
    if (system_id_ != 0 && h.system_id != system_id_) {
      return Fail(fmt::format(
          "WAL file is from different database system: WAL file database system identifier is {}, "
          "pg_control database system identifier is {}",
          h.system_id, system_id_));
    }
    if (h.seg_size != kWalSegSize) {
      return Fail("WAL file is from different database system: incorrect segment size in page header");
    }
    if (h.page_size != kWalPageSize) {
      return Fail("WAL file is from different database system: incorrect XLOG_BLCKSZ in page header");
    }
    system_id_ = h.system_id;
  }
  if (h.pageaddr != page_addr) {
    return Fail(fmt::format("unexpected pageaddr {} in log segment {}, offset {}", FormatLsn(h.pageaddr), seg,
                            offset));
  }
  if (h.timeline != kTimeline) {
    return Fail(fmt::format("unexpected timeline ID {} in log segment {}, offset {}", h.timeline, seg, offset));
  }
  page_addr_ = page_addr;
  page_loaded_ = true;
  return true;
}

const DecodedRecord* XLogReader::ReadRecord(XLogRecPtr start) {
  read_lsn_ = kInvalidXLogRecPtr;
  return Read(start, false);
}

const DecodedRecord* XLogReader::ReadNext() {
  if (read_lsn_ == kInvalidXLogRecPtr) {
    Fail("no record has been read yet");
    return nullptr;
  }
  return Read(WalAlign(end_lsn_), true);
}

const DecodedRecord* XLogReader::Read(XLogRecPtr at, bool check_prev) {
  error_.clear();
  if (at % kWalAlign != 0) {
    Fail(fmt::format("invalid record offset at {}", FormatLsn(at)));
    return nullptr;
  }
  XLogRecPtr page_addr = PageStart(at);
  if (!LoadPage(page_addr)) return nullptr;
  size_t header_size = PageHeaderSize(page_addr);
  if (LsnPageOffset(at) == 0) {
    at += header_size;  // a record at a page's start begins after its header
  } else if (LsnPageOffset(at) < header_size) {
    Fail(fmt::format("invalid record offset at {}", FormatLsn(at)));
    return nullptr;
  }
  if (LsnPageOffset(at) == header_size && (ReadWalPageHeader(page_.get()).info & kXlpFirstIsContRecord)) {
    Fail(fmt::format("contrecord is requested by {}", FormatLsn(at)));
    return nullptr;
  }

  record_.clear();
  XLogRecPtr cur = at;
  uint32_t tot_len = 0;
  bool header_checked = false;
  for (;;) {
    size_t off = LsnPageOffset(cur);
    size_t avail = kWalPageSize - off;
    size_t want = header_checked ? tot_len : kRecordHeaderSize;
    size_t n = std::min(avail, want - record_.size());
    record_.append(page_.get() + off, n);
    cur += n;
    if (tot_len == 0) {  // the first piece: at least 8 bytes, as records are aligned
      tot_len = Load32(record_.data());
      if (tot_len < kRecordHeaderSize) {
        Fail(fmt::format("invalid record length at {}: wanted {}, got {}", FormatLsn(at), kRecordHeaderSize,
                         tot_len));
        return nullptr;
      }
      if (tot_len > kMaxRecordSize) {
        Fail(fmt::format("record length {} at {} too long", tot_len, FormatLsn(at)));
        return nullptr;
      }
    }
    if (!header_checked && record_.size() == kRecordHeaderSize) {
      RecordHeader h = ReadRecordHeader(record_.data());
      if (GetRmgr(h.rmid) == nullptr) {
        Fail(fmt::format("invalid resource manager ID {} at {}", h.rmid, FormatLsn(at)));
        return nullptr;
      }
      bool prev_ok = check_prev ? h.prev == read_lsn_ : h.prev < at;
      if (!prev_ok) {
        Fail(fmt::format("record with incorrect prev-link {} at {}", FormatLsn(h.prev), FormatLsn(at)));
        return nullptr;
      }
      header_checked = true;
    }
    if (header_checked && record_.size() == tot_len) break;
    if (n < avail) continue;  // more wanted now that the header is checked
    // The record goes on after the next page's header.
    if (!LoadPage(cur)) return nullptr;
    WalPageHeader h = ReadWalPageHeader(page_.get());
    if (!(h.info & kXlpFirstIsContRecord)) {
      Fail(fmt::format("there is no contrecord flag at {}", FormatLsn(cur)));
      return nullptr;
    }
    uint64_t expected = tot_len - record_.size();
    if (h.rem_len != expected) {
      Fail(fmt::format("invalid contrecord length {} (expected {}) at {}", h.rem_len, expected, FormatLsn(cur)));
      return nullptr;
    }
    cur += PageHeaderSize(cur);
  }

  if (ComputeRecordCrc(record_) != ReadRecordHeader(record_.data()).crc) {
    Fail(fmt::format("incorrect resource manager data checksum in record at {}", FormatLsn(at)));
    return nullptr;
  }
  std::string err = DecodeRecord(record_, at, &decoded_);
  if (!err.empty()) {
    Fail(std::move(err));
    return nullptr;
  }
  if (decoded_.rmid() == RmgrId::kXlog && decoded_.rmgr_info() == kXlogSwitch && LsnSegOffset(cur) != 0) {
    cur = SegStart(LsnToSeg(cur) + 1);  // the rest of the segment is unused
  }
  decoded_.end_lsn = cur;
  read_lsn_ = at;
  end_lsn_ = cur;
  return &decoded_;
}

XLogRecPtr XLogReader::FindFirstRecord(XLogRecPtr lsn) {
  error_.clear();
  XLogRecPtr page_addr = PageStart(lsn);
  if (!LoadPage(page_addr)) return kInvalidXLogRecPtr;
  // Skip what continues from an earlier record onto this page (and maybe beyond).
  XLogRecPtr pos = page_addr + PageHeaderSize(page_addr);
  WalPageHeader h = ReadWalPageHeader(page_.get());
  uint64_t rem = (h.info & kXlpFirstIsContRecord) ? h.rem_len : 0;
  while (rem > kWalPageSize - LsnPageOffset(pos)) {
    XLogRecPtr next_page = PageStart(pos) + kWalPageSize;
    if (!LoadPage(next_page)) return kInvalidXLogRecPtr;
    h = ReadWalPageHeader(page_.get());
    if (!(h.info & kXlpFirstIsContRecord)) {
      Fail(fmt::format("there is no contrecord flag at {}", FormatLsn(next_page)));
      return kInvalidXLogRecPtr;
    }
    pos = next_page + PageHeaderSize(next_page);
    rem = h.rem_len;
  }
  XLogRecPtr first = WalAlign(pos + rem);
  // Then walk records until one starts at or after lsn.
  const DecodedRecord* rec = ReadRecord(first);
  while (rec != nullptr && rec->lsn < lsn) rec = ReadNext();
  return rec != nullptr ? rec->lsn : kInvalidXLogRecPtr;
}

}  // namespace minipg::storage::wal
