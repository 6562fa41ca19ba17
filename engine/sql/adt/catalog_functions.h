/*-------------------------------------------------------------------------
 * catalog_functions.h
 *   The functions psql's \d family and pgbench call on the catalogs
 *   (PostgreSQL's ruleutils.c, namespace.c, format_type.c and the array
 *   functions they use), registered in the builtins registry:
 *
 *     visibility   pg_table_is_visible, pg_type_is_visible,
 *                  pg_function_is_visible, current_schemas
 *     deparsing    format_type, pg_get_indexdef, pg_get_constraintdef,
 *                  pg_get_viewdef, pg_get_expr, pg_get_function_result,
 *                  pg_get_function_arguments, pg_get_partkeydef,
 *                  pg_get_triggerdef, pg_get_statisticsobjdef_columns
 *     comments     obj_description, col_description, shobj_description
 *     arrays       array_to_string, array_length, array_lower,
 *                  array_upper, array_position, unnest
 *     others       pg_partition_ancestors, pg_relation_is_publishable,
 *                  pg_tablespace_location
 *
 *   RegisterCatalogFunctions also installs the reg* types' name lookups
 *   (catalog_types.h's RegTypeLookup) for this process.
 *
 * NOTES
 *   The search path is pg_catalog, then public (minipg has no
 *   search_path setting): a relation is visible when it is in one of them
 *   and no relation of the same name comes before it. Each call reads the
 *   catalogs it needs (sequential scans, no syscache): fine for psql's
 *   queries on a small database. minipg keeps expressions (pg_attrdef.adbin,
 *   pg_constraint.conbin) as their SQL text, so pg_get_expr returns it.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <optional>
#include <string>

#include "engine/sql/adt/builtins.h"

namespace minipg::sql {

void RegisterCatalogFunctions(BuiltinRegistry& r);

/* format_type(type_oid, typmod) for a type minipg knows without reading
 * pg_type (the built-in ones: "integer", "character varying(40)",
 * "numeric(10,2)"); nullopt for another OID. */
std::optional<std::string> FormatBuiltinType(uint32_t type_oid, int32_t typmod);

}  // namespace minipg::sql
