/*-------------------------------------------------------------------------
 * planner.cpp
 *   Lays a Query out as a plan tree (see planner.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/planner.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "engine/common/utf8.h"
#include "engine/sql/system_views.h"
#include "engine/trace/emitter.h"

namespace minipg::sql {

namespace {

std::unique_ptr<PlanNode> Node(PlanKind kind, std::string detail) {
  auto node = std::make_unique<PlanNode>();
  node->kind = kind;
  node->detail = std::move(detail);
  return node;
}

std::unique_ptr<PlanNode> Over(PlanKind kind, std::string detail, std::unique_ptr<PlanNode> child) {
  auto node = Node(kind, std::move(detail));
  node->children.push_back(std::move(child));
  return node;
}

void Number(PlanNode* node, int parent, std::vector<const PlanNode*>& nodes) {
  node->id = static_cast<int>(nodes.size());
  node->parent = parent;
  nodes.push_back(node);
  for (auto& child : node->children) {
    Number(child.get(), node->id, nodes);
  }
}

void ExplainNode(const PlanNode& node, int depth, std::string& out) {
  std::string indent(depth == 0 ? 0 : static_cast<size_t>(depth * 6 - 4), ' ');
  out += indent + (depth == 0 ? "" : "->  ") + PlanKindName(node.kind);
  if (!node.detail.empty()) {
    out += " (" + node.detail + ")";
  }
  out += "\n";
  for (const auto& child : node.children) {
    ExplainNode(*child, depth + 1, out);
  }
}

std::unique_ptr<PlanNode> PlanSelect(const Query& q) {
  const std::optional<storage::TableDef>& table = q.table;
  std::unique_ptr<PlanNode> node;
  if (const SystemView* view = table ? FindSystemViewByOid(table->oid) : nullptr) {
    node = Node(PlanKind::kFunctionScan, std::string(view->function) + "() for " + table->name);
  } else {
    node = table ? Node(PlanKind::kSeqScan, "on " + table->name) : Node(PlanKind::kResult, "");
  }
  if (q.where) {
    node = Over(PlanKind::kFilter, BoundExprToString(*q.where, table), std::move(node));
  }
  if (!q.sort.empty()) {
    std::string keys;
    for (const SortKey& k : q.sort) {
      if (!keys.empty()) {
        keys += ", ";
      }
      keys += BoundExprToString(*k.expr, table);
      if (k.descending) {
        keys += " DESC";
      }
    }
    node = Over(PlanKind::kSort, keys, std::move(node));
  }
  std::string targets;
  for (const TargetEntry& t : q.targets) {
    if (!targets.empty()) {
      targets += ", ";
    }
    std::string expr = BoundExprToString(*t.expr, table);
    targets += expr == t.name ? expr : expr + " AS " + t.name;
  }
  node = Over(PlanKind::kProjection, targets, std::move(node));
  if (q.limit || q.offset) {
    std::string detail;
    if (q.limit) {
      detail = "limit " + BoundExprToString(*q.limit, table);
    }
    if (q.offset) {
      detail += std::string(detail.empty() ? "" : " ") + "offset " + BoundExprToString(*q.offset, table);
    }
    node = Over(PlanKind::kLimit, detail, std::move(node));
  }
  return node;
}

}  // namespace

const char* PlanKindName(PlanKind kind) {
  switch (kind) {
    case PlanKind::kResult:
      return "Result";
    case PlanKind::kSeqScan:
      return "SeqScan";
    case PlanKind::kFilter:
      return "Filter";
    case PlanKind::kProjection:
      return "Projection";
    case PlanKind::kSort:
      return "Sort";
    case PlanKind::kLimit:
      return "Limit";
    case PlanKind::kValues:
      return "Values";
    case PlanKind::kInsert:
      return "Insert";
    case PlanKind::kCreateTable:
      return "CreateTable";
    case PlanKind::kDropTable:
      return "DropTable";
    case PlanKind::kUtility:
      return "Utility";
    case PlanKind::kShow:
      return "Show";
    case PlanKind::kFunctionScan:
      return "FunctionScan";
    case PlanKind::kCopy:
      return "Copy";
  }
  return "?";
}

std::string Plan::Explain() const {
  std::string out;
  if (root) {
    ExplainNode(*root, 0, out);
  }
  if (!out.empty()) {
    out.pop_back();
  }
  return out;
}

Plan MakePlan(const Query& q) {
  Plan plan;
  switch (q.kind) {
    case StatementKind::kSelect:
      plan.root = PlanSelect(q);
      break;
    case StatementKind::kInsert:
      plan.root = Over(PlanKind::kInsert, "on " + q.table->name,
                       Node(PlanKind::kValues, fmt::format("{} row{}", q.insert_rows.size(),
                                                           q.insert_rows.size() == 1 ? "" : "s")));
      break;
    case StatementKind::kCreateTable: {
      std::string cols;
      for (const auto& c : q.create_columns) {
        if (!cols.empty()) {
          cols += ", ";
        }
        cols += c.name + " " + TypeName(FromColumnType(c.type));
      }
      plan.root = Node(PlanKind::kCreateTable, q.create_name + " (" + cols + ")");
      break;
    }
    case StatementKind::kDropTable: {
      std::string names;
      for (const auto& n : q.drop_names) {
        names += (names.empty() ? "" : ", ") + n;
      }
      plan.root = Node(PlanKind::kDropTable, names);
      break;
    }
    case StatementKind::kShow:
      plan.root = Node(PlanKind::kShow, q.setting);
      break;
    case StatementKind::kSet:
      plan.root = Node(PlanKind::kUtility,
                       fmt::format("SET {} = {}", q.setting, q.setting_value.value_or("DEFAULT")));
      break;
    default:
      plan.root = Node(PlanKind::kUtility, q.statement);
      break;
  }
  Number(plan.root.get(), -1, plan.nodes);
  return plan;
}

void EmitPlanEvent(const Plan& plan) {
  bool text = trace::QueryTextInEvents();
  nlohmann::json nodes = nlohmann::json::array();
  for (const PlanNode* n : plan.nodes) {
    nlohmann::json node = {{"id", n->id}, {"parent", n->parent}, {"node", PlanKindName(n->kind)}};
    if (text) node["detail"] = std::string(Utf8Prefix(n->detail, trace::kMaxEventString));
    nodes.push_back(std::move(node));
  }
  trace::Event ev(trace::EventType::kPlan);
  if (text) ev.Str("plan", plan.Explain());
  ev.Raw("nodes", nodes.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)).Emit();
}

}  // namespace minipg::sql
