/*-------------------------------------------------------------------------
 * plannodes.cpp
 *   Plan trees as EXPLAIN prints them, and the "plan" event (see
 *   plannodes.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/nodes/plannodes.h"

#include <fmt/format.h>

#include <algorithm>


#include "engine/common/utf8.h"
#include "engine/trace/emitter.h"

namespace minipg::sql {

const char* PlanKindName(PlanKind kind) {
  switch (kind) {
    case PlanKind::kResult: return "Result";
    case PlanKind::kSeqScan: return "Seq Scan";
    case PlanKind::kFunctionScan: return "Function Scan";
    case PlanKind::kValuesScan: return "Values Scan";
    case PlanKind::kSubqueryScan: return "Subquery Scan";
    case PlanKind::kNestLoop: return "Nested Loop";
    case PlanKind::kSort: return "Sort";
    case PlanKind::kLimit: return "Limit";
    case PlanKind::kAgg: return "Aggregate";
    case PlanKind::kModifyTable: return "ModifyTable";
    case PlanKind::kUtility: return "Utility";
    case PlanKind::kCopy: return "Copy";
    case PlanKind::kHash: return "Hash";
    case PlanKind::kHashJoin: return "Hash Join";
    case PlanKind::kMaterialize: return "Materialize";
    case PlanKind::kMergeJoin: return "Merge Join";
    case PlanKind::kAppend: return "Append";
    case PlanKind::kSetOp: return "SetOp";
    case PlanKind::kUnique: return "Unique";
    case PlanKind::kIndexScan: return "Index Scan";
    case PlanKind::kBitmapIndexScan: return "Bitmap Index Scan";
    case PlanKind::kBitmapHeapScan: return "Bitmap Heap Scan";
    case PlanKind::kIndexOnlyScan: return "Index Only Scan";
    case PlanKind::kWindowAgg: return "WindowAgg";
    case PlanKind::kCteScan: return "CTE Scan";
    case PlanKind::kWorkTableScan: return "WorkTable Scan";
    case PlanKind::kRecursiveUnion: return "Recursive Union";
    case PlanKind::kLockRows: return "LockRows";
  }
  return "?";
}

namespace {

std::string QuoteIdent(const std::string& name) {
  bool plain = !name.empty() && (std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char c : name) {
    plain = plain && (std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_');
  }
  return plain ? name : "\"" + name + "\"";
}

}  // namespace

std::string Plan::Title() const {
  std::string name = PlanKindName(kind);
  if (kind == PlanKind::kModifyTable) {
    const char* verb = operation == StatementKind::kUpdate   ? "Update"
                       : operation == StatementKind::kDelete ? "Delete"
                                                             : "Insert";
    std::string title = std::string(verb) + " on " + QuoteIdent(relname);
    if (!alias.empty() && alias != relname) title += " " + QuoteIdent(alias);
    return title;
  }
  if (kind == PlanKind::kAgg && hashed) return "HashAggregate";
  if (kind == PlanKind::kSetOp) {
    return fmt::format("HashSetOp {}{}", setop == SetOpKind::kIntersect ? "Intersect" : "Except",
                       setop_all ? " All" : "");
  }
  if (kind == PlanKind::kNestLoop || kind == PlanKind::kHashJoin || kind == PlanKind::kMergeJoin) {
    std::string method = kind == PlanKind::kNestLoop ? name : kind == PlanKind::kHashJoin ? "Hash" : "Merge";
    switch (jointype) {
      case JoinType::kInner: return name;
      case JoinType::kLeft: return method + " Left Join";
      case JoinType::kFull: return method + " Full Join";
      case JoinType::kRight: return method + " Right Join";
      case JoinType::kSemi: return method + " Semi Join";
      case JoinType::kAnti: return method + " Anti Join";
    }
  }
  if ((kind == PlanKind::kIndexScan || kind == PlanKind::kIndexOnlyScan) && index) {
    name = (backward ? name + " Backward" : name) + " using " + QuoteIdent(index->name);
  }
  if (scanrelid > 0) {
    name += " on " + QuoteIdent(relname);
    // PostgreSQL names a VALUES list "*VALUES*" whatever its alias.
    if (!alias.empty() && alias != relname && kind != PlanKind::kValuesScan) name += " " + QuoteIdent(alias);
  }
  return name;
}

std::vector<std::string> Plan::Details(bool qualify) const {
  std::vector<std::string> out;
  if (!detail.empty()) out.push_back(detail);
  if (on_conflict != 0) {  // ModifyTable's ON CONFLICT, as PostgreSQL's EXPLAIN shows it
    out.push_back(std::string("Conflict Resolution: ") + (on_conflict == 'u' ? "UPDATE" : "NOTHING"));
    std::string names;
    for (const std::string& n : arbiter_indexes) names += (names.empty() ? "" : ", ") + n;
    if (!names.empty()) out.push_back("Conflict Arbiter Indexes: " + names);
    if (conflict_where) out.push_back("Conflict Filter: " + DeparseExpr(*conflict_where, true));
  }
  if (!sort_keys.empty() && lefttree) {
    std::string keys;
    for (const SortKey& k : sort_keys) {
      if (!keys.empty()) keys += ", ";
      const Expr& e = *lefttree->targetlist[static_cast<size_t>(k.column)];
      // Anything but a plain column (an expression, or a column standing for
      // an aggregate's or window function's value below) prints in
      // parentheses, as PostgreSQL's get_variable.
      bool computed = e.kind != ExprKind::kVar || (e.source != VarSource::kRangeTable && e.relname.empty() &&
                                                   e.colname.find('(') != std::string::npos);
      keys += computed ? "(" + DeparseExpr(e, qualify) + ")" : DeparseExpr(e, qualify);
      if (k.descending) keys += " DESC";
      if (k.nulls_first != k.descending) keys += k.nulls_first ? " NULLS FIRST" : " NULLS LAST";
    }
    out.push_back("Sort Key: " + keys);
  }
  if (!group_keys.empty()) {
    std::string keys;
    for (const ExprPtr& k : group_keys) keys += (keys.empty() ? "" : ", ") + DeparseExpr(*k, qualify);
    out.push_back("Group Key: " + keys);
  }
  if (!equi_clauses.empty()) {
    std::string conds;
    for (const ExprPtr& c : equi_clauses) conds += (conds.empty() ? "" : " AND ") + DeparseExpr(*c, qualify);
    std::string label = kind == PlanKind::kMergeJoin ? "Merge Cond: " : "Hash Cond: ";
    out.push_back(label + (equi_clauses.size() > 1 ? "(" + conds + ")" : conds));
  }
  if (!indexquals.empty()) {
    std::string conds;
    for (const ExprPtr& c : indexquals) conds += (conds.empty() ? "" : " AND ") + DeparseExpr(*c, false);
    const char* label = kind == PlanKind::kBitmapHeapScan ? "Recheck Cond: " : "Index Cond: ";
    out.push_back(label + (indexquals.size() > 1 ? "(" + conds + ")" : conds));
  }
  if (joinqual) out.push_back("Join Filter: " + DeparseExpr(*joinqual, qualify));
  if (qual) {
    // A scan's own filter reads one relation: PostgreSQL leaves its names bare.
    bool bare = scanrelid > 0 && kind != PlanKind::kSubqueryScan;
    out.push_back((kind == PlanKind::kResult ? "One-Time Filter: " : "Filter: ") + DeparseExpr(*qual, qualify && !bare));
  }
  return out;
}

std::vector<Plan*> Plan::Children() const {
  std::vector<Plan*> out;
  for (Plan* child : {lefttree.get(), righttree.get()}) {
    if (child != nullptr) out.push_back(child);
  }
  for (const auto& child : appendplans) out.push_back(child.get());
  return out;
}

void PlannedStmt::Number() {
  nodes.clear();
  // The main tree, then each subplan's tree (its parent: the node it is
  // listed on), the subplans found while numbering queued after it.
  std::vector<std::pair<Plan*, int>> trees{{root.get(), -1}};
  std::vector<const SubPlanInfo*> seen;
  for (size_t t = 0; t < trees.size(); ++t) {
    std::vector<std::pair<Plan*, int>> stack{trees[t]};
    while (!stack.empty()) {
      auto [node, parent] = stack.back();
      stack.pop_back();
      node->id = static_cast<int>(nodes.size());
      node->parent = parent;
      nodes.push_back(node);
      for (const auto& sp : node->subplans) {
        if (std::find(seen.begin(), seen.end(), sp.get()) != seen.end()) continue;
        seen.push_back(sp.get());
        trees.emplace_back(sp->plan.get(), node->id);
      }
      std::vector<Plan*> children = node->Children();
      for (size_t i = children.size(); i-- > 0;) stack.push_back({children[i], node->id});
    }
  }
}

std::string SubPlanLabel(const SubPlanInfo& sp) {
  if (!sp.cte_name.empty()) return "CTE " + sp.cte_name;  // never quoted, as PostgreSQL prints it
  if (sp.initplan) return fmt::format("InitPlan {} (returns ${})", sp.id, sp.output_param);
  return fmt::format("SubPlan {}", sp.id);
}

namespace {

void AppendSubPlans(const Plan& node, bool init, size_t indent, bool qualify, std::string& out);

/* A node's line ("->  " at `indent`, none for the root), its details, its
 * InitPlans, children and SubPlans, in PostgreSQL's EXPLAIN order. */
void AppendNode(const Plan& node, size_t indent, bool root, bool qualify, std::string& out) {
  out += root ? node.Title() + "\n" : std::string(indent, ' ') + "->  " + node.Title() + "\n";
  size_t inner = root ? 2 : indent + 6;
  for (const std::string& line : node.Details(qualify)) out += std::string(inner, ' ') + line + "\n";
  AppendSubPlans(node, true, inner, qualify, out);
  for (const Plan* child : node.Children()) AppendNode(*child, inner, false, qualify, out);
  AppendSubPlans(node, false, inner, qualify, out);
}

/* "InitPlan 1 (returns $0)" or "SubPlan 2", and the subplan under it. */
void AppendSubPlans(const Plan& node, bool init, size_t indent, bool qualify, std::string& out) {
  for (const auto& sp : node.subplans) {
    if (sp->initplan != init) continue;
    out += std::string(indent, ' ') + SubPlanLabel(*sp) + "\n";
    AppendNode(*sp->plan, indent + 2, false, qualify, out);
  }
}

}  // namespace

std::string PlannedStmt::Explain() const {
  std::string out;
  if (root) AppendNode(*root, 0, true, qualify, out);
  if (!out.empty()) out.pop_back();
  return out;
}

void EmitPlanEvent(const PlannedStmt& plan) {
  if (!trace::EventsOn()) return;
  bool text = trace::QueryTextInEvents();
  trace::JsonObjects nodes;
  for (const Plan* n : plan.nodes) {
    // The node's name ("Seq Scan", "Insert", "Nested Loop Left Join"),
    // then the rest of EXPLAIN's first line ("on t") and its detail lines.
    std::string title = n->Title();
    bool using_index = n->kind == PlanKind::kIndexScan || n->kind == PlanKind::kIndexOnlyScan;
    size_t on = title.find(using_index ? " using " : " on ");
    std::string name = on == std::string::npos ? title : title.substr(0, on);
    std::string detail = on == std::string::npos ? "" : title.substr(on + 1);
    for (const std::string& line : n->Details(plan.qualify)) detail += (detail.empty() ? "" : "; ") + line;
    nodes.Begin();
    if (text) nodes.Str("detail", Utf8Prefix(detail, trace::kMaxEventString));
    nodes.Int("id", n->id).Str("node", name).Int("parent", n->parent);
  }
  trace::Event ev(trace::EventType::kPlan);
  if (text) ev.Str("plan", plan.Explain());
  ev.Raw("nodes", nodes.Text()).Emit();
}

void EmitExecuteEvent(int64_t rows, std::span<const int64_t> node_rows) {
  if (!trace::EventsOn()) return;
  trace::JsonObjects nodes;
  for (size_t i = 0; i < node_rows.size(); ++i) {
    nodes.Begin().Int("id", static_cast<int64_t>(i)).Int("rows", node_rows[i]);
  }
  trace::Event(trace::EventType::kExecute).Int("rows", rows).Raw("nodes", nodes.Text()).Emit();
}

}  // namespace minipg::sql
