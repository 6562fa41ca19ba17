/*-------------------------------------------------------------------------
 * catalog.h
 *   A database's table catalog: which tables exist and their columns, kept
 *   in one file in the database's folder base/<dboid>/ (global_catalog.h
 *   lists the databases), shared by every backend connected to it. The
 *   functions below take that folder as `db_dir`.
 *
 *   Catalog file base/<dboid>/minipg_catalog (all integers little-endian):
 *
 *     OFFSET  SIZE  DESCRIPTION
 *          0     8  magic "MPGCATv1"
 *          8     4  format version (1)
 *         12     4  next table OID to hand out (starts at 16384, as in PostgreSQL)
 *         16     4  number of tables N
 *         20     *  N table entries (below)
 *        end-4   4  CRC-32 of every byte before it
 *
 *   Table entry:
 *
 *     OFFSET  SIZE  DESCRIPTION
 *          0     4  table OID (its relation file is base/<dboid>/<OID>)
 *          4     2  name length L
 *          6     L  name (UTF-8, as folded or quoted in SQL)
 *        6+L     2  column count C
 *        8+L     *  C column entries: 2-byte name length, name, 1-byte ColumnType
 *
 * NOTES
 *   Concurrency: readers take a shared flock() on minipg_catalog.lock,
 *   changers an exclusive one. A change re-reads the catalog under the lock,
 *   writes a new file minipg_catalog.tmp, fsyncs it and rename()s it
 *   over the old one (then fsyncs the directory): a reader sees the old or
 *   the new catalog, never a mix, and a crash leaves one of the two. The lock
 *   lives in its own file because rename() replaces the catalog's inode.
 *   Callers re-load the catalog for every statement, so a CREATE TABLE in
 *   one backend is seen by the next statement of any other.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/error.h"
#include "engine/storage/block.h"
#include "engine/storage/datum.h"

namespace minipg::storage {

inline constexpr uint32_t kFirstTableOid = 16384;
/* The role initdb creates, which owns what it creates (PostgreSQL's OID 10). */
inline constexpr uint32_t kBootstrapSuperuserOid = 10;

struct ColumnDef {
  std::string name;
  ColumnType type;
};

struct TableDef {
  uint32_t oid = 0;
  std::string name;
  uint32_t owner = 0;  // the role OID of whoever created it (pg_tables.tableowner)
  std::vector<ColumnDef> columns;
  bool shared = false;  // a shared system catalog: its file is in global/, not base/<db>/
};

/* The catalog as read at one moment. */
struct CatalogSnapshot {
  uint32_t next_oid = kFirstTableOid;
  std::vector<TableDef> tables;  // in creation order

  /* The table called `name` (exact match), or nullptr. */
  const TableDef* Find(std::string_view name) const;
};

/* Encodes / decodes the catalog file's bytes (exposed for tests). */
std::string EncodeCatalog(const CatalogSnapshot& catalog);
Result<CatalogSnapshot> DecodeCatalog(std::string_view bytes);

/* Paths inside a database's folder (base/<dboid>). */
std::filesystem::path CatalogPath(const std::filesystem::path& db_dir);
std::filesystem::path CatalogLockPath(const std::filesystem::path& db_dir);
std::filesystem::path TablePath(const std::filesystem::path& db_dir, uint32_t oid);

/* Reads the current catalog under a shared lock. */
Result<CatalogSnapshot> LoadCatalog(const std::filesystem::path& data_dir);

/* Makes or removes a table's relation files, given its OID (heapam). */
using TableStorageFn = std::function<Status(uint32_t oid)>;

/* Creates a table: under the catalog's lock, `create_storage` (if given)
 * makes its relation file, then the catalog is written. Returns false,
 * changing nothing, if a table of that name exists. */
Result<bool> CreateTable(const std::filesystem::path& data_dir, std::string_view name,
                         const std::vector<ColumnDef>& columns, uint32_t owner,
                         const TableStorageFn& create_storage = {});

/* Drops a table from the catalog, then calls `drop_storage` (if given)
 * for its files. Returns false if there was none. */
Result<bool> DropTable(const std::filesystem::path& data_dir, std::string_view name,
                       const TableStorageFn& drop_storage = {});

/* The relation file of table `oid` of the database whose folder is
 * `db_dir` (base/<db oid>): its relfilenode is its OID for now. */
RelFileLocator TableRelFileLocator(const std::filesystem::path& db_dir, uint32_t oid);

}  // namespace minipg::storage
