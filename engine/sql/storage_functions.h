/*-------------------------------------------------------------------------
 * storage_functions.h
 *   SQL functions over the storage layer, each in one table entry: the WAL
 *   positions (pg_current_wal_lsn & co, pg_walfile_name) and the sizes of
 *   relations and databases (pg_relation_size & co, pg_size_pretty).
 *
 *   The binder finds an entry by name and number of arguments
 *   (FuncId::kBuiltin); a string literal argument is text; the executor
 *   evaluates the arguments and calls the entry's function (NULL in, NULL
 *   out: all are strict, as PostgreSQL's).
 *
 * NOTES
 *   minipg has no pg_lsn nor regclass type: an LSN is text ("0/16B3748"),
 *   and a relation argument is its name (text) or its OID (integer).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/error.h"
#include "engine/sql/session.h"
#include "engine/storage/datum.h"

namespace minipg::sql {

struct BuiltinFunction {
  const char* name;
  size_t min_args;
  size_t max_args;
  TypeId result;
  Result<storage::Datum> (*call)(const std::vector<storage::Datum>& args, const SessionContext& ctx);
};

/* The entry called `name` that takes `nargs` arguments, or nullptr. */
const BuiltinFunction* FindBuiltinFunction(std::string_view name, size_t nargs);

/* pg_size_pretty(bigint): "10 kB", "8192 bytes", as PostgreSQL 15 rounds. */
std::string PrettySize(int64_t bytes);

}  // namespace minipg::sql
