/*-------------------------------------------------------------------------
 * column_stats.cpp
 *   One column's ANALYZE statistics from a sample (column_stats.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/column_stats.h"

#include <algorithm>
#include <cmath>

#include "engine/sql/adt/numeric.h"
#include "engine/sql/types.h"

namespace minipg::sql {

namespace {

constexpr int kWidthThreshold = 1024;  // wider values are not sorted (PostgreSQL's WIDTH_THRESHOLD)

/* A varlena's size on disk: a 1-byte header up to 126 bytes of data. */
int VarlenaSize(size_t data_bytes) {
  return static_cast<int>(data_bytes) + (data_bytes <= 126 ? 1 : 4);
}

/* numeric's on-disk size: a 2-byte header and a 2-byte digit per group of
 * four decimal digits around the point, zero groups at either end left out. */
int NumericSize(const storage::Numeric& n) {
  if (n.kind != storage::Numeric::Kind::kFinite) return VarlenaSize(2);
  std::string digits = n.digits;
  auto scale = static_cast<size_t>(std::max(n.scale, 0));
  if (digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
  std::string int_part = digits.substr(0, digits.size() - scale);
  std::string frac_part = digits.substr(digits.size() - scale);
  int_part.insert(0, (4 - int_part.size() % 4) % 4, '0');
  frac_part.append((4 - frac_part.size() % 4) % 4, '0');
  std::vector<int> groups;
  for (size_t i = 0; i < int_part.size(); i += 4) groups.push_back(std::stoi(int_part.substr(i, 4)));
  for (size_t i = 0; i < frac_part.size(); i += 4) groups.push_back(std::stoi(frac_part.substr(i, 4)));
  size_t first = 0;
  while (first < groups.size() && groups[first] == 0) ++first;
  size_t last = groups.size();
  while (last > first && groups[last - 1] == 0) --last;
  return VarlenaSize(2 + 2 * (last - first));
}

struct SortItem {
  const storage::Datum* value;
  int tupno;  // its position among the non-NULL sampled values
};

struct McvItem {
  int count;
  int first;  // its first position in the sorted values
};

/* How many of the tracked values (by count, most first) are common enough
 * to keep as MCVs (PostgreSQL's analyze_mcv_list): a value stays when its
 * count is well above what the non-MCV values average. */
int McvListLength(const std::vector<int>& counts, int num_mcv, double n_distinct, double null_frac, int sample_rows,
                  double total_rows) {
  if (sample_rows == total_rows || total_rows <= 1.0) return num_mcv;
  double ndistinct_table = n_distinct < 0 ? -n_distinct * total_rows : n_distinct;
  double sumcount = 0;
  for (int i = 0; i < num_mcv - 1; ++i) sumcount += counts[static_cast<size_t>(i)];
  while (num_mcv > 0) {
    double selec = std::clamp(1.0 - sumcount / sample_rows - null_frac, 0.0, 1.0);
    double otherdistinct = ndistinct_table - (num_mcv - 1);
    if (otherdistinct > 1) selec /= otherdistinct;
    double big_n = total_rows;
    double n = sample_rows;
    double k = big_n * counts[static_cast<size_t>(num_mcv - 1)] / n;
    double variance = n * k * (big_n - k) * (big_n - n) / (big_n * big_n * (big_n - 1));
    if (counts[static_cast<size_t>(num_mcv - 1)] > selec * sample_rows + 2 * std::sqrt(variance) + 0.5) break;
    --num_mcv;
    if (num_mcv == 0) break;
    sumcount -= counts[static_cast<size_t>(num_mcv - 1)];
  }
  return num_mcv;
}

}  // namespace

int FixedWidth(TypeId type) {
  switch (type) {
    case TypeId::kBool:
    case TypeId::kChar: return 1;
    case TypeId::kInt2: return 2;
    case TypeId::kInt4:
    case TypeId::kOid:
    case TypeId::kXid:
    case TypeId::kDate:
    case TypeId::kRegclass:
    case TypeId::kRegproc:
    case TypeId::kRegtype:
    case TypeId::kRegnamespace:
    case TypeId::kFloat4: return 4;
    case TypeId::kInt8:
    case TypeId::kFloat8:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: return 8;
    case TypeId::kInterval: return 16;
    case TypeId::kName: return 64;
    default: return -1;
  }
}

int StoredWidth(const storage::Datum& value, TypeId type) {
  if (int fixed = FixedWidth(type); fixed > 0) return fixed;
  if (const auto* n = std::get_if<storage::Numeric>(&value)) return NumericSize(*n);
  if (const auto* s = std::get_if<std::string>(&value)) return VarlenaSize(s->size());
  if (std::holds_alternative<std::monostate>(value)) return 0;
  return VarlenaSize(OutputText(value, type).size());
}

storage::ColumnStats ComputeColumnStats(const std::vector<storage::Datum>& sample, TypeId type, double total_rows) {
  storage::ColumnStats st;
  auto sample_rows = static_cast<int>(sample.size());
  int null_cnt = 0;
  int toowide_cnt = 0;
  double total_width = 0;
  std::vector<SortItem> values;
  for (const storage::Datum& v : sample) {
    if (std::holds_alternative<std::monostate>(v)) {
      ++null_cnt;
      continue;
    }
    int width = StoredWidth(v, type);
    total_width += width;
    if (width > kWidthThreshold) {
      ++toowide_cnt;
      continue;
    }
    values.push_back(SortItem{&v, static_cast<int>(values.size())});
  }
  int nonnull_cnt = sample_rows - null_cnt;
  if (nonnull_cnt == 0) {
    // Only NULLs: PostgreSQL stores just that (a variable width as 0).
    st.null_frac = sample_rows > 0 ? 1.0 : 0.0;
    st.width = std::max(FixedWidth(type), 0);
    return st;
  }
  st.null_frac = static_cast<double>(null_cnt) / sample_rows;
  st.width = static_cast<int32_t>(total_width / nonnull_cnt);
  std::stable_sort(values.begin(), values.end(), [type](const SortItem& a, const SortItem& b) {
    int c = CompareValues(*a.value, type, *b.value, type);
    return c != 0 ? c < 0 : a.tupno < b.tupno;
  });
  // Runs of equal values: how many distinct, how many repeated, the most
  // frequent (up to the target) by count, earlier values first on ties.
  auto values_cnt = static_cast<int>(values.size());
  int ndistinct = 0;
  int nmultiple = 0;
  std::vector<McvItem> track;
  double corr_xysum = 0;
  int dups_cnt = 0;
  for (int i = 0; i < values_cnt; ++i) {
    corr_xysum += static_cast<double>(i) * values[static_cast<size_t>(i)].tupno;
    ++dups_cnt;
    bool run_ends = i == values_cnt - 1 ||
                    CompareValues(*values[static_cast<size_t>(i)].value, type, *values[static_cast<size_t>(i + 1)].value, type) != 0;
    if (!run_ends) continue;
    ++ndistinct;
    if (dups_cnt > 1) {
      ++nmultiple;
      auto track_cnt = static_cast<int>(track.size());
      if (track_cnt < kStatisticsTarget || dups_cnt > track.back().count) {
        if (track_cnt < kStatisticsTarget) track.push_back({});
        size_t j = track.size() - 1;
        for (; j > 0 && dups_cnt > track[j - 1].count; --j) track[j] = track[j - 1];
        track[j] = McvItem{dups_cnt, i + 1 - dups_cnt};
      }
    }
    dups_cnt = 0;
  }
  // Distinct values (Haas and Stokes' estimator).
  if (nmultiple == 0) {
    st.n_distinct = -1.0 * (1.0 - st.null_frac);
  } else if (toowide_cnt == 0 && nmultiple == ndistinct) {
    st.n_distinct = ndistinct;
  } else {
    int f1 = ndistinct - nmultiple + toowide_cnt;
    int d = f1 + nmultiple;
    double n = nonnull_cnt;
    double big_n = total_rows * (1.0 - st.null_frac);
    double estimate = big_n > 0 ? (n * d) / ((n - f1) + f1 * n / big_n) : 0;
    estimate = std::min(std::max(estimate, static_cast<double>(d)), big_n);
    st.n_distinct = std::floor(estimate + 0.5);
  }
  if (st.n_distinct > 0.1 * total_rows) st.n_distinct = -(st.n_distinct / total_rows);
  // The most common values.
  auto num_mcv = static_cast<int>(track.size());
  if (!(num_mcv == ndistinct && toowide_cnt == 0 && st.n_distinct > 0)) {
    std::vector<int> counts;
    for (const McvItem& m : track) counts.push_back(m.count);
    num_mcv = McvListLength(counts, num_mcv, st.n_distinct, st.null_frac, sample_rows, total_rows);
  }
  track.resize(static_cast<size_t>(num_mcv));
  for (const McvItem& m : track) {
    st.mcv_values.push_back(OutputText(*values[static_cast<size_t>(m.first)].value, type));
    st.mcv_freqs.push_back(static_cast<double>(m.count) / sample_rows);
  }
  // The histogram of the values that are not MCVs.
  int num_hist = std::min(ndistinct - num_mcv, kStatisticsTarget + 1);
  if (num_hist >= 2) {
    std::vector<bool> in_mcv(values.size(), false);
    for (const McvItem& m : track) {
      for (int k = m.first; k < m.first + m.count; ++k) in_mcv[static_cast<size_t>(k)] = true;
    }
    std::vector<const storage::Datum*> rest;
    for (size_t k = 0; k < values.size(); ++k) {
      if (!in_mcv[k]) rest.push_back(values[k].value);
    }
    auto nvals = static_cast<int>(rest.size());
    int delta = (nvals - 1) / (num_hist - 1);
    int deltafrac = (nvals - 1) % (num_hist - 1);
    int pos = 0;
    int posfrac = 0;
    for (int i = 0; i < num_hist; ++i) {
      st.histogram.push_back(OutputText(*rest[static_cast<size_t>(pos)], type));
      pos += delta;
      posfrac += deltafrac;
      if (posfrac >= num_hist - 1) {
        ++pos;
        posfrac -= num_hist - 1;
      }
    }
  }
  // The correlation of the sorted order with the physical one.
  if (values_cnt > 1) {
    double n = values_cnt;
    double corr_xsum = (n - 1) * n / 2.0;
    double corr_x2sum = (n - 1) * n * (2 * n - 1) / 6.0;
    st.has_correlation = true;
    st.correlation = (n * corr_xysum - corr_xsum * corr_xsum) / (n * corr_x2sum - corr_xsum * corr_xsum);
  }
  return st;
}

}  // namespace minipg::sql
