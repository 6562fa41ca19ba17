/*-------------------------------------------------------------------------
 * column_stats.h
 *   What ANALYZE computes for one column from its sampled values
 *   (PostgreSQL's compute_scalar_stats in commands/analyze.c): the share of
 *   NULLs, the average stored width, the number of distinct values (the
 *   Haas-Stokes estimator, negative when it scales with the table), the
 *   most common values and their frequencies, a histogram of the rest and
 *   the correlation of the values' order with the rows' physical order.
 *
 * NOTES
 *   Every type minipg stores has an ordering, so PostgreSQL's other path
 *   (compute_distinct_stats, for types with only "=") is not needed.
 *   Values wider than 1024 bytes take part in the NULL share and the width
 *   only, as in PostgreSQL.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <vector>

#include "engine/sql/session.h"
#include "engine/storage/catalog.h"

namespace minipg::sql {

/* The statistics target (default_statistics_target): at most this many
 * MCVs and histogram buckets; ANALYZE samples 300 times as many rows. */
inline constexpr int kStatisticsTarget = 100;
inline constexpr int kSampleRows = 300 * kStatisticsTarget;

/* Statistics of one column from `sample` (its values in the sampled rows,
 * in physical order; NULL as std::monostate) of a table of `total_rows`
 * rows. attnum is left 0. */
storage::ColumnStats ComputeColumnStats(const std::vector<storage::Datum>& sample, TypeId type, double total_rows);

/* The bytes a value takes in a heap tuple (typlen, or the varlena's size
 * with its 1- or 4-byte header): what stawidth averages. */
int StoredWidth(const storage::Datum& value, TypeId type);
/* typlen: a fixed-width type's bytes, -1 for a varlena. */
int FixedWidth(TypeId type);

}  // namespace minipg::sql
