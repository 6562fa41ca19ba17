/*-------------------------------------------------------------------------
 * normalize.cpp
 *   Naming the numbers a run cannot repeat, dropping timing lines, and
 *   diffing outputs (normalize.h).
 *-------------------------------------------------------------------------
 */
#include "sim/isolation/normalize.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <functional>
#include <regex>

namespace minipg::sim::isolation {
namespace {

std::string PidName(const std::string& number, const std::vector<SessionPid>& pids) {
  for (const SessionPid& p : pids) {
    if (std::to_string(p.pid) == number) return "PID(" + p.session + ")";
  }
  return "PID";
}

/* Replaces every match of `re` by what `with` makes of it. */
std::string ReplaceAll(const std::string& text, const std::regex& re,
                       const std::function<std::string(const std::smatch&)>& with) {
  std::string out;
  auto last = text.cbegin();
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) {
    out.append(last, (*it)[0].first);
    out += with(*it);
    last = (*it)[0].second;
  }
  out.append(last, text.cend());
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string NormalizeMessage(std::string_view text, const std::vector<SessionPid>& pids) {
  static const std::regex process(R"(\b([Pp]rocess) (\d+)\b)");
  static const std::regex vxid(R"(\b(virtual transaction) (\d+/\d+))");
  static const std::regex xid(R"(\b(transaction) (\d+)\b)");
  static const std::regex oid(R"(\b(relation|database|object|class) (\d+)\b)");
  std::string out =
      ReplaceAll(std::string(text), process, [&](const std::smatch& m) { return m[1].str() + " " + PidName(m[2], pids); });
  out = ReplaceAll(out, vxid, [](const std::smatch& m) { return m[1].str() + " VXID"; });
  out = ReplaceAll(out, xid, [](const std::smatch& m) { return m[1].str() + " XID"; });
  return ReplaceAll(out, oid, [](const std::smatch& m) { return m[1].str() + " OID"; });
}

std::string NormalizeCell(std::string_view column, std::string_view value, const std::vector<SessionPid>& pids) {
  static const std::regex number(R"(\d+)");
  static const std::regex vxid_value(R"(\d+/\d+)");
  std::string name = Lower(column);
  std::string text(value);
  if (name.find("pid") != std::string::npos) {
    return ReplaceAll(text, number, [&](const std::smatch& m) { return PidName(m[0], pids); });
  }
  if (name == "virtualxid" || name == "virtualtransaction") {
    return ReplaceAll(text, vxid_value, [](const std::smatch&) { return std::string("VXID"); });
  }
  bool is_xid = name == "transactionid" || EndsWith(name, "xid") || EndsWith(name, "xmin") || EndsWith(name, "xmax");
  bool is_oid = name == "database" || name == "objid" || name == "classid";
  if (!is_xid && !is_oid) return text;
  // Zero (no transaction, a shared object) is the same everywhere and says something.
  return ReplaceAll(text, number, [&](const std::smatch& m) {
    return m[0].str() == "0" ? std::string("0") : std::string(is_xid ? "XID" : "OID");
  });
}

bool IsTimingLine(std::string_view line) {
  static constexpr std::array<std::string_view, 8> kPrefixes = {
      "removable cutoff:", "new relfrozenxid:", "new relminmxid:", "I/O timings:",
      "avg read rate:",    "buffer usage:",     "WAL usage:",      "system usage:"};
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  return std::any_of(kPrefixes.begin(), kPrefixes.end(),
                     [&](std::string_view p) { return line.substr(0, p.size()) == p; });
}

std::string DiffLines(std::string_view expected, std::string_view actual) {
  auto split = [](std::string_view text) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
      size_t nl = text.find('\n', start);
      if (nl == std::string_view::npos) nl = text.size();
      lines.emplace_back(text.substr(start, nl - start));
      start = nl + 1;
    }
    return lines;
  };
  std::vector<std::string> a = split(expected), b = split(actual);
  // Longest common subsequence, from the end, so the walk below goes forward.
  std::vector<std::vector<int>> lcs(a.size() + 1, std::vector<int>(b.size() + 1, 0));
  for (size_t i = a.size(); i-- > 0;) {
    for (size_t j = b.size(); j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  struct Line {
    char mark;
    const std::string* text;
  };
  std::vector<Line> script;
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      script.push_back({' ', &a[i++]});
      ++j;
    } else if (i < a.size() && (j == b.size() || lcs[i + 1][j] >= lcs[i][j + 1])) {
      script.push_back({'-', &a[i++]});
    } else {
      script.push_back({'+', &b[j++]});
    }
  }
  constexpr size_t kContext = 2;
  std::vector<bool> shown(script.size(), false);
  for (size_t k = 0; k < script.size(); ++k) {
    if (script[k].mark == ' ') continue;
    size_t from = k >= kContext ? k - kContext : 0;
    for (size_t m = from; m < script.size() && m <= k + kContext; ++m) shown[m] = true;
  }
  std::string out;
  bool gap = false;
  for (size_t k = 0; k < script.size(); ++k) {
    if (!shown[k]) {
      gap = true;
      continue;
    }
    if (gap && !out.empty()) out += "@@\n";
    gap = false;
    out += fmt::format("{}{}\n", script[k].mark, *script[k].text);
  }
  return out;
}

}  // namespace minipg::sim::isolation
