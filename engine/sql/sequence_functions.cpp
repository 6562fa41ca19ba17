/*-------------------------------------------------------------------------
 * sequence_functions.cpp
 *   nextval(regclass), currval(regclass), setval(regclass, bigint [,
 *   boolean]), lastval(): the sequence functions over
 *   catalog/sequence_ddl.h, with this session's currval / lastval state
 *   (PostgreSQL's SeqTable: one backend process is one session).
 *
 * NOTES
 *   nextval and setval are not undone by ROLLBACK, as in PostgreSQL.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include <map>
#include <optional>
#include <string>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/relcache.h"
#include "engine/catalog/sequence_ddl.h"
#include "engine/catalog/system_catalog.h"
#include "engine/common/sqlstate.h"
#include "engine/sql/adt/builtins.h"
#include "engine/sql/system_views.h"

namespace minipg::sql {

namespace {

using storage::Datum;

/* This session's last value of each sequence it used, and the last one. */
std::map<int64_t, int64_t>& SessionValues() {
  static std::map<int64_t, int64_t> values;
  return values;
}
std::optional<int64_t> g_last_used;

struct SequenceRef {
  storage::Oid db = 0;
  storage::Oid relid = 0;
  std::string name;
};

/* The sequence a regclass argument names (42809 for another relation). */
Result<SequenceRef> FindSequenceArg(const FunctionCall& c) {
  SequenceRef ref;
  ref.db = catalog::DatabaseOidOf(c.ctx.data_dir);
  ref.relid = static_cast<storage::Oid>(std::get<int64_t>(c.args[0]));
  auto tables = catalog::RelcacheTables(ref.db);
  if (!tables.ok()) return tables.error();
  for (const storage::TableDef& t : tables->tables) {
    if (t.oid != ref.relid) continue;
    if (t.kind != 'S') return MakeError(sqlstate::kWrongObjectType, fmt::format("\"{}\" is not a sequence", t.name));
    ref.name = t.name;
    return ref;
  }
  std::string other;  // a system catalog or view: not in the relcache, not a sequence either
  if (const catalog::SystemCatalog* cat = catalog::FindSystemCatalogByOid(ref.relid)) other = cat->name;
  if (const SystemView* view = FindSystemViewByOid(ref.relid)) other = view->def.name;
  if (!other.empty()) return MakeError(sqlstate::kWrongObjectType, fmt::format("\"{}\" is not a sequence", other));
  return MakeError(sqlstate::kUndefinedTable, fmt::format("could not open relation with OID {}", ref.relid));
}

Result<Datum> Nextval(const FunctionCall& c) {
  auto seq = FindSequenceArg(c);
  if (!seq.ok()) return seq.error();
  auto value = catalog::SequenceNextval(seq->db, seq->relid, seq->name);
  if (!value.ok()) return value.error();
  SessionValues()[seq->relid] = *value;
  g_last_used = seq->relid;
  return Datum(*value);
}

Result<Datum> Currval(const FunctionCall& c) {
  auto seq = FindSequenceArg(c);
  if (!seq.ok()) return seq.error();
  auto it = SessionValues().find(seq->relid);
  if (it == SessionValues().end()) {
    return MakeError(sqlstate::kObjectNotInPrerequisiteState,
                     fmt::format("currval of sequence \"{}\" is not yet defined in this session", seq->name));
  }
  return Datum(it->second);
}

Result<Datum> Setval(const FunctionCall& c) {
  auto seq = FindSequenceArg(c);
  if (!seq.ok()) return seq.error();
  int64_t value = std::get<int64_t>(c.args[1]);
  bool is_called = c.args.size() < 3 || std::get<bool>(c.args[2]);
  if (Status s = catalog::SequenceSetval(seq->db, seq->relid, seq->name, value, is_called); !s.ok()) return s.error();
  if (is_called) SessionValues()[seq->relid] = value;  // currval follows only a called value, as in PostgreSQL
  return Datum(value);
}

Result<Datum> Lastval(const FunctionCall& c) {
  if (!g_last_used) {
    return MakeError(sqlstate::kObjectNotInPrerequisiteState, "lastval is not yet defined in this session");
  }
  auto tables = catalog::RelcacheTables(catalog::DatabaseOidOf(c.ctx.data_dir));
  if (!tables.ok()) return tables.error();
  for (const storage::TableDef& t : tables->tables) {
    if (t.oid == *g_last_used) return Datum(SessionValues()[*g_last_used]);
  }
  return MakeError(sqlstate::kObjectNotInPrerequisiteState, "lastval is not yet defined in this session");
}

}  // namespace

void RegisterSequenceFunctions(BuiltinRegistry& r) {
  using T = TypeId;
  auto fn = [&](uint32_t oid, const char* name, std::vector<TypeId> args, FunctionImpl call) {
    r.functions.push_back(MakeFunctionInfo(oid, name, std::move(args), T::kInt8, call, Volatility::kVolatile));
  };
  fn(1574, "nextval", {T::kRegclass}, Nextval);
  fn(1575, "currval", {T::kRegclass}, Currval);
  fn(1576, "setval", {T::kRegclass, T::kInt8}, Setval);
  fn(1765, "setval", {T::kRegclass, T::kInt8, T::kBool}, Setval);
  fn(2559, "lastval", {}, Lastval);
}

}  // namespace minipg::sql
