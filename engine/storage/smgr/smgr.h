/*-------------------------------------------------------------------------
 * smgr.h
 *   The storage manager: relation files of 8 KiB pages on disk, as
 *   PostgreSQL's smgr.c / md.c keep them. A relation fork is one or more
 *   segment files of at most kRelSegBlocks blocks (1 GiB):
 *
 *     base/<db oid>/<relfilenode>[_fsm|_vm][.<segment number>]
 *     global/<relfilenode>...            (tablespace pg_global, 1664)
 *
 *   base/5/16384 holds blocks 0..131071 of relation 16384's main fork,
 *   base/5/16384.1 the next 131072, base/5/16384_fsm its free space map.
 *
 * NOTES
 *   Each process keeps its own table of open segment files (SmgrInit
 *   resets it, e.g. in a forked child); SmgrUnlink closes the process's
 *   own descriptors of the relation; other processes close theirs when
 *   they read the kSmgr invalidation message (engine/storage/ipc/sinval.h)
 *   that the remover sends. The table
 *   is not locked: one thread per process uses it, as in PostgreSQL. Reads and
 *   writes use pread/pwrite, so descriptors carry no position.
 *   Writes are not fsynced one by one: whoever needs durability (the
 *   checkpointer) calls SmgrSync. Truncation keeps later segments as empty
 *   files, as PostgreSQL does, so another process's open descriptor never
 *   points at a file that a later extension replaced.
 *   Errors are values with PostgreSQL's messages and SQLSTATEs: 58030 for
 *   a failed system call, XX001 for a short read or a page that fails
 *   verification, 53100 for a short write (a full disk).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "engine/common/error.h"
#include "engine/storage/block.h"

namespace minipg::storage {

/* Blocks per segment file: 1 GiB of 8 KiB pages (RELSEG_SIZE). */
inline constexpr BlockNumber kRelSegBlocks = 131072;

/* Once per process, before any other call: where the data directory is.
 * Closes any files the table had (a forked child starts afresh).
 * `segment_blocks` exists for tests, which cross a segment boundary
 * without writing 1 GiB. */
void SmgrInit(std::filesystem::path data_dir, BlockNumber segment_blocks = kRelSegBlocks);

/* The data directory SmgrInit was given (pg_xact and other non-relation
 * files live under it too). */
const std::filesystem::path& SmgrDataDir();

/* Closes every file the process has open (at exit, on a shared
 * invalidation reset, or for tests). */
void SmgrCloseAll();

/* Closes the process's descriptors of the relation's files, every fork
 * and segment (a kSmgr invalidation message: another process removed
 * them); rel_number 0: of every relation of database rel.db_oid in
 * tablespace rel.spc_oid. Removes nothing. */
void SmgrClose(const RelFileLocator& rel);

/* How many segment files this process has open (tests). */
size_t SmgrOpenFileCount();

/* "base/5/16384_fsm": the fork's first segment, relative to the data
 * directory (messages, pg_relation_filepath()). */
std::string RelPath(const RelFileLocator& rel, ForkNumber fork);

/* Creates the fork's first segment, empty (an existing file is kept, as
 * PostgreSQL does when WAL redo creates it again), and fsyncs its folder. */
Status SmgrCreate(const RelFileLocator& rel, ForkNumber fork);

bool SmgrExists(const RelFileLocator& rel, ForkNumber fork);

/* The number of blocks in the fork (every segment but the last is full). */
Result<BlockNumber> SmgrNBlocks(const RelFileLocator& rel, ForkNumber fork);

/* Reads block tag.block into `page` (kBlockSize bytes) and verifies it
 * (PageVerify): XX001 "invalid page in block %u of relation %s" with
 * what is wrong as its detail. */
Status SmgrRead(const BufferTag& tag, char* page);

/* Writes an existing block, with its checksum set on a copy (`page` is
 * not changed). No fsync. */
Status SmgrWrite(const BufferTag& tag, const char* page);

/* Adds block tag.block, which must be the fork's current number of blocks;
 * the checksum is set on a copy. */
Status SmgrExtend(const BufferTag& tag, const char* page);

/* Cuts the fork to `nblocks` blocks (no more than it has). */
Status SmgrTruncate(const RelFileLocator& rel, ForkNumber fork, BlockNumber nblocks);

/* Removes every fork and segment of the relation (a missing one is fine). */
Status SmgrUnlink(const RelFileLocator& rel);

/* fsyncs every segment of the fork. */
Status SmgrSync(const RelFileLocator& rel, ForkNumber fork);

/* Bytes on disk: one fork, or every fork when `fork` is empty (0 for a
 * relation without files, as pg_relation_size says). */
Result<uint64_t> SmgrRelationSize(const RelFileLocator& rel, std::optional<ForkNumber> fork);

}  // namespace minipg::storage
