/*-------------------------------------------------------------------------
 * selfuncs.h
 *   The planner's selectivity estimates from ANALYZE's statistics
 *   (PostgreSQL's utils/adt/selfuncs.c), private to the optimizer:
 *   the base tables below the plan being costed, a column's statistics,
 *   distinct values, group counts and widths.
 *
 * NOTES
 *   The tables are found through a scope (RelTuplesScope) that EstimateCosts
 *   and CostJoin open; the functions below read them through a pointer that
 *   lives only while such a scope does.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cmath>
#include <map>
#include <memory>
#include <vector>

#include "engine/sql/optimizer/planner.h"

namespace minipg::sql {

/* The MCVs and histogram bounds of a column's statistics, read in its type. */
struct ParsedValues {
  std::vector<storage::Datum> mcv;
  std::vector<storage::Datum> histogram;
};

/* A column's statistics: its pg_statistic row and its values read in its
 * type (read once per backend while the row stays the same). */
struct ParsedStats {
  const storage::ColumnStats* stats = nullptr;
  TypeId type = TypeId::kUnknown;
  std::shared_ptr<const ParsedValues> values;
  const std::vector<storage::Datum>& mcv() const { return values->mcv; }
  const std::vector<storage::Datum>& histogram() const { return values->histogram; }
};

/* A base table of the plan: its rows (before and after its conditions),
 * its columns with a single-column unique index (0-based), its statistics. */
struct RelInfo {
  double tuples = -1;
  const Plan* scan = nullptr;  // its scan: the rows its conditions keep, once estimated
  std::vector<int> unique_columns;
  const storage::TableDef* table = nullptr;
  mutable std::map<int, ParsedStats> parsed;  // by 0-based column, read on first use
};
using RelTuples = std::map<int, RelInfo>;

/* A row count as PostgreSQL's clamp_row_est: at least 1, whole. */
inline double ClampRows(double rows) { return rows <= 1.0 ? 1.0 : std::rint(rows); }

/* Makes the base tables below `a` and `b` what the estimates see, unless
 * an outer scope already did. */
class RelTuplesScope {
 public:
  RelTuplesScope(const Plan* a, const Plan* b);
  ~RelTuplesScope();
  RelTuplesScope(const RelTuplesScope&) = delete;
  RelTuplesScope& operator=(const RelTuplesScope&) = delete;
  /* A subquery's plan: its Vars index another range table. */
  static const RelTuples* Suspend();
  static void Resume(const RelTuples* rels);

 private:
  RelTuples rels_;
  bool owner_ = false;
};

/* Distinct values of an expression (get_variable_numdistinct);
 * `is_default`, if given: whether it is a default guess (no statistics). */
double NumDistinct(const Expr& e, bool* is_default = nullptr);
/* AND of conditions, range pairs (x > a AND x < b) judged together. */
double AndSelectivity(const std::vector<const Expr*>& clauses);
/* Groups of GROUP BY / DISTINCT `keys` over `input_rows` rows
 * (estimate_num_groups). */
double EstimateNumGroups(const std::vector<const Expr*>& keys, double input_rows);
/* An output column's average width: a column's stawidth, else its type's. */
int ExprWidth(const Expr& e);
/* The share of the inner rows one hash bucket holds for inner key `key`
 * (estimate_hash_bucket_stats), 0.1 without statistics. */
double HashBucketFraction(const Expr& key, double inner_rows);

/* The correlation of an Index Scan's leading column with the table's
 * order (a quarter less for a multi-column index), 0 without statistics. */
double IndexCorrelation(const Plan& scan);

}  // namespace minipg::sql
