/*-------------------------------------------------------------------------
 * statement_locks.h
 *   The table locks a statement takes once it is analyzed, as PostgreSQL
 *   takes them (held to the transaction's end, lock.h):
 *
 *     SELECT (and what DML only reads)     AccessShareLock
 *     INSERT / UPDATE / DELETE target      RowExclusiveLock
 *     VACUUM, ANALYZE                      ShareUpdateExclusiveLock
 *     CREATE INDEX                         ShareLock on its table
 *     DROP TABLE / VIEW / SEQUENCE / INDEX, TRUNCATE, ALTER TABLE
 *                                          AccessExclusiveLock
 *     LOCK TABLE                           the mode it names
 *
 * NOTES
 *   PostgreSQL locks each relation while parse analysis looks its name up
 *   (RangeVarGetRelidExtended), and looks it up again when the lock came
 *   after a wait during which invalidations arrived. minipg analyzes
 *   against a catalog snapshot first, then takes the locks; when one had
 *   to wait, the session reads the invalidations and analyzes again, so a
 *   table dropped meanwhile is "does not exist", as in PostgreSQL.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string>
#include <vector>

#include "engine/common/error.h"
#include "engine/sql/query.h"
#include "engine/storage/catalog.h"
#include "engine/storage/lmgr/lock.h"

namespace minipg::sql {

struct RelationLock {
  uint32_t relid = 0;
  std::string name;
  lmgr::LockMode mode = lmgr::LockMode::kNoLock;
};

/* The relations `query` locks, strongest mode per relation, in the order named. */
std::vector<RelationLock> StatementRelationLocks(const Query& query, const storage::CatalogSnapshot& catalog);

/* Takes them (LOCK TABLE ... NOWAIT: without waiting). `*waited` says
 * whether any had to wait (then the catalog may have changed). */
Status LockStatementRelations(const Query& query, const storage::CatalogSnapshot& catalog, bool* waited);

/* The analyzer found user table `relid` by name (LookupTable). A statement
 * whose analysis fails after that still waits for the table's lock before
 * it reports the error, as PostgreSQL's (which locks while it looks up):
 * a column missing only because another transaction's ALTER TABLE has not
 * committed is then found once it has. Per process; the session clears it
 * before each analysis. */
void NoteRelationLookedUp(uint32_t relid, const std::string& name);
void ForgetRelationsLookedUp();
/* AccessShareLock on each relation noted since the last Forget. */
Status LockRelationsLookedUp(bool* waited);

}  // namespace minipg::sql
