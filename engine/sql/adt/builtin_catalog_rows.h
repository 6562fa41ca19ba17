/*-------------------------------------------------------------------------
 * builtin_catalog_rows.h
 *   The built-in functions, operators and casts (builtins.h) as the
 *   pg_proc, pg_operator and pg_cast rows bootstrap writes, so psql's \df
 *   and \do and a query of pg_proc show what minipg really has.
 *
 * NOTES
 *   A function's row says what the registry says (name, argument and
 *   result types, strict, volatility, set-returning, variadic) and
 *   PostgreSQL's values for the rest (prolang 12 internal, procost 1,
 *   prorows 1000 for a set-returning one, proparallel 's', prosrc its
 *   name). An operator's oprcode is 0: the registry calls C++ directly,
 *   not a pg_proc entry. Casts take OIDs from kFirstCastOid up (PostgreSQL
 *   numbers its own at initdb), castfunc 0.
 *-------------------------------------------------------------------------
 */
#pragma once

#include "engine/catalog/bootstrap.h"
#include "engine/sql/adt/builtins.h"

namespace minipg::sql {

inline constexpr uint32_t kFirstCastOid = 9000;

/* pg_proc, pg_operator and pg_cast rows of every entry of `registry`. */
catalog::BootstrapRowMap BuiltinCatalogRows(const BuiltinRegistry& registry);

}  // namespace minipg::sql
