/*-------------------------------------------------------------------------
 * exec_alter.h
 *   ALTER TABLE's actions run in order (PostgreSQL's ATExecCmd and
 *   ATRewriteTable), and the one way a constraint is added to an existing
 *   table, which CREATE TABLE's constraints also take:
 *
 *     AddTableConstraint   the table's rows checked against it (a primary
 *                          key's columns for NULLs, 23502 "column "a" of
 *                          relation "t" contains null values"; a CHECK,
 *                          23514 "check constraint "x" of relation "t" is
 *                          violated by some row"), its columns made NOT
 *                          NULL, then catalog::AddConstraintWithCatalog
 *                          (a key's index build refuses duplicates: 23505
 *                          could not create unique index); a FOREIGN KEY's
 *                          rows checked after its row is made (23503, as
 *                          RiValidateForeignKey words it), NOT VALID ones
 *                          not at all
 *     ExecAlterTable       each AlterAction of the Query: catalog rows
 *                          changed (catalog/alter_ddl.h); ADD COLUMN with a
 *                          DEFAULT and DROP COLUMN also give every row a
 *                          new version (see docs/architecture.md,
 *                          Simplifications)
 *
 * NOTES
 *   Everything happens in the statement's transaction: ROLLBACK undoes it,
 *   other backends see it at commit (relcache invalidations).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <functional>
#include <string>

#include "engine/common/error.h"
#include "engine/sql/executor.h"
#include "engine/sql/query.h"
#include "engine/sql/session.h"
#include "engine/storage/catalog.h"
#include "engine/storage/heap/heapam.h"

namespace minipg::sql {

Status AddTableConstraint(const std::string& table, const ConstraintCommand& cmd, const SessionContext& ctx);

/* Calls `visit` with every visible row of the table and its TID; stops at
 * the first error (a constraint checked against existing rows). */
Status ForEachRow(const SessionContext& ctx, const storage::TableDef& table,
                  const std::function<Status(const storage::Tuple&, storage::ItemPointer)>& visit);

/* CREATE TABLE's constraints (q.create_constraints), after the table. */
Status AddTableConstraints(const Query& q, const SessionContext& ctx);

Result<ExecutionResult> ExecAlterTable(const Query& q, const SessionContext& ctx);

}  // namespace minipg::sql
