/*-------------------------------------------------------------------------
 * costsize.cpp
 *   Estimates for each plan node (rows, width, startup and total cost) in
 *   PostgreSQL's units, by a simple model until ANALYZE statistics exist:
 *
 *     Seq Scan       a table of unknown size: 10 pages, 1,000 rows
 *     Function Scan  1,000 rows (PostgreSQL's guess for a function)
 *     Values Scan    its rows; Result one row
 *     a filter       keeps a third of the rows per condition
 *     Nested Loop    outer rows x inner rows (a third with a join filter);
 *                    the inner side's cost once per outer row
 *     Sort           n log n comparisons before the first row
 *     Limit          at most the limit's rows, a share of the cost
 *-------------------------------------------------------------------------
 */
#include <algorithm>
#include <cmath>

#include "engine/sql/optimizer/planner.h"

namespace minipg::sql {

namespace {

constexpr double kSeqPageCost = 1.0;
constexpr double kCpuTupleCost = 0.01;
constexpr double kCpuOperatorCost = 0.0025;
constexpr double kDefaultPages = 10;
constexpr double kDefaultRows = 1000;
constexpr double kDefaultSelectivity = 1.0 / 3.0;

int TypeWidth(TypeId type) {
  switch (type) {
    case TypeId::kBool:
    case TypeId::kChar: return 1;
    case TypeId::kInt2: return 2;
    case TypeId::kInt4:
    case TypeId::kOid:
    case TypeId::kXid:
    case TypeId::kFloat4: return 4;
    case TypeId::kInt8:
    case TypeId::kTimestampTz: return 8;
    case TypeId::kName: return 64;
    default: return 32;  // variable width: PostgreSQL's guess for text
  }
}

int Conditions(const Expr* qual) {
  if (qual == nullptr) return 0;
  return qual->kind == ExprKind::kBool && qual->bool_op == BoolOpKind::kAnd ? static_cast<int>(qual->args.size()) : 1;
}

double Filtered(double rows, const Expr* qual) {
  return std::max(1.0, std::round(rows * std::pow(kDefaultSelectivity, Conditions(qual))));
}

}  // namespace

void EstimateCosts(Plan& node) {
  for (Plan* child : node.Children()) EstimateCosts(*child);
  node.width = 0;
  for (const ExprPtr& e : node.targetlist) node.width += TypeWidth(e->type);
  const Plan* left = node.lefttree.get();
  const Plan* right = node.righttree.get();
  double qual_cost = kCpuOperatorCost * Conditions(node.qual.get());
  switch (node.kind) {
    case PlanKind::kSeqScan:
    case PlanKind::kFunctionScan: {
      double rows = kDefaultRows;
      node.startup_cost = 0;
      node.total_cost = (node.kind == PlanKind::kSeqScan ? kDefaultPages * kSeqPageCost : 0) +
                        rows * (kCpuTupleCost + qual_cost);
      node.rows = Filtered(rows, node.qual.get());
      break;
    }
    case PlanKind::kValuesScan:
      node.total_cost = static_cast<double>(node.values.size()) * kCpuOperatorCost;
      node.rows = Filtered(static_cast<double>(node.values.size()), node.qual.get());
      break;
    case PlanKind::kResult:
      node.total_cost = kCpuTupleCost;
      node.rows = 1;
      break;
    case PlanKind::kSubqueryScan:
      node.startup_cost = left->startup_cost;
      node.total_cost = left->total_cost + left->rows * (kCpuTupleCost + qual_cost);
      node.rows = Filtered(left->rows, node.qual.get());
      break;
    case PlanKind::kNestLoop: {
      double pairs = left->rows * right->rows;
      node.startup_cost = left->startup_cost + right->startup_cost;
      node.total_cost = left->total_cost + left->rows * right->total_cost + pairs * kCpuTupleCost;
      double rows = std::max(1.0, std::round(pairs * std::pow(kDefaultSelectivity, Conditions(node.joinqual.get()))));
      if (node.jointype == JoinType::kLeft || node.jointype == JoinType::kFull) rows = std::max(rows, left->rows);
      node.rows = Filtered(rows, node.qual.get());
      break;
    }
    case PlanKind::kSort: {
      double n = std::max(left->rows, 2.0);
      node.startup_cost = left->total_cost + 2.0 * kCpuOperatorCost * n * std::log2(n);
      node.total_cost = node.startup_cost + kCpuOperatorCost * left->rows;
      node.rows = left->rows;
      break;
    }
    case PlanKind::kLimit: {
      double rows = left->rows;
      if (node.limit_count && node.limit_count->kind == ExprKind::kConst) {
        if (const int64_t* n = std::get_if<int64_t>(&node.limit_count->value)) {
          rows = std::min(rows, static_cast<double>(*n));
        }
      }
      node.startup_cost = left->startup_cost;
      double share = left->rows > 0 ? rows / left->rows : 1.0;
      node.total_cost = left->startup_cost + (left->total_cost - left->startup_cost) * share;
      node.rows = rows;
      break;
    }
    case PlanKind::kAgg: {
      double input = left->rows * kCpuOperatorCost * static_cast<double>(node.aggs.size() + node.group_keys.size());
      double groups = node.group_keys.empty() ? 1 : std::max(1.0, std::round(left->rows * kDefaultSelectivity));
      node.startup_cost = left->total_cost + input;
      node.total_cost = node.startup_cost + groups * (kCpuTupleCost + qual_cost);
      node.rows = node.group_keys.empty() && !node.qual ? 1 : Filtered(groups, node.qual.get());
      break;
    }
    case PlanKind::kModifyTable:
      node.startup_cost = left->startup_cost;
      node.total_cost = left->total_cost + left->rows * kCpuTupleCost;
      node.rows = 0;
      break;
    case PlanKind::kUtility:
    case PlanKind::kCopy:
      break;
    case PlanKind::kAppend:
      node.rows = 0;
      for (const auto& child : node.appendplans) {
        node.total_cost += child->total_cost;
        node.rows += child->rows;
      }
      node.startup_cost = node.appendplans.empty() ? 0 : node.appendplans[0]->startup_cost;
      break;
    case PlanKind::kSetOp:
      node.startup_cost = left->total_cost + right->total_cost +
                          (left->rows + right->rows) * kCpuOperatorCost * static_cast<double>(node.targetlist.size());
      node.total_cost = node.startup_cost + left->rows * kCpuTupleCost;
      node.rows = node.setop == SetOpKind::kExcept ? left->rows : std::min(left->rows, right->rows);
      break;
    case PlanKind::kUnique:
      node.startup_cost = left->startup_cost;
      node.total_cost = left->total_cost + left->rows * kCpuOperatorCost;
      node.rows = std::max(1.0, std::round(left->rows * kDefaultSelectivity));
      break;
  }
}

}  // namespace minipg::sql
