/*-------------------------------------------------------------------------
 * alter_ddl.cpp
 *   ALTER TABLE through the catalogs (alter_ddl.h).
 *-------------------------------------------------------------------------
 */
#include "engine/catalog/alter_ddl.h"

#include <functional>

#include <fmt/format.h>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/catalog_rows.h"
#include "engine/catalog/client_catalogs.h"
#include "engine/catalog/index_ddl.h"
#include "engine/catalog/table_ddl.h"
#include "engine/common/sqlstate.h"
#include "engine/storage/heap/transam.h"
#include "engine/storage/ipc/sinval.h"

namespace minipg::catalog {

namespace {

using storage::Datum;

int64_t Int(const storage::Tuple& row, size_t col) { return std::get<int64_t>(row[col]); }
const std::string& Text(const storage::Tuple& row, size_t col) { return std::get<std::string>(row[col]); }

/* Every row of `cat` that `match` accepts replaced by what `change` makes
 * of it (heap_update: delete, insert). How many there were. */
Result<int> UpdateCatalogRows(const SystemCatalog& cat, Oid db, const std::function<bool(const storage::Tuple&)>& match,
                              const std::function<void(storage::Tuple&)>& change) {
  auto rows = CatalogScan(cat, db);
  if (!rows.ok()) return rows.error();
  int n = 0;
  for (CatalogRow& r : *rows) {
    if (!match(r.values)) continue;
    if (Status s = CatalogDelete(cat, db, r.tid); !s.ok()) return s.error();
    change(r.values);
    if (Status s = CatalogInsert(cat, db, r.values); !s.ok()) return s.error();
    ++n;
  }
  return n;
}

/* The table being altered: its pg_class row, under the DDL lock. */
struct Target {
  Oid db = 0;
  Oid oid = 0;
  CatalogRow row;
};
Result<Target> OpenTarget(const std::filesystem::path& db_dir, std::string_view table) {
  if (Status s = LockDatabaseDdl(db_dir); !s.ok()) return s.error();
  Target t;
  t.db = DatabaseOidOf(db_dir);
  auto row = FindRelationRow(t.db, table);
  if (!row.ok()) return row.error();
  if (!row->has_value() || Text((**row).values, pg_class::kRelkind) != "r") {
    return MakeError(sqlstate::kUndefinedTable, fmt::format("relation \"{}\" does not exist", table));
  }
  t.row = std::move(**row);
  t.oid = static_cast<Oid>(Int(t.row.values, pg_class::kOid));
  return t;
}

/* Changes column `attnum`'s pg_attribute row. */
Status UpdateAttribute(const Target& t, int attnum, const std::function<void(storage::Tuple&)>& change) {
  auto n = UpdateCatalogRows(
      *FindSystemCatalog("pg_attribute"), t.db,
      [&](const storage::Tuple& r) { return Int(r, pg_attribute::kAttrelid) == t.oid && Int(r, pg_attribute::kAttnum) == attnum; },
      change);
  if (!n.ok()) return n.error();
  storage::CacheInvalidateRelcache(t.db, t.oid);
  return OkStatus();
}

/* The table's pg_constraint row called `name`, if any. */
Result<std::optional<CatalogRow>> FindConstraintRow(const Target& t, std::string_view name) {
  auto rows = CatalogScan(*FindSystemCatalog("pg_constraint"), t.db);
  if (!rows.ok()) return rows.error();
  for (CatalogRow& r : *rows) {
    if (Int(r.values, pg_constraint::kConrelid) == t.oid && Text(r.values, pg_constraint::kConname) == name) {
      return std::optional<CatalogRow>(std::move(r));
    }
  }
  return std::optional<CatalogRow>();
}

/* An int2 array (conkey, indkey) with every attnum above `dropped` one lower. */
Datum Renumbered(const Datum& keys, int dropped) {
  const auto* array = std::get_if<storage::ArrayValue>(&keys);
  if (array == nullptr || !array->data) return keys;
  storage::ArrayData data = *array->data;
  for (Datum& k : data.elements) {
    if (auto* v = std::get_if<int64_t>(&k); v != nullptr && *v > dropped) --*v;
  }
  return storage::ArrayValue{std::make_shared<const storage::ArrayData>(std::move(data))};
}

}  // namespace

Status AddColumnWithCatalog(const std::filesystem::path& db_dir, std::string_view table,
                            const storage::ColumnDef& column) {
  auto t = OpenTarget(db_dir, table);
  if (!t.ok()) return t.error();
  auto attnum = static_cast<int16_t>(Int(t->row.values, pg_class::kRelnatts) + 1);
  if (Status s = CatalogInsert(*FindSystemCatalog("pg_attribute"), t->db, PgAttributeRow(t->oid, column, attnum));
      !s.ok()) {
    return s;
  }
  if (!column.default_expr.empty()) {
    if (Status s = CatalogInsert(*FindSystemCatalog("pg_attrdef"), t->db,
                                 PgAttrdefRow(storage::GetNewObjectId(), t->oid, attnum, column.default_expr));
        !s.ok()) {
      return s;
    }
  }
  auto n = UpdateCatalogRows(
      *FindSystemCatalog("pg_class"), t->db, [&](const storage::Tuple& r) { return Int(r, pg_class::kOid) == t->oid; },
      [&](storage::Tuple& r) { r[pg_class::kRelnatts] = Datum(static_cast<int64_t>(attnum)); });
  if (!n.ok()) return n.error();
  storage::CacheInvalidateRelcache(t->db, t->oid);
  return OkStatus();
}

Status DropColumnWithCatalog(const std::filesystem::path& db_dir, std::string_view table, int attnum) {
  auto t = OpenTarget(db_dir, table);
  if (!t.ok()) return t.error();
  Oid oid = t->oid;
  // The column's own rows, then the later columns one lower wherever an
  // attnum is kept.
  struct Numbered {
    const char* catalog;
    size_t relid;
    size_t attnum;
  };
  for (Numbered c : {Numbered{"pg_attribute", pg_attribute::kAttrelid, pg_attribute::kAttnum},
                     Numbered{"pg_attrdef", pg_attrdef::kAdrelid, pg_attrdef::kAdnum}}) {
    const SystemCatalog& cat = *FindSystemCatalog(c.catalog);
    auto rows = CatalogScan(cat, t->db);
    if (!rows.ok()) return rows.error();
    for (const CatalogRow& r : *rows) {
      if (Int(r.values, c.relid) != oid || Int(r.values, c.attnum) != attnum) continue;
      if (Status s = CatalogDelete(cat, t->db, r.tid); !s.ok()) return s;
    }
    auto n = UpdateCatalogRows(
        cat, t->db, [&](const storage::Tuple& r) { return Int(r, c.relid) == oid && Int(r, c.attnum) > attnum; },
        [&](storage::Tuple& r) { r[c.attnum] = Datum(Int(r, c.attnum) - 1); });
    if (!n.ok()) return n.error();
  }
  auto n = UpdateCatalogRows(
      *FindSystemCatalog("pg_constraint"), t->db,
      [&](const storage::Tuple& r) { return Int(r, pg_constraint::kConrelid) == oid; },
      [&](storage::Tuple& r) { r[pg_constraint::kConkey] = Renumbered(r[pg_constraint::kConkey], attnum); });
  if (!n.ok()) return n.error();
  n = UpdateCatalogRows(
      *FindSystemCatalog("pg_index"), t->db, [&](const storage::Tuple& r) { return Int(r, pg_index::kIndrelid) == oid; },
      [&](storage::Tuple& r) { r[pg_index::kIndkey] = Renumbered(r[pg_index::kIndkey], attnum); });
  if (!n.ok()) return n.error();
  n = UpdateCatalogRows(
      *FindSystemCatalog("pg_class"), t->db, [&](const storage::Tuple& r) { return Int(r, pg_class::kOid) == oid; },
      [&](storage::Tuple& r) { r[pg_class::kRelnatts] = Datum(Int(r, pg_class::kRelnatts) - 1); });
  if (!n.ok()) return n.error();
  storage::CacheInvalidateRelcache(t->db, oid);
  return OkStatus();
}

Status RenameTableWithCatalog(const std::filesystem::path& db_dir, std::string_view table, std::string_view new_name) {
  auto t = OpenTarget(db_dir, table);
  if (!t.ok()) return t.error();
  auto taken = FindRelationRow(t->db, new_name);
  if (!taken.ok()) return taken.error();
  if (taken->has_value()) {
    return MakeError(sqlstate::kDuplicateTable, fmt::format("relation \"{}\" already exists", new_name));
  }
  std::string name(new_name);
  auto n = UpdateCatalogRows(
      *FindSystemCatalog("pg_class"), t->db, [&](const storage::Tuple& r) { return Int(r, pg_class::kOid) == t->oid; },
      [&](storage::Tuple& r) { r[pg_class::kRelname] = Datum(name); });
  if (!n.ok()) return n.error();
  n = UpdateCatalogRows(
      *FindSystemCatalog("pg_type"), t->db, [&](const storage::Tuple& r) { return Int(r, pg_type::kTyprelid) == t->oid; },
      [&](storage::Tuple& r) { r[pg_type::kTypname] = Datum(name); });
  if (!n.ok()) return n.error();
  storage::CacheInvalidateRelcache(t->db, t->oid);
  return OkStatus();
}

Status RenameColumnWithCatalog(const std::filesystem::path& db_dir, std::string_view table, int attnum,
                               std::string_view new_name) {
  auto t = OpenTarget(db_dir, table);
  if (!t.ok()) return t.error();
  std::string name(new_name);
  return UpdateAttribute(*t, attnum, [&](storage::Tuple& r) { r[pg_attribute::kAttname] = Datum(name); });
}

Status SetColumnNotNull(const std::filesystem::path& db_dir, std::string_view table, int attnum, bool not_null) {
  auto t = OpenTarget(db_dir, table);
  if (!t.ok()) return t.error();
  return UpdateAttribute(*t, attnum, [&](storage::Tuple& r) { r[pg_attribute::kAttnotnull] = Datum(not_null); });
}

Status SetColumnDefault(const std::filesystem::path& db_dir, std::string_view table, int attnum,
                        std::string_view expression) {
  auto t = OpenTarget(db_dir, table);
  if (!t.ok()) return t.error();
  const SystemCatalog& attrdef = *FindSystemCatalog("pg_attrdef");
  auto rows = CatalogScan(attrdef, t->db);
  if (!rows.ok()) return rows.error();
  for (const CatalogRow& r : *rows) {
    if (Int(r.values, pg_attrdef::kAdrelid) != t->oid || Int(r.values, pg_attrdef::kAdnum) != attnum) continue;
    if (Status s = CatalogDelete(attrdef, t->db, r.tid); !s.ok()) return s;
  }
  if (!expression.empty()) {
    if (Status s = CatalogInsert(attrdef, t->db,
                                 PgAttrdefRow(storage::GetNewObjectId(), t->oid, static_cast<int16_t>(attnum), expression));
        !s.ok()) {
      return s;
    }
  }
  bool has_default = !expression.empty();
  return UpdateAttribute(*t, attnum, [&](storage::Tuple& r) { r[pg_attribute::kAtthasdef] = Datum(has_default); });
}

Status SetCheckExpression(const std::filesystem::path& db_dir, std::string_view table, std::string_view check,
                          std::string_view expression) {
  auto t = OpenTarget(db_dir, table);
  if (!t.ok()) return t.error();
  std::string text(expression);
  auto n = UpdateCatalogRows(
      *FindSystemCatalog("pg_constraint"), t->db,
      [&](const storage::Tuple& r) {
        return Int(r, pg_constraint::kConrelid) == t->oid && Text(r, pg_constraint::kConname) == check;
      },
      [&](storage::Tuple& r) { r[pg_constraint::kConbin] = Datum(text); });
  if (!n.ok()) return n.error();
  storage::CacheInvalidateRelcache(t->db, t->oid);
  return OkStatus();
}

Status SetConstraintValidated(const std::filesystem::path& db_dir, std::string_view table, std::string_view name) {
  auto t = OpenTarget(db_dir, table);
  if (!t.ok()) return t.error();
  auto n = UpdateCatalogRows(
      *FindSystemCatalog("pg_constraint"), t->db,
      [&](const storage::Tuple& r) {
        return Int(r, pg_constraint::kConrelid) == t->oid && Text(r, pg_constraint::kConname) == name;
      },
      [](storage::Tuple& r) { r[pg_constraint::kConvalidated] = Datum(true); });
  if (!n.ok()) return n.error();
  storage::CacheInvalidateRelcache(t->db, t->oid);
  return OkStatus();
}

Result<char> FindConstraint(const std::filesystem::path& db_dir, std::string_view table, std::string_view name) {
  auto t = OpenTarget(db_dir, table);
  if (!t.ok()) return t.error();
  auto row = FindConstraintRow(*t, name);
  if (!row.ok()) return row.error();
  if (!row->has_value()) return '\0';
  return Text((**row).values, pg_constraint::kContype).at(0);
}

Result<bool> DropConstraintWithCatalog(const std::filesystem::path& db_dir, std::string_view table,
                                       std::string_view name) {
  auto t = OpenTarget(db_dir, table);
  if (!t.ok()) return t.error();
  auto row = FindConstraintRow(*t, name);
  if (!row.ok()) return row.error();
  if (!row->has_value()) return false;
  if (Status s = CatalogDelete(*FindSystemCatalog("pg_constraint"), t->db, (**row).tid); !s.ok()) return s.error();
  auto index = static_cast<Oid>(Int((**row).values, pg_constraint::kConindid));
  if (index != 0) {
    if (Status s = DropIndexById(t->db, index); !s.ok()) return s.error();
  }
  storage::CacheInvalidateRelcache(t->db, t->oid);
  return true;
}

Result<bool> RenameConstraintWithCatalog(const std::filesystem::path& db_dir, std::string_view table,
                                         std::string_view name, std::string_view new_name) {
  auto t = OpenTarget(db_dir, table);
  if (!t.ok()) return t.error();
  auto row = FindConstraintRow(*t, name);
  if (!row.ok()) return row.error();
  if (!row->has_value()) return false;
  std::string renamed(new_name);
  auto index = static_cast<Oid>(Int((**row).values, pg_constraint::kConindid));
  if (index != 0) {  // its index's name first, as PostgreSQL renames the index first
    auto relation = FindRelationRow(t->db, new_name);
    if (!relation.ok()) return relation.error();
    if (relation->has_value()) {
      return MakeError(sqlstate::kDuplicateTable, fmt::format("relation \"{}\" already exists", new_name));
    }
  }
  auto taken = FindConstraintRow(*t, new_name);
  if (!taken.ok()) return taken.error();
  if (taken->has_value()) {
    return MakeError(sqlstate::kDuplicateObject,
                     fmt::format("constraint \"{}\" for relation \"{}\" already exists", new_name, table));
  }
  if (index != 0) {
    auto n = UpdateCatalogRows(
        *FindSystemCatalog("pg_class"), t->db, [&](const storage::Tuple& r) { return Int(r, pg_class::kOid) == index; },
        [&](storage::Tuple& r) { r[pg_class::kRelname] = Datum(renamed); });
    if (!n.ok()) return n.error();
    storage::CacheInvalidateRelcache(t->db, index);
  }
  const SystemCatalog& constraint = *FindSystemCatalog("pg_constraint");
  if (Status s = CatalogDelete(constraint, t->db, (**row).tid); !s.ok()) return s.error();
  (**row).values[pg_constraint::kConname] = Datum(renamed);
  if (Status s = CatalogInsert(constraint, t->db, (**row).values); !s.ok()) return s.error();
  storage::CacheInvalidateRelcache(t->db, t->oid);
  return true;
}

}  // namespace minipg::catalog
