/*-------------------------------------------------------------------------
 * sim_client.h
 *   One simulated client of a scenario: a real protocol connection (the
 *   client library minipsql uses) driven by its own thread, so clients
 *   overlap as real ones do. The runner posts actions; the client does them
 *   in order and keeps its last outcome for `expect`.
 *
 *     runner thread --Post(action)--> [queue] --> client thread: Connect, Query, ...
 *                   <--Last(), backend_pid(), Connected()--
 *
 * NOTES
 *   Every action reports itself into the event stream (client_connect,
 *   client_query, client_error, ...). Cancel() runs on the caller's thread
 *   (it needs a second connection, as psql's Ctrl-C does) and never waits
 *   for the client's own thread, which may be blocked in a query.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sim/client/client.h"

namespace minipg::sim {

class EventLink;

/* What a client's last finished action gave. */
struct Outcome {
  bool ok = true;
  std::string sqlstate;  // on failure from the server; "" for a client-side failure
  std::string message;
  std::string severity;  // "ERROR" or "FATAL"; "" for a client-side failure (psql prints none)
  std::string tag;       // the last command tag of a query
  int64_t rows = 0;      // rows of the last statement of a query
  std::optional<std::string> first_value;  // first column of its first row (nullopt: none or NULL)
  std::vector<std::string> said;  // what the server told: an error's message and DETAIL, each notice's
  /* Every statement's result of the last query, to print as psql would
   * (shared: conditions copy the outcome often). */
  std::shared_ptr<const std::vector<client::StatementResult>> results;
  bool client_side() const { return !ok && sqlstate.empty(); }
};

class SimClient {
 public:
  SimClient(std::string name, client::ConnectOptions options, bool tcp, EventLink* link);
  ~SimClient();
  SimClient(const SimClient&) = delete;
  SimClient& operator=(const SimClient&) = delete;

  const std::string& name() const { return name_; }

  /* Queues work for the client's thread. */
  void Post(std::function<void()> task);
  /* Waits until everything posted so far is done. */
  void WaitIdle();
  bool Idle();

  /* Actions: called on the client's thread (through Post). */
  void Connect();
  void Query(const std::string& sql);
  void CopyIn(const std::string& table, const std::filesystem::path& file, bool csv);
  void Disconnect();
  void Vanish();
  void Stall();

  /* From any thread: a CancelRequest for what the client runs now. */
  Status Cancel();
  /* From any thread: the client goes away at once, with no Terminate, even
   * in the middle of a query (a killed client process): its socket is shut
   * down, so the query in flight ends unanswered and the backend reads EOF
   * or fails to send. The client's own thread then drops the connection. */
  void VanishNow();

  /* What the runner's conditions read (any thread). */
  Outcome Last();
  int backend_pid();
  int previous_pid();
  /* Whether it has a connection the server has not closed; notices a
   * server-side close (and its FATAL, which becomes the last outcome). */
  bool Connected();
  int64_t queries() const { return queries_; }
  int64_t errors() const { return errors_; }

 private:
  void Loop();
  void Fail(const Error& e, const std::vector<protocol::ErrorFields>& notices = {});
  /* What the notices said goes into the outcome (expect NAME said). */
  static void Heard(Outcome& o, const std::vector<protocol::ErrorFields>& notices);
  /* A failure in the client itself (its own file, no connection): no
   * SQLSTATE, as psql prints none for one. */
  void FailInClient(const std::string& message);
  void Succeed(const client::QueryResult& r);
  void Disconnected(const char* how);

  std::string name_;
  client::ConnectOptions options_;
  bool tcp_;
  EventLink* link_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<std::function<void()>> queue_;
  bool busy_ = false;
  bool stop_ = false;

  std::mutex conn_mu_;  // held by the client's thread while it uses conn_
  std::unique_ptr<client::Connection> conn_;
  int stall_fd_ = -1;
  std::mutex fd_mu_;                    // guards live_fd_ against its close while VanishNow uses it
  int live_fd_ = -1;                    // conn_'s socket, for VanishNow from another thread
  std::atomic<bool> vanishing_{false};  // VanishNow was called: a failing query is not an error

  std::mutex state_mu_;  // guards what follows
  Outcome last_;
  int backend_pid_ = 0, previous_pid_ = 0;
  int32_t cancel_key_ = 0;
  std::atomic<int64_t> queries_{0}, errors_{0};

  std::thread thread_;
};

}  // namespace minipg::sim
