/*-------------------------------------------------------------------------
 * builtins.h
 *   The built-in functions, operators and casts: one registry the analyzer
 *   resolves names against (once, at analysis: the executor calls the
 *   entry's C++ function directly), and that bootstrap turns into pg_proc
 *   and pg_operator rows, so psql's \df shows what minipg really has.
 *
 *   Each module of functions (math, text, date and time, the storage and
 *   administration functions, ...) keeps its entries in its own file and
 *   adds them in one Register* function; builtins.cpp calls every module's
 *   in one list.
 *
 * NOTES
 *   OIDs are PostgreSQL 15's pg_proc / pg_operator OIDs where PostgreSQL has
 *   the same function or operator; a function only minipg has takes an OID
 *   from kMinipgFirstBuiltinOid up (PostgreSQL leaves 8000-9999 unused).
 *   A strict function is never called with a NULL argument: the executor
 *   returns NULL for it, as PostgreSQL does.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "engine/common/error.h"
#include "engine/sql/session.h"
#include "engine/storage/datum.h"

namespace minipg::sql {

inline constexpr uint32_t kMinipgFirstBuiltinOid = 8000;

enum class Volatility : char {
  kImmutable = 'i',  // same arguments, same result, forever (int4pl)
  kStable = 's',     // same within a statement (now(), current_setting)
  kVolatile = 'v',   // may differ on every call (random(), pg_sleep)
};

/* One call: the evaluated arguments (non-NULL for a strict function), their
 * types as the analyzer resolved them (for a polymorphic argument, the
 * actual type), and the session. */
struct FunctionCall {
  std::span<const storage::Datum> args;
  std::span<const TypeId> arg_types;
  TypeId result_type;
  const SessionContext& ctx;
};

using FunctionImpl = Result<storage::Datum> (*)(const FunctionCall& call);

/* The rows of a set-returning function (generate_series), one at a time,
 * so a huge series never sits in memory. */
class SetFunctionState {
 public:
  virtual ~SetFunctionState() = default;
  /* The next value into *out; false when the set is done. */
  virtual Result<bool> Next(storage::Datum* out) = 0;
};
using SetFunctionImpl = Result<std::unique_ptr<SetFunctionState>> (*)(const FunctionCall& call);

struct FunctionInfo {
  uint32_t oid = 0;              // pg_proc.oid
  const char* name = "";         // pg_proc.proname, lower case
  std::vector<TypeId> args;      // declared argument types, in order
  TypeId result = TypeId::kVoid; // pg_proc.prorettype (the element type for a set-returning one)
  FunctionImpl call = nullptr;   // null for a set-returning function
  SetFunctionImpl call_set = nullptr;  // set-returning functions only (proretset)
  bool strict = true;            // NULL in, NULL out without a call (proisstrict)
  Volatility volatility = Volatility::kImmutable;
  size_t min_args = SIZE_MAX;    // fewer arguments accepted (defaults), SIZE_MAX = args.size()
  bool variadic = false;         // the last declared argument repeats (format, concat)
  char kind = 'f';               // pg_proc.prokind: 'f' a function, 'w' a window function
                                 // (no call: the WindowAgg node computes it, executor/node_window.cpp)
};

/* An entry with the common defaults (strict, no defaults, not variadic). */
inline FunctionInfo MakeFunctionInfo(uint32_t oid, const char* name, std::vector<TypeId> args, TypeId result,
                                     FunctionImpl call, Volatility volatility) {
  FunctionInfo f;
  f.oid = oid;
  f.name = name;
  f.args = std::move(args);
  f.result = result;
  f.call = call;
  f.volatility = volatility;
  return f;
}

struct OperatorInfo {
  uint32_t oid = 0;               // pg_operator.oid
  const char* name = "";          // "+", "<", "~~", "||"
  TypeId left = TypeId::kVoid;    // kVoid for a prefix operator (- x, NOT is not an operator)
  TypeId right = TypeId::kVoid;
  TypeId result = TypeId::kBool;
  FunctionImpl call = nullptr;    // called with {left, right} or {right}
  const char* commutator = "";    // oprcom: a < b is b > a ("" none)
  const char* negator = "";       // oprnegate: NOT (a = b) is a <> b
  bool can_hash = false;          // oprcanhash: usable by a hash join / hash aggregate
  bool can_merge = false;         // oprcanmerge: usable by a merge join
  bool strict = true;             // its function's proisstrict: a NULL operand gives NULL without a call
};

enum class CastKind : char {
  kImplicit = 'i',    // silently inside expressions (integer -> bigint)
  kAssignment = 'a',  // also when storing into a column (bigint -> integer)
  kExplicit = 'e',    // only when written: CAST(x AS t), x::t
};

struct CastInfo {
  TypeId source;
  TypeId target;
  CastKind kind;
  FunctionImpl call = nullptr;  // null: through the types' text output and input
};

/* What a module adds. */
struct BuiltinRegistry {
  std::vector<FunctionInfo> functions;
  std::vector<OperatorInfo> operators;
  std::vector<CastInfo> casts;
};

/* Every built-in, built on first use (each process builds its own copy,
 * read-only afterwards). */
const BuiltinRegistry& Builtins();

/* The functions called `name` (any number of arguments), in registry order. */
std::vector<const FunctionInfo*> FindFunctions(std::string_view name);
/* The operators called `name` (prefix ones have left == kVoid). */
std::vector<const OperatorInfo*> FindOperators(std::string_view name);
/* The cast from `source` to `target`, or nullptr. */
const CastInfo* FindCast(TypeId source, TypeId target);
const FunctionInfo* FindFunctionByOid(uint32_t oid);

}  // namespace minipg::sql
