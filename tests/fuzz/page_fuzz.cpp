/*-------------------------------------------------------------------------
 * page_fuzz.cpp
 *   Fuzz target: arbitrary bytes as an 8 KiB page read from disk (the
 *   first input byte is the block number it is checked as; the rest is the
 *   page, zero-padded or cut to 8192 bytes). PageVerify, a walk of every
 *   line pointer, each item decoded as a heap tuple under a few column
 *   layouts, and PageAddItem on a copy of an item (the input's bytes after the page).
 *
 *   Checks: nothing reads outside the page (the sanitizers see to it); an
 *   item is inside the page; a decoded row forms again into a tuple that
 *   decodes to the same row; an added item reads back as added; once its
 *   checksum is set, a page never fails verification on its checksum.
 *-------------------------------------------------------------------------
 */
#include <cstring>
#include <string>
#include <vector>

#include "engine/common/sqlstate.h"
#include "engine/storage/page/heap_tuple.h"
#include "engine/storage/page/page.h"
#include "tests/fuzz/fuzz_input.h"

namespace st = minipg::storage;

namespace {

using st::ColumnType;

std::vector<std::vector<st::ColumnDef>> Layouts() {
  auto make = [](std::initializer_list<ColumnType> types) {
    std::vector<st::ColumnDef> cols;
    for (ColumnType t : types) cols.push_back({"c", t});
    return cols;
  };
  return {
      make({}),
      make({ColumnType::kInt4, ColumnType::kText}),
      make({ColumnType::kBool, ColumnType::kInt8, ColumnType::kText, ColumnType::kInt4}),
      make({ColumnType::kText, ColumnType::kText, ColumnType::kText}),
      std::vector<st::ColumnDef>(20, st::ColumnDef{"i", ColumnType::kInt4}),
  };
}

void CheckTuple(std::string_view item) {
  static const auto kLayouts = Layouts();
  (void)st::HeapTupleGetHeader(item);
  for (const auto& cols : kLayouts) {
    auto row = st::HeapDeformTuple(cols, item);
    if (!row.ok()) continue;
    auto again = st::HeapFormTuple(cols, *row, 1, 0);
    if (!again.ok()) {
      if (again.error().sqlstate == minipg::sqlstate::kProgramLimitExceeded) continue;
      minipg::fuzz::Fail("a decoded row does not form again");
    }
    auto row2 = st::HeapDeformTuple(cols, *again);
    if (!row2.ok() || *row2 != *row) minipg::fuzz::Fail("a row changed in a form/deform round trip");
  }
}

void WalkItems(const char* page) {
  st::OffsetNumber max = st::PageGetMaxOffsetNumber(page);
  for (st::OffsetNumber off = st::kFirstOffsetNumber; off <= max; ++off) {
    st::ItemId id = st::PageGetItemId(page, off);
    std::string_view item = st::PageGetItem(page, id);
    if (item.empty()) continue;
    if (item.data() < page || item.data() + item.size() > page + st::kBlockSize) {
      minipg::fuzz::Fail("an item lies outside its page");
    }
    CheckTuple(item);
  }
}

void AddToCopy(const char* page, std::string_view item) {
  alignas(8) char copy[st::kBlockSize];
  std::memcpy(copy, page, sizeof copy);
  (void)st::PageGetFreeSpace(copy);
  st::OffsetNumber off = st::PageAddItem(copy, item);
  if (off != st::kInvalidOffsetNumber &&
      st::PageGetItem(copy, st::PageGetItemId(copy, off)) != item) {
    minipg::fuzz::Fail("an added item does not read back");
  }
}

void ChecksumCopy(const char* page, st::BlockNumber block) {
  alignas(8) char copy[st::kBlockSize];
  std::memcpy(copy, page, sizeof copy);
  st::PageSetChecksum(copy, block);
  minipg::Status s = st::PageVerify(copy, block);
  if (!s.ok() && s.error().message.find("checksum") != std::string::npos) {
    minipg::fuzz::Fail("a page fails its checksum right after it was set");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  minipg::fuzz::InputReader in(data, size);
  st::BlockNumber block = in.Byte();
  alignas(8) char page[st::kBlockSize] = {};
  std::string_view bytes = in.Take(st::kBlockSize);
  std::memcpy(page, bytes.data(), bytes.size());

  (void)st::PageVerify(page, block);
  (void)st::PageIsNew(page);
  (void)st::PageGetLSN(page);
  WalkItems(page);
  std::string_view item = in.Take(300);  // whatever follows the page
  AddToCopy(page, item.empty() ? std::string_view("an item") : item);
  ChecksumCopy(page, block);
  return 0;
}
