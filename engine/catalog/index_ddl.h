/*-------------------------------------------------------------------------
 * index_ddl.h
 *   B-tree indexes as catalog rows and relations (PostgreSQL's index.c:
 *   index_create, index_build, index_drop; and execIndexing.c's
 *   ExecInsertIndexTuples), in the current transaction:
 *
 *     create  DDL lock -> the table and its columns -> name free? -> OID
 *             -> relation file base/<db>/<oid> (removed if the transaction
 *             aborts) -> pg_class row (relkind 'i', relam 403), one
 *             pg_attribute row per key column, pg_index row -> the table's
 *             pg_class row gets relhasindex -> the build: every visible row
 *             of the table (nbtree BtreeBuild, WAL-logged) -> relcache
 *             invalidation of the table and the index
 *     drop    DDL lock -> delete its pg_class, pg_attribute and pg_index
 *             rows -> file removed when the transaction commits ->
 *             relcache invalidation of the table (DROP TABLE drops its
 *             table's indexes the same way)
 *     insert  InsertIndexEntries: for a new heap row, an entry in every
 *             index of its table, each unique one checked first
 *
 * NOTES
 *   The relcache gives a table's indexes (TableDef::indexes). The caller
 *   names the index (t_pkey, t_a_idx: PostgreSQL's ChooseRelationName is
 *   the SQL layer's) and makes a primary key's columns NOT NULL.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/catalog/system_catalog.h"
#include "engine/common/error.h"
#include "engine/storage/nbtree/nbtree.h"

namespace minipg::catalog {

struct IndexSpec {
  std::string name;                  // the index's own name, in public
  std::string table;                 // the table it indexes, in public
  std::vector<std::string> columns;  // key columns, in index order
  bool unique = false;
  bool primary = false;              // pg_index.indisprimary (implies unique)
};

/* CREATE [UNIQUE] INDEX. False (nothing done) if a relation of that name
 * exists. 42P01 relation "t" does not exist, 42703 column "x" does not
 * exist, 42809 "v" is not a table; the build's own errors (23505 could
 * not create unique index, 54000 index row size). `value_text` writes a
 * duplicate key's values for DETAIL. */
Result<bool> CreateIndexWithCatalog(const std::filesystem::path& db_dir, const IndexSpec& spec, Oid owner,
                                    storage::nbtree::BtValueText value_text = nullptr);

/* A constraint of CREATE TABLE (PostgreSQL's index_constraint_create and
 * CreateConstraintEntry): PRIMARY KEY ('p') and UNIQUE ('u') first build
 * their index, of the constraint's name; FOREIGN KEY ('f') names the
 * referenced table's unique index on its columns (conindid) and the
 * referenced columns (confrelid, confkey); CHECK ('c') keeps its
 * expression's SQL text (conbin). Then the pg_constraint row. */
struct ConstraintSpec {
  std::string name;                  // t_pkey, t_a_key, t_a_check
  char type = 'c';                   // p, u or c
  std::string table;                 // in public
  std::vector<std::string> columns;  // p / u / f: the key columns
  std::string check;                 // c: the expression as pg_get_expr prints it
  std::string ref_table{};                 // f: the referenced table, in public
  std::vector<std::string> ref_columns{};  // f: its columns, a unique index's key (in any order)
  char on_update = 'a', on_delete = 'a';   // f: confupdtype / confdeltype
  bool validated = true;                   // c, f: convalidated (false: ADD ... NOT VALID)
};
Status AddConstraintWithCatalog(const std::filesystem::path& db_dir, const ConstraintSpec& spec, Oid owner,
                                storage::nbtree::BtValueText value_text = nullptr);

/* DROP INDEX. False if there is no relation of that name; 42809 "t" is
 * not an index for a table; 2BP01 for the index of a constraint. */
Result<bool> DropIndexWithCatalog(const std::filesystem::path& db_dir, std::string_view name);

/* Drops index `oid` (ALTER TABLE DROP CONSTRAINT: the constraint's own). */
Status DropIndexById(Oid db, Oid oid);

/* Drops every index of table `table_oid` (DROP TABLE). */
Status DropIndexesOfTable(Oid db, Oid table_oid);

/* The access method's view of an index of `table` in database `db`. */
storage::nbtree::BtreeIndex BtreeIndexOf(Oid db, const storage::TableDef& table, const storage::IndexDef& index);

/* The key values of `row` (a row of `table`) for `index`. */
storage::Tuple IndexKeyOf(const storage::IndexDef& index, const storage::Tuple& row);

/* A visible row of `table` whose key in `index` equals `key` (in the
 * index's column order; no NULLs): its TID, nullopt if none (foreign key
 * lookups). */
Result<std::optional<storage::ItemPointer>> FindLiveIndexKey(Oid db, const storage::TableDef& table,
                                                             const storage::IndexDef& index, const storage::Tuple& key);

/* The row of `table` whose key in `index` equals `key` (no NULLs) as a
 * unique check sees it (heap_dirty.h): committed or the own transaction's,
 * and not deleted by either; a row another transaction is inserting or
 * deleting is waited for first (ON CONFLICT's arbiters, PostgreSQL's
 * check_exclusion_or_unique_constraint). Its TID, nullopt if none; the
 * row at `ignore` (the caller's own new row) does not count. */
Result<std::optional<storage::ItemPointer>> FindConflictingIndexKey(Oid db, const storage::TableDef& table,
                                                                    const storage::IndexDef& index,
                                                                    const storage::Tuple& key,
                                                                    storage::ItemPointer ignore = {});

/* A new row of `table` is at `tid`: an entry in each of its indexes (from
 * the relcache's TableDef), a unique index refusing an equal key whose
 * heap row is visible (23505 duplicate key value violates unique
 * constraint, DETAIL Key (a)=(1) already exists.). */
Status InsertIndexEntries(Oid db, const storage::TableDef& table, const storage::Tuple& row, storage::ItemPointer tid,
                          storage::nbtree::BtValueText value_text = nullptr);

}  // namespace minipg::catalog
