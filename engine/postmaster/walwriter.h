/*-------------------------------------------------------------------------
 * walwriter.h
 *   The WAL writer (PostgreSQL's walwriter.c): every wal_writer_delay it
 *   writes and flushes the WAL inserted but not yet flushed
 *   (XLogBackgroundFlush), which is how an asynchronous commit
 *   (synchronous_commit = off) becomes durable within a few hundred
 *   milliseconds, and how full WAL buffers get written before a backend
 *   has to.
 *
 *   Title "minipg: walwriter", backend_type "walwriter". Started when the
 *   startup process has finished; its death is a crash. A failed flush is
 *   a PANIC. Signals: aux_process.h.
 *-------------------------------------------------------------------------
 */
#pragma once

#include "engine/postmaster/config.h"

namespace minipg {

[[noreturn]] void WalWriterMain(const Config& config, int slot);

}  // namespace minipg
