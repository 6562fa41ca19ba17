/*-------------------------------------------------------------------------
 * explain.cpp
 *   EXPLAIN's text and JSON formats (see explain.h). The tree is walked
 *   depth-first from PlannedStmt::nodes; a node's depth decides its
 *   indentation ("->  " under its parent, details six columns further).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/explain.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>

#include "engine/sql/types.h"

namespace minipg::sql {

namespace {

/* A sink that counts and drops rows (EXPLAIN ANALYZE). */
class DiscardSink : public ResultSink {
 public:
  void Describe(const std::vector<ColumnDesc>&) override {}
  void Row(const std::vector<std::optional<std::string>>&) override {}
};

double PerLoop(double v, int64_t loops) { return loops > 0 ? v / static_cast<double>(loops) : 0; }

/* The first line's name and "on" part with VERBOSE's schema qualification. */
std::string NodeTitle(const Plan& n, bool verbose) {
  std::string title = n.Title();
  if (verbose && (n.kind == PlanKind::kSeqScan || n.kind == PlanKind::kIndexScan ||
                  n.kind == PlanKind::kIndexOnlyScan || n.kind == PlanKind::kBitmapHeapScan)) {
    size_t on = title.find(" on ");
    if (on != std::string::npos) title.insert(on + 4, "public.");
  }
  return title;
}

std::vector<std::string> NodeDetails(const ExplainStmt& o, const PlannedStmt& plan, const Plan& n,
                                     const NodeInstrumentation* in) {
  std::vector<std::string> out;
  bool qualify = plan.qualify || o.verbose;
  if (o.verbose && !n.targetlist.empty() && n.kind != PlanKind::kModifyTable) {
    std::string cols;
    // Prefixed only with more than one relation (PostgreSQL's show_plan_tlist).
    for (const ExprPtr& e : n.targetlist) cols += (cols.empty() ? "" : ", ") + DeparseExpr(*e, plan.qualify);
    out.push_back("Output: " + cols);
  }
  for (const std::string& line : n.Details(qualify)) {
    out.push_back(line);
    if (in == nullptr || in->loops == 0) continue;
    // The counts follow the condition they are about, as PostgreSQL prints them.
    if (line.rfind("Join Filter: ", 0) == 0 && (in->join_filtered > 0 || o.json)) {
      out.push_back(fmt::format("Rows Removed by Join Filter: {:.0f}",
                                PerLoop(static_cast<double>(in->join_filtered), in->loops)));
    }
    if (line.rfind("Filter: ", 0) == 0 && (in->filtered > 0 || o.json)) {
      out.push_back(fmt::format("Rows Removed by Filter: {:.0f}", PerLoop(static_cast<double>(in->filtered), in->loops)));
    }
  }
  if (in != nullptr && in->loops > 0) {
    for (const std::string& note : in->notes) out.push_back(note);
  }
  return out;
}

std::string BufferLine(const NodeInstrumentation& in) {
  if (in.shared_hit == 0 && in.shared_read == 0) return "";
  std::string line = "Buffers: shared";
  if (in.shared_hit > 0) line += fmt::format(" hit={}", in.shared_hit);
  if (in.shared_read > 0) line += fmt::format(" read={}", in.shared_read);
  return line;
}

/* A node's line ("->  " at `indent`, none for the root), its details,
 * its InitPlans and CTEs, children and SubPlans, in PostgreSQL's order. */
void TextNode(const ExplainStmt& o, const ExplainInput& input, const Plan& n, size_t indent, bool root,
              std::vector<std::string>& out) {
  std::string line = root ? "" : std::string(indent, ' ') + "->  ";
  line += NodeTitle(n, o.verbose);
  if (o.costs) {
    line += fmt::format("  (cost={:.2f}..{:.2f} rows={:.0f} width={})", n.startup_cost, n.total_cost, n.rows, n.width);
  }
  const NodeInstrumentation* in = input.instr != nullptr ? &(*input.instr)[static_cast<size_t>(n.id)] : nullptr;
  if (in != nullptr && in->loops == 0) {
    line += " (never executed)";
  } else if (in != nullptr) {
    double rows = PerLoop(static_cast<double>(in->rows), in->loops);
    if (o.timing) {
      line += fmt::format(" (actual time={:.3f}..{:.3f} rows={:.0f} loops={})",
                          PerLoop(in->startup_seconds * 1000, in->loops), PerLoop(in->total_seconds * 1000, in->loops),
                          rows, in->loops);
    } else {
      line += fmt::format(" (actual rows={:.0f} loops={})", rows, in->loops);
    }
  }
  out.push_back(std::move(line));
  size_t inner = root ? 2 : indent + 6;
  std::string pad(inner, ' ');
  for (const std::string& detail : NodeDetails(o, *input.plan, n, in)) out.push_back(pad + detail);
  if (o.buffers && in != nullptr) {
    if (std::string b = BufferLine(*in); !b.empty()) out.push_back(pad + b);
  }
  auto subplans = [&](bool init) {
    for (const auto& sp : n.subplans) {
      if (sp->initplan != init) continue;
      out.push_back(pad + SubPlanLabel(*sp));
      TextNode(o, input, *sp->plan, inner + 2, false, out);
    }
  };
  subplans(true);
  for (const Plan* child : n.Children()) TextNode(o, input, *child, inner, false, out);
  subplans(false);
}

std::vector<std::string> TextLines(const ExplainStmt& o, const ExplainInput& input) {
  std::vector<std::string> out;
  TextNode(o, input, *input.plan->root, 0, true, out);
  bool summary = o.summary.value_or(o.analyze);
  if (summary) out.push_back(fmt::format("Planning Time: {:.3f} ms", input.planning_ms));
  if (summary && o.analyze) out.push_back(fmt::format("Execution Time: {:.3f} ms", input.execution_ms));
  return out;
}

// ---- FORMAT JSON ------------------------------------------------------------

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

/* "a, f(b, c), d" -> its top-level items (Sort Key, Group Key lists). */
std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  int parens = 0;
  bool quoted = false;
  std::string item;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\'') quoted = !quoted;
    if (!quoted && c == '(') ++parens;
    if (!quoted && c == ')') --parens;
    if (!quoted && parens == 0 && c == ',' && i + 1 < s.size() && s[i + 1] == ' ') {
      out.push_back(item);
      item.clear();
      ++i;
      continue;
    }
    item += c;
  }
  out.push_back(item);
  return out;
}

/* Writes JSON with PostgreSQL's layout: two spaces per level. */
class JsonWriter {
 public:
  void Open(const std::string& key, char bracket) {
    Key(key);
    text_ += bracket;
    first_.push_back(true);
  }
  void Close(char bracket) {
    first_.pop_back();
    text_ += "\n" + Indent() + bracket;
  }
  void Item(const std::string& key, const std::string& raw) {
    Key(key);
    text_ += raw;
  }
  std::string Take() { return std::move(text_); }

 private:
  std::string Indent() const { return std::string(first_.size() * 2, ' '); }
  void Key(const std::string& key) {
    if (!first_.empty()) {
      if (!first_.back()) text_ += ",";
      first_.back() = false;
      text_ += "\n" + Indent();
    }
    if (!key.empty()) text_ += JsonString(key) + ": ";
  }
  std::string text_;
  std::vector<bool> first_;
};

/* The executor's notes as JSON properties ("Sort Method: quicksort  Memory:
 * 25kB" is three); false if `line` is not one. */
bool JsonNote(const std::string& line, JsonWriter& w) {
  char method[32] = {};
  unsigned long kb = 0;
  unsigned long buckets = 0;
  if (std::sscanf(line.c_str(), "Sort Method: %31[^ ] %*[^:]: %lukB", method, &kb) == 2 ||
      std::sscanf(line.c_str(), "Sort Method: top-N heapsort  Memory: %lukB", &kb) == 1) {
    w.Item("Sort Method", JsonString(line.find("top-N") != std::string::npos ? "top-N heapsort" : method));
    w.Item("Sort Space Used", std::to_string(kb));
    w.Item("Sort Space Type", JsonString("Memory"));
    return true;
  }
  unsigned long blocks = 0;
  if (std::sscanf(line.c_str(), "Heap Blocks: exact=%lu", &blocks) == 1) {
    w.Item("Exact Heap Blocks", std::to_string(blocks));
    w.Item("Lossy Heap Blocks", "0");
    return true;
  }
  if (std::sscanf(line.c_str(), "Heap Fetches: %lu", &blocks) == 1) {
    w.Item("Heap Fetches", std::to_string(blocks));
    return true;
  }
  if (std::sscanf(line.c_str(), "Buckets: %lu  Batches: 1  Memory Usage: %lukB", &buckets, &kb) == 2) {
    w.Item("Hash Buckets", std::to_string(buckets));
    w.Item("Original Hash Buckets", std::to_string(buckets));
    w.Item("Hash Batches", "1");
    w.Item("Original Hash Batches", "1");
    w.Item("Peak Memory Usage", std::to_string(kb));
    return true;
  }
  return false;
}

void JsonNode(const ExplainStmt& o, const ExplainInput& input, const Plan& n, const std::string& relationship,
              JsonWriter& w) {
  const PlannedStmt& plan = *input.plan;
  const NodeInstrumentation* in = input.instr != nullptr ? &(*input.instr)[static_cast<size_t>(n.id)] : nullptr;
  auto str = [&](const char* key, const std::string& v) { w.Item(key, JsonString(v)); };
  std::string type = PlanKindName(n.kind);
  str("Node Type", type);
  if (n.kind == PlanKind::kModifyTable) str("Operation", n.Title().substr(0, n.Title().find(' ')));
  if (n.kind == PlanKind::kAgg) str("Strategy", n.hashed ? "Hashed" : "Plain");
  if (n.kind == PlanKind::kAgg) str("Partial Mode", "Simple");
  if (!relationship.empty()) str("Parent Relationship", relationship);
  w.Item("Parallel Aware", "false");
  w.Item("Async Capable", "false");
  bool index_scan = n.kind == PlanKind::kIndexScan || n.kind == PlanKind::kIndexOnlyScan;
  if (index_scan) str("Scan Direction", n.backward ? "Backward" : "Forward");
  if (index_scan || n.kind == PlanKind::kBitmapIndexScan) {
    str("Index Name", n.index ? n.index->name : "");
  }
  if (n.kind == PlanKind::kSeqScan || n.kind == PlanKind::kModifyTable || index_scan ||
      n.kind == PlanKind::kBitmapHeapScan) {
    str("Relation Name", n.relname);
    if (o.verbose) str("Schema", "public");
    str("Alias", n.alias.empty() ? n.relname : n.alias);
  } else if (n.kind == PlanKind::kFunctionScan) {
    str("Function Name", n.relname);
    str("Alias", n.alias.empty() ? n.relname : n.alias);
  } else if (n.kind == PlanKind::kCteScan || n.kind == PlanKind::kWorkTableScan) {
    str("CTE Name", n.relname);
    str("Alias", n.alias.empty() ? n.relname : n.alias);
  } else if (n.scanrelid > 0 && n.kind != PlanKind::kBitmapIndexScan) {
    str("Alias", n.alias.empty() ? n.relname : n.alias);
  }
  bool join = n.kind == PlanKind::kNestLoop || n.kind == PlanKind::kHashJoin || n.kind == PlanKind::kMergeJoin;
  if (join) {
    static const char* const kJoin[] = {"Inner", "Left", "Full", "Right", "Semi", "Anti"};
    str("Join Type", kJoin[static_cast<int>(n.jointype)]);
  }
  if (o.costs) {
    w.Item("Startup Cost", fmt::format("{:.2f}", n.startup_cost));
    w.Item("Total Cost", fmt::format("{:.2f}", n.total_cost));
    w.Item("Plan Rows", fmt::format("{:.0f}", n.rows));
    w.Item("Plan Width", std::to_string(n.width));
  }
  if (in != nullptr && in->loops > 0) {
    if (o.timing) {
      w.Item("Actual Startup Time", fmt::format("{:.3f}", PerLoop(in->startup_seconds * 1000, in->loops)));
      w.Item("Actual Total Time", fmt::format("{:.3f}", PerLoop(in->total_seconds * 1000, in->loops)));
    }
    w.Item("Actual Rows", fmt::format("{:.0f}", PerLoop(static_cast<double>(in->rows), in->loops)));
    w.Item("Actual Loops", std::to_string(in->loops));
  } else if (in != nullptr) {
    if (o.timing) {
      w.Item("Actual Startup Time", "0.000");
      w.Item("Actual Total Time", "0.000");
    }
    w.Item("Actual Rows", "0");
    w.Item("Actual Loops", "0");
  }
  if (join) w.Item("Inner Unique", "false");
  for (const std::string& line : NodeDetails(o, plan, n, in)) {
    if (JsonNote(line, w)) continue;
    size_t colon = line.find(": ");
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    std::string value = line.substr(colon + 2);
    if (key == "Output" || key == "Sort Key" || key == "Group Key") {
      std::string list;
      for (const std::string& item : SplitList(value)) list += (list.empty() ? "" : ", ") + JsonString(item);
      w.Item(key, "[" + list + "]");
    } else if (key.rfind("Rows Removed", 0) == 0) {
      w.Item(key, value);
    } else {
      str(key.c_str(), value);
    }
  }
  if (o.buffers && in != nullptr) {
    w.Item("Shared Hit Blocks", std::to_string(in->shared_hit));
    w.Item("Shared Read Blocks", std::to_string(in->shared_read));
    for (const char* key : {"Shared Dirtied Blocks", "Shared Written Blocks", "Local Hit Blocks", "Local Read Blocks",
                            "Local Dirtied Blocks", "Local Written Blocks", "Temp Read Blocks", "Temp Written Blocks"}) {
      w.Item(key, "0");
    }
  }
  std::vector<std::pair<const Plan*, std::string>> children;
  if (n.lefttree) children.emplace_back(n.lefttree.get(), n.kind == PlanKind::kSubqueryScan ? "Subquery" : "Outer");
  if (n.righttree) children.emplace_back(n.righttree.get(), "Inner");
  for (const auto& member : n.appendplans) children.emplace_back(member.get(), "Member");
  if (!children.empty()) {
    w.Open("Plans", '[');
    for (const auto& [child, rel] : children) {
      w.Open("", '{');
      JsonNode(o, input, *child, rel, w);
      w.Close('}');
    }
    w.Close(']');
  }
}

std::string JsonDocument(const ExplainStmt& o, const ExplainInput& input) {
  JsonWriter w;
  w.Open("", '[');
  w.Open("", '{');
  w.Open("Plan", '{');
  JsonNode(o, input, *input.plan->root, "", w);
  w.Close('}');
  bool summary = o.summary.value_or(o.analyze);
  if (summary) w.Item("Planning Time", fmt::format("{:.3f}", input.planning_ms));
  if (o.analyze) {
    w.Open("Triggers", '[');
    w.Close(']');
  }
  if (summary && o.analyze) w.Item("Execution Time", fmt::format("{:.3f}", input.execution_ms));
  w.Close('}');
  w.Close(']');
  return w.Take();
}

}  // namespace

std::vector<std::string> ExplainLines(const ExplainStmt& options, const ExplainInput& input) {
  if (options.json) return {JsonDocument(options, input)};
  return TextLines(options, input);
}

Result<ExecutionResult> RunExplain(const ExplainStmt& options, const PlannedStmt& plan, double planning_ms,
                                   const SessionContext& ctx, ResultSink& sink) {
  ExecutionResult result;
  ExplainInput input;
  input.plan = &plan;
  input.planning_ms = planning_ms;
  if (options.analyze) {
    DiscardSink discard;
    auto begin = std::chrono::steady_clock::now();
    auto run = ExecutePlan(plan, ctx, discard);
    if (!run.ok()) return run.error();
    input.execution_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
    result = std::move(*run);
    input.instr = &result.nodes;
  } else {
    result.node_rows.assign(plan.nodes.size(), 0);
  }
  sink.Describe({{"QUERY PLAN", TypeId::kText}});
  std::vector<std::string> lines = ExplainLines(options, input);
  for (std::string& line : lines) sink.Row({std::move(line)});
  result.rows = static_cast<int64_t>(lines.size());
  return result;
}

}  // namespace minipg::sql
