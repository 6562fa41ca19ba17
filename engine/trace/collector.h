/*-------------------------------------------------------------------------
 * collector.h
 *   The event collector: an auxiliary process that turns every server
 *   process's events into one stream ordered by timestamp, writes it to
 *   trace_file and serves it to subscribers on event_port.
 *
 *        backends, postmaster --event rings--> collector --JSON lines--> subscribers
 *        (others: the event pipe)                      \--------------> trace_file
 *
 * NOTES
 *   Events are held for kReorderWindowMicros before they are sent on, so
 *   that two processes' events that raced to the collector still come out
 *   in timestamp order (a merge of each process's own ordered events:
 *   event_merge.h). An event that comes later than that (its process
 *   stamped it, then was not scheduled for longer than the window: a child
 *   writing the fork event the postmaster stamped before fork() on a busy
 *   machine) goes out stamped with the newest time already sent, so the
 *   stream's times never go back. The collector keeps a table of live processes (built
 *   from the events themselves) so a late subscriber first gets one
 *   "process" event per live process. A subscriber that falls more than
 *   kMaxSubscriberBacklog bytes behind is disconnected: the server never
 *   waits for a viewer.
 *   On SIGTERM the collector drains what is queued, flushes and exits 0;
 *   it ignores SIGINT and SIGQUIT, so it outlives the processes it records.
 *   It also exits, after sending what it has, when the postmaster is gone
 *   (the postmaster-death pipe, engine/common/postmaster_death.h, in its
 *   poll()).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string>

namespace minipg::trace {

inline constexpr int64_t kReorderWindowMicros = 30000;
inline constexpr size_t kMaxSubscriberBacklog = 16u << 20;

struct EventRings;

struct CollectorConfig {
  int event_fd = -1;       // the read end of the (non-blocking) event pipe
  EventRings* rings = nullptr;  // every process's event ring (event_ring.h), or none
  int listen_fd = -1;      // a listening TCP socket for subscribers, or -1
  std::string trace_file;  // empty = none
  std::string server_version;
  bool trace_events = true;  // whether the server's processes send events (the hello says)
};

/* Runs the collector loop in this (forked) process; returns the exit code. */
int RunCollector(const CollectorConfig& config);

}  // namespace minipg::trace
