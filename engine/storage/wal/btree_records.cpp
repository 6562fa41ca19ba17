/*-------------------------------------------------------------------------
 * btree_records.cpp
 *   The B-tree records' payloads and descriptions (btree_records.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/wal/btree_records.h"

#include <fmt/format.h>

#include "engine/storage/wal/wal_record.h"
#include "engine/storage/wal/wal_records.h"

namespace minipg::storage::wal {

std::string EncodeBtreePayload(const BtreeInsertRecord& r) { return EncodePayload(r); }
std::string EncodeBtreePayload(const BtreeSplitRecord& r) { return EncodePayload(r); }
std::string EncodeBtreePayload(const BtreeNewrootRecord& r) { return EncodePayload(r); }
std::string EncodeBtreePayload(const BtreeMetaRecord& r) { return EncodePayload(r); }
std::optional<BtreeInsertRecord> DecodeBtreeInsert(std::string_view in) { return DecodePayload<BtreeInsertRecord>(in); }
std::optional<BtreeSplitRecord> DecodeBtreeSplit(std::string_view in) { return DecodePayload<BtreeSplitRecord>(in); }
std::optional<BtreeNewrootRecord> DecodeBtreeNewroot(std::string_view in) {
  return DecodePayload<BtreeNewrootRecord>(in);
}
std::optional<BtreeMetaRecord> DecodeBtreeMeta(std::string_view in) { return DecodePayload<BtreeMetaRecord>(in); }

const char* BtreeIdentify(uint8_t info) {
  switch (info & kXlrRmgrInfoMask) {
    case kBtreeInsertLeaf: return "INSERT_LEAF";
    case kBtreeInsertUpper: return "INSERT_UPPER";
    case kBtreeSplitL: return "SPLIT_L";
    case kBtreeSplitR: return "SPLIT_R";
    case kBtreeVacuum: return "VACUUM";
    case kBtreeNewroot: return "NEWROOT";
  }
  return nullptr;
}

std::string BtreeDesc(const DecodedRecord& rec) {
  switch (rec.rmgr_info()) {
    case kBtreeInsertLeaf:
    case kBtreeInsertUpper: {
      auto r = DecodeBtreeInsert(rec.main_data);
      return r ? fmt::format("off {}", r->offnum) : "(malformed)";
    }
    case kBtreeSplitL:
    case kBtreeSplitR: {
      auto r = DecodeBtreeSplit(rec.main_data);
      return r ? fmt::format("level {}, firstrightoff {}, newitemoff {}, postingoff 0", r->level, r->firstrightoff,
                             r->newitemoff)
               : "(malformed)";
    }
    case kBtreeVacuum: {
      auto r = DecodePayload<BtreeVacuumRecord>(rec.main_data);
      return r ? fmt::format("ndeleted {}; nupdated {}", r->ndeleted, r->nupdated) : "(malformed)";
    }
    case kBtreeNewroot: {
      auto r = DecodeBtreeNewroot(rec.main_data);
      return r ? fmt::format("lev {}", r->level) : "(malformed)";
    }
  }
  return "";
}

}  // namespace minipg::storage::wal
