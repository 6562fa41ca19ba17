/*-------------------------------------------------------------------------
 * wal_segments.h
 *   The segment files of pg_wal/: creating a new one (zero-filled, under a
 *   temporary name, then renamed, so a crash never leaves a short segment
 *   under a real name), and removing or recycling the ones a checkpoint no
 *   longer needs.
 *
 * NOTES
 *   Recycling renames an old segment to a future segment's name instead of
 *   deleting it and later creating a new one: its stale contents are
 *   harmless, because every page header carries its own address and the
 *   reader stops at the first page whose address is not the expected one
 *   ("unexpected pageaddr"), as in PostgreSQL.
 *   Errors are values with PostgreSQL's messages ("could not create file
 *   \"%s\": %m", SQLSTATE 58030; 53100 when the disk is full).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <filesystem>

#include "engine/common/error.h"
#include "engine/storage/wal/wal_layout.h"

namespace minipg::storage::wal {

/* Opens segment `seg` of `dir` for writing, creating it zero-filled if it
 * does not exist (fsynced with its directory when do_fsync). The caller
 * owns the descriptor. */
Result<int> OpenOrCreateSegment(const std::filesystem::path& dir, SegNo seg, bool do_fsync);

struct SegmentCleanup {
  int removed = 0;
  int recycled = 0;
};

/* After a checkpoint whose redo point is redo_lsn: every segment before the
 * one holding redo_lsn is no longer needed. Up to keep_future of them are
 * recycled (renamed to free names after the segment holding insert_lsn),
 * the rest are removed. */
Result<SegmentCleanup> RemoveOldSegments(const std::filesystem::path& dir, XLogRecPtr redo_lsn,
                                         XLogRecPtr insert_lsn, int keep_future);

/* fsync of a directory (after creating, renaming or removing in it). */
Status FsyncDir(const std::filesystem::path& dir);

}  // namespace minipg::storage::wal
