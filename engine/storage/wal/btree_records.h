/*-------------------------------------------------------------------------
 * btree_records.h
 *   The B-tree resource manager's records (RmgrId::kBtree, PostgreSQL's
 *   nbtxlog.h in spirit): their info codes, main data layouts and how
 *   minipg_waldump names and describes them. Redo is in
 *   engine/storage/nbtree/nbtree_redo.cpp.
 *
 *   INSERT_LEAF / INSERT_UPPER (0x00 / 0x10), main data BtreeInsertRecord:
 *       2 offnum: where the new index tuple goes (items after it move up)
 *     block 0: the leaf (or internal) page, data = the index tuple
 *   SPLIT_L / SPLIT_R (0x30 / 0x40: the new item went to the left / right
 *     half), main data BtreeSplitRecord:
 *       4 level, 2 firstrightoff (the first item that moved right, counted
 *       in the old page with the new item in place), 2 newitemoff,
 *       4 left page's left sibling, 4 right page's right sibling
 *     block 0: the left half (same block as the page split), will_init,
 *       data = its items in order (high key first), each MAXALIGNed
 *     block 1: the new right half, will_init, data = its items likewise
 *     block 2 (when there is an old right sibling): its left link now
 *       points at block 1; no data
 *   NEWROOT (0xA0), main data BtreeNewrootRecord: 4 root block, 4 level
 *     block 0: the new root, will_init, data = its items (none for a
 *       first, empty leaf root)
 *     block 1: the metapage, will_init, data = BtreeMetaRecord
 *       (4 root, 4 level, 4 fast root, 4 fast level)
 *
 *   VACUUM (0x80), main data BtreeVacuumRecord: 2 ndeleted, 2 nupdated
 *     (always 0: no posting lists)
 *     block 0: a leaf page, data = the offsets of the items removed
 *       (EncodeOffsets), the rest keep their order
 *
 *   A built index's pages (CREATE INDEX) are logged as XLOG FPI records,
 *   one whole page each, as PostgreSQL's log_newpage does.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/storage/block.h"

namespace minipg::storage::wal {

struct DecodedRecord;

inline constexpr uint8_t kBtreeInsertLeaf = 0x00;
inline constexpr uint8_t kBtreeInsertUpper = 0x10;
inline constexpr uint8_t kBtreeSplitL = 0x30;
inline constexpr uint8_t kBtreeSplitR = 0x40;
inline constexpr uint8_t kBtreeVacuum = 0x80;
inline constexpr uint8_t kBtreeNewroot = 0xA0;

struct BtreeInsertRecord {
  uint16_t offnum = 0;
  template <typename F> void Fields(F&& f) { f(offnum); }
};

struct BtreeSplitRecord {
  uint32_t level = 0;
  uint16_t firstrightoff = 0;
  uint16_t newitemoff = 0;
  BlockNumber left_prev = kInvalidBlockNumber;
  BlockNumber right_next = kInvalidBlockNumber;
  template <typename F> void Fields(F&& f) { f(level), f(firstrightoff), f(newitemoff), f(left_prev), f(right_next); }
};

struct BtreeNewrootRecord {
  BlockNumber rootblk = 0;
  uint32_t level = 0;
  template <typename F> void Fields(F&& f) { f(rootblk), f(level); }
};

struct BtreeVacuumRecord {
  uint16_t ndeleted = 0;
  uint16_t nupdated = 0;
  template <typename F> void Fields(F&& f) { f(ndeleted), f(nupdated); }
};

struct BtreeMetaRecord {
  BlockNumber root = 0;
  uint32_t level = 0;
  BlockNumber fastroot = 0;
  uint32_t fastlevel = 0;
  template <typename F> void Fields(F&& f) { f(root), f(level), f(fastroot), f(fastlevel); }
};

std::string EncodeBtreePayload(const BtreeInsertRecord& r);
std::string EncodeBtreePayload(const BtreeSplitRecord& r);
std::string EncodeBtreePayload(const BtreeNewrootRecord& r);
std::string EncodeBtreePayload(const BtreeMetaRecord& r);
std::optional<BtreeInsertRecord> DecodeBtreeInsert(std::string_view in);
std::optional<BtreeSplitRecord> DecodeBtreeSplit(std::string_view in);
std::optional<BtreeNewrootRecord> DecodeBtreeNewroot(std::string_view in);
std::optional<BtreeMetaRecord> DecodeBtreeMeta(std::string_view in);

/* For the rmgr table: "INSERT_LEAF", ...; nullptr if unknown. */
const char* BtreeIdentify(uint8_t info);
/* As pg_waldump's nbtdesc: "off 3", "level 0, firstrightoff 184,
 * newitemoff 367, postingoff 0", "lev 1". */
std::string BtreeDesc(const DecodedRecord& rec);

}  // namespace minipg::storage::wal
