/*-------------------------------------------------------------------------
 * copy_command.h
 *   Running a COPY statement inside a Session (private to engine/sql).
 *
 *   Where the data is:
 *     'path'          a server-side file, read or written by this backend
 *                     process itself (relative paths for FROM are taken
 *                     from the data directory, as in PostgreSQL; TO needs an
 *                     absolute path). Only superusers may do this.
 *     STDIN / STDOUT  the client, through the ResultSink's CopyChannel
 *                     (the protocol's copy sub-protocol).
 *
 *   Events: analyze, plan (a Copy node), copy_start, execute, copy_done.
 *
 * NOTES
 *   COPY FROM converts every row first and appends them all at the end in
 *   one write, so a bad row (22P02, 22P04 with PostgreSQL's CONTEXT line)
 *   stores nothing; PostgreSQL gets the same all-or-nothing result from its
 *   transaction instead.
 *-------------------------------------------------------------------------
 */
#pragma once

#include "engine/common/error.h"
#include "engine/sql/ast.h"
#include "engine/sql/session.h"
#include "engine/storage/catalog.h"

namespace minipg::sql {

/* Runs one COPY; `catalog` is the snapshot loaded for this statement. */
Result<StatementResult> ExecuteCopy(const CopyStmt& copy, const SessionContext& ctx,
                                    const storage::CatalogSnapshot& catalog, ResultSink& sink);

/* Whether the session's user may read and write server-side files: only a
 * superuser (PostgreSQL also lets members of pg_read_server_files or
 * pg_write_server_files; minipg has no such roles). */
bool MayUseServerFiles(const SessionContext& ctx, bool is_from);

}  // namespace minipg::sql
