/*-------------------------------------------------------------------------
 * expression.cpp
 *   Expression evaluation (see expression.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/expression.h"

#include <cmath>

#include <fmt/format.h>

#include "engine/common/crash.h"
#include "engine/common/interrupts.h"
#include "engine/common/limits.h"
#include "engine/common/sqlstate.h"
#include "engine/common/stack_depth.h"
#include "engine/shmem/backend_status.h"
#include "engine/sql/admin_functions.h"
#include "engine/sql/role_ddl.h"
#include "engine/sql/storage_functions.h"
#include "engine/sql/system_views.h"

namespace minipg::sql {

namespace {

Error OutOfRange(TypeId type) {
  return MakeError(sqlstate::kNumericValueOutOfRange,
                   type == TypeId::kInt2   ? "smallint out of range"
                   : type == TypeId::kInt4 ? "integer out of range"
                                           : "bigint out of range");
}

Result<Datum> IntegerArithmetic(Op op, int64_t a, int64_t b, TypeId type) {
  int64_t r = 0;
  bool overflow = false;
  switch (op) {
    case Op::kAdd:
      overflow = __builtin_add_overflow(a, b, &r);
      break;
    case Op::kSub:
      overflow = __builtin_sub_overflow(a, b, &r);
      break;
    case Op::kMul:
      overflow = __builtin_mul_overflow(a, b, &r);
      break;
    case Op::kDiv:
      if (b == 0) {
        return MakeError(sqlstate::kDivisionByZero, "division by zero");
      }
      if (b == -1) {
        overflow = __builtin_sub_overflow(int64_t{0}, a, &r);
      } else {
        r = a / b;
      }
      break;
    case Op::kMod:
      if (b == 0) {
        return MakeError(sqlstate::kDivisionByZero, "division by zero");
      }
      r = b == -1 ? 0 : a % b;
      break;
    default:
      return MakeError(sqlstate::kInternalError, "not an arithmetic operator");
  }
  if (overflow) {
    return OutOfRange(type);
  }
  if (type == TypeId::kInt4) {
    return CheckInt4(r);
  }
  if (type == TypeId::kInt2) {
    return CheckInt2(r);
  }
  return Datum(r);
}

Result<Datum> NumericArithmetic(Op op, double a, double b) {
  double r = 0;
  switch (op) {
    case Op::kAdd:
      r = a + b;
      break;
    case Op::kSub:
      r = a - b;
      break;
    case Op::kMul:
      r = a * b;
      break;
    case Op::kDiv:
    case Op::kMod:
      if (b == 0) {
        return MakeError(sqlstate::kDivisionByZero, "division by zero");
      }
      r = op == Op::kDiv ? a / b : std::fmod(a, b);
      break;
    default:
      return MakeError(sqlstate::kInternalError, "not an arithmetic operator");
  }
  if (!std::isfinite(r)) {
    return MakeError(sqlstate::kNumericValueOutOfRange, "value overflows numeric format");
  }
  return Datum(r);
}

bool Compare(Op op, int c) {
  switch (op) {
    case Op::kEq:
      return c == 0;
    case Op::kNe:
      return c != 0;
    case Op::kLt:
      return c < 0;
    case Op::kLe:
      return c <= 0;
    case Op::kGt:
      return c > 0;
    case Op::kGe:
      return c >= 0;
    default:
      return false;
  }
}

/* AND / OR with three-valued logic. Both sides are evaluated (no short
 * circuit), in order, like PostgreSQL's executor does for simple cases. */
Result<Datum> EvaluateLogic(const BoundExpr& expr, const Tuple& row, const SessionContext& ctx) {
  bool is_and = expr.op == Op::kAnd;
  bool saw_null = false;
  for (const BoundExprPtr& arg : expr.args) {
    auto v = Evaluate(*arg, row, ctx);
    if (!v.ok()) {
      return v;
    }
    if (storage::IsNull(*v)) {
      saw_null = true;
      continue;
    }
    bool b = std::get<bool>(*v);
    if (is_and && !b) {
      return Datum(false);
    }
    if (!is_and && b) {
      return Datum(true);
    }
  }
  if (saw_null) {
    return Datum(std::monostate{});
  }
  return Datum(is_and);
}

/* current_setting(name [, missing_ok]) and set_config(name, value,
 * is_local), over the session's settings (engine/common/guc.h). */
Result<Datum> EvaluateSettingFunc(const BoundExpr& expr, const Tuple& row, const SessionContext& ctx) {
  std::vector<Datum> args;
  for (const BoundExprPtr& a : expr.args) {
    auto v = Evaluate(*a, row, ctx);
    if (!v.ok()) {
      return v;
    }
    args.push_back(std::move(*v));
  }
  if (ctx.settings == nullptr) {
    return MakeError(sqlstate::kInternalError, "this session has no settings");
  }
  if (expr.func == FuncId::kCurrentSetting) {
    for (const Datum& a : args) {
      if (storage::IsNull(a)) {
        return Datum(std::monostate{});  // strict
      }
    }
    auto shown = ctx.settings->Show(std::get<std::string>(args[0]));
    if (!shown.ok()) {
      if (args.size() == 2 && std::get<bool>(args[1])) {
        return Datum(std::monostate{});  // missing_ok
      }
      return shown.error();
    }
    return Datum(*shown);
  }
  // set_config: a NULL value resets, as PostgreSQL's set_config_by_name.
  if (storage::IsNull(args[0])) {
    return MakeError(sqlstate::kNullValueNotAllowed, "SET requires parameter name");
  }
  const std::string& name = std::get<std::string>(args[0]);
  std::optional<std::string> value;
  if (!storage::IsNull(args[1])) {
    value = std::get<std::string>(args[1]);
  }
  bool local = !storage::IsNull(args[2]) && std::get<bool>(args[2]);
  if (Status s = ctx.settings->Set(name, value, guc::Source::kSession, local); !s.ok()) {
    return s.error();
  }
  const guc::Definition* def = guc::FindDefinition(name);
  if (local && value) {
    // Checked, but not kept: it would end with this statement's transaction.
    return def != nullptr ? Datum(guc::ShowValue(*def, *guc::ParseValue(*def, name, *value))) : Datum(*value);
  }
  return Datum(*ctx.settings->Show(name));
}

Result<Datum> EvaluateFunc(const BoundExpr& expr, const Tuple& row, const SessionContext& ctx) {
  switch (expr.func) {
    case FuncId::kPgBackendPid:
      return Datum(static_cast<int64_t>(ctx.backend_pid));
    case FuncId::kVersion:
      return Datum(ctx.server_version);
    case FuncId::kCurrentUser:
      return Datum(ctx.user);
    case FuncId::kCurrentDatabase:
      return Datum(ctx.database);
    case FuncId::kPgSleep: {
      auto secs = Evaluate(*expr.args[0], row, ctx);
      if (!secs.ok()) {
        return secs;
      }
      if (!storage::IsNull(*secs)) {
        struct WaitScope {  // wait_event Timeout/PgSleep in pg_stat_activity while sleeping
          WaitScope() { shmem::ReportWaitEvent(shmem::WaitEvent::kPgSleep); }
          ~WaitScope() { shmem::ReportWaitEvent(shmem::WaitEvent::kNone); }
        } wait;
        if (Status s = InterruptibleSleep(std::get<double>(*secs)); !s.ok()) {
          return s.error();
        }
      }
      return Datum(std::monostate{});  // void: printed as an empty string by the caller
    }
    case FuncId::kMinipgCrash:
      if (!SessionUserIsSuperuser(ctx)) {
        return MakeError(sqlstate::kInsufficientPrivilege, "permission denied for function minipg_crash");
      }
      CrashThisProcess();  // never returns: the postmaster sees a backend die of SIGSEGV
    case FuncId::kNow:
      return Datum(TransactionStartTimestamp());
    case FuncId::kPgCancelBackend:
    case FuncId::kPgTerminateBackend: {
      auto pid = Evaluate(*expr.args[0], row, ctx);
      if (!pid.ok() || storage::IsNull(*pid)) {
        return pid;  // strict: NULL in, NULL out
      }
      return SignalBackend(std::get<int64_t>(*pid), expr.func == FuncId::kPgTerminateBackend, ctx);
    }
    case FuncId::kCurrentSetting:
    case FuncId::kSetConfig:
      return EvaluateSettingFunc(expr, row, ctx);
    case FuncId::kBuiltin: {
      std::vector<Datum> args;
      for (const BoundExprPtr& a : expr.args) {
        auto v = Evaluate(*a, row, ctx);
        if (!v.ok() || storage::IsNull(*v)) {
          return v;  // strict: NULL in, NULL out
        }
        args.push_back(std::move(*v));
      }
      auto result = expr.builtin->call(args, ctx);
      if (!result.ok() && result.error().position == 0 && !expr.args.empty() &&
          expr.args[0]->kind == BoundKind::kConst &&
          (result.error().sqlstate == sqlstate::kInvalidTextRepresentation ||
           result.error().sqlstate == sqlstate::kUndefinedTable)) {
        // A literal PostgreSQL would have refused while parsing (as pg_lsn
        // or regclass input): the error points at it, as PostgreSQL's does.
        Error e = result.error();
        e.position = expr.args[0]->location;
        return e;
      }
      return result;
    }
    case FuncId::kPgGetUserById:
    case FuncId::kPgEncodingToChar: {
      auto arg = Evaluate(*expr.args[0], row, ctx);
      if (!arg.ok() || storage::IsNull(*arg)) {
        return arg;  // strict
      }
      int64_t n = std::get<int64_t>(*arg);
      if (expr.func == FuncId::kPgEncodingToChar) {
        return Datum(std::string(n == kUtf8EncodingId ? "UTF8" : ""));
      }
      return Datum(RoleNameOrUnknown(ctx, n));
    }
  }
  return MakeError(sqlstate::kInternalError, "unknown function");
}

}  // namespace

int CompareValues(const Datum& a, const Datum& b) {
  if (a.index() != b.index()) {
    return a.index() < b.index() ? -1 : 1;
  }
  if (const int64_t* x = std::get_if<int64_t>(&a)) {
    int64_t y = std::get<int64_t>(b);
    return *x < y ? -1 : *x > y ? 1 : 0;
  }
  if (const double* x = std::get_if<double>(&a)) {
    double y = std::get<double>(b);
    return *x < y ? -1 : *x > y ? 1 : 0;
  }
  if (const bool* x = std::get_if<bool>(&a)) {
    return static_cast<int>(*x) - static_cast<int>(std::get<bool>(b));
  }
  if (const std::string* x = std::get_if<std::string>(&a)) {
    int c = x->compare(std::get<std::string>(b));
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  return 0;
}

Result<Datum> Evaluate(const BoundExpr& expr, const Tuple& row, const SessionContext& ctx) {
  // Every recursion of evaluation comes back here.
  if (Status s = CheckStackDepth(); !s.ok()) {
    return s.error();
  }
  switch (expr.kind) {
    case BoundKind::kConst:
      return expr.value;
    case BoundKind::kParam:
      return MakeError(sqlstate::kInternalError, fmt::format("no value bound for parameter ${}", expr.param + 1));
    case BoundKind::kColumn:
      return row.at(static_cast<size_t>(expr.column));
    case BoundKind::kUnary: {
      auto v = Evaluate(*expr.args[0], row, ctx);
      if (!v.ok() || storage::IsNull(*v)) {
        return v;
      }
      if (expr.op == Op::kNot) {
        return Datum(!std::get<bool>(*v));
      }
      if (const double* d = std::get_if<double>(&*v)) {
        return Datum(-*d);
      }
      return IntegerArithmetic(Op::kSub, 0, std::get<int64_t>(*v), expr.type);
    }
    case BoundKind::kBinary: {
      if (expr.op == Op::kAnd || expr.op == Op::kOr) {
        return EvaluateLogic(expr, row, ctx);
      }
      auto l = Evaluate(*expr.args[0], row, ctx);
      if (!l.ok()) {
        return l;
      }
      auto r = Evaluate(*expr.args[1], row, ctx);
      if (!r.ok()) {
        return r;
      }
      if (storage::IsNull(*l) || storage::IsNull(*r)) {
        return Datum(std::monostate{});
      }
      switch (expr.op) {
        case Op::kAdd:
        case Op::kSub:
        case Op::kMul:
        case Op::kDiv:
        case Op::kMod:
          if (expr.type == TypeId::kNumeric || expr.type == TypeId::kFloat4) {
            return NumericArithmetic(expr.op, std::get<double>(*l), std::get<double>(*r));
          }
          return IntegerArithmetic(expr.op, std::get<int64_t>(*l), std::get<int64_t>(*r), expr.type);
        case Op::kConcat: {
          std::string left = OutputText(*l, expr.args[0]->type);
          std::string right = OutputText(*r, expr.args[1]->type);
          // A value is bounded (limits.h); PostgreSQL's palloc says this past its 1 GB.
          if (left.size() + right.size() > kMaxFieldBytes) {
            return MakeError(sqlstate::kInternalError, fmt::format("invalid memory alloc request size {}",
                                                                   left.size() + right.size() + 4));
          }
          left += right;
          return Datum(std::move(left));
        }
        default:
          return Datum(Compare(expr.op, CompareValues(*l, *r)));
      }
    }
    case BoundKind::kIsNull: {
      auto v = Evaluate(*expr.args[0], row, ctx);
      if (!v.ok()) {
        return v;
      }
      return Datum(storage::IsNull(*v) != expr.negated);
    }
    case BoundKind::kCast: {
      auto v = Evaluate(*expr.args[0], row, ctx);
      if (!v.ok()) {
        return v;
      }
      TypeId from = expr.args[0]->untyped ? TypeId::kUnknown : expr.args[0]->type;
      return CastValue(*v, from, expr.type);
    }
    case BoundKind::kFunc:
      return EvaluateFunc(expr, row, ctx);
  }
  return MakeError(sqlstate::kInternalError, "unknown expression kind");
}

Result<bool> EvaluateCondition(const BoundExpr& expr, const Tuple& row, const SessionContext& ctx) {
  auto v = Evaluate(expr, row, ctx);
  if (!v.ok()) {
    return v.error();
  }
  const bool* b = std::get_if<bool>(&*v);
  return b != nullptr && *b;
}

}  // namespace minipg::sql
