/*-------------------------------------------------------------------------
 * legacy_operators.cpp
 *   TEMPORARY: the operators of the types minipg had before issue 16
 *   (smallint, integer, bigint, oid, xid, boolean, text, name, "char",
 *   real, timestamptz, and numeric held as a double), so the analyzer
 *   resolves every operator through the registry. The adt module replaces
 *   numeric's and real's entries with exact ones and adds float8, dates,
 *   varchar and their casts; this file then shrinks to what it does not
 *   cover, and goes.
 *
 *   OIDs, names, commutators and negators are PostgreSQL 15's pg_operator
 *   rows for these types. text || anynonarray (2779, 2780) is listed once
 *   per type here, for want of polymorphic types.
 *-------------------------------------------------------------------------
 */
#include <cmath>

#include <fmt/format.h>

#include "engine/common/limits.h"
#include "engine/common/sqlstate.h"
#include "engine/sql/adt/builtins.h"
#include "engine/sql/executor/exec_expr.h"
#include "engine/sql/types.h"

namespace minipg::sql {
namespace {

using storage::Datum;
using T = TypeId;

enum CmpOp { kEq, kNe, kLt, kLe, kGt, kGe };
enum ArithOp { Add, Sub, Mul, Div, Mod };

template <CmpOp kOp>
Result<Datum> Compare(const FunctionCall& call) {
  int c = CompareValues(call.args[0], call.arg_types[0], call.args[1], call.arg_types[1]);
  switch (kOp) {
    case kEq: return Datum(c == 0);
    case kNe: return Datum(c != 0);
    case kLt: return Datum(c < 0);
    case kLe: return Datum(c <= 0);
    case kGt: return Datum(c > 0);
    case kGe: return Datum(c >= 0);
  }
  return Datum(false);
}

Error OutOfRange(TypeId type) {
  return MakeError(sqlstate::kNumericValueOutOfRange,
                   type == TypeId::kInt2   ? "smallint out of range"
                   : type == TypeId::kInt4 ? "integer out of range"
                                           : "bigint out of range");
}

Result<Datum> CheckRange(int64_t r, TypeId type) {
  if (type == TypeId::kInt4) return CheckInt4(r);
  if (type == TypeId::kInt2) return CheckInt2(r);
  return Datum(r);
}

template <ArithOp kOp>
Result<Datum> IntArith(const FunctionCall& call) {
  int64_t a = std::get<int64_t>(call.args[0]);
  int64_t b = std::get<int64_t>(call.args[1]);
  int64_t r = 0;
  bool overflow = false;
  switch (kOp) {
    case Add: overflow = __builtin_add_overflow(a, b, &r); break;
    case Sub: overflow = __builtin_sub_overflow(a, b, &r); break;
    case Mul: overflow = __builtin_mul_overflow(a, b, &r); break;
    case Div:
      if (b == 0) return MakeError(sqlstate::kDivisionByZero, "division by zero");
      if (b == -1) {
        overflow = __builtin_sub_overflow(int64_t{0}, a, &r);
      } else {
        r = a / b;
      }
      break;
    case Mod:
      if (b == 0) return MakeError(sqlstate::kDivisionByZero, "division by zero");
      r = b == -1 ? 0 : a % b;
      break;
  }
  if (overflow) return OutOfRange(call.result_type);
  return CheckRange(r, call.result_type);
}

template <ArithOp kOp>
Result<Datum> FloatArith(const FunctionCall& call) {
  double a = std::get<double>(call.args[0]);
  double b = std::get<double>(call.args[1]);
  double r = 0;
  switch (kOp) {
    case Add: r = a + b; break;
    case Sub: r = a - b; break;
    case Mul: r = a * b; break;
    case Div:
    case Mod:
      if (b == 0) return MakeError(sqlstate::kDivisionByZero, "division by zero");
      r = kOp == Div ? a / b : std::fmod(a, b);
      break;
  }
  if (!std::isfinite(r)) {
    return MakeError(sqlstate::kNumericValueOutOfRange, "value overflows numeric format");
  }
  return Datum(r);
}

Result<Datum> Negate(const FunctionCall& call) {
  if (const double* d = std::get_if<double>(&call.args[0])) return Datum(-*d);
  int64_t v = std::get<int64_t>(call.args[0]);
  if (v == INT64_MIN) return OutOfRange(call.result_type);
  return CheckRange(-v, call.result_type);
}

Result<Datum> Identity(const FunctionCall& call) { return call.args[0]; }

/* text || text, and text || anything (its text output), as anytextcat. */
Result<Datum> Concat(const FunctionCall& call) {
  std::string left = OutputText(call.args[0], call.arg_types[0]);
  std::string right = OutputText(call.args[1], call.arg_types[1]);
  // A value is bounded (limits.h); PostgreSQL's palloc says this past its 1 GB.
  if (left.size() + right.size() > kMaxFieldBytes) {
    return MakeError(sqlstate::kInternalError,
                     fmt::format("invalid memory alloc request size {}", left.size() + right.size() + 4));
  }
  left += right;
  return Datum(std::move(left));
}

const OperatorInfo kOperators[] = {
    {15, "=", T::kInt4, T::kInt8, T::kBool, Compare<kEq>, "=", "<>", true, true},
    {36, "<>", T::kInt4, T::kInt8, T::kBool, Compare<kNe>, "<>", "=", false, false},
    {37, "<", T::kInt4, T::kInt8, T::kBool, Compare<kLt>, ">", ">=", false, false},
    {58, "<", T::kBool, T::kBool, T::kBool, Compare<kLt>, ">", ">=", false, false},
    {59, ">", T::kBool, T::kBool, T::kBool, Compare<kGt>, "<", "<=", false, false},
    {76, ">", T::kInt4, T::kInt8, T::kBool, Compare<kGt>, "<", "<=", false, false},
    {80, "<=", T::kInt4, T::kInt8, T::kBool, Compare<kLe>, ">=", ">", false, false},
    {82, ">=", T::kInt4, T::kInt8, T::kBool, Compare<kGe>, "<=", "<", false, false},
    {85, "<>", T::kBool, T::kBool, T::kBool, Compare<kNe>, "<>", "=", false, false},
    {91, "=", T::kBool, T::kBool, T::kBool, Compare<kEq>, "=", "<>", true, true},
    {92, "=", T::kChar, T::kChar, T::kBool, Compare<kEq>, "=", "<>", true, true},
    {93, "=", T::kName, T::kName, T::kBool, Compare<kEq>, "=", "<>", true, true},
    {94, "=", T::kInt2, T::kInt2, T::kBool, Compare<kEq>, "=", "<>", true, true},
    {95, "<", T::kInt2, T::kInt2, T::kBool, Compare<kLt>, ">", ">=", false, false},
    {96, "=", T::kInt4, T::kInt4, T::kBool, Compare<kEq>, "=", "<>", true, true},
    {97, "<", T::kInt4, T::kInt4, T::kBool, Compare<kLt>, ">", ">=", false, false},
    {98, "=", T::kText, T::kText, T::kBool, Compare<kEq>, "=", "<>", true, true},
    {254, "=", T::kName, T::kText, T::kBool, Compare<kEq>, "=", "<>", true, true},
    {255, "<", T::kName, T::kText, T::kBool, Compare<kLt>, ">", ">=", false, false},
    {256, "<=", T::kName, T::kText, T::kBool, Compare<kLe>, ">=", ">", false, false},
    {257, ">=", T::kName, T::kText, T::kBool, Compare<kGe>, "<=", "<", false, false},
    {258, ">", T::kName, T::kText, T::kBool, Compare<kGt>, "<", "<=", false, false},
    {259, "<>", T::kName, T::kText, T::kBool, Compare<kNe>, "<>", "=", false, false},
    {260, "=", T::kText, T::kName, T::kBool, Compare<kEq>, "=", "<>", true, true},
    {261, "<", T::kText, T::kName, T::kBool, Compare<kLt>, ">", ">=", false, false},
    {262, "<=", T::kText, T::kName, T::kBool, Compare<kLe>, ">=", ">", false, false},
    {263, ">=", T::kText, T::kName, T::kBool, Compare<kGe>, "<=", "<", false, false},
    {264, ">", T::kText, T::kName, T::kBool, Compare<kGt>, "<", "<=", false, false},
    {265, "<>", T::kText, T::kName, T::kBool, Compare<kNe>, "<>", "=", false, false},
    {352, "=", T::kXid, T::kXid, T::kBool, Compare<kEq>, "=", "<>", true, false},
    {387, "=", T::kTid, T::kTid, T::kBool, Compare<kEq>, "=", "<>", true, false},
    {385, "=", T::kCid, T::kCid, T::kBool, Compare<kEq>, "=", "", true, false},
    {5068, "=", T::kXid8, T::kXid8, T::kBool, Compare<kEq>, "=", "<>", true, false},
    {353, "=", T::kXid, T::kInt4, T::kBool, Compare<kEq>, "", "<>", false, false},
    {410, "=", T::kInt8, T::kInt8, T::kBool, Compare<kEq>, "=", "<>", true, true},
    {411, "<>", T::kInt8, T::kInt8, T::kBool, Compare<kNe>, "<>", "=", false, false},
    {412, "<", T::kInt8, T::kInt8, T::kBool, Compare<kLt>, ">", ">=", false, false},
    {413, ">", T::kInt8, T::kInt8, T::kBool, Compare<kGt>, "<", "<=", false, false},
    {414, "<=", T::kInt8, T::kInt8, T::kBool, Compare<kLe>, ">=", ">", false, false},
    {415, ">=", T::kInt8, T::kInt8, T::kBool, Compare<kGe>, "<=", "<", false, false},
    {416, "=", T::kInt8, T::kInt4, T::kBool, Compare<kEq>, "=", "<>", true, true},
    {417, "<>", T::kInt8, T::kInt4, T::kBool, Compare<kNe>, "<>", "=", false, false},
    {418, "<", T::kInt8, T::kInt4, T::kBool, Compare<kLt>, ">", ">=", false, false},
    {419, ">", T::kInt8, T::kInt4, T::kBool, Compare<kGt>, "<", "<=", false, false},
    {420, "<=", T::kInt8, T::kInt4, T::kBool, Compare<kLe>, ">=", ">", false, false},
    {430, ">=", T::kInt8, T::kInt4, T::kBool, Compare<kGe>, "<=", "<", false, false},
    {439, "%", T::kInt8, T::kInt8, T::kInt8, IntArith<Mod>, "", "", false, false},
    {484, "-", T::kVoid, T::kInt8, T::kInt8, Negate, "", "", false, false},
    {514, "*", T::kInt4, T::kInt4, T::kInt4, IntArith<Mul>, "*", "", false, false},
    {518, "<>", T::kInt4, T::kInt4, T::kBool, Compare<kNe>, "<>", "=", false, false},
    {519, "<>", T::kInt2, T::kInt2, T::kBool, Compare<kNe>, "<>", "=", false, false},
    {520, ">", T::kInt2, T::kInt2, T::kBool, Compare<kGt>, "<", "<=", false, false},
    {521, ">", T::kInt4, T::kInt4, T::kBool, Compare<kGt>, "<", "<=", false, false},
    {522, "<=", T::kInt2, T::kInt2, T::kBool, Compare<kLe>, ">=", ">", false, false},
    {523, "<=", T::kInt4, T::kInt4, T::kBool, Compare<kLe>, ">=", ">", false, false},
    {524, ">=", T::kInt2, T::kInt2, T::kBool, Compare<kGe>, "<=", "<", false, false},
    {525, ">=", T::kInt4, T::kInt4, T::kBool, Compare<kGe>, "<=", "<", false, false},
    {526, "*", T::kInt2, T::kInt2, T::kInt2, IntArith<Mul>, "*", "", false, false},
    {527, "/", T::kInt2, T::kInt2, T::kInt2, IntArith<Div>, "", "", false, false},
    {528, "/", T::kInt4, T::kInt4, T::kInt4, IntArith<Div>, "", "", false, false},
    {529, "%", T::kInt2, T::kInt2, T::kInt2, IntArith<Mod>, "", "", false, false},
    {530, "%", T::kInt4, T::kInt4, T::kInt4, IntArith<Mod>, "", "", false, false},
    {531, "<>", T::kText, T::kText, T::kBool, Compare<kNe>, "<>", "=", false, false},
    {532, "=", T::kInt2, T::kInt4, T::kBool, Compare<kEq>, "=", "<>", true, true},
    {533, "=", T::kInt4, T::kInt2, T::kBool, Compare<kEq>, "=", "<>", true, true},
    {534, "<", T::kInt2, T::kInt4, T::kBool, Compare<kLt>, ">", ">=", false, false},
    {535, "<", T::kInt4, T::kInt2, T::kBool, Compare<kLt>, ">", ">=", false, false},
    {536, ">", T::kInt2, T::kInt4, T::kBool, Compare<kGt>, "<", "<=", false, false},
    {537, ">", T::kInt4, T::kInt2, T::kBool, Compare<kGt>, "<", "<=", false, false},
    {538, "<>", T::kInt2, T::kInt4, T::kBool, Compare<kNe>, "<>", "=", false, false},
    {539, "<>", T::kInt4, T::kInt2, T::kBool, Compare<kNe>, "<>", "=", false, false},
    {540, "<=", T::kInt2, T::kInt4, T::kBool, Compare<kLe>, ">=", ">", false, false},
    {541, "<=", T::kInt4, T::kInt2, T::kBool, Compare<kLe>, ">=", ">", false, false},
    {542, ">=", T::kInt2, T::kInt4, T::kBool, Compare<kGe>, "<=", "<", false, false},
    {543, ">=", T::kInt4, T::kInt2, T::kBool, Compare<kGe>, "<=", "<", false, false},
    {544, "*", T::kInt2, T::kInt4, T::kInt4, IntArith<Mul>, "*", "", false, false},
    {545, "*", T::kInt4, T::kInt2, T::kInt4, IntArith<Mul>, "*", "", false, false},
    {546, "/", T::kInt2, T::kInt4, T::kInt4, IntArith<Div>, "", "", false, false},
    {547, "/", T::kInt4, T::kInt2, T::kInt4, IntArith<Div>, "", "", false, false},
    {550, "+", T::kInt2, T::kInt2, T::kInt2, IntArith<Add>, "+", "", false, false},
    {551, "+", T::kInt4, T::kInt4, T::kInt4, IntArith<Add>, "+", "", false, false},
    {552, "+", T::kInt2, T::kInt4, T::kInt4, IntArith<Add>, "+", "", false, false},
    {553, "+", T::kInt4, T::kInt2, T::kInt4, IntArith<Add>, "+", "", false, false},
    {554, "-", T::kInt2, T::kInt2, T::kInt2, IntArith<Sub>, "", "", false, false},
    {555, "-", T::kInt4, T::kInt4, T::kInt4, IntArith<Sub>, "", "", false, false},
    {556, "-", T::kInt2, T::kInt4, T::kInt4, IntArith<Sub>, "", "", false, false},
    {557, "-", T::kInt4, T::kInt2, T::kInt4, IntArith<Sub>, "", "", false, false},
    {558, "-", T::kVoid, T::kInt4, T::kInt4, Negate, "", "", false, false},
    {559, "-", T::kVoid, T::kInt2, T::kInt2, Negate, "", "", false, false},
    {584, "-", T::kVoid, T::kFloat4, T::kFloat4, Negate, "", "", false, false},
    {586, "+", T::kFloat4, T::kFloat4, T::kFloat4, FloatArith<Add>, "+", "", false, false},
    {587, "-", T::kFloat4, T::kFloat4, T::kFloat4, FloatArith<Sub>, "", "", false, false},
    {588, "/", T::kFloat4, T::kFloat4, T::kFloat4, FloatArith<Div>, "", "", false, false},
    {589, "*", T::kFloat4, T::kFloat4, T::kFloat4, FloatArith<Mul>, "*", "", false, false},
    {607, "=", T::kOid, T::kOid, T::kBool, Compare<kEq>, "=", "<>", true, true},
    {608, "<>", T::kOid, T::kOid, T::kBool, Compare<kNe>, "<>", "=", false, false},
    {609, "<", T::kOid, T::kOid, T::kBool, Compare<kLt>, ">", ">=", false, false},
    {610, ">", T::kOid, T::kOid, T::kBool, Compare<kGt>, "<", "<=", false, false},
    {611, "<=", T::kOid, T::kOid, T::kBool, Compare<kLe>, ">=", ">", false, false},
    {612, ">=", T::kOid, T::kOid, T::kBool, Compare<kGe>, "<=", "<", false, false},
    {620, "=", T::kFloat4, T::kFloat4, T::kBool, Compare<kEq>, "=", "<>", true, true},
    {621, "<>", T::kFloat4, T::kFloat4, T::kBool, Compare<kNe>, "<>", "=", false, false},
    {622, "<", T::kFloat4, T::kFloat4, T::kBool, Compare<kLt>, ">", ">=", false, false},
    {623, ">", T::kFloat4, T::kFloat4, T::kBool, Compare<kGt>, "<", "<=", false, false},
    {624, "<=", T::kFloat4, T::kFloat4, T::kBool, Compare<kLe>, ">=", ">", false, false},
    {625, ">=", T::kFloat4, T::kFloat4, T::kBool, Compare<kGe>, "<=", "<", false, false},
    {630, "<>", T::kChar, T::kChar, T::kBool, Compare<kNe>, "<>", "=", false, false},
    {631, "<", T::kChar, T::kChar, T::kBool, Compare<kLt>, ">", ">=", false, false},
    {632, "<=", T::kChar, T::kChar, T::kBool, Compare<kLe>, ">=", ">", false, false},
    {633, ">", T::kChar, T::kChar, T::kBool, Compare<kGt>, "<", "<=", false, false},
    {634, ">=", T::kChar, T::kChar, T::kBool, Compare<kGe>, "<=", "<", false, false},
    {643, "<>", T::kName, T::kName, T::kBool, Compare<kNe>, "<>", "=", false, false},
    {660, "<", T::kName, T::kName, T::kBool, Compare<kLt>, ">", ">=", false, false},
    {661, "<=", T::kName, T::kName, T::kBool, Compare<kLe>, ">=", ">", false, false},
    {662, ">", T::kName, T::kName, T::kBool, Compare<kGt>, "<", "<=", false, false},
    {663, ">=", T::kName, T::kName, T::kBool, Compare<kGe>, "<=", "<", false, false},
    {664, "<", T::kText, T::kText, T::kBool, Compare<kLt>, ">", ">=", false, false},
    {665, "<=", T::kText, T::kText, T::kBool, Compare<kLe>, ">=", ">", false, false},
    {666, ">", T::kText, T::kText, T::kBool, Compare<kGt>, "<", "<=", false, false},
    {667, ">=", T::kText, T::kText, T::kBool, Compare<kGe>, "<=", "<", false, false},
    {684, "+", T::kInt8, T::kInt8, T::kInt8, IntArith<Add>, "+", "", false, false},
    {685, "-", T::kInt8, T::kInt8, T::kInt8, IntArith<Sub>, "", "", false, false},
    {686, "*", T::kInt8, T::kInt8, T::kInt8, IntArith<Mul>, "*", "", false, false},
    {687, "/", T::kInt8, T::kInt8, T::kInt8, IntArith<Div>, "", "", false, false},
    {688, "+", T::kInt8, T::kInt4, T::kInt8, IntArith<Add>, "+", "", false, false},
    {689, "-", T::kInt8, T::kInt4, T::kInt8, IntArith<Sub>, "", "", false, false},
    {690, "*", T::kInt8, T::kInt4, T::kInt8, IntArith<Mul>, "*", "", false, false},
    {691, "/", T::kInt8, T::kInt4, T::kInt8, IntArith<Div>, "", "", false, false},
    {692, "+", T::kInt4, T::kInt8, T::kInt8, IntArith<Add>, "+", "", false, false},
    {693, "-", T::kInt4, T::kInt8, T::kInt8, IntArith<Sub>, "", "", false, false},
    {694, "*", T::kInt4, T::kInt8, T::kInt8, IntArith<Mul>, "*", "", false, false},
    {695, "/", T::kInt4, T::kInt8, T::kInt8, IntArith<Div>, "", "", false, false},
    {818, "+", T::kInt8, T::kInt2, T::kInt8, IntArith<Add>, "+", "", false, false},
    {819, "-", T::kInt8, T::kInt2, T::kInt8, IntArith<Sub>, "", "", false, false},
    {820, "*", T::kInt8, T::kInt2, T::kInt8, IntArith<Mul>, "*", "", false, false},
    {821, "/", T::kInt8, T::kInt2, T::kInt8, IntArith<Div>, "", "", false, false},
    {822, "+", T::kInt2, T::kInt8, T::kInt8, IntArith<Add>, "+", "", false, false},
    {823, "-", T::kInt2, T::kInt8, T::kInt8, IntArith<Sub>, "", "", false, false},
    {824, "*", T::kInt2, T::kInt8, T::kInt8, IntArith<Mul>, "*", "", false, false},
    {825, "/", T::kInt2, T::kInt8, T::kInt8, IntArith<Div>, "", "", false, false},
    {1694, "<=", T::kBool, T::kBool, T::kBool, Compare<kLe>, ">=", ">", false, false},
    {1695, ">=", T::kBool, T::kBool, T::kBool, Compare<kGe>, "<=", "<", false, false},
    {1862, "=", T::kInt2, T::kInt8, T::kBool, Compare<kEq>, "=", "<>", true, true},
    {1863, "<>", T::kInt2, T::kInt8, T::kBool, Compare<kNe>, "<>", "=", false, false},
    {1864, "<", T::kInt2, T::kInt8, T::kBool, Compare<kLt>, ">", ">=", false, false},
    {1865, ">", T::kInt2, T::kInt8, T::kBool, Compare<kGt>, "<", "<=", false, false},
    {1866, "<=", T::kInt2, T::kInt8, T::kBool, Compare<kLe>, ">=", ">", false, false},
    {1867, ">=", T::kInt2, T::kInt8, T::kBool, Compare<kGe>, "<=", "<", false, false},
    {1868, "=", T::kInt8, T::kInt2, T::kBool, Compare<kEq>, "=", "<>", true, true},
    {1869, "<>", T::kInt8, T::kInt2, T::kBool, Compare<kNe>, "<>", "=", false, false},
    {1870, "<", T::kInt8, T::kInt2, T::kBool, Compare<kLt>, ">", ">=", false, false},
    {1871, ">", T::kInt8, T::kInt2, T::kBool, Compare<kGt>, "<", "<=", false, false},
    {1872, "<=", T::kInt8, T::kInt2, T::kBool, Compare<kLe>, ">=", ">", false, false},
    {1873, ">=", T::kInt8, T::kInt2, T::kBool, Compare<kGe>, "<=", "<", false, false},
    {1916, "+", T::kVoid, T::kInt8, T::kInt8, Identity, "", "", false, false},
    {1917, "+", T::kVoid, T::kInt2, T::kInt2, Identity, "", "", false, false},
    {1918, "+", T::kVoid, T::kInt4, T::kInt4, Identity, "", "", false, false},
    {1919, "+", T::kVoid, T::kFloat4, T::kFloat4, Identity, "", "", false, false},
    {3315, "<>", T::kXid, T::kXid, T::kBool, Compare<kNe>, "<>", "=", false, false},
    {402, "<>", T::kTid, T::kTid, T::kBool, Compare<kNe>, "<>", "=", false, false},
    {5072, "<>", T::kXid8, T::kXid8, T::kBool, Compare<kNe>, "<>", "=", false, false},
    {5073, "<", T::kXid8, T::kXid8, T::kBool, Compare<kLt>, ">", ">=", false, false},
    {5074, ">", T::kXid8, T::kXid8, T::kBool, Compare<kGt>, "<", "<=", false, false},
    {5075, "<=", T::kXid8, T::kXid8, T::kBool, Compare<kLe>, ">=", ">", false, false},
    {5076, ">=", T::kXid8, T::kXid8, T::kBool, Compare<kGe>, "<=", "<", false, false},
    {3316, "<>", T::kXid, T::kInt4, T::kBool, Compare<kNe>, "", "=", false, false},
};

}  // namespace

void RegisterLegacyOperators(BuiltinRegistry& r) {
  for (const OperatorInfo& op : kOperators) {
    r.operators.push_back(op);
  }
  // text || anynonarray and anynonarray || text, once per type.
  for (TypeId t : {T::kBool, T::kInt2, T::kInt4, T::kInt8, T::kOid, T::kXid, T::kName, T::kChar, T::kFloat4,
                   T::kNumeric, T::kTimestampTz, T::kInet}) {
    r.operators.push_back(OperatorInfo{2779, "||", T::kText, t, T::kText, Concat});
    r.operators.push_back(OperatorInfo{2780, "||", t, T::kText, T::kText, Concat});
  }
}

}  // namespace minipg::sql
