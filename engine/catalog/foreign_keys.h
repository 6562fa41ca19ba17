/*-------------------------------------------------------------------------
 * foreign_keys.h
 *   Foreign keys as pg_constraint holds them (contype 'f'): reading them
 *   back for the executor's checks (executor/ri_triggers.cpp), resolving
 *   a new one's referenced columns and index, and deleting one (DROP
 *   TABLE ... CASCADE of the table it references).
 *
 * NOTES
 *   The relcache's TableDef does not carry foreign keys: a statement that
 *   changes rows reads them once (ReadForeignKeys), only when it changes
 *   its first row.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string>
#include <vector>

#include "engine/catalog/catalog_rows.h"
#include "engine/catalog/index_ddl.h"
#include "engine/common/error.h"
#include "engine/storage/catalog.h"

namespace minipg::catalog {

/* One foreign key: table(keys) REFERENCES ref_table(ref_keys). */
struct ForeignKeyDef {
  Oid oid = 0;
  std::string name;
  Oid table = 0;                  // conrelid: the referencing table
  std::vector<int16_t> keys;      // conkey, 1-based
  Oid ref_table = 0;              // confrelid
  std::vector<int16_t> ref_keys;  // confkey, 1-based, pairwise with keys
  Oid index = 0;                  // conindid: ref_table's unique index on ref_keys
  char on_update = 'a';           // confupdtype: a no action, r restrict, c cascade, n set null, d set default
  char on_delete = 'a';           // confdeltype
};

/* Every foreign key of database `db`, in OID (creation) order. */
Result<std::vector<ForeignKeyDef>> ReadForeignKeys(Oid db);

/* Deletes foreign key `oid`'s pg_constraint row and invalidates the
 * referencing table's relcache entry. */
Status DeleteForeignKey(Oid db, const ForeignKeyDef& fk);

/* The 1-based attnums of `names` in `table` (names that are not there are
 * left out). */
std::vector<int16_t> AttnumsOf(const storage::TableDef& table, const std::vector<std::string>& names);

/* Fills a new 'f' row's confrelid, confkey, conindid and actions from
 * `spec` (the analyzer checked it: the unique index exists). */
Status ResolveForeignKey(const storage::CatalogSnapshot& tables, const ConstraintSpec& spec, ConstraintRow& con);

}  // namespace minipg::catalog
