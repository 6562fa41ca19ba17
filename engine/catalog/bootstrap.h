/*-------------------------------------------------------------------------
 * bootstrap.h
 *   The system catalogs of a new data directory, written as PostgreSQL's
 *   bootstrap mode writes them: straight to their relation files, before
 *   the server runs (no WAL, no buffer pool), every row frozen (xmin 1,
 *   the bootstrap transaction, with the frozen infomask bits), fsynced.
 *
 *     template1 (OID 1): base/1/1247 pg_type, 1249 pg_attribute,
 *                        1259 pg_class, 2615 pg_namespace, 2610 pg_index
 *     postgres (OID 5):  a copy of template1's files
 *
 *   pg_class and pg_attribute describe the catalogs themselves (shared
 *   ones too, relisshared); pg_type holds the base types minipg has and
 *   the catalogs' row types; pg_namespace pg_catalog, pg_toast and public;
 *   pg_am heap and btree, pg_collation default, C and POSIX; pg_proc,
 *   pg_operator and pg_cast whatever the caller gives (the server: the SQL
 *   layer's built-in functions, sql::BuiltinCatalogRows); the other
 *   catalogs clients read (client_catalogs.h) are empty.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <filesystem>
#include <map>
#include <vector>

#include "engine/common/error.h"
#include "engine/storage/block.h"
#include "engine/storage/catalog.h"
#include "engine/storage/datum.h"

namespace minipg::catalog {

/* Writes `rows` as frozen tuples (xmin 1, the frozen infomask) on pages
 * to a new relation file at `path`, fsynced: bootstrap mode's heap_insert. */
Status WriteBootstrapRelation(const std::filesystem::path& path, const std::vector<storage::ColumnDef>& columns,
                              const std::vector<storage::Tuple>& rows);

/* Rows to add to catalogs at bootstrap, by catalog OID. */
using BootstrapRowMap = std::map<storage::Oid, std::vector<storage::Tuple>>;

/* Writes template1's catalogs and copies them to postgres, if template1
 * has none yet (an existing data directory is left alone). The database
 * folders exist already. `extra_rows` are added to their catalogs (the
 * built-in functions' pg_proc rows, ...). */
Status BootstrapCatalogs(const std::filesystem::path& data_dir, const BootstrapRowMap& extra_rows = {});

/* A data directory of a minipg older than the catalogs as tables (a
 * base/<db>/minipg_catalog file): FATAL, saying to make a new one. */
Status CheckCatalogFormat(const std::filesystem::path& data_dir);

}  // namespace minipg::catalog
