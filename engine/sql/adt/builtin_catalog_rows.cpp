/*-------------------------------------------------------------------------
 * builtin_catalog_rows.cpp
 *   pg_proc, pg_operator and pg_cast rows from the builtins registry
 *   (builtin_catalog_rows.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/adt/builtin_catalog_rows.h"

#include <set>
#include <string>
#include <vector>

#include "engine/catalog/client_catalogs.h"

namespace minipg::sql {

namespace {

using storage::ColumnType;
using storage::Datum;
using storage::Tuple;

Datum O(int64_t v) { return Datum(v); }
Datum C(char c) { return Datum(std::string(1, c)); }
Datum N(std::string_view s) { return Datum(std::string(s)); }

constexpr int64_t kInternalLanguageOid = 12;  // pg_language "internal"

Tuple ProcRow(const FunctionInfo& f) {
  namespace p = catalog::pg_proc;
  Tuple row(p::kNumColumns);  // proallargtypes, proargmodes, proargnames, ...: NULL
  std::vector<Datum> arg_types;
  for (TypeId t : f.args) arg_types.push_back(O(TypeOid(t)));
  bool set = f.call_set != nullptr;
  size_t min_args = f.min_args == SIZE_MAX ? f.args.size() : f.min_args;
  row[p::kOid] = O(f.oid);
  row[p::kProname] = N(f.name);
  row[p::kPronamespace] = O(catalog::kPgCatalogNamespace);
  row[p::kProowner] = O(storage::kBootstrapSuperuserOid);
  row[p::kProlang] = O(kInternalLanguageOid);
  row[p::kProcost] = Datum(1.0);
  row[p::kProrows] = Datum(set ? 1000.0 : 0.0);
  row[p::kProvariadic] = O(f.variadic && !f.args.empty() ? TypeOid(f.args.back()) : 0);
  row[p::kProsupport] = O(0);
  row[p::kProkind] = C(f.kind);
  row[p::kProsecdef] = Datum(false);
  row[p::kProleakproof] = Datum(false);
  row[p::kProisstrict] = Datum(f.strict);
  row[p::kProretset] = Datum(set);
  row[p::kProvolatile] = C(static_cast<char>(f.volatility));
  row[p::kProparallel] = C('s');
  row[p::kPronargs] = O(static_cast<int64_t>(f.args.size()));
  row[p::kPronargdefaults] = O(static_cast<int64_t>(f.args.size() - min_args));
  row[p::kProrettype] = O(TypeOid(f.result));
  row[p::kProargtypes] = Datum(storage::MakeArray(ColumnType::kOid, std::move(arg_types), 0));
  row[p::kProsrc] = N(f.name);
  return row;
}

/* The OID of the operator `name` taking (left, right), 0 if none. */
int64_t OperatorOid(const BuiltinRegistry& registry, std::string_view name, TypeId left, TypeId right) {
  if (name.empty()) return 0;
  for (const OperatorInfo& o : registry.operators) {
    if (name == o.name && o.left == left && o.right == right) return o.oid;
  }
  return 0;
}

Tuple OperatorRow(const BuiltinRegistry& registry, const OperatorInfo& o) {
  namespace p = catalog::pg_operator;
  Tuple row(p::kNumColumns);
  bool prefix = o.left == TypeId::kVoid;
  row[p::kOid] = O(o.oid);
  row[p::kOprname] = N(o.name);
  row[p::kOprnamespace] = O(catalog::kPgCatalogNamespace);
  row[p::kOprowner] = O(storage::kBootstrapSuperuserOid);
  row[p::kOprkind] = C(prefix ? 'l' : 'b');
  row[p::kOprcanmerge] = Datum(o.can_merge);
  row[p::kOprcanhash] = Datum(o.can_hash);
  row[p::kOprleft] = O(prefix ? 0 : TypeOid(o.left));
  row[p::kOprright] = O(TypeOid(o.right));
  row[p::kOprresult] = O(TypeOid(o.result));
  row[p::kOprcom] = OperatorOid(registry, o.commutator, o.right, o.left);
  row[p::kOprnegate] = OperatorOid(registry, o.negator, o.left, o.right);
  row[p::kOprcode] = O(0);
  row[p::kOprrest] = O(0);
  row[p::kOprjoin] = O(0);
  return row;
}

Tuple CastRow(const CastInfo& c, int64_t oid) {
  namespace p = catalog::pg_cast;
  Tuple row(p::kNumColumns);
  row[p::kOid] = O(oid);
  row[p::kCastsource] = O(TypeOid(c.source));
  row[p::kCasttarget] = O(TypeOid(c.target));
  row[p::kCastfunc] = O(0);
  row[p::kCastcontext] = C(static_cast<char>(c.kind));
  row[p::kCastmethod] = C(c.call != nullptr ? 'f' : 'i');
  return row;
}

}  // namespace

catalog::BootstrapRowMap BuiltinCatalogRows(const BuiltinRegistry& registry) {
  catalog::BootstrapRowMap rows;
  std::vector<Tuple>& procs = rows[catalog::kProcRelationId];
  for (const FunctionInfo& f : registry.functions) procs.push_back(ProcRow(f));
  std::vector<Tuple>& ops = rows[catalog::kOperatorRelationId];
  std::set<uint32_t> seen;  // text || x is one entry per type for one polymorphic operator: one row
  for (const OperatorInfo& o : registry.operators) {
    if (seen.insert(o.oid).second) ops.push_back(OperatorRow(registry, o));
  }
  std::vector<Tuple>& casts = rows[catalog::kCastRelationId];
  int64_t oid = kFirstCastOid;
  for (const CastInfo& c : registry.casts) casts.push_back(CastRow(c, oid++));
  return rows;
}

}  // namespace minipg::sql
