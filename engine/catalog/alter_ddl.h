/*-------------------------------------------------------------------------
 * alter_ddl.h
 *   ALTER TABLE's catalog changes (PostgreSQL's tablecmds.c: ATExec...),
 *   in the current transaction, each under the database's DDL lock and
 *   ending with a relcache invalidation of the table (this backend at
 *   once, the others at commit, as CREATE INDEX does):
 *
 *     AddColumnWithCatalog       pg_attribute row at attnum relnatts + 1,
 *                                pg_attrdef row if it has a default,
 *                                pg_class.relnatts + 1
 *     DropColumnWithCatalog      the column's pg_attribute / pg_attrdef rows
 *                                gone, the later columns renumbered (the
 *                                caller rewrites the rows first)
 *     RenameTableWithCatalog     pg_class.relname and its row type's typname
 *     RenameColumnWithCatalog    pg_attribute.attname
 *     SetColumnNotNull           pg_attribute.attnotnull
 *     SetColumnDefault           pg_attrdef row replaced (or removed)
 *     SetCheckExpression         a CHECK's pg_constraint.conbin replaced
 *     DropConstraintWithCatalog  the pg_constraint row, and its index
 *     RenameConstraintWithCatalog  pg_constraint.conname (and its index)
 *
 * NOTES
 *   A catalog row is changed as PostgreSQL's heap_update does it: the old
 *   version deleted, the new one inserted, so ROLLBACK undoes it.
 *   Checking the table's rows (NOT NULL, CHECK) and rewriting them is the
 *   executor's (executor/exec_alter.cpp).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "engine/catalog/system_catalog.h"
#include "engine/common/error.h"

namespace minipg::catalog {

Status AddColumnWithCatalog(const std::filesystem::path& db_dir, std::string_view table,
                            const storage::ColumnDef& column);
/* Column `attnum` (1-based) of `table` removed; the later ones move down. */
Status DropColumnWithCatalog(const std::filesystem::path& db_dir, std::string_view table, int attnum);
Status RenameTableWithCatalog(const std::filesystem::path& db_dir, std::string_view table, std::string_view new_name);
Status RenameColumnWithCatalog(const std::filesystem::path& db_dir, std::string_view table, int attnum,
                               std::string_view new_name);
Status SetColumnNotNull(const std::filesystem::path& db_dir, std::string_view table, int attnum, bool not_null);
/* An empty `expression` drops the default. */
Status SetColumnDefault(const std::filesystem::path& db_dir, std::string_view table, int attnum,
                        std::string_view expression);
Status SetCheckExpression(const std::filesystem::path& db_dir, std::string_view table, std::string_view check,
                          std::string_view expression);

/* ALTER TABLE ... VALIDATE CONSTRAINT: pg_constraint.convalidated set. */
Status SetConstraintValidated(const std::filesystem::path& db_dir, std::string_view table, std::string_view name);

/* The constraint's type (p, u, c, f) if `table` has one called `name`, else '\0'. */
Result<char> FindConstraint(const std::filesystem::path& db_dir, std::string_view table, std::string_view name);
/* False if the table has no constraint of that name. */
Result<bool> DropConstraintWithCatalog(const std::filesystem::path& db_dir, std::string_view table,
                                       std::string_view name);
/* False if the table has no constraint `name`; 42710 if `new_name` is
 * taken by another constraint of it, 42P07 by a relation (its index). */
Result<bool> RenameConstraintWithCatalog(const std::filesystem::path& db_dir, std::string_view table,
                                         std::string_view name, std::string_view new_name);

}  // namespace minipg::catalog
