/*-------------------------------------------------------------------------
 * stepping.cpp
 *   Parsing the live-stepping keywords (see stepping.h): `step NAME
 *   attach|next|detach` and the `NAME stopped [at POINT [NODE]]`
 *   condition.
 *-------------------------------------------------------------------------
 */
#include "sim/scenario/stepping.h"

#include <fmt/format.h>

#include <cctype>

namespace minipg::sim {

namespace {

constexpr const char* kSyntaxError = "42601";

Error Fail(std::string what) { return MakeError(kSyntaxError, std::move(what)); }

std::string Found(const std::vector<std::string>& w, size_t i) {
  return i < w.size() ? fmt::format("found \"{}\"", w[i]) : std::string("found the end of the line");
}

bool IsCount(const std::string& s) {
  if (s.empty() || s.size() > 6) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

const std::vector<std::string>& StepPointNames() {
  static const std::vector<std::string> kNames = {"parse",     "analyze",  "rewrite",   "plan",
                                                  "executor start", "first row", "row", "node end",
                                                  "page",      "lock wait", "commit",   "committed",
                                                  "error"};
  return kNames;
}

Result<Step> ParseStepLine(const std::vector<std::string>& w) {
  Step s;
  s.kind = StepKind::kStep;
  if (w.size() < 3) return Fail(fmt::format("expected \"step NAME attach|next|detach\", {}", Found(w, w.size())));
  s.target = w[1];
  s.text = w[2];
  if (w[2] == "attach") {
    s.mode = "row";
    if (w.size() >= 4) {
      if (w[3] != "stage" && w[3] != "node" && w[3] != "row" && w[3] != "page") {
        return Fail(fmt::format("expected a granularity: stage, node, row or page, found \"{}\"", w[3]));
      }
      s.mode = w[3];
    }
    if (w.size() > 4) return Fail(fmt::format("unexpected \"{}\"", w[4]));
    return s;
  }
  if (w[2] == "next") {
    s.count = 1;
    if (w.size() >= 4) {
      if (!IsCount(w[3]) || std::stoll(w[3]) < 1) {
        return Fail(fmt::format("expected how many step points (1 or more), found \"{}\"", w[3]));
      }
      s.count = std::stoll(w[3]);
    }
    if (w.size() > 4) return Fail(fmt::format("unexpected \"{}\"", w[4]));
    return s;
  }
  if (w[2] == "detach") {
    if (w.size() > 3) return Fail(fmt::format("\"step NAME detach\" takes nothing after it, found \"{}\"", w[3]));
    return s;
  }
  return Fail(fmt::format("expected attach, next or detach after \"step {}\", found \"{}\"", w[1], w[2]));
}

Status ParseStoppedCondition(const std::vector<std::string>& w, size_t at, Condition& c) {
  c.kind = Condition::Kind::kStopped;
  size_t i = at + 1;
  if (i == w.size()) return OkStatus();  // stopped anywhere
  if (w[i] != "at") return Fail(fmt::format("expected \"stopped\" or \"stopped at POINT [NODE]\", {}", Found(w, i)));
  ++i;
  // The longest point name that the next words spell ("first row" before "row").
  size_t best_words = 0;
  for (const std::string& name : StepPointNames()) {
    size_t n = name.find(' ') == std::string::npos ? 1 : 2;
    if (i + n > w.size()) continue;
    std::string spelled = n == 1 ? w[i] : w[i] + " " + w[i + 1];
    if (spelled == name && n > best_words) {
      best_words = n;
      c.text = name;
    }
  }
  if (best_words == 0) {
    std::string names;
    for (const std::string& name : StepPointNames()) names += (names.empty() ? "" : ", ") + name;
    return Fail(fmt::format("expected a step point ({}), {}", names, Found(w, i)));
  }
  i += best_words;
  for (; i < w.size(); ++i) c.node += (c.node.empty() ? "" : " ") + w[i];
  if (c.node.size() >= 2 && c.node.front() == '"' && c.node.back() == '"') c.node = c.node.substr(1, c.node.size() - 2);
  if (c.node == "\"") return Fail("expected a node's title after the quote");
  return OkStatus();
}

}  // namespace minipg::sim
