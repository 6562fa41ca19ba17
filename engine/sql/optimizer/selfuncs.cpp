/*-------------------------------------------------------------------------
 * selfuncs.cpp
 *   Selectivity of conditions, distinct values, group counts and widths,
 *   from ANALYZE's statistics where a column has them (selfuncs.h), by
 *   PostgreSQL's estimators (utils/adt/selfuncs.c):
 *
 *     x = c        the MCV's frequency if c is one, else the rows that are
 *                  neither NULL nor an MCV spread over the other distinct
 *                  values (var_eq_const); 1/distinct without statistics
 *     x < c, ...   the MCVs that satisfy it plus the histogram's share
 *                  below c, interpolated inside its bucket
 *                  (scalarineqsel); a third without statistics
 *     a range      x > a AND x < b: the two shares added less one
 *     IS NULL      the null fraction (0.005 without statistics)
 *     x = y (join) the matching MCVs of both sides, the rest spread over
 *                  the other distinct values (eqjoinsel)
 *     GROUP BY     the distinct values of the keys multiplied per table,
 *                  clamped to its rows (a tenth with several keys) and
 *                  scaled to the rows its conditions keep
 *                  (estimate_num_groups)
 *
 * NOTES
 *   The histogram's end values are not replaced by the column's actual
 *   minimum and maximum read from an index (PostgreSQL's
 *   get_actual_variable_range), so near the ends minipg keeps a hundredth
 *   of a bucket where PostgreSQL may estimate zero.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/optimizer/selfuncs.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "engine/sql/adt/builtins.h"
#include "engine/sql/types.h"

namespace minipg::sql {

namespace {

constexpr double kDefaultEqSel = 0.005;
constexpr double kDefaultIneqSel = 1.0 / 3.0;
constexpr double kDefaultNumDistinct = 200;
constexpr double kDefaultRangeIneqSel = 0.005;
constexpr double kDefaultUnkSel = 0.005;

const RelTuples* g_rels = nullptr;  // set while a RelTuplesScope is open

double ClampProbability(double s) { return s < 0.0 ? 0.0 : (s > 1.0 ? 1.0 : s); }

void CollectRelTuples(const Plan& node, RelTuples& out) {
  bool base = node.kind == PlanKind::kSeqScan || node.kind == PlanKind::kIndexScan ||
              node.kind == PlanKind::kIndexOnlyScan || node.kind == PlanKind::kBitmapHeapScan;
  if (base && node.table) {
    RelInfo& info = out[node.scanrelid];
    info.tuples = node.rel_tuples;
    info.scan = &node;
    info.table = &*node.table;
    for (const storage::IndexDef& index : node.table->indexes) {
      if (index.unique && index.key_attnums.size() == 1) info.unique_columns.push_back(index.key_attnums[0] - 1);
    }
  }
  if (node.kind == PlanKind::kSubqueryScan) return;  // another query's range table
  for (const Plan* child : node.Children()) CollectRelTuples(*child, out);
}

bool IsStringType(TypeId t) { return t == TypeId::kText || t == TypeId::kVarchar || t == TypeId::kBpchar || t == TypeId::kName; }

/* What is known of an expression's values (PostgreSQL's VariableStatData). */
struct VarData {
  const Expr* var = nullptr;         // the column, if the expression is one
  const RelInfo* rel = nullptr;      // its table (or the one table an expression reads)
  const ParsedStats* stats = nullptr;
  bool isunique = false;
  TypeId type = TypeId::kUnknown;
};

/* Values read from pg_statistic's text, kept by this backend: the planner
 * plans every statement anew, and reading a key's histogram again each
 * time was an eighth of a primary-key lookup. An entry serves while its
 * table's statistics are the very ones the relcache read (ANALYZE's new
 * ones come with an invalidation, and the relcache reads them anew). */
struct CachedValues {
  TypeId type = TypeId::kUnknown;
  std::shared_ptr<const std::vector<storage::ColumnStats>> read_from;
  std::shared_ptr<const ParsedValues> values;
};
constexpr size_t kMaxCachedColumns = 1024;

std::shared_ptr<const ParsedValues> ValuesOf(const storage::TableDef& table, int attno, const storage::ColumnStats& s,
                                             TypeId type) {
  static std::map<std::pair<uint32_t, int>, CachedValues> cache;
  auto found = cache.find({table.oid, attno});
  if (found != cache.end() && found->second.type == type && found->second.read_from == table.stats) {
    return found->second.values;
  }
  auto values = std::make_shared<ParsedValues>();
  auto read = [&](const std::vector<std::string>& text, std::vector<storage::Datum>& out) {
    for (const std::string& t : text) {
      auto d = InputText(t, type);
      if (!d.ok()) {
        out.clear();
        return;
      }
      out.push_back(std::move(*d));
    }
  };
  read(s.mcv_values, values->mcv);
  if (values->mcv.size() != s.mcv_freqs.size()) values->mcv.clear();
  read(s.histogram, values->histogram);
  if (cache.size() >= kMaxCachedColumns) cache.clear();
  cache[{table.oid, attno}] = CachedValues{type, table.stats, values};
  return values;
}

const ParsedStats* ParseStats(const RelInfo& rel, int attno) {
  auto found = rel.parsed.find(attno);
  if (found != rel.parsed.end()) return found->second.stats != nullptr ? &found->second : nullptr;
  ParsedStats& p = rel.parsed[attno];
  if (rel.table == nullptr || attno < 0 || static_cast<size_t>(attno) >= rel.table->columns.size()) return nullptr;
  if (rel.table->stats != nullptr) {
    for (const storage::ColumnStats& s : *rel.table->stats) {
      if (s.attnum == attno + 1) p.stats = &s;
    }
  }
  if (p.stats == nullptr) return nullptr;
  p.type = FromColumnType(rel.table->columns[static_cast<size_t>(attno)].type);
  p.values = ValuesOf(*rel.table, attno, *p.stats, p.type);
  return &p;
}

const RelInfo* FindRel(int rtindex) {
  if (g_rels == nullptr) return nullptr;
  auto it = g_rels->find(rtindex);
  return it == g_rels->end() || it->second.tuples < 0 ? nullptr : &it->second;
}

VarData Examine(const Expr& e) {
  VarData v;
  v.type = e.type;
  const Expr* x = &e;
  // A string column read as text (varchar = text) is still the column.
  while (x->kind == ExprKind::kCast && x->args.size() == 1 && IsStringType(x->type) && IsStringType(x->args[0]->type)) {
    x = x->args[0].get();
  }
  if (x->kind == ExprKind::kVar) {
    if (x->levels_up != 0 || x->source != VarSource::kRangeTable) return v;
    v.var = x;
    v.rel = FindRel(x->rtindex);
    if (v.rel == nullptr) return v;
    const std::vector<int>& u = v.rel->unique_columns;
    v.isunique = std::find(u.begin(), u.end(), x->attno) != u.end();
    v.stats = ParseStats(*v.rel, x->attno);
    return v;
  }
  // An expression of one table's columns: that table's size bounds it.
  std::set<int> rels;
  bool outer = false;
  WalkExpr(const_cast<Expr&>(e), [&](Expr& n) {
    if (n.kind != ExprKind::kVar) return;
    if (n.levels_up != 0 || n.source != VarSource::kRangeTable) outer = true;
    rels.insert(n.rtindex);
  });
  if (rels.size() == 1 && !outer) v.rel = FindRel(*rels.begin());
  return v;
}

double RelRows(const RelInfo& rel) { return rel.scan != nullptr ? rel.scan->rows : -1; }

double NullFrac(const VarData& v) { return v.stats != nullptr ? v.stats->stats->null_frac : 0.0; }

double VariableNumDistinct(const VarData& v, bool* isdefault) {
  *isdefault = false;
  double stadistinct = 0;
  double stanullfrac = 0;
  if (v.stats != nullptr) {
    stadistinct = v.stats->stats->n_distinct;
    stanullfrac = v.stats->stats->null_frac;
  } else if (v.type == TypeId::kBool) {
    stadistinct = 2.0;
  }
  if (v.isunique) stadistinct = -1.0 * (1.0 - stanullfrac);
  if (stadistinct > 0.0) return ClampRows(stadistinct);
  if (v.rel == nullptr || v.rel->tuples <= 0.0) {
    *isdefault = true;
    return kDefaultNumDistinct;
  }
  double ntuples = v.rel->tuples;
  if (stadistinct < 0.0) return ClampRows(-stadistinct * ntuples);
  if (ntuples < kDefaultNumDistinct) return ClampRows(ntuples);
  *isdefault = true;
  return kDefaultNumDistinct;
}

double VariableNumDistinct(const VarData& v) {
  bool isdefault = false;
  return VariableNumDistinct(v, &isdefault);
}

bool HasVars(const Expr& e) {
  bool found = false;
  WalkExpr(const_cast<Expr&>(e), [&](Expr& n) { found = found || n.kind == ExprKind::kVar; });
  return found;
}

/* x = c (var_eq_const); negate: x <> c. */
double VarEqConst(const VarData& v, const Expr& c, bool negate) {
  double selec = 0;
  double nullfrac = NullFrac(v);
  if (std::holds_alternative<std::monostate>(c.value)) {
    selec = 0.0;
  } else if (v.isunique && v.rel != nullptr && v.rel->tuples >= 1.0) {
    selec = 1.0 / v.rel->tuples;
  } else if (v.stats != nullptr) {
    const std::vector<double>& freqs = v.stats->stats->mcv_freqs;
    const std::vector<storage::Datum>& mcv = v.stats->mcv();
    int match = -1;
    for (size_t i = 0; i < mcv.size() && match < 0; ++i) {
      if (CompareValues(mcv[i], v.stats->type, c.value, c.type) == 0) match = static_cast<int>(i);
    }
    if (match >= 0) {
      selec = freqs[static_cast<size_t>(match)];
    } else {
      double sumcommon = 0;
      for (size_t i = 0; i < mcv.size(); ++i) sumcommon += freqs[i];
      selec = ClampProbability(1.0 - sumcommon - nullfrac);
      double otherdistinct = VariableNumDistinct(v) - static_cast<double>(mcv.size());
      if (otherdistinct > 1) selec /= otherdistinct;
      if (!mcv.empty() && selec > freqs[mcv.size() - 1]) selec = freqs[mcv.size() - 1];
    }
  } else {
    selec = 1.0 / VariableNumDistinct(v);
  }
  selec = ClampProbability(selec);
  if (negate) selec = ClampProbability(1.0 - selec - nullfrac);
  return selec;
}

/* x = an unknown value (var_eq_non_const). */
double VarEqNonConst(const VarData& v, bool negate) {
  double selec = 0;
  double nullfrac = NullFrac(v);
  if (v.isunique && v.rel != nullptr && v.rel->tuples >= 1.0) {
    selec = 1.0 / v.rel->tuples;
  } else if (v.stats != nullptr) {
    selec = 1.0 - nullfrac;
    double ndistinct = VariableNumDistinct(v);
    if (ndistinct > 1) selec /= ndistinct;
    const std::vector<double>& freqs = v.stats->stats->mcv_freqs;
    if (!v.stats->mcv().empty() && selec > freqs[0]) selec = freqs[0];
  } else {
    selec = 1.0 / VariableNumDistinct(v);
  }
  selec = ClampProbability(selec);
  if (negate) selec = ClampProbability(1.0 - selec - nullfrac);
  return selec;
}

/* A string's position on a scale of [rangelo, rangehi] characters
 * (convert_one_string_to_scalar). */
double StringToScalar(std::string_view s, int rangelo, int rangehi) {
  size_t len = std::min<size_t>(s.size(), 12);
  if (len == 0) return 0.0;
  double base = rangehi - rangelo + 1;
  double num = 0.0;
  double denom = base;
  for (size_t i = 0; i < len; ++i) {
    int ch = static_cast<unsigned char>(s[i]);
    if (ch < rangelo) ch = rangelo - 1;
    else if (ch > rangehi) ch = rangehi + 1;
    num += static_cast<double>(ch - rangelo) / denom;
    denom *= base;
  }
  return num;
}

bool NumberOf(const storage::Datum& d, TypeId type, double* out) {
  if (const auto* i = std::get_if<int64_t>(&d)) {
    *out = static_cast<double>(*i);
    return true;
  }
  if (const auto* f = std::get_if<double>(&d)) {
    *out = *f;
    return true;
  }
  if (const auto* b = std::get_if<bool>(&d)) {
    *out = *b ? 1.0 : 0.0;
    return true;
  }
  if (const auto* n = std::get_if<storage::Numeric>(&d); n != nullptr && type == TypeId::kNumeric) {
    *out = std::stod(OutputText(d, type));
    return true;
  }
  return false;
}

/* The constant and a histogram bucket's bounds on one numeric scale
 * (convert_to_scalar): numbers and times as they are, strings by their
 * characters after the prefix all three share. */
bool ConvertToScalar(const storage::Datum& value, TypeId vtype, const storage::Datum& lo, const storage::Datum& hi,
                     TypeId htype, double* val, double* low, double* high) {
  if (IsStringType(vtype) && IsStringType(htype)) {
    const auto* v = std::get_if<std::string>(&value);
    const auto* l = std::get_if<std::string>(&lo);
    const auto* h = std::get_if<std::string>(&hi);
    if (v == nullptr || l == nullptr || h == nullptr) return false;
    int rangelo = h->empty() ? 0 : static_cast<unsigned char>((*h)[0]);
    int rangehi = rangelo;
    for (const std::string* s : {l, h}) {
      for (char c : *s) {
        rangelo = std::min(rangelo, static_cast<int>(static_cast<unsigned char>(c)));
        rangehi = std::max(rangehi, static_cast<int>(static_cast<unsigned char>(c)));
      }
    }
    for (auto [a, z] : {std::pair{'A', 'Z'}, std::pair{'a', 'z'}, std::pair{'0', '9'}}) {
      if (rangelo <= z && rangehi >= a) {
        rangelo = std::min(rangelo, static_cast<int>(a));
        rangehi = std::max(rangehi, static_cast<int>(z));
      }
    }
    if (rangehi - rangelo < 9) {
      rangelo = ' ';
      rangehi = 127;
    }
    size_t p = 0;
    while (p < l->size() && p < h->size() && p < v->size() && (*l)[p] == (*h)[p] && (*l)[p] == (*v)[p]) ++p;
    *val = StringToScalar(std::string_view(*v).substr(p), rangelo, rangehi);
    *low = StringToScalar(std::string_view(*l).substr(p), rangelo, rangehi);
    *high = StringToScalar(std::string_view(*h).substr(p), rangelo, rangehi);
    return true;
  }
  return NumberOf(value, vtype, val) && NumberOf(lo, htype, low) && NumberOf(hi, htype, high);
}

/* The share of the histogram's values below (or above) c
 * (ineq_histogram_selectivity), -1 without a histogram. */
double IneqHistogramSelectivity(const VarData& v, bool isgt, bool iseq, const Expr& c) {
  const std::vector<storage::Datum>& hist = v.stats->histogram();
  if (hist.size() < 2) return -1.0;
  TypeId type = v.stats->type;
  size_t lobound = 0;
  size_t hibound = hist.size();
  while (lobound < hibound) {
    size_t probe = (lobound + hibound) / 2;
    int cmp = CompareValues(hist[probe], type, c.value, c.type);
    bool ltcmp = isgt == iseq ? cmp < 0 : cmp <= 0;
    if (ltcmp) lobound = probe + 1;
    else hibound = probe;
  }
  double histfrac = 0;
  auto nvalues = static_cast<double>(hist.size());
  if (lobound == 0) {
    histfrac = 0.0;
  } else if (lobound >= hist.size()) {
    histfrac = 1.0;
  } else {
    size_t i = lobound;
    double eq_selec = 0;
    if (i == 1 || isgt == iseq) {
      double otherdistinct = VariableNumDistinct(v) - static_cast<double>(v.stats->mcv().size());
      if (otherdistinct > 1) eq_selec = 1.0 / otherdistinct;
    }
    double val = 0;
    double low = 0;
    double high = 0;
    double binfrac = 0.5;
    if (ConvertToScalar(c.value, c.type, hist[i - 1], hist[i], type, &val, &low, &high)) {
      if (high <= low) binfrac = 0.5;
      else if (val <= low) binfrac = 0.0;
      else if (val >= high) binfrac = 1.0;
      else {
        binfrac = (val - low) / (high - low);
        if (std::isnan(binfrac) || binfrac < 0.0 || binfrac > 1.0) binfrac = 0.5;
      }
    }
    histfrac = (static_cast<double>(i - 1) + binfrac) / (nvalues - 1);
    if (i == 1) histfrac += eq_selec * (1.0 - binfrac);
    if (isgt == iseq) histfrac -= eq_selec;
  }
  double hist_selec = isgt ? 1.0 - histfrac : histfrac;
  double cutoff = 0.01 / (nvalues - 1);
  return std::clamp(hist_selec, cutoff, 1.0 - cutoff);
}

/* x < c, x <= c, x > c, x >= c (scalarineqsel). */
double ScalarIneqSel(const VarData& v, bool isgt, bool iseq, const Expr& c) {
  if (v.stats == nullptr || std::holds_alternative<std::monostate>(c.value)) return kDefaultIneqSel;
  double mcv_selec = 0;
  double sumcommon = 0;
  const std::vector<double>& freqs = v.stats->stats->mcv_freqs;
  for (size_t i = 0; i < v.stats->mcv().size(); ++i) {
    int cmp = CompareValues(v.stats->mcv()[i], v.stats->type, c.value, c.type);
    bool ok = isgt ? (iseq ? cmp >= 0 : cmp > 0) : (iseq ? cmp <= 0 : cmp < 0);
    sumcommon += freqs[i];
    if (ok) mcv_selec += freqs[i];
  }
  double hist_selec = IneqHistogramSelectivity(v, isgt, iseq, c);
  double selec = 1.0 - NullFrac(v) - sumcommon;
  selec *= hist_selec >= 0.0 ? hist_selec : 0.5;
  return ClampProbability(selec + mcv_selec);
}

/* x = y between two tables (eqjoinsel, inner join). */
double EqJoinSel(const VarData& v1, const VarData& v2) {
  double nd1 = VariableNumDistinct(v1);
  double nd2 = VariableNumDistinct(v2);
  double nullfrac1 = NullFrac(v1);
  double nullfrac2 = NullFrac(v2);
  bool mcvs = v1.stats != nullptr && v2.stats != nullptr && !v1.stats->mcv().empty() && !v2.stats->mcv().empty();
  if (!mcvs) {
    double selec = (1.0 - nullfrac1) * (1.0 - nullfrac2);
    return ClampProbability(selec / std::max(nd1, nd2));
  }
  const std::vector<storage::Datum>& m1 = v1.stats->mcv();
  const std::vector<storage::Datum>& m2 = v2.stats->mcv();
  const std::vector<double>& f1 = v1.stats->stats->mcv_freqs;
  const std::vector<double>& f2 = v2.stats->stats->mcv_freqs;
  std::vector<bool> hasmatch1(m1.size(), false);
  std::vector<bool> hasmatch2(m2.size(), false);
  double matchprodfreq = 0;
  double nmatches = 0;
  for (size_t i = 0; i < m1.size(); ++i) {
    for (size_t j = 0; j < m2.size(); ++j) {
      if (hasmatch2[j] || CompareValues(m1[i], v1.stats->type, m2[j], v2.stats->type) != 0) continue;
      hasmatch1[i] = hasmatch2[j] = true;
      matchprodfreq += f1[i] * f2[j];
      nmatches += 1;
      break;
    }
  }
  matchprodfreq = ClampProbability(matchprodfreq);
  auto sums = [](const std::vector<double>& f, const std::vector<bool>& has, double* matched, double* unmatched) {
    *matched = *unmatched = 0;
    for (size_t i = 0; i < f.size(); ++i) (has[i] ? *matched : *unmatched) += f[i];
    *matched = ClampProbability(*matched);
    *unmatched = ClampProbability(*unmatched);
  };
  double matchfreq1 = 0;
  double unmatchfreq1 = 0;
  double matchfreq2 = 0;
  double unmatchfreq2 = 0;
  sums(f1, hasmatch1, &matchfreq1, &unmatchfreq1);
  sums(f2, hasmatch2, &matchfreq2, &unmatchfreq2);
  double otherfreq1 = ClampProbability(1.0 - nullfrac1 - matchfreq1 - unmatchfreq1);
  double otherfreq2 = ClampProbability(1.0 - nullfrac2 - matchfreq2 - unmatchfreq2);
  auto n1 = static_cast<double>(m1.size());
  auto n2 = static_cast<double>(m2.size());
  double totalsel1 = matchprodfreq;
  if (nd2 > n2) totalsel1 += unmatchfreq1 * otherfreq2 / (nd2 - n2);
  if (nd2 > nmatches) totalsel1 += otherfreq1 * (otherfreq2 + unmatchfreq2) / (nd2 - nmatches);
  double totalsel2 = matchprodfreq;
  if (nd1 > n1) totalsel2 += unmatchfreq2 * otherfreq1 / (nd1 - n1);
  if (nd1 > nmatches) totalsel2 += otherfreq2 * (otherfreq1 + unmatchfreq1) / (nd1 - nmatches);
  return ClampProbability(std::min(totalsel1, totalsel2));
}

/* a = b, a <> b. */
double EqualitySelectivity(const Expr& e, bool negate) {
  const Expr& l = *e.args[0];
  const Expr& r = *e.args[1];
  bool lvars = HasVars(l);
  bool rvars = HasVars(r);
  if (lvars && rvars) {  // a join clause
    double s = EqJoinSel(Examine(l), Examine(r));
    return negate ? 1.0 - s : s;
  }
  if (!lvars && !rvars) return negate ? 1.0 - kDefaultEqSel : kDefaultEqSel;
  VarData v = Examine(lvars ? l : r);
  const Expr& other = lvars ? r : l;
  if (other.kind == ExprKind::kConst) return VarEqConst(v, other, negate);
  return VarEqNonConst(v, negate);
}

/* x op c for < <= > >= (either side the column). */
double InequalitySelectivity(const Expr& e) {
  std::string_view op = e.op->name;
  bool isgt = op[0] == '>';
  bool iseq = op.size() == 2;
  const Expr* var = e.args[0].get();
  const Expr* other = e.args[1].get();
  if (!HasVars(*var)) {
    std::swap(var, other);
    isgt = !isgt;  // c < x is x > c
  }
  if (HasVars(*other) || other->kind != ExprKind::kConst) return kDefaultIneqSel;
  return ScalarIneqSel(Examine(*var), isgt, iseq, *other);
}

bool IsRangeOp(const Expr& e, bool* lower) {
  if (e.kind != ExprKind::kOp || e.op == nullptr || e.args.size() != 2) return false;
  std::string_view op = e.op->name;
  if (op != "<" && op != "<=" && op != ">" && op != ">=") return false;
  bool var_left = e.args[0]->kind == ExprKind::kVar;
  if (!var_left && e.args[1]->kind != ExprKind::kVar) return false;
  if (HasVars(*e.args[var_left ? 1 : 0])) return false;  // a join clause
  bool greater = op[0] == '>';
  *lower = greater == var_left;  // `x > c` or `c < x`: a lower bound on x
  return true;
}

const Expr& RangeVar(const Expr& e) { return e.args[0]->kind == ExprKind::kVar ? *e.args[0] : *e.args[1]; }

/* x = ANY (list), x <> ALL (list): each element's equality, added when
 * they are disjoint (scalararraysel). */
double ScalarArraySelectivity(const Expr& e) {
  if (e.args.empty()) return kDefaultIneqSel;
  std::string_view op = e.op != nullptr ? e.op->name : "=";
  bool use_or = !e.negated;
  bool is_equality = op == "=";
  bool is_inequality = op == "<>";
  double s1 = use_or ? 0.0 : 1.0;
  double s1disjoint = s1;
  for (size_t i = 1; i < e.args.size(); ++i) {
    double s2 = 0;
    const Expr& elem = *e.args[i];
    VarData v = Examine(*e.args[0]);
    if (is_equality || is_inequality) {
      s2 = elem.kind == ExprKind::kConst ? VarEqConst(v, elem, is_inequality) : VarEqNonConst(v, is_inequality);
    } else {
      s2 = kDefaultIneqSel;
    }
    if (use_or) {
      s1 = s1 + s2 - s1 * s2;
      if (is_equality) s1disjoint += s2;
    } else {
      s1 = s1 * s2;
      if (is_inequality) s1disjoint += s2 - 1.0;
    }
  }
  if ((use_or ? is_equality : is_inequality) && s1disjoint >= 0.0 && s1disjoint <= 1.0) s1 = s1disjoint;
  return ClampProbability(s1);
}

}  // namespace

RelTuplesScope::RelTuplesScope(const Plan* a, const Plan* b) {
  if (g_rels != nullptr) return;
  for (const Plan* p : {a, b}) {
    if (p != nullptr) CollectRelTuples(*p, rels_);
  }
  g_rels = &rels_;
  owner_ = true;
}

RelTuplesScope::~RelTuplesScope() {
  if (owner_) g_rels = nullptr;
}

const RelTuples* RelTuplesScope::Suspend() {
  const RelTuples* outer = g_rels;
  g_rels = nullptr;
  return outer;
}

void RelTuplesScope::Resume(const RelTuples* rels) { g_rels = rels; }

double NumDistinct(const Expr& e, bool* is_default) {
  bool isdefault = false;
  double n = VariableNumDistinct(Examine(e), &isdefault);
  if (is_default != nullptr) *is_default = isdefault;
  return n;
}

double AndSelectivity(const std::vector<const Expr*>& clauses) {
  double s = 1.0;
  std::vector<bool> paired(clauses.size(), false);
  for (size_t i = 0; i < clauses.size(); ++i) {
    bool lower_i = false;
    if (paired[i] || !IsRangeOp(*clauses[i], &lower_i)) continue;
    const Expr& v = RangeVar(*clauses[i]);
    for (size_t j = i + 1; j < clauses.size(); ++j) {
      bool lower_j = false;
      if (paired[j] || !IsRangeOp(*clauses[j], &lower_j) || lower_i == lower_j) continue;
      const Expr& w = RangeVar(*clauses[j]);
      if (w.rtindex != v.rtindex || w.attno != v.attno || w.levels_up != v.levels_up || w.source != v.source) continue;
      paired[i] = paired[j] = true;
      double lo = ClauseSelectivity(*clauses[lower_i ? i : j]);
      double hi = ClauseSelectivity(*clauses[lower_i ? j : i]);
      double s2 = kDefaultRangeIneqSel;
      if (lo != kDefaultIneqSel && hi != kDefaultIneqSel) {
        s2 = hi + lo - 1.0 + NullFrac(Examine(v));  // NULLs were left out by both
        if (s2 <= 0.0) s2 = s2 < -0.01 ? kDefaultRangeIneqSel : 1.0e-10;
      }
      s *= s2;
      break;
    }
  }
  for (size_t i = 0; i < clauses.size(); ++i) {
    if (!paired[i]) s *= ClauseSelectivity(*clauses[i]);
  }
  return s;
}

double ClauseSelectivity(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kBool: {
      if (e.bool_op == BoolOpKind::kNot) return 1.0 - ClauseSelectivity(*e.args[0]);
      if (e.bool_op == BoolOpKind::kAnd) {
        std::vector<const Expr*> clauses;
        for (const ExprPtr& a : e.args) clauses.push_back(a.get());
        return AndSelectivity(clauses);
      }
      double s = 0.0;
      for (const ExprPtr& a : e.args) {
        double x = ClauseSelectivity(*a);
        s = s + x - s * x;
      }
      return s;
    }
    case ExprKind::kOp: {
      std::string_view op = e.op != nullptr ? e.op->name : "";
      if (e.args.size() != 2) return 0.5;
      if (op == "=") return EqualitySelectivity(e, false);
      if (op == "<>") return EqualitySelectivity(e, true);
      if (op == "<" || op == ">" || op == "<=" || op == ">=") return InequalitySelectivity(e);
      if (op.find('~') != std::string_view::npos) return kDefaultEqSel;  // LIKE, regular expressions
      return 0.5;
    }
    case ExprKind::kScalarArrayOp:
      return ScalarArraySelectivity(e);
    case ExprKind::kNullTest: {
      VarData v = e.args.empty() ? VarData{} : Examine(*e.args[0]);
      if (v.stats == nullptr) return e.negated ? 1.0 - kDefaultUnkSel : kDefaultUnkSel;
      double nullfrac = v.stats->stats->null_frac;
      return e.negated ? 1.0 - nullfrac : nullfrac;
    }
    case ExprKind::kConst:
      if (const bool* b = std::get_if<bool>(&e.value)) return *b ? 1.0 : 0.0;
      return 0.0;
    case ExprKind::kVar:
      return 0.5;
    default:
      return kDefaultIneqSel;
  }
}

double EstimateNumGroups(const std::vector<const Expr*>& keys, double input_rows) {
  input_rows = ClampRows(input_rows);
  if (keys.empty()) return 1.0;
  struct GroupVar {
    const Expr* var;
    const RelInfo* rel;
    double ndistinct;
  };
  std::vector<GroupVar> varinfos;
  auto add = [&](const Expr& var) {
    VarData v = Examine(var);
    double nd = VariableNumDistinct(v);
    for (const GroupVar& g : varinfos) {
      if (g.var->rtindex == var.rtindex && g.var->attno == var.attno && g.var->source == var.source &&
          g.var->levels_up == var.levels_up) {
        return;
      }
    }
    varinfos.push_back({&var, v.rel, nd});
  };
  double numdistinct = 1.0;
  for (const Expr* key : keys) {
    if (key->type == TypeId::kBool) {
      numdistinct *= 2.0;
      continue;
    }
    if (key->kind == ExprKind::kVar) {
      add(*key);
      continue;
    }
    std::vector<const Expr*> vars;
    WalkExpr(const_cast<Expr&>(*key), [&](Expr& n) {
      if (n.kind == ExprKind::kVar) vars.push_back(&n);
    });
    for (const Expr* v : vars) add(*v);
  }
  std::vector<bool> done(varinfos.size(), false);
  for (size_t first = 0; first < varinfos.size(); ++first) {
    if (done[first]) continue;
    const RelInfo* rel = varinfos[first].rel;
    double reldistinct = 1;
    double relmaxndistinct = 1;
    int relvarcount = 0;
    for (size_t k = first; k < varinfos.size(); ++k) {
      if (done[k] || varinfos[k].rel != rel || (rel == nullptr && k != first)) continue;
      done[k] = true;
      reldistinct *= varinfos[k].ndistinct;
      relmaxndistinct = std::max(relmaxndistinct, varinfos[k].ndistinct);
      ++relvarcount;
    }
    if (rel != nullptr && rel->tuples > 0) {
      double clamp = rel->tuples;
      if (relvarcount > 1) {
        clamp *= 0.1;
        if (clamp < relmaxndistinct) clamp = std::min(relmaxndistinct, rel->tuples);
      }
      reldistinct = std::min(reldistinct, clamp);
      double rows = RelRows(*rel);
      if (reldistinct > 0 && rows >= 0 && rows < rel->tuples) {
        reldistinct *= 1 - std::pow((rel->tuples - rows) / rel->tuples, rel->tuples / reldistinct);
      }
      reldistinct = ClampRows(reldistinct);
    }
    numdistinct *= reldistinct;
  }
  numdistinct = std::ceil(numdistinct);
  return std::clamp(numdistinct, 1.0, input_rows);
}

int ExprWidth(const Expr& e) {
  // The junk ctid of UPDATE, DELETE and FOR UPDATE (a bigint here): a tid's 6 bytes.
  if (e.kind == ExprKind::kVar && e.type == TypeId::kInt8 && e.colname == "ctid") return 6;
  if (e.kind == ExprKind::kVar) {
    VarData v = Examine(e);
    if (v.stats != nullptr && v.stats->stats->width > 0) return v.stats->stats->width;
  }
  return TypeWidth(e.type, e.typmod);
}

double IndexCorrelation(const Plan& scan) {
  if (!scan.index || scan.index->key_attnums.empty()) return 0;
  const RelInfo* rel = FindRel(scan.scanrelid);
  if (rel == nullptr) return 0;
  const ParsedStats* p = ParseStats(*rel, scan.index->key_attnums[0] - 1);
  if (p == nullptr || !p->stats->has_correlation) return 0;
  double c = p->stats->correlation;
  return scan.index->key_attnums.size() > 1 ? c * 0.75 : c;
}

double HashBucketFraction(const Expr& key, double inner_rows) {
  double nbuckets = std::max(1024.0, std::ceil(inner_rows));
  nbuckets = std::exp2(std::ceil(std::log2(nbuckets)));  // the executor's power of two
  VarData v = Examine(key);
  bool isdefault = false;
  double ndistinct = VariableNumDistinct(v, &isdefault);
  if (isdefault) return std::max(0.1, 1.0 / nbuckets);
  double mcv_freq = v.stats != nullptr && !v.stats->mcv().empty() ? v.stats->stats->mcv_freqs[0] : 0.0;
  double avgfreq = (1.0 - NullFrac(v)) / ndistinct;
  if (v.rel != nullptr && v.rel->tuples > 0 && RelRows(*v.rel) >= 0) {
    ndistinct = ClampRows(ndistinct * RelRows(*v.rel) / v.rel->tuples);
  }
  double estfract = ndistinct > nbuckets ? 1.0 / nbuckets : 1.0 / ndistinct;
  if (avgfreq > 0.0 && mcv_freq > avgfreq) estfract *= mcv_freq / avgfreq;
  return std::clamp(estfract, 1.0e-6, 1.0);
}

}  // namespace minipg::sql
