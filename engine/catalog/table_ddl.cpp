/*-------------------------------------------------------------------------
 * table_ddl.cpp
 *   CREATE TABLE / DROP TABLE through the catalogs (table_ddl.h).
 *-------------------------------------------------------------------------
 */
#include "engine/catalog/table_ddl.h"

#include <optional>
#include <string>

#include <fmt/format.h>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/catalog_rows.h"
#include "engine/catalog/client_catalogs.h"
#include "engine/catalog/index_ddl.h"
#include "engine/catalog/sequence_ddl.h"
#include "engine/catalog/view_ddl.h"
#include "engine/common/sqlstate.h"
#include "engine/storage/file_util.h"
#include "engine/storage/heap/heapam.h"
#include "engine/storage/heap/transam.h"
#include "engine/storage/heap/xact.h"
#include "engine/storage/ipc/sinval.h"
#include "engine/storage/lmgr/lock.h"
#include "engine/storage/smgr/smgr.h"

namespace minipg::catalog {


Result<std::optional<CatalogRow>> FindRelationRow(Oid db, std::string_view name) {
  auto rows = CatalogScan(*FindSystemCatalog("pg_class"), db);
  if (!rows.ok()) return rows.error();
  for (CatalogRow& r : *rows) {
    if (std::get<std::string>(r.values[pg_class::kRelname]) == name &&
        std::get<int64_t>(r.values[pg_class::kRelnamespace]) == kPublicNamespace) {
      return std::optional<CatalogRow>(std::move(r));
    }
  }
  return std::optional<CatalogRow>();
}

Oid NewRelationOid(Oid db) {
  for (;;) {
    Oid oid = storage::GetNewObjectId();
    if (!storage::SmgrExists(storage::RelFileLocator{storage::kDefaultTablespaceOid, db, oid},
                             storage::ForkNumber::kMain)) {
      return oid;
    }
  }
}

Status DeleteCatalogRowsWhere(const SystemCatalog& cat, Oid db, size_t col, int64_t value) {
  auto rows = CatalogScan(cat, db);
  if (!rows.ok()) return rows.error();
  for (const CatalogRow& r : *rows) {
    if (std::get<int64_t>(r.values[col]) != value) continue;
    if (Status s = CatalogDelete(cat, db, r.tid); !s.ok()) return s;
  }
  return OkStatus();
}

Status InsertRelationRows(Oid db, const RelationRow& rel, const storage::Tuple& class_row,
                          const std::vector<storage::ColumnDef>& columns) {
  if (Status s = CatalogInsert(*FindSystemCatalog("pg_type"), db, PgTypeRowType(rel)); !s.ok()) return s;
  if (Status s = CatalogInsert(*FindSystemCatalog("pg_class"), db, class_row); !s.ok()) return s;
  const SystemCatalog& attribute = *FindSystemCatalog("pg_attribute");
  for (size_t i = 0; i < columns.size(); ++i) {
    auto attnum = static_cast<int16_t>(i + 1);
    if (Status s = CatalogInsert(attribute, db, PgAttributeRow(rel.oid, columns[i], attnum)); !s.ok()) return s;
    if (columns[i].default_expr.empty()) continue;
    if (Status s = CatalogInsert(*FindSystemCatalog("pg_attrdef"), db,
                                 PgAttrdefRow(storage::GetNewObjectId(), rel.oid, attnum, columns[i].default_expr));
        !s.ok()) {
      return s;
    }
  }
  return OkStatus();
}

Error WrongRelationKind(std::string_view name, std::string_view what, const std::string& kind) {
  Error e = MakeError(sqlstate::kWrongObjectType, fmt::format("\"{}\" is not a {}", name, what));
  if (kind == "r") e.hint = "Use DROP TABLE to remove a table.";
  if (kind == "S") e.hint = "Use DROP SEQUENCE to remove a sequence.";
  if (kind == "v") e.hint = "Use DROP VIEW to remove a view.";
  if (kind == "i") e.hint = "Use DROP INDEX to remove an index.";
  return e;
}

Status LockDatabaseDdl(const std::filesystem::path& db_dir) {
  // An ExclusiveLock on the database's public schema (an "object" lock of
  // the lock manager), held to the transaction's end: one DDL transaction
  // per database at a time, waits visible in pg_locks, part of deadlock
  // detection and cancellable. PostgreSQL has no such lock: it locks each
  // object its DDL touches, and unique catalog indexes catch a name created
  // twice.
  return lmgr::LockAcquire(lmgr::ObjectTag(DatabaseOidOf(db_dir), kNamespaceRelationId, kPublicNamespace, 0),
                           lmgr::LockMode::kExclusive);
}

Result<bool> RelationNameFree(Oid db, std::string_view name) {
  auto existing = FindRelationRow(db, name);
  if (!existing.ok()) return existing.error();
  return !existing->has_value();
}

Error CreatedMeanwhile(std::string_view index, std::string_view columns, std::string_view name) {
  Error e = MakeError(sqlstate::kUniqueViolation, fmt::format("duplicate key value violates unique constraint \"{}\"", index));
  e.detail = fmt::format("Key ({})=({}, {}) already exists.", columns, name, kPublicNamespace);
  return e;
}

Result<bool> CreateTableWithCatalog(const std::filesystem::path& db_dir, std::string_view name,
                                    const std::vector<storage::ColumnDef>& columns, Oid owner,
                                    const std::vector<std::string>& options) {
  Oid db = DatabaseOidOf(db_dir);
  auto free = RelationNameFree(db, name);
  if (!free.ok()) return free.error();
  if (!*free) return false;
  if (Status s = LockDatabaseDdl(db_dir); !s.ok()) return s.error();
  free = RelationNameFree(db, name);
  if (!free.ok()) return free.error();
  if (!*free) return CreatedMeanwhile("pg_type_typname_nsp_index", "typname, typnamespace", name);

  RelationRow rel;
  rel.oid = NewRelationOid(db);
  rel.row_type = storage::GetNewObjectId();
  rel.name = name;
  rel.nspace = kPublicNamespace;
  rel.owner = owner;
  rel.natts = columns.size();
  rel.frozen_xid = storage::GetCurrentTransactionId();
  rel.options = options;
  storage::RelFileLocator file{storage::kDefaultTablespaceOid, db, rel.oid};
  if (Status s = storage::HeapCreateRelation(file); !s.ok()) return s.error();
  if (Status s = InsertRelationRows(db, rel, PgClassRow(rel), columns); !s.ok()) return s.error();
  storage::CacheInvalidateRelcache(db, rel.oid);  // this backend's relcache at once, others at commit
  return true;
}

Result<bool> DropTableWithCatalog(const std::filesystem::path& db_dir, std::string_view name) {
  if (Status s = LockDatabaseDdl(db_dir); !s.ok()) return s.error();
  Oid db = DatabaseOidOf(db_dir);
  auto existing = FindRelationRow(db, name);
  if (!existing.ok()) return existing.error();
  if (!existing->has_value()) return false;
  const CatalogRow& row = **existing;
  const std::string& kind = std::get<std::string>(row.values[pg_class::kRelkind]);
  if (kind != "r") return WrongRelationKind(name, "table", kind);
  int64_t oid = std::get<int64_t>(row.values[pg_class::kOid]);
  if (Status s = CheckNoDependentViews(db, static_cast<Oid>(oid), "table", name); !s.ok()) return s.error();
  if (Status s = DropOwnedSequences(db_dir, static_cast<Oid>(oid)); !s.ok()) return s.error();
  if (Status s = DropIndexesOfTable(db, static_cast<Oid>(oid)); !s.ok()) return s.error();
  if (Status s = CatalogDelete(*FindSystemCatalog("pg_class"), db, row.tid); !s.ok()) return s.error();
  if (Status s = DeleteCatalogRowsWhere(*FindSystemCatalog("pg_attribute"), db, pg_attribute::kAttrelid, oid); !s.ok()) {
    return s.error();
  }
  if (Status s = DeleteCatalogRowsWhere(*FindSystemCatalog("pg_type"), db, pg_type::kTyprelid, oid); !s.ok()) {
    return s.error();
  }
  if (Status s = DeleteCatalogRowsWhere(*FindSystemCatalog("pg_attrdef"), db, pg_attrdef::kAdrelid, oid); !s.ok()) {
    return s.error();
  }
  if (Status s = DeleteCatalogRowsWhere(*FindSystemCatalog("pg_constraint"), db, pg_constraint::kConrelid, oid);
      !s.ok()) {
    return s.error();
  }
  if (Status s = DeleteCatalogRowsWhere(*FindSystemCatalog("pg_statistic"), db, pg_statistic::kStarelid, oid); !s.ok()) {
    return s.error();
  }
  auto filenode = static_cast<Oid>(std::get<int64_t>(row.values[pg_class::kRelfilenode]));
  storage::HeapDropRelation(storage::RelFileLocator{storage::kDefaultTablespaceOid, db, filenode});
  storage::CacheInvalidateRelcache(db, static_cast<Oid>(oid));
  return true;
}

}  // namespace minipg::catalog
