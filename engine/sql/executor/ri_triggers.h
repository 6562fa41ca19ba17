/*-------------------------------------------------------------------------
 * ri_triggers.h
 *   Foreign keys enforced on every row change (PostgreSQL's ri_triggers.c,
 *   without triggers: exec_modify.cpp calls these directly).
 *
 *     referencing side  RiCheckNewRow after a row version of the
 *                       referencing table is stored: its key must be in
 *                       the referenced table (23503 "insert or update on
 *                       table ... is not present in table ..."), looked up
 *                       through the referenced table's unique index and
 *                       locked FOR KEY SHARE (an UPDATE that keeps the
 *                       key checks nothing). A key with a NULL passes
 *                       (MATCH SIMPLE).
 *     referenced side   RiParentRowChanged after a referenced row version
 *                       is deleted or replaced by one with another key:
 *                       NO ACTION / RESTRICT refuse (23503 "... is still
 *                       referenced from table ..." for a referencing row
 *                       locked FOR KEY SHARE), CASCADE deletes or
 *                       re-keys the referencing rows, SET NULL / SET
 *                       DEFAULT update them (their own checks then run).
 *     DDL               TRUNCATE of a referenced table (0A000) and DROP
 *                       TABLE of one (2BP01, or CASCADE drops the keys).
 *
 * NOTES
 *   Checks run at once for each row, not at the end of the statement as
 *   PostgreSQL's NO ACTION does: see docs/architecture.md,
 *   Simplifications. They see every row version of the current
 *   transaction and of committed ones (a fresh snapshot); the referenced
 *   row a check found is locked FOR KEY SHARE, so a DELETE or key UPDATE
 *   of it waits for the checking transaction.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "engine/catalog/foreign_keys.h"
#include "engine/common/error.h"
#include "engine/sql/executor/exec_modify.h"
#include "engine/sql/query.h"
#include "engine/sql/session.h"

namespace minipg::sql {

/* The foreign keys one statement's table takes part in, read at its
 * first changed row, and the statement's writes into the tables its
 * actions change (CASCADE, SET NULL, SET DEFAULT). */
struct RiState {
  std::vector<catalog::ForeignKeyDef> outgoing;  // the table references another
  std::vector<catalog::ForeignKeyDef> incoming;  // another table references it
  storage::CatalogSnapshot tables;               // the tables they name (stable addresses)
  std::map<uint32_t, std::unique_ptr<ModifyContext>> actions;  // by table OID
};

/* The foreign keys of ctx's table into ctx.ri (once per statement). */
Status RiLoad(ModifyContext& ctx);

/* The new row version `row` of ctx's table references existing rows
 * (`old_row`: the version an UPDATE replaced; a foreign key whose columns
 * kept their values is not checked, as in PostgreSQL). */
Status RiCheckNewRow(ModifyContext& ctx, const storage::Tuple& row, const storage::Tuple* old_row = nullptr);

/* A row of ctx's table was deleted (new_row null) or updated to
 * `new_row`: what each foreign key referencing it asks for. */
Status RiParentRowChanged(ModifyContext& ctx, const storage::Tuple& old_row, const storage::Tuple* new_row);

/* Whether ctx's table is referenced by a foreign key (so DELETE and
 * UPDATE need the old row). */
bool RiIsReferenced(const ModifyContext& ctx);

/* Ends the statement's writes into the tables its actions changed. */
Status RiFinish(ModifyContext& ctx);

/* ALTER TABLE ... ADD FOREIGN KEY / VALIDATE CONSTRAINT: every row of
 * `table` references an existing row through its foreign key `name`
 * (23503 for the first that does not, as RiCheckNewRow words it). */
Status RiValidateForeignKey(const SessionContext& session, const std::string& table, const std::string& name);

/* TRUNCATE of q's tables: 0A000 if a table outside them references one. */
Status RiCheckTruncate(const Query& q, const SessionContext& ctx);

/* DROP TABLE of q's tables: the foreign keys of other tables referencing
 * them refuse it (2BP01), or with CASCADE are dropped (a NOTICE). */
Status RiDropReferencingKeys(const Query& q, const SessionContext& ctx);

}  // namespace minipg::sql
