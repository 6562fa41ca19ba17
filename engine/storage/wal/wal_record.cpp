/*-------------------------------------------------------------------------
 * wal_record.cpp
 *   Assembling and decoding WAL records (the layout is in wal_record.h).
 *
 * NOTES
 *   DecodeRecord reads untrusted bytes (a damaged or hostile segment
 *   file): every length is checked against what is left before it is used.
 *-------------------------------------------------------------------------
 */
#include "engine/storage/wal/wal_record.h"

#include <cassert>

#include <fmt/format.h>

#include "engine/common/crc32c.h"
#include "engine/storage/wal/wal_bytes.h"

namespace minipg::storage::wal {

namespace {

/* Page header fields the hole is found from (page.h: pd_lower at 12,
 * pd_upper at 14, a 24-byte header). */
constexpr size_t kPdLowerOffset = 12;
constexpr size_t kPdUpperOffset = 14;
constexpr size_t kPageHeaderSize = 24;

struct Image {
  std::string_view head;
  std::string_view tail;
  uint16_t hole_offset = 0;
  uint16_t hole_length = 0;
};

Image ImageOf(const XLogBlockRef& b) {
  std::string_view page(b.page, kBlockSize);
  Image img{page, {}, 0, 0};
  if (!b.standard_page) return img;
  uint16_t lower = Load16(b.page + kPdLowerOffset);
  uint16_t upper = Load16(b.page + kPdUpperOffset);
  if (lower >= kPageHeaderSize && lower < upper && upper <= kBlockSize) {
    img.head = page.substr(0, lower);
    img.tail = page.substr(upper);
    img.hole_offset = lower;
    img.hole_length = static_cast<uint16_t>(upper - lower);
  }
  return img;
}

std::string At(XLogRecPtr lsn) { return FormatLsn(lsn); }

}  // namespace

RecordHeader ReadRecordHeader(const char* p) {
  RecordHeader h;
  h.tot_len = Load32(p);
  h.xid = Load32(p + 4);
  h.prev = Load64(p + 8);
  h.info = static_cast<uint8_t>(p[16]);
  h.rmid = static_cast<uint8_t>(p[17]);
  h.crc = Load32(p + kRecordCrcOffset);
  return h;
}

std::string AssembleRecord(RmgrId rmid, uint8_t info, TransactionId xid,
                           std::span<const XLogBlockRef> blocks, std::string_view main_data) {
  ByteWriter headers;
  ByteWriter payload;
  const RelFileLocator* prev_rel = nullptr;
  [[maybe_unused]] int last_id = -1;
  for (const XLogBlockRef& b : blocks) {
    assert(b.id <= kMaxBlockId && b.id > last_id && "block ids must increase");
    assert(b.data.size() <= 0xFFFF && "block data is at most 65535 bytes");
    last_id = b.id;
    uint8_t fork_flags = static_cast<uint8_t>(b.tag.fork) & kBlockForkMask;
    if (b.page != nullptr) fork_flags |= kBlockHasImage;
    if (!b.data.empty()) fork_flags |= kBlockHasData;
    if (b.will_init) fork_flags |= kBlockWillInit;
    bool same_rel = prev_rel != nullptr && *prev_rel == b.tag.rel;
    if (same_rel) fork_flags |= kBlockSameRel;
    headers.U8(b.id);
    headers.U8(fork_flags);
    headers.U16(static_cast<uint16_t>(b.data.size()));
    if (b.page != nullptr) {
      Image img = ImageOf(b);
      headers.U16(static_cast<uint16_t>(img.head.size() + img.tail.size()));
      headers.U16(img.hole_offset);
      headers.U8(static_cast<uint8_t>((img.hole_length > 0 ? kImageHasHole : 0) | kImageApply));
      payload.Bytes(img.head);
      payload.Bytes(img.tail);
    }
    if (!same_rel) {
      headers.U32(b.tag.rel.spc_oid);
      headers.U32(b.tag.rel.db_oid);
      headers.U32(b.tag.rel.rel_number);
    }
    headers.U32(b.tag.block);
    payload.Bytes(b.data);
    prev_rel = &b.tag.rel;
  }
  if (!main_data.empty()) {
    if (main_data.size() <= 0xFF) {
      headers.U8(kBlockIdDataShort);
      headers.U8(static_cast<uint8_t>(main_data.size()));
    } else {
      headers.U8(kBlockIdDataLong);
      headers.U32(static_cast<uint32_t>(main_data.size()));
    }
    payload.Bytes(main_data);
  }
  ByteWriter rec;
  size_t total = kRecordHeaderSize + headers.str().size() + payload.str().size();
  rec.U32(static_cast<uint32_t>(total));
  rec.U32(xid);
  rec.U64(0);
  rec.U8(info);
  rec.U8(static_cast<uint8_t>(rmid));
  rec.U16(0);
  rec.U32(0);
  rec.Bytes(headers.str());
  rec.Bytes(payload.str());
  return std::move(rec.str());
}

uint32_t ComputeRecordCrc(std::string_view record) {
  uint32_t crc = Crc32c(record.substr(kRecordHeaderSize));
  return Crc32c(record.substr(0, kRecordCrcOffset), crc);
}

void FinishRecord(std::string& record, XLogRecPtr prev) {
  Store64(record.data() + 8, prev);
  Store32(record.data() + kRecordCrcOffset, ComputeRecordCrc(record));
}

uint32_t DecodedRecord::RecLenWithoutImages() const {
  uint32_t len = header.tot_len;
  for (const auto& b : blocks) len -= static_cast<uint32_t>(b.image.size());
  return len;
}

const DecodedBlock* DecodedRecord::Block(uint8_t id) const {
  for (const auto& b : blocks) {
    if (b.id == id) return &b;
  }
  return nullptr;
}

std::string DecodeRecord(std::string_view record, XLogRecPtr lsn, DecodedRecord* out) {
  *out = DecodedRecord{};
  out->lsn = lsn;
  if (record.size() < kRecordHeaderSize) return fmt::format("record with invalid length at {}", At(lsn));
  out->header = ReadRecordHeader(record.data());
  ByteReader r(record.substr(kRecordHeaderSize));
  struct Pending {
    uint16_t image_len = 0;
    uint16_t data_len = 0;
  };
  std::vector<Pending> lens;
  uint32_t main_len = 0;
  int last_id = -1;
  RelFileLocator prev_rel;
  bool have_prev_rel = false;
  uint64_t declared = 0;  // bytes of images and data the headers so far announce
  while (r.ok() && r.Rest().size() > declared) {
    uint8_t id = r.U8();
    if (id == kBlockIdDataShort || id == kBlockIdDataLong) {
      main_len = id == kBlockIdDataShort ? r.U8() : r.U32();
      declared += main_len;
      break;  // the main data header is the last header
    }
    if (id > kMaxBlockId) return fmt::format("invalid block_id {} at {}", id, At(lsn));
    if (static_cast<int>(id) <= last_id) return fmt::format("out-of-order block_id {} at {}", id, At(lsn));
    last_id = id;
    DecodedBlock b;
    b.id = id;
    b.fork_flags = r.U8();
    b.tag.fork = static_cast<ForkNumber>(b.fork_flags & kBlockForkMask);
    Pending p;
    p.data_len = r.U16();
    if (b.has_data() && p.data_len == 0) {
      return fmt::format("BKPBLOCK_HAS_DATA set, but no data included at {}", At(lsn));
    }
    if (!b.has_data() && p.data_len != 0) {
      return fmt::format("BKPBLOCK_HAS_DATA not set, but data length is {} at {}", p.data_len, At(lsn));
    }
    if (b.fork_flags & kBlockHasImage) {
      b.has_image = true;
      p.image_len = r.U16();
      b.hole_offset = r.U16();
      uint8_t info = r.U8();
      b.apply_image = (info & kImageApply) != 0;
      if (info & kImageHasHole) {
        if (p.image_len >= kBlockSize || b.hole_offset == 0 || p.image_len == 0 ||
            b.hole_offset > p.image_len) {
          return fmt::format("BKPIMAGE_HAS_HOLE set, but hole offset {} length {} block image length {} at {}",
                             b.hole_offset, kBlockSize - std::min<size_t>(p.image_len, kBlockSize),
                             p.image_len, At(lsn));
        }
        b.hole_length = static_cast<uint16_t>(kBlockSize - p.image_len);
      } else if (b.hole_offset != 0) {
        return fmt::format("BKPIMAGE_HAS_HOLE not set, but hole offset {} length {} at {}",
                           b.hole_offset, 0, At(lsn));
      } else if (p.image_len != kBlockSize) {
        return fmt::format("BKPIMAGE_HAS_HOLE not set, but block image length is {} at {}",
                           p.image_len, At(lsn));
      }
    }
    if (b.fork_flags & kBlockSameRel) {
      if (!have_prev_rel) return fmt::format("BKPBLOCK_SAME_REL set but no previous rel at {}", At(lsn));
      b.tag.rel = prev_rel;
    } else {
      b.tag.rel.spc_oid = r.U32();
      b.tag.rel.db_oid = r.U32();
      b.tag.rel.rel_number = r.U32();
    }
    b.tag.block = r.U32();
    declared += p.image_len + p.data_len;
    prev_rel = b.tag.rel;
    have_prev_rel = true;
    out->blocks.push_back(std::move(b));
    lens.push_back(p);
  }
  if (!r.ok() || declared != r.Rest().size()) return fmt::format("record with invalid length at {}", At(lsn));
  for (size_t i = 0; i < out->blocks.size(); ++i) {
    out->blocks[i].image = std::string(r.Bytes(lens[i].image_len));
    out->blocks[i].data = std::string(r.Bytes(lens[i].data_len));
  }
  out->main_data = std::string(r.Bytes(main_len));
  return {};
}

std::string RestoreBlockImage(const DecodedBlock& block) {
  std::string page;
  page.reserve(kBlockSize);
  page.append(block.image.substr(0, block.hole_offset));
  page.append(block.hole_length, '\0');
  page.append(block.image.substr(block.hole_offset));
  page.resize(kBlockSize, '\0');
  return page;
}

}  // namespace minipg::storage::wal
