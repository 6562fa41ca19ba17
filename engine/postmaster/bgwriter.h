/*-------------------------------------------------------------------------
 * bgwriter.h
 *   The background writer (PostgreSQL's bgwriter.c): every bgwriter_delay
 *   it writes up to bgwriter_lru_maxpages dirty buffers that the clock
 *   sweep will soon reuse (BgWriterStep), so that backends looking for a
 *   free buffer seldom have to write one themselves. Its writes count as
 *   pg_stat_bgwriter.buffers_clean.
 *
 *   Title "minipg: background writer", backend_type "background writer".
 *   Started with the checkpointer, before the startup process; its death is
 *   a crash (the crash cycle starts it again). Signals: aux_process.h.
 *-------------------------------------------------------------------------
 */
#pragma once

#include "engine/postmaster/config.h"

namespace minipg {

[[noreturn]] void BackgroundWriterMain(const Config& config, int slot);

}  // namespace minipg
