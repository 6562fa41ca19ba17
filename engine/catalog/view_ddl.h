/*-------------------------------------------------------------------------
 * view_ddl.h
 *   CREATE [OR REPLACE] VIEW and DROP VIEW as catalog rows (PostgreSQL's
 *   DefineView / DefineViewRules): a pg_class row of relkind 'v' (no
 *   relation file), its columns in pg_attribute, its row type in pg_type,
 *   a pg_rewrite rule "_RETURN" whose ev_action holds the query, and
 *   pg_depend rows (the rule on each relation the query reads, deptype
 *   'n'), which make DROP TABLE of such a relation fail with 2BP01.
 *
 * NOTES
 *   ev_action holds the query's SQL text as written (PostgreSQL: the
 *   analyzed Query tree); it is parsed and analyzed again each time the
 *   view is used, as a subquery in FROM.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "engine/catalog/system_catalog.h"
#include "engine/common/error.h"

namespace minipg::catalog {

/* Creates view `name` (or replaces the view of that name when `replace`);
 * `reads` are the OIDs of the relations its query reads. False (nothing
 * done) if a relation of that name exists and `replace` is not set; 42809
 * `"x" is not a view` when it is another kind of relation. */
Result<bool> CreateViewWithCatalog(const std::filesystem::path& db_dir, std::string_view name,
                                   const std::vector<storage::ColumnDef>& columns, std::string_view query,
                                   const std::vector<Oid>& reads, Oid owner, bool replace);

/* Drops view `name`. False if there is none; 42809 `"x" is not a view`. */
Result<bool> DropViewWithCatalog(const std::filesystem::path& db_dir, std::string_view name);

/* 2BP01 `cannot drop <what> <name> because other objects depend on it`
 * when a view reads relation `relid`. */
Status CheckNoDependentViews(Oid db, Oid relid, std::string_view what, std::string_view name);

}  // namespace minipg::catalog
