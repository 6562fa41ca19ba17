/*-------------------------------------------------------------------------
 * event_link.h
 *   minipg-sim's two-way link to the server's event stream, on the
 *   collector's event_port: it reads every event (to wait for and check
 *   conditions) and writes the runner's client-side events into the same
 *   stream (docs/events.md, "Client-side events").
 *
 *   From what it reads it keeps what conditions ask about: every event
 *   since it connected, the live client backends and their states, and the
 *   postmaster's pid.
 *
 * NOTES
 *   A reader thread owns the socket's input; Send() may be called from any
 *   thread (one mutex). Sync() is the barrier: it sends a `sync` event and
 *   waits to read it back, so every event the server emitted before it has
 *   been read too (the collector orders the stream by timestamp).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "engine/common/error.h"

namespace minipg::sim {

class EventLink {
 public:
  EventLink() = default;
  ~EventLink();
  EventLink(const EventLink&) = delete;
  EventLink& operator=(const EventLink&) = delete;

  /* Connects to 127.0.0.1:`port` and starts reading. */
  Status Open(int port);
  bool is_open() const { return fd_ >= 0; }
  void Close();

  /* Sends one client-side event (type, ts and pid are filled in). */
  void Send(std::string_view type, nlohmann::json fields);
  /* Waits until everything emitted so far has been read (false on timeout
   * or without a link). */
  bool Sync(int timeout_ms = 5000);

  /* Waits until `pred` holds on the current view, or the timeout; pred
   * runs under the link's lock. */
  bool WaitFor(const std::function<bool()>& pred, int timeout_ms);

  /* Forgets the events read so far (the scenario starts counting here). */
  void ClearEvents();

  /* What the stream says now (copies, under the lock). */
  int LiveBackends() const;
  std::string BackendState(int64_t pid) const;  // "" if unknown
  pid_t PostmasterPid() const;
  /* Events of `type` read so far whose fields equal `fields` (as text). */
  size_t CountEvents(const std::string& type,
                     const std::vector<std::pair<std::string, std::string>>& fields) const;

 private:
  void ReadLoop();
  void Take(const nlohmann::json& ev);

  int fd_ = -1;
  std::thread reader_;
  std::atomic<bool> stop_{false};
  bool reading_ = false;  // the reader thread runs (under mu_)
  std::mutex send_mu_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::vector<nlohmann::json> events_;
  std::map<int64_t, std::string> backends_;  // live client backends: pid -> state
  pid_t postmaster_ = 0;
  int64_t sync_seen_ = 0;
  int64_t next_sync_ = 0;
};

}  // namespace minipg::sim
