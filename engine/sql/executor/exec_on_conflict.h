/*-------------------------------------------------------------------------
 * exec_on_conflict.h
 *   INSERT ... ON CONFLICT of one statement, one proposed row at a time
 *   (PostgreSQL's ExecInsert with speculative insertion, and
 *   ExecOnConflictUpdate), for ModifyTable (node_modify.cpp):
 *
 *     find the row an arbiter index holds the proposed key for, as the
 *       unique check sees rows (heap_dirty.h): a row another transaction
 *       is inserting or deleting is waited for first
 *     none: insert the row; if a unique check then finds the key after
 *       all (another inserter got there in between and committed), the
 *       new row is deleted again and the row starts over
 *     DO NOTHING: done (REPEATABLE READ: 40001 if the transaction's
 *       snapshot does not see that row)
 *     DO UPDATE: 21000 if this command inserted or updated that row
 *       already; REPEATABLE READ: 40001 if the snapshot does not see it;
 *       WHERE and SET over it, then the update, which waits for an
 *       in-progress updater; updated or deleted by one that committed:
 *       READ COMMITTED starts the row over (the next pass finds the
 *       newest version), REPEATABLE READ gets 40001 from the heap
 *
 * NOTES
 *   PostgreSQL marks the speculatively inserted row with a token and
 *   kills it with a "super-delete" that others need not wait for; minipg
 *   inserts an ordinary row and deletes it, so a session that saw it
 *   meanwhile waits for the whole transaction. PostgreSQL locks the
 *   existing row before WHERE and SET; minipg evaluates them first and
 *   throws them away when the update finds the row changed.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <set>
#include <utility>

#include "engine/common/error.h"
#include "engine/sql/executor/exec_modify.h"
#include "engine/sql/nodes/plannodes.h"

namespace minipg::sql {

struct EState;  // exec_nodes.h

class OnConflict {
 public:
  enum class Outcome { kNone, kInserted, kUpdated };

  OnConflict(const Plan& plan, EState& estate) : plan_(plan), estate_(estate) {}

  /* One proposed row: inserted, left alone (DO NOTHING, or DO UPDATE's
   * WHERE false: kNone) or the conflicting row updated (kUpdated: the new
   * version in updated()). */
  Result<Outcome> Insert(ModifyContext& ctx, const storage::Tuple& proposed);
  const storage::Tuple& updated() const { return updated_; }

 private:
  Result<std::optional<storage::ItemPointer>> FindConflict(ModifyContext& ctx, const storage::Tuple& proposed,
                                                           storage::ItemPointer ignore = {});
  Result<std::optional<Outcome>> TryInsert(ModifyContext& ctx, const storage::Tuple& proposed);
  Result<std::optional<Outcome>> TryUpdate(ModifyContext& ctx, const storage::Tuple& proposed,
                                           storage::ItemPointer tid);

  const Plan& plan_;
  EState& estate_;
  std::set<std::pair<uint32_t, uint16_t>> touched_;  // rows this command inserted or updated
  storage::Tuple updated_;                           // DO UPDATE: the last row it updated
};

}  // namespace minipg::sql
