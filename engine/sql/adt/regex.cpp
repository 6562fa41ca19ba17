/*-------------------------------------------------------------------------
 * regex.cpp
 *   Regular expressions: the operators ~, ~*, !~, !~* on text, name and
 *   bpchar, regexp_replace, and substring(text from pattern), with
 *   PostgreSQL 15's OIDs, on PCRE2.
 *
 *   PostgreSQL's regular expressions are Henry Spencer's ARE; PCRE2 reads
 *   the same syntax for everything catalog queries and common use send
 *   ('^(pg_catalog)$', '[[:alpha:]]+', '(?i)x', '\d'). The ARE-only
 *   escapes are translated first: \m \M (start / end of a word), \y \Y
 *   (word boundary or not), [[:<:]] [[:>:]], and a leading ***= (the rest
 *   is literal).
 *
 * NOTES
 *   Every match runs with PCRE2's match and depth limits, so no pattern
 *   or text can make a backend spin or overflow its stack: past them the
 *   statement fails with 2201B. Compiled patterns are cached per process
 *   (a few dozen, evicted oldest first).
 *-------------------------------------------------------------------------
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <deque>
#include <memory>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/sql/adt/function_args.h"

namespace minipg::sql::adt {
namespace {

constexpr uint32_t kMatchLimit = 10'000'000;   // backtracking steps per match
constexpr uint32_t kDepthLimit = 10'000;       // nested backtracking frames (heap, not stack)
constexpr size_t kCacheSize = 32;

struct CodeDeleter {
  void operator()(pcre2_code* c) const { pcre2_code_free(c); }
};
using Code = std::shared_ptr<pcre2_code>;

struct CacheEntry {
  std::string pattern;
  bool caseless;
  Code code;
};

std::deque<CacheEntry>& Cache() {
  static std::deque<CacheEntry> cache;
  return cache;
}

/* The ARE-only escapes in PCRE's words. */
std::string TranslateAre(std::string_view are) {
  if (are.substr(0, 4) == "***=") {
    return "\\Q" + std::string(are.substr(4)) + "\\E";
  }
  std::string out;
  for (size_t i = 0; i < are.size(); ++i) {
    if (are.substr(i, 7) == "[[:<:]]") {
      out += "\\b(?=\\w)";
      i += 6;
    } else if (are.substr(i, 7) == "[[:>:]]") {
      out += "\\b(?<=\\w)";
      i += 6;
    } else if (are[i] == '\\' && i + 1 < are.size()) {
      char e = are[i + 1];
      if (e == 'm') out += "\\b(?=\\w)";
      else if (e == 'M') out += "\\b(?<=\\w)";
      else if (e == 'y') out += "\\b";
      else if (e == 'Y') out += "\\B";
      else out += are.substr(i, 2);
      ++i;
    } else {
      out += are[i];
    }
  }
  return out;
}

Result<Code> Compile(std::string_view pattern, bool caseless) {
  std::deque<CacheEntry>& cache = Cache();
  for (const CacheEntry& e : cache) {
    if (e.caseless == caseless && e.pattern == pattern) return e.code;
  }
  std::string translated = TranslateAre(pattern);
  int error = 0;
  PCRE2_SIZE offset = 0;
  uint32_t options = PCRE2_UTF | (caseless ? PCRE2_CASELESS : 0);
  pcre2_code* raw = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(), options,
                                  &error, &offset, nullptr);
  if (raw == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    return MakeError(sqlstate::kInvalidRegularExpression,
                     fmt::format("invalid regular expression: {}", reinterpret_cast<const char*>(message)));
  }
  Code code(raw, CodeDeleter{});
  if (cache.size() >= kCacheSize) cache.pop_front();
  cache.push_back({std::string(pattern), caseless, code});
  return code;
}

/* One match of `code` in text from `start`: the ovector's pairs, or
 * nullopt for no match; 2201B past the limits. */
using Groups = std::vector<std::pair<size_t, size_t>>;
Result<std::optional<Groups>> Match(const Code& code, std::string_view text, size_t start) {
  std::unique_ptr<pcre2_match_data, void (*)(pcre2_match_data*)> data(
      pcre2_match_data_create_from_pattern(code.get(), nullptr), &pcre2_match_data_free);
  std::unique_ptr<pcre2_match_context, void (*)(pcre2_match_context*)> context(pcre2_match_context_create(nullptr),
                                                                               &pcre2_match_context_free);
  pcre2_set_match_limit(context.get(), kMatchLimit);
  pcre2_set_depth_limit(context.get(), kDepthLimit);
  int rc = pcre2_match(code.get(), reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), start, 0, data.get(),
                       context.get());
  if (rc == PCRE2_ERROR_NOMATCH) return std::optional<Groups>();
  if (rc < 0) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(rc, message, sizeof message);
    return MakeError(sqlstate::kInvalidRegularExpression,
                     fmt::format("invalid regular expression: {}", reinterpret_cast<const char*>(message)));
  }
  PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data.get());
  Groups groups;
  uint32_t n = pcre2_get_ovector_count(data.get());
  for (uint32_t i = 0; i < n; ++i) groups.emplace_back(ov[2 * i], ov[2 * i + 1]);
  return std::optional<Groups>(std::move(groups));
}

}  // namespace

Result<bool> RegexMatches(std::string_view text, std::string_view pattern, bool caseless) {
  auto code = Compile(pattern, caseless);
  if (!code.ok()) return code.error();
  auto m = Match(*code, text, 0);
  if (!m.ok()) return m.error();
  return m->has_value();
}

namespace {

Result<Datum> RegexOp(const FunctionCall& c, bool caseless, bool negate) {
  auto m = RegexMatches(TextArg(c, 0), TextArg(c, 1), caseless);
  if (!m.ok()) return m.error();
  return Datum(*m != negate);
}
Result<Datum> RegexMatch(const FunctionCall& c) { return RegexOp(c, false, false); }
Result<Datum> RegexNotMatch(const FunctionCall& c) { return RegexOp(c, false, true); }
Result<Datum> RegexIMatch(const FunctionCall& c) { return RegexOp(c, true, false); }
Result<Datum> RegexNotIMatch(const FunctionCall& c) { return RegexOp(c, true, true); }

/* regexp_replace(source, pattern, replacement [, flags]): \1 .. \9 and \&
 * in the replacement name the groups and the whole match; flag g replaces
 * every match, i ignores case. */
Result<Datum> RegexpReplace(const FunctionCall& c) {
  std::string_view text = TextArg(c, 0), replacement = TextArg(c, 2);
  std::string_view flags = c.args.size() > 3 ? TextArg(c, 3) : std::string_view();
  bool global = false, caseless = false;
  for (char f : flags) {
    if (f == 'g') global = true;
    else if (f == 'i') caseless = true;
    else if (f != 'c') {
      return MakeError(sqlstate::kInvalidParameterValue, fmt::format("invalid regular expression option: \"{}\"", f));
    }
  }
  auto code = Compile(TextArg(c, 1), caseless);
  if (!code.ok()) return code.error();
  std::string out;
  size_t pos = 0;
  while (pos <= text.size()) {
    auto m = Match(*code, text, pos);
    if (!m.ok()) return m.error();
    if (!m->has_value()) break;
    const Groups& g = **m;
    out.append(text.substr(pos, g[0].first - pos));
    for (size_t i = 0; i < replacement.size(); ++i) {
      char ch = replacement[i];
      if (ch == '\\' && i + 1 < replacement.size()) {
        char n = replacement[++i];
        size_t group = n == '&' ? 0 : (n >= '1' && n <= '9') ? static_cast<size_t>(n - '0') : SIZE_MAX;
        if (group == SIZE_MAX) {
          out.push_back(n);  // \\ is one backslash, any other escaped character itself
        } else if (group < g.size() && g[group].first != PCRE2_UNSET) {
          out.append(text.substr(g[group].first, g[group].second - g[group].first));
        }
      } else {
        out.push_back(ch);
      }
    }
    size_t next = g[0].second;
    if (next == g[0].first) {  // an empty match: keep the next character and move past it
      if (next >= text.size()) {
        pos = text.size() + 1;
        break;
      }
      size_t step = BytesOfChars(text.substr(next), 1);
      out.append(text.substr(next, step));
      next += step;
    }
    pos = next;
    if (!global) break;
  }
  if (pos <= text.size()) out.append(text.substr(pos));
  return Datum(out);
}

/* substring(text from pattern): the first parenthesized group's match if
 * the pattern has one, else the whole match; NULL without a match. */
Result<Datum> SubstringPattern(const FunctionCall& c) {
  std::string_view text = TextArg(c, 0);
  auto code = Compile(TextArg(c, 1), false);
  if (!code.ok()) return code.error();
  auto m = Match(*code, text, 0);
  if (!m.ok()) return m.error();
  if (!m->has_value()) return Datum(std::monostate{});
  const Groups& g = **m;
  size_t group = g.size() > 1 ? 1 : 0;
  if (g[group].first == PCRE2_UNSET) return Datum(std::monostate{});
  return Datum(std::string(text.substr(g[group].first, g[group].second - g[group].first)));
}

}  // namespace

void RegisterRegexOperators(BuiltinRegistry& r) {
  r.operators.insert(r.operators.end(), {
      {639, "~", T::kName, T::kText, T::kBool, &RegexMatch, "", "!~", false, false},
      {640, "!~", T::kName, T::kText, T::kBool, &RegexNotMatch, "", "~", false, false},
      {641, "~", T::kText, T::kText, T::kBool, &RegexMatch, "", "!~", false, false},
      {642, "!~", T::kText, T::kText, T::kBool, &RegexNotMatch, "", "~", false, false},
      {1055, "~", T::kBpchar, T::kText, T::kBool, &RegexMatch, "", "!~", false, false},
      {1056, "!~", T::kBpchar, T::kText, T::kBool, &RegexNotMatch, "", "~", false, false},
      {1226, "~*", T::kName, T::kText, T::kBool, &RegexIMatch, "", "!~*", false, false},
      {1227, "!~*", T::kName, T::kText, T::kBool, &RegexNotIMatch, "", "~*", false, false},
      {1228, "~*", T::kText, T::kText, T::kBool, &RegexIMatch, "", "!~*", false, false},
      {1229, "!~*", T::kText, T::kText, T::kBool, &RegexNotIMatch, "", "~*", false, false},
      {1234, "~*", T::kBpchar, T::kText, T::kBool, &RegexIMatch, "", "!~*", false, false},
      {1235, "!~*", T::kBpchar, T::kText, T::kBool, &RegexNotIMatch, "", "~*", false, false},
  });
  const T kTx = T::kText;
  r.functions.insert(r.functions.end(), {
      {.oid = 2284, .name = "regexp_replace", .args = {kTx, kTx, kTx}, .result = kTx, .call = &RegexpReplace},
      {.oid = 2285, .name = "regexp_replace", .args = {kTx, kTx, kTx, kTx}, .result = kTx, .call = &RegexpReplace},
      {.oid = 2073, .name = "substring", .args = {kTx, kTx}, .result = kTx, .call = &SubstringPattern},
  });
}

}  // namespace minipg::sql::adt
