/*-------------------------------------------------------------------------
 * step_state.cpp
 *   A stepped backend's stops, from step_pause / step_resume (see
 *   step_state.h).
 *-------------------------------------------------------------------------
 */
#include "viz/model/step_state.h"

#include <fmt/format.h>

namespace minipg::viz {

const StepNode* StepInfo::Node(int64_t id) const {
  for (const StepNode& n : nodes) {
    if (n.id == id) return &n;
  }
  return nullptr;
}

std::string StepInfo::Describe() const {
  if (!last) return "";
  std::string out = last->point;
  if (last->node_id >= 0) {
    out += fmt::format(": {} [node {}], rows {}", last->node, last->node_id, last->rows);
  }
  if (!last->detail.empty()) out += (last->node_id >= 0 ? " | " : ": ") + last->detail;
  return out;
}

namespace {
/* Node `id` of `info`, added (with `title`) if new and there is room. */
StepNode* NodeFor(StepInfo& info, int64_t id, const std::string& title) {
  for (StepNode& m : info.nodes) {
    if (m.id == id) {
      if (m.title.empty()) m.title = title;
      return &m;
    }
  }
  if (info.nodes.size() >= kMaxStepNodes) return nullptr;
  info.nodes.push_back(StepNode{id, 0, title, ""});
  return &info.nodes.back();
}
}  // namespace

std::string ApplyStepEvent(StepInfo& info, const Event& ev, int64_t query_start_ts) {
  auto point = ev.Str("point");
  if (!point) return fmt::format("{} event has no string \"point\" field", ev.type_name);
  StepPoint p;
  p.point = *point;
  p.node_id = ev.Int("node_id").value_or(-1);
  p.node = ev.StrOr("node");
  p.rows = ev.Int("rows").value_or(0);
  p.detail = ev.StrOr("detail");
  p.ts = ev.ts;
  if (info.query_start_ts != query_start_ts) {
    info.nodes.clear();
    info.query_start_ts = query_start_ts;
  }
  if (ev.type == EventType::kStepResume) {
    info.paused = false;
    info.paused_us = ev.Int("paused_us").value_or(0);
    return "";
  }
  info.paused = true;
  ++info.pauses;
  std::string odd;
  if (const auto* live = ev.Field("nodes"); live != nullptr) {
    // The whole live plan at this stop, as minipg_query_state would read it.
    if (!live->is_array()) odd = "step_pause's \"nodes\" is not an array";
    for (const auto& item : live->is_array() ? *live : nlohmann::ordered_json::array()) {
      auto id = JsonInt(item, "id");
      if (!id) continue;
      if (StepNode* n = NodeFor(info, *id, "")) {
        n->rows = JsonInt(item, "rows").value_or(0);
        n->state = JsonStr(item, "state").value_or("");
      }
    }
  }
  if (p.node_id >= 0) {
    if (StepNode* n = NodeFor(info, p.node_id, p.node)) {
      n->rows = p.rows;
      if (p.point == "first row" || p.point == "row") n->state = "returned row";
      else if (p.point == "node end") n->state = "done";
    }
  }
  info.last = std::move(p);
  return odd;
}

std::optional<size_t> FindStepPause(TraceStore& store, size_t from, bool forward, int64_t pid) {
  std::optional<size_t> found;
  size_t begin = forward ? from : 0;
  size_t end = forward ? store.size() : from;
  // A cheap text test first: most lines are not step pauses.
  store.Read(begin, end, [&](size_t i, std::string_view line) {
    if (forward && found) return;
    if (line.find("\"step_pause\"") == std::string_view::npos) return;
    ParseResult r = ParseEvent(line);
    if (!r.event || r.event->type != EventType::kStepPause) return;
    if (pid != 0 && r.event->pid != pid) return;
    found = i;  // backward: the last one wins
  });
  return found;
}

}  // namespace minipg::viz
