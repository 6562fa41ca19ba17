/*-------------------------------------------------------------------------
 * xact_functions.cpp
 *   SQL functions over transactions and snapshots (PostgreSQL's xid8funcs.c
 *   and xid.c), one table entry each:
 *
 *     txid_current(), pg_current_xact_id()   the transaction's xid, taken now
 *                                            if it has none (bigint / xid8)
 *     txid_current_if_assigned(),            the same, NULL if it has none
 *       pg_current_xact_id_if_assigned()
 *     pg_current_snapshot(),                 the statement's snapshot as
 *       txid_current_snapshot()              "xmin:xmax:xip,..."
 *     pg_snapshot_xmin / _xmax (and txid_)   its bounds
 *     pg_visible_in_snapshot(xid8, snap)     whether the snapshot sees the xid
 *     pg_xact_status(xid8), txid_status      "committed", "aborted", "in progress"
 *     age(xid)                               how many xids ago it was taken
 *
 * NOTES
 *   No wrap-around: an xid8 is the 32-bit xid (epoch 0).
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "engine/common/sqlstate.h"
#include "engine/sql/adt/builtins.h"
#include "engine/storage/heap/procarray.h"
#include "engine/storage/heap/snapshot.h"
#include "engine/storage/heap/transam.h"
#include "engine/storage/heap/xact.h"

namespace minipg::sql {

void RegisterXactFunctions(BuiltinRegistry& r);

namespace {

using storage::Datum;
using storage::TransactionId;

Datum XidDatum(TransactionId xid) { return Datum(static_cast<int64_t>(xid)); }

Result<Datum> CurrentXactId(const FunctionCall&) { return XidDatum(storage::GetCurrentTransactionId()); }

Result<Datum> CurrentXactIdIfAssigned(const FunctionCall&) {
  TransactionId xid = storage::GetCurrentTransactionIdIfAny();
  if (xid == storage::kInvalidTransactionId) return Datum(std::monostate{});
  return XidDatum(xid);
}

Result<Datum> CurrentSnapshot(const FunctionCall&) {
  const storage::Snapshot* active = storage::GetActiveSnapshot();
  if (active == nullptr) return MakeError(sqlstate::kInternalError, "no active snapshot set");
  return Datum(storage::SnapshotText(*active));
}

/* The parts of a snapshot's text "xmin:xmax:xip,...". */
struct SnapshotParts {
  int64_t xmin = 0;
  int64_t xmax = 0;
  std::vector<int64_t> xip;
};

SnapshotParts ParseSnapshot(const Datum& d) {
  SnapshotParts p;
  const std::string& text = std::get<std::string>(d);
  size_t c1 = text.find(':');
  size_t c2 = text.find(':', c1 + 1);
  p.xmin = std::stoll(text.substr(0, c1));
  p.xmax = std::stoll(text.substr(c1 + 1, c2 - c1 - 1));
  for (size_t pos = c2 + 1; pos < text.size();) {
    size_t comma = text.find(',', pos);
    p.xip.push_back(std::stoll(text.substr(pos, comma - pos)));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return p;
}

Result<Datum> SnapshotXmin(const FunctionCall& c) { return Datum(ParseSnapshot(c.args[0]).xmin); }
Result<Datum> SnapshotXmax(const FunctionCall& c) { return Datum(ParseSnapshot(c.args[0]).xmax); }

Result<Datum> VisibleInSnapshot(const FunctionCall& c) {
  int64_t xid = std::get<int64_t>(c.args[0]);
  SnapshotParts p = ParseSnapshot(c.args[1]);
  bool running = xid >= p.xmax || (xid >= p.xmin && std::find(p.xip.begin(), p.xip.end(), xid) != p.xip.end());
  return Datum(!running);
}

Result<Datum> XactStatus(const FunctionCall& c) {
  int64_t value = std::get<int64_t>(c.args[0]);
  auto xid = static_cast<TransactionId>(value);
  if (value >= static_cast<int64_t>(storage::ReadNextTransactionId())) {
    return MakeError(sqlstate::kInvalidParameterValue, fmt::format("transaction ID {} is in the future", value));
  }
  if (xid < storage::kFirstNormalTransactionId) {
    return Datum(std::string(xid == storage::kInvalidTransactionId ? "aborted" : "committed"));
  }
  if (storage::TransactionIdIsCurrent(xid) || storage::TransactionIdIsInProgress(xid)) {
    return Datum(std::string("in progress"));
  }
  auto committed = storage::TransactionIdDidCommit(xid);
  if (!committed.ok()) return committed.error();
  return Datum(std::string(*committed ? "committed" : "aborted"));
}

/* age(xid): the distance from the transaction's own xid (or the next one)
 * back to `xid`; INT_MAX for the special xids, as xid_age. */
Result<Datum> XidAge(const FunctionCall& c) {
  auto xid = static_cast<TransactionId>(std::get<int64_t>(c.args[0]));
  if (xid < storage::kFirstNormalTransactionId) return Datum(int64_t{INT32_MAX});
  TransactionId now = storage::GetCurrentTransactionIdIfAny();
  if (now == storage::kInvalidTransactionId) now = storage::ReadNextTransactionId();
  return Datum(static_cast<int64_t>(static_cast<int32_t>(now - xid)));
}

FunctionInfo Fn(uint32_t oid, const char* name, std::vector<TypeId> args, TypeId result, FunctionImpl call,
                Volatility volatility) {
  return MakeFunctionInfo(oid, name, std::move(args), result, call, volatility);
}

}  // namespace

void RegisterXactFunctions(BuiltinRegistry& r) {
  using T = TypeId;
  constexpr Volatility kS = Volatility::kStable;
  constexpr Volatility kI = Volatility::kImmutable;
  constexpr Volatility kV = Volatility::kVolatile;
  r.functions.push_back(Fn(2943, "txid_current", {}, T::kInt8, CurrentXactId, kS));
  r.functions.push_back(Fn(5059, "pg_current_xact_id", {}, T::kXid8, CurrentXactId, kS));
  r.functions.push_back(Fn(3348, "txid_current_if_assigned", {}, T::kInt8, CurrentXactIdIfAssigned, kS));
  r.functions.push_back(Fn(5060, "pg_current_xact_id_if_assigned", {}, T::kXid8, CurrentXactIdIfAssigned, kS));
  r.functions.push_back(Fn(2944, "txid_current_snapshot", {}, T::kTxidSnapshot, CurrentSnapshot, kS));
  r.functions.push_back(Fn(5061, "pg_current_snapshot", {}, T::kPgSnapshot, CurrentSnapshot, kS));
  r.functions.push_back(Fn(2945, "txid_snapshot_xmin", {T::kTxidSnapshot}, T::kInt8, SnapshotXmin, kI));
  r.functions.push_back(Fn(2946, "txid_snapshot_xmax", {T::kTxidSnapshot}, T::kInt8, SnapshotXmax, kI));
  r.functions.push_back(Fn(5062, "pg_snapshot_xmin", {T::kPgSnapshot}, T::kXid8, SnapshotXmin, kI));
  r.functions.push_back(Fn(5063, "pg_snapshot_xmax", {T::kPgSnapshot}, T::kXid8, SnapshotXmax, kI));
  r.functions.push_back(
      Fn(5065, "pg_visible_in_snapshot", {T::kXid8, T::kPgSnapshot}, T::kBool, VisibleInSnapshot, kI));
  r.functions.push_back(Fn(5066, "pg_xact_status", {T::kXid8}, T::kText, XactStatus, kV));
  r.functions.push_back(Fn(3360, "txid_status", {T::kInt8}, T::kText, XactStatus, kV));
  r.functions.push_back(Fn(1181, "age", {T::kXid}, T::kInt4, XidAge, kS));
}

}  // namespace minipg::sql
