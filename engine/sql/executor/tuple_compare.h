/*-------------------------------------------------------------------------
 * tuple_compare.h
 *   Orders values and rows of known types the way grouping wants them:
 *   NULLs equal each other and come first. Agg's groups, SetOp's counts
 *   and Unique's runs use it.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <vector>

#include "engine/sql/types.h"
#include "engine/storage/datum.h"

namespace minipg::sql {

inline int CompareDatum(const storage::Datum& a, const storage::Datum& b, TypeId type) {
  bool an = storage::IsNull(a);
  bool bn = storage::IsNull(b);
  if (an || bn) return an == bn ? 0 : (an ? -1 : 1);
  return CompareValues(a, type, b, type);
}

/* Rows compared column by column, the i-th of type (*types)[i]. */
struct KeyLess {
  const std::vector<TypeId>* types;
  bool operator()(const storage::Tuple& a, const storage::Tuple& b) const {
    for (size_t i = 0; i < a.size(); ++i) {
      int c = CompareDatum(a[i], b[i], (*types)[i]);
      if (c != 0) return c < 0;
    }
    return false;
  }
};

}  // namespace minipg::sql
