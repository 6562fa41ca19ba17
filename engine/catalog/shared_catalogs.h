/*-------------------------------------------------------------------------
 * shared_catalogs.h
 *   pg_database, pg_authid and pg_auth_members: the shared catalogs, heap
 *   relations in global/ (global/1262, global/1260, global/1261), read into
 *   the in-memory storage::GlobalCatalog that authentication, role DDL and
 *   the system views ask (who is a member of whom), and written back from
 *   a changed one.
 *
 *     LoadGlobalCatalog     this backend's cached copy; read again from the
 *                           relations after an invalidation of one of them
 *                           (a kCatcache message, sinval.h), so a password
 *                           changed by another backend is seen by the next
 *                           statement, and by the next login
 *     ChangeGlobalCatalog   takes global/'s DDL lock (exclusive flock of
 *                           global/pg_shared_ddl.lock: for the statement,
 *                           or until the transaction ends once it created a
 *                           role or a database), reads the rows afresh, lets
 *                           `change` edit a copy, then writes the difference
 *                           in the current transaction: a removed row is
 *                           deleted (xmax), a changed one updated, a new
 *                           one inserted, each queuing the catalog's
 *                           invalidation for commit
 *     BootstrapSharedCatalogs   a new data directory's rows, written frozen
 *                           as bootstrap writes the per-database catalogs
 *
 * NOTES
 *   Readers take no lock: they see the rows committed before they read a
 *   page (and their own transaction's). Two DDL statements never
 *   interleave; a transaction that created a role or a database keeps the
 *   lock to its end, so a name cannot be taken twice (PostgreSQL's unique
 *   index makes the second creator wait). A changed row is updated
 *   (HeapUpdate, as PostgreSQL's CatalogTupleUpdate). A row to change that
 *   a transaction still open changed is waited for with global/'s lock
 *   given up, then "tuple concurrently updated" (XX000) once it commits;
 *   after it aborts the change starts over.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <filesystem>
#include <functional>
#include <string_view>

#include "engine/common/error.h"
#include "engine/storage/global_catalog.h"

namespace minipg::catalog {

/* A new data directory: base/1 and base/5, and the shared catalogs' rows
 * (the bootstrap superuser `superuser`, OID 10, the OS user's name if
 * empty; the predefined roles; template1 and postgres). An existing one
 * (global/1262 is there) is left alone. */
Status BootstrapSharedCatalogs(const std::filesystem::path& data_dir, std::string_view superuser);

/* The databases, roles and memberships this transaction sees. */
Result<storage::GlobalCatalog> LoadGlobalCatalog(const std::filesystem::path& data_dir);

/* Changes the shared catalogs in the current transaction (see above). An
 * error from `change` changes nothing. */
Status ChangeGlobalCatalog(const std::filesystem::path& data_dir,
                           const std::function<Status(storage::GlobalCatalog&)>& change);

}  // namespace minipg::catalog
