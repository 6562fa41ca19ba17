/*-------------------------------------------------------------------------
 * nbtree_page.h
 *   The pages of a B-tree index, as PostgreSQL's nbtree.h lays them out:
 *   ordinary pages (page.h) with a 16-byte special area, and a metapage
 *   in block 0.
 *
 *   Special area (BTPageOpaqueData), at pd_special = 8192 - 16:
 *     OFFSET  SIZE  DESCRIPTION
 *          0     4  btpo_prev: left sibling's block (kBtNone: leftmost)
 *          4     4  btpo_next: right sibling's block (kBtNone: rightmost)
 *          8     4  btpo_level: 0 for leaves, counting up to the root
 *         12     2  btpo_flags: kBtpLeaf | kBtpRoot | kBtpDeleted | kBtpMeta ...
 *         14     2  btpo_cycleid: vacuum cycle (always 0 here)
 *
 *   Items of a page that is not the rightmost of its level:
 *     item 1            the high key: an upper bound (exclusive) on every
 *                       key on the page, equal to the first key of the
 *                       right sibling (P_HIKEY)
 *     item 2 ...        the data items in key order (P_FIRSTDATAKEY)
 *   On the rightmost page the data items start at item 1. On an internal
 *   page the first data item has no key ("minus infinity"): its downlink
 *   leads to everything below the second item's key.
 *
 *   Metapage (BTMetaPageData), right after the page header (offset 24),
 *   pd_lower just past it (so a full page image leaves out the rest):
 *     OFFSET  SIZE  DESCRIPTION
 *         24     4  btm_magic 0x053162
 *         28     4  btm_version 4
 *         32     4  btm_root: the root's block (kBtNone: empty index)
 *         36     4  btm_level: the root's level
 *         40     4  btm_fastroot (= root: minipg keeps no other)
 *         44     4  btm_fastlevel
 *
 * NOTES
 *   Block numbers are never reused (no page deletion: VACUUM only removes
 *   leaf items), so a page's level and its place in its level's list never
 *   change once made.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/storage/block.h"
#include "engine/storage/page/page.h"

namespace minipg::storage::nbtree {

inline constexpr BlockNumber kBtMetaBlock = 0;
/* "No page": a missing sibling, an empty index's root (PostgreSQL's P_NONE). */
inline constexpr BlockNumber kBtNone = 0;
inline constexpr uint32_t kBtMagic = 0x053162;
inline constexpr uint32_t kBtVersion = 4;
inline constexpr size_t kBtSpecialSize = 16;

/* btpo_flags, PostgreSQL's values. */
inline constexpr uint16_t kBtpLeaf = 1 << 0;
inline constexpr uint16_t kBtpRoot = 1 << 1;
inline constexpr uint16_t kBtpDeleted = 1 << 2;
inline constexpr uint16_t kBtpMeta = 1 << 3;

inline constexpr OffsetNumber kBtHikey = 1;

struct BtOpaque {
  BlockNumber prev = kBtNone;
  BlockNumber next = kBtNone;
  uint32_t level = 0;
  uint16_t flags = 0;
  bool IsLeaf() const { return (flags & kBtpLeaf) != 0; }
  bool IsRightmost() const { return next == kBtNone; }
  bool IsLeftmost() const { return prev == kBtNone; }
};

struct BtMeta {
  BlockNumber root = kBtNone;
  uint32_t level = 0;
  BlockNumber fastroot = kBtNone;
  uint32_t fastlevel = 0;
};

BtOpaque BtPageGetOpaque(const char* page);
void BtPageSetOpaque(char* page, const BtOpaque& opaque);

/* An empty index page with its special area. */
void BtPageInit(char* page, const BtOpaque& opaque);

/* The first data item: 2 unless the page is the rightmost of its level. */
inline OffsetNumber BtFirstDataKey(const BtOpaque& o) { return o.IsRightmost() ? 1 : 2; }

/* The metapage: written whole (a new index, a new root), read back. */
void BtInitMetaPage(char* page, const BtMeta& meta);
BtMeta BtReadMeta(const char* page);
/* False unless the page is a metapage of this version (magic, flags). */
bool BtIsMetaPage(const char* page);

/* The item at `off` (a valid offset of a sane page). */
std::string_view BtPageItem(const char* page, OffsetNumber off);

/* Whether item `off` is marked dead (LP_DEAD: its heap row is dead to every
 * snapshot; scans and unique checks pass over it, VACUUM removes it). */
bool BtItemIsDead(const char* page, OffsetNumber off);
/* Marks item `off` dead: a hint, as PostgreSQL's kill_prior_tuple, made
 * under a share or exclusive lock with MarkBufferDirtyHint, not logged. The
 * item keeps its bytes; BtPageItem still reads them. */
void BtMarkItemDead(char* page, OffsetNumber off);

/* Inserts `item` at `off`, moving the line pointers at and after it up by
 * one (PostgreSQL's PageAddItem without overwrite on an index page).
 * False when it does not fit. */
bool BtPageInsertItem(char* page, std::string_view item, OffsetNumber off);

/* A fresh page holding `items` in order (each MAXALIGNed), as a split or
 * a build writes it; false if they do not fit. */
bool BtPageFill(char* page, const BtOpaque& opaque, std::string_view items_blob);

/* Removes the items at `offsets` (the others keep their order; the LSN
 * stays): VACUUM and its redo. False if the rest do not fit (never). */
bool BtPageDeleteItems(char* page, const std::vector<uint16_t>& offsets);

/* Items laid end to end, each padded to 8 bytes (a split's WAL data). */
void BtAppendItem(std::string& blob, std::string_view item);

/* The free space of an index page, as for any page. */
inline size_t BtPageFreeSpace(const char* page) { return PageGetFreeSpace(page); }

}  // namespace minipg::storage::nbtree
