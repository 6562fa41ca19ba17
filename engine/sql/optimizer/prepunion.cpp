/*-------------------------------------------------------------------------
 * prepunion.cpp
 *   Plans a set operation tree (PostgreSQL's prepunion.c):
 *
 *     UNION ALL           Append over every input; a chain of UNION ALLs is
 *                         one Append
 *     UNION               HashAggregate (every column a key) over an Append;
 *                         UNION [ALL] inputs below a UNION join its Append
 *     INTERSECT [ALL]     HashSetOp Intersect [All] over the two inputs
 *     EXCEPT [ALL]        HashSetOp Except [All] over the two inputs
 *
 *   Each leaf is its subquery's plan, under a Subquery Scan only when that
 *   plan returns more columns than the operation (a leaf's own ORDER BY
 *   columns). SELECT DISTINCT uses the same HashAggregate.
 *-------------------------------------------------------------------------
 */
#include <utility>

#include "engine/common/stack_depth.h"
#include "engine/sql/optimizer/planner.h"

namespace minipg::sql {

namespace {

Result<std::unique_ptr<Plan>> PlanSetOpNode(Query& q, SetOperationNode& node);

Result<std::unique_ptr<Plan>> PlanLeaf(Query& q, const SetOperationNode& leaf) {
  auto scan = PlanRangeEntry(q, leaf.rtindex);
  if (!scan.ok()) return scan;
  Plan& s = **scan;
  if (s.qual == nullptr && s.lefttree->targetlist.size() == s.targetlist.size()) {
    std::unique_ptr<Plan> sub = std::move(s.lefttree);  // the scan would return its rows as they are
    return sub;
  }
  return scan;
}

/* The inputs of one Append: `node`'s, with UNIONs below it flattened in. */
Status CollectUnionInputs(Query& q, SetOperationNode& node, bool all, std::vector<std::unique_ptr<Plan>>& out) {
  if (Status s = CheckStackDepth(); !s.ok()) return s;
  if (node.op == SetOpKind::kUnion && (node.all || !all)) {
    if (Status s = CollectUnionInputs(q, *node.larg, all, out); !s.ok()) return s;
    return CollectUnionInputs(q, *node.rarg, all, out);
  }
  auto plan = PlanSetOpNode(q, node);
  if (!plan.ok()) return plan.error();
  out.push_back(std::move(*plan));
  return OkStatus();
}

/* A node whose output is its first child's columns, as outer Vars. */
void OutputOfChild(Plan& node, const Plan& child) {
  for (size_t i = 0; i < child.targetlist.size(); ++i) node.targetlist.push_back(PlanOuterVar(child, i));
  node.names = child.names;
}

Result<std::unique_ptr<Plan>> PlanSetOpNode(Query& q, SetOperationNode& node) {
  if (Status s = CheckStackDepth(); !s.ok()) return s.error();
  if (node.op == SetOpKind::kNone) return PlanLeaf(q, node);
  auto out = std::make_unique<Plan>();
  if (node.op == SetOpKind::kUnion) {
    out->kind = PlanKind::kAppend;
    for (SetOperationNode* side : {node.larg.get(), node.rarg.get()}) {
      if (Status s = CollectUnionInputs(q, *side, node.all, out->appendplans); !s.ok()) return s.error();
    }
    OutputOfChild(*out, *out->appendplans.front());
    return node.all ? std::move(out) : MakeHashDistinct(std::move(out));
  }
  auto left = PlanSetOpNode(q, *node.larg);
  if (!left.ok()) return left;
  auto right = PlanSetOpNode(q, *node.rarg);
  if (!right.ok()) return right;
  out->kind = PlanKind::kSetOp;
  out->setop = node.op;
  out->setop_all = node.all;
  OutputOfChild(*out, **left);
  out->lefttree = std::move(*left);
  out->righttree = std::move(*right);
  return out;
}

}  // namespace

std::unique_ptr<Plan> MakeHashDistinct(std::unique_ptr<Plan> input) {
  auto node = std::make_unique<Plan>();
  node->kind = PlanKind::kAgg;
  node->hashed = true;
  for (size_t i = 0; i < input->targetlist.size(); ++i) {
    node->group_keys.push_back(PlanOuterVar(*input, i));
    ExprPtr column = PlanOuterVar(*input, i);
    column->source = VarSource::kScan;  // the group's row: its keys
    node->targetlist.push_back(std::move(column));
  }
  node->names = input->names;
  node->relids = input->relids;
  node->lefttree = std::move(input);
  return node;
}

Result<std::unique_ptr<Plan>> PlanSetOperations(Query& q) { return PlanSetOpNode(q, *q.setop); }

Result<std::unique_ptr<Plan>> PlanSetOpSubtree(Query& q, SetOperationNode& node) { return PlanSetOpNode(q, node); }

}  // namespace minipg::sql
