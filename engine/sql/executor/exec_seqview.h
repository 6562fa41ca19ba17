/*-------------------------------------------------------------------------
 * exec_seqview.h
 *   CREATE / DROP SEQUENCE and CREATE [OR REPLACE] / DROP VIEW run
 *   (catalog/sequence_ddl.h, catalog/view_ddl.h), and the sequences of
 *   CREATE TABLE's serial columns.
 *-------------------------------------------------------------------------
 */
#pragma once

#include "engine/common/error.h"
#include "engine/sql/executor.h"
#include "engine/sql/query.h"

namespace minipg::sql {

/* kCreateSequence, kDropSequence, kCreateView, kDropView. */
Result<ExecutionResult> ExecSeqViewDdl(const Query& q, const SessionContext& ctx);

/* The query's create_sequences (CREATE TABLE's serial columns, once the
 * table exists). */
Status CreateQuerySequences(const Query& q, const SessionContext& ctx);

}  // namespace minipg::sql
