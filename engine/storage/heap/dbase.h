/*-------------------------------------------------------------------------
 * dbase.h
 *   The storage side of CREATE DATABASE and DROP DATABASE (PostgreSQL's
 *   dbcommands.c, FILE_COPY strategy): a new database is a copy of its
 *   template's folder, taken after the template's dirty buffers are
 *   written, and a Database CREATE record lets redo copy it again; a
 *   dropped database's buffers are forgotten before its folder goes.
 *
 * NOTES
 *   Redo copies the template's files as they are at replay time, as
 *   PostgreSQL does; PostgreSQL then forces a checkpoint so that replay
 *   never starts before the copy, which minipg leaves to the next
 *   checkpoint.
 *-------------------------------------------------------------------------
 */
#pragma once

#include "engine/common/error.h"
#include "engine/storage/block.h"

namespace minipg::storage {

/* Forgets the buffers of every relation in base/<db_oid>/ (found by its
 * files), dirty or not. */
Status DropDatabaseBuffers(Oid db_oid);

/* Writes the dirty buffers, copies base/<src> into the empty base/<dst>,
 * and logs a Database CREATE record in the current transaction. */
Status CreateDatabaseStorage(Oid src_db_oid, Oid dst_db_oid);

/* Forgets the database's buffers and logs a Database DROP record; the
 * caller removes the folder after the commit. */
Status DropDatabaseStorage(Oid db_oid);

}  // namespace minipg::storage
