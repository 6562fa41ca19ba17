/*-------------------------------------------------------------------------
 * interruptible_sort.h
 *   A stable sort that a cancel can stop (ORDER BY's sort).
 *
 *   std::stable_sort cannot be left half way: a comparator has no way to
 *   say "stop" but an exception. This is a bottom-up merge sort instead:
 *   short runs sorted in place, then merged in passes of doubling width,
 *   with CheckForInterrupts() between runs and every kCheckEvery elements
 *   merged. So a cancel, terminate or statement_timeout acts within a few
 *   thousand comparisons, however many rows there are.
 *
 * NOTES
 *   O(n log n) comparisons and one buffer of n elements. After an
 *   interrupt the items are in an unspecified order and some are moved
 *   from: the caller drops them with the statement.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <utility>
#include <vector>

#include "engine/common/error.h"
#include "engine/common/interrupts.h"

namespace minipg::sql {

template <typename T, typename Less>
Status InterruptibleStableSort(std::vector<T>& items, Less less) {
  constexpr size_t kRun = 32;          // sorted in place: a few hundred comparisons at most
  constexpr size_t kCheckEvery = 1024;  // elements merged between two checks
  const size_t n = items.size();
  for (size_t lo = 0; lo < n; lo += kRun) {
    if (Status s = CheckForInterrupts(); !s.ok()) {
      return s;
    }
    std::stable_sort(items.begin() + static_cast<std::ptrdiff_t>(lo),
                     items.begin() + static_cast<std::ptrdiff_t>(std::min(n, lo + kRun)), less);
  }
  std::vector<T> merged;
  merged.reserve(n);
  for (size_t width = kRun; width < n; width *= 2) {
    merged.clear();
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t a = lo;
      const size_t mid = std::min(n, lo + width);
      size_t b = mid;
      const size_t hi = std::min(n, lo + 2 * width);
      while (a < mid && b < hi) {
        if (merged.size() % kCheckEvery == 0) {
          if (Status s = CheckForInterrupts(); !s.ok()) {
            return s;
          }
        }
        // Equal keys: the left run's first, which keeps the sort stable.
        merged.push_back(less(items[b], items[a]) ? std::move(items[b++]) : std::move(items[a++]));
      }
      std::move(items.begin() + static_cast<std::ptrdiff_t>(a), items.begin() + static_cast<std::ptrdiff_t>(mid),
                std::back_inserter(merged));
      std::move(items.begin() + static_cast<std::ptrdiff_t>(b), items.begin() + static_cast<std::ptrdiff_t>(hi),
                std::back_inserter(merged));
    }
    items.swap(merged);
  }
  return OkStatus();
}

}  // namespace minipg::sql
