/*-------------------------------------------------------------------------
 * builtins.cpp
 *   The registry of built-in functions, operators and casts (builtins.h):
 *   every module's Register* function, called in one list.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/adt/builtins.h"

#include <string_view>

#include "engine/sql/adt/catalog_functions.h"
#include "engine/sql/adt/function_args.h"

namespace minipg::sql {

// Each module's entries (in its own file).
void RegisterMiscFunctions(BuiltinRegistry& r);     // adt/misc_functions.cpp
void RegisterStorageFunctions(BuiltinRegistry& r);  // storage_functions.cpp
void RegisterXactFunctions(BuiltinRegistry& r);     // xact_functions.cpp
void RegisterLegacyOperators(BuiltinRegistry& r);   // adt/legacy_operators.cpp (temporary)
void RegisterSequenceFunctions(BuiltinRegistry& r);  // sequence_functions.cpp
void RegisterWindowFunctions(BuiltinRegistry& r);    // adt/window_functions.cpp
void RegisterStepFunctions(BuiltinRegistry& r);      // step_functions.cpp

namespace {

BuiltinRegistry MakeRegistry() {
  BuiltinRegistry r;
  // Each module of functions adds its entries here, one line each:
  RegisterMiscFunctions(r);
  RegisterStorageFunctions(r);
  RegisterXactFunctions(r);
  RegisterLegacyOperators(r);
  adt::RegisterNumericOperators(r);
  adt::RegisterMathFunctions(r);
  adt::RegisterDatetimeOperators(r);
  adt::RegisterDatetimeFunctions(r);
  adt::RegisterTextFunctions(r);
  adt::RegisterLikeOperators(r);
  adt::RegisterRegexOperators(r);
  adt::RegisterSeriesFunctions(r);
  adt::RegisterArrayFunctions(r);
  RegisterCatalogFunctions(r);
  RegisterSequenceFunctions(r);
  RegisterWindowFunctions(r);
  RegisterStepFunctions(r);
  return r;
}

}  // namespace

const BuiltinRegistry& Builtins() {
  static const BuiltinRegistry registry = MakeRegistry();
  return registry;
}

std::vector<const FunctionInfo*> FindFunctions(std::string_view name) {
  std::vector<const FunctionInfo*> out;
  for (const FunctionInfo& f : Builtins().functions) {
    if (name == f.name) out.push_back(&f);
  }
  return out;
}

std::vector<const OperatorInfo*> FindOperators(std::string_view name) {
  std::vector<const OperatorInfo*> out;
  for (const OperatorInfo& o : Builtins().operators) {
    if (name == o.name) out.push_back(&o);
  }
  return out;
}

const CastInfo* FindCast(TypeId source, TypeId target) {
  for (const CastInfo& c : Builtins().casts) {
    if (c.source == source && c.target == target) return &c;
  }
  return nullptr;
}

const FunctionInfo* FindFunctionByOid(uint32_t oid) {
  for (const FunctionInfo& f : Builtins().functions) {
    if (f.oid == oid) return &f;
  }
  return nullptr;
}

}  // namespace minipg::sql
