/*-------------------------------------------------------------------------
 * misc_functions.cpp
 *   The session and server functions, as registry entries (builtins.h):
 *   pg_backend_pid, version, current_user / session_user, current_database,
 *   pg_sleep, pg_cancel_backend, pg_terminate_backend,
 *   current_setting, set_config, pg_get_userbyid, pg_encoding_to_char, and
 *   minipg_crash (minipg's own: kills this backend with SIGSEGV, to teach
 *   the crash cycle).
 *
 * NOTES
 *   current_user and friends return text here (name in PostgreSQL).
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include "engine/common/crash.h"
#include "engine/common/guc.h"
#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/shmem/backend_status.h"
#include "engine/sql/adt/builtins.h"
#include "engine/sql/admin_functions.h"
#include "engine/sql/lock_views.h"
#include "engine/sql/role_ddl.h"
#include "engine/sql/system_views.h"

namespace minipg::sql {
namespace {

using storage::Datum;
using T = TypeId;

Result<Datum> BackendPid(const FunctionCall& c) { return Datum(static_cast<int64_t>(c.ctx.backend_pid)); }
Result<Datum> Version(const FunctionCall& c) { return Datum(c.ctx.server_version); }
Result<Datum> CurrentUser(const FunctionCall& c) { return Datum(c.ctx.user); }
Result<Datum> CurrentDatabase(const FunctionCall& c) { return Datum(c.ctx.database); }

Result<Datum> Sleep(const FunctionCall& c) {
  struct WaitScope {  // wait_event Timeout/PgSleep in pg_stat_activity while sleeping
    WaitScope() { shmem::ReportWaitEvent(shmem::WaitEvent::kPgSleep); }
    ~WaitScope() { shmem::ReportWaitEvent(shmem::WaitEvent::kNone); }
  } wait;
  if (Status s = InterruptibleSleep(std::get<double>(c.args[0])); !s.ok()) {
    return s.error();
  }
  return Datum(std::monostate{});  // void: printed as an empty string
}

Result<Datum> Crash(const FunctionCall& c) {
  if (!SessionUserIsSuperuser(c.ctx)) {
    return MakeError(sqlstate::kInsufficientPrivilege, "permission denied for function minipg_crash");
  }
  CrashThisProcess();  // never returns: the postmaster sees a backend die of SIGSEGV
}

Result<Datum> CancelBackend(const FunctionCall& c) {
  return SignalBackend(std::get<int64_t>(c.args[0]), false, c.ctx);
}
Result<Datum> TerminateBackend(const FunctionCall& c) {
  return SignalBackend(std::get<int64_t>(c.args[0]), true, c.ctx);
}

Result<Datum> BlockingPidsOf(const FunctionCall& c) { return BlockingPids(std::get<int64_t>(c.args[0])); }

Result<Datum> CurrentSetting(const FunctionCall& c) {
  if (c.ctx.settings == nullptr) {
    return MakeError(sqlstate::kInternalError, "this session has no settings");
  }
  auto shown = c.ctx.settings->Show(std::get<std::string>(c.args[0]));
  if (!shown.ok()) {
    if (c.args.size() == 2 && std::get<bool>(c.args[1])) {
      return Datum(std::monostate{});  // missing_ok
    }
    return shown.error();
  }
  return Datum(*shown);
}

/* set_config(name, value, is_local): not strict; a NULL value resets, as
 * PostgreSQL's set_config_by_name. */
Result<Datum> SetConfig(const FunctionCall& c) {
  if (c.ctx.settings == nullptr) {
    return MakeError(sqlstate::kInternalError, "this session has no settings");
  }
  if (storage::IsNull(c.args[0])) {
    return MakeError(sqlstate::kNullValueNotAllowed, "SET requires parameter name");
  }
  const std::string& name = std::get<std::string>(c.args[0]);
  std::optional<std::string> value;
  if (!storage::IsNull(c.args[1])) {
    value = std::get<std::string>(c.args[1]);
  }
  bool local = !storage::IsNull(c.args[2]) && std::get<bool>(c.args[2]);
  if (Status s = c.ctx.settings->Set(name, value, guc::Source::kSession, local); !s.ok()) {
    return s.error();
  }
  const guc::Definition* def = guc::FindDefinition(name);
  if (local && value) {
    // Checked, but not kept: it would end with this statement's transaction.
    return def != nullptr ? Datum(guc::ShowValue(*def, *guc::ParseValue(*def, name, *value))) : Datum(*value);
  }
  return Datum(*c.ctx.settings->Show(name));
}

Result<Datum> GetUserById(const FunctionCall& c) {
  return Datum(RoleNameOrUnknown(c.ctx, std::get<int64_t>(c.args[0])));
}

Result<Datum> EncodingToChar(const FunctionCall& c) {
  return Datum(std::string(std::get<int64_t>(c.args[0]) == kUtf8EncodingId ? "UTF8" : ""));
}

/* pg_typeof("any"): the argument's type as the analyzer resolved it (a
 * NULL has a type too). */
Result<Datum> TypeOf(const FunctionCall& c) {
  constexpr int64_t kUnknownTypeOid = 705;  // pg_typeof('a'): an undecided literal
  return Datum(c.arg_types[0] == TypeId::kUnknown ? kUnknownTypeOid : static_cast<int64_t>(TypeOid(c.arg_types[0])));
}

FunctionInfo Fn(uint32_t oid, const char* name, std::vector<TypeId> args, TypeId result, FunctionImpl call,
                Volatility volatility = Volatility::kStable) {
  return MakeFunctionInfo(oid, name, std::move(args), result, call, volatility);
}

}  // namespace

void RegisterMiscFunctions(BuiltinRegistry& r) {
  r.functions.push_back(Fn(2026, "pg_backend_pid", {}, T::kInt4, BackendPid));
  FunctionInfo type_of = Fn(1619, "pg_typeof", {T::kAny}, T::kRegtype, TypeOf);
  type_of.strict = false;
  r.functions.push_back(std::move(type_of));
  r.functions.push_back(Fn(89, "version", {}, T::kText, Version));
  r.functions.push_back(Fn(745, "current_user", {}, T::kText, CurrentUser));
  r.functions.push_back(Fn(746, "session_user", {}, T::kText, CurrentUser));
  r.functions.push_back(Fn(861, "current_database", {}, T::kText, CurrentDatabase));
  r.functions.push_back(Fn(2626, "pg_sleep", {T::kFloat8}, T::kVoid, Sleep, Volatility::kVolatile));
  r.functions.push_back(Fn(kMinipgFirstBuiltinOid, "minipg_crash", {}, T::kVoid, Crash, Volatility::kVolatile));
  r.functions.push_back(Fn(2171, "pg_cancel_backend", {T::kInt4}, T::kBool, CancelBackend, Volatility::kVolatile));
  FunctionInfo terminate =
      Fn(2096, "pg_terminate_backend", {T::kInt4, T::kInt8}, T::kBool, TerminateBackend, Volatility::kVolatile);
  terminate.min_args = 1;  // timeout DEFAULT 0 (minipg does not wait)
  r.functions.push_back(std::move(terminate));
  r.functions.push_back(Fn(2561, "pg_blocking_pids", {T::kInt4}, T::kInt4Array, BlockingPidsOf, Volatility::kVolatile));
  r.functions.push_back(Fn(2077, "current_setting", {T::kText}, T::kText, CurrentSetting));
  r.functions.push_back(Fn(3294, "current_setting", {T::kText, T::kBool}, T::kText, CurrentSetting));
  FunctionInfo set_config = Fn(2078, "set_config", {T::kText, T::kText, T::kBool}, T::kText, SetConfig,
                               Volatility::kVolatile);
  set_config.strict = false;
  r.functions.push_back(std::move(set_config));
  r.functions.push_back(Fn(1642, "pg_get_userbyid", {T::kOid}, T::kText, GetUserById));
  r.functions.push_back(Fn(1597, "pg_encoding_to_char", {T::kInt4}, T::kText, EncodingToChar));
}

}  // namespace minipg::sql
