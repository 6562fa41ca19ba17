/*-------------------------------------------------------------------------
 * console_session.h
 *   The visualizer's own client: one real connection to the server (the
 *   seed's "GUI application" kind of client), driven from a console
 *   window. It speaks the protocol through the same client library as
 *   minipsql and minipg-sim, and prints results as psql does.
 *
 *     ConsoleSession s(options);   // connects in the background
 *     s.Submit("SELECT 1;");       // runs when the connection is free
 *     for (auto& line : s.TakeOutput()) ...   // each frame
 *     s.Cancel();                  // CancelRequest for the running query
 *     // the destructor disconnects (Terminate)
 *
 * NOTES
 *   All network work happens on the session's own thread, so the window
 *   never waits for the server; the UI thread only queues SQL and takes
 *   output under a mutex. While idle the thread notices a server that
 *   closed the connection (pg_terminate_backend, a crash, a shutdown) and
 *   shows the FATAL it sent, as psql would on its next command.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sim/client/client.h"

namespace minipg::viz {

struct ConsoleOutput {
  enum class Kind {
    kCommand,  // what the user sent, echoed
    kResult,   // rows or a command tag, as psql prints them
    kNotice,   // a NOTICE / WARNING
    kError,    // an ERROR or FATAL, or a connection failure
    kInfo,     // the console's own messages ("connected to ...")
  };
  Kind kind = Kind::kInfo;
  std::string text;
  // kResult: the statement's columns and rows as values (for views that read
  // them, like Row versions); kError: its SQLSTATE ("" for a lost connection).
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  std::string sqlstate;
};

enum class ConsoleState {
  kConnecting,
  kIdle,     // connected, waiting for SQL
  kBusy,     // a query is running
  kClosed,   // disconnected (by the user or the server)
  kFailed,   // could not connect
};

std::string_view ConsoleStateName(ConsoleState s);

class ConsoleSession {
 public:
  explicit ConsoleSession(client::ConnectOptions options);
  /* Disconnects (cancelling a running query first) and joins the thread. */
  ~ConsoleSession();
  ConsoleSession(const ConsoleSession&) = delete;
  ConsoleSession& operator=(const ConsoleSession&) = delete;

  /* Queues SQL (one Query message: may hold several statements). */
  void Submit(std::string sql);
  /* Sends a CancelRequest for the running query, as psql does on Ctrl-C. */
  void Cancel();
  /* Sends Terminate and closes; the session stays to show its output. */
  void Disconnect();

  /* Output produced since the last call. */
  std::vector<ConsoleOutput> TakeOutput();
  ConsoleState state() const;
  /* Whether SQL is queued and not yet started. */
  bool Pending() const;
  int backend_pid() const;
  char transaction_status() const;
  /* "alice@postgres on /tmp:5432" */
  std::string Describe() const;
  const client::ConnectOptions& options() const { return options_; }

 private:
  void Run();
  void Emit(ConsoleOutput::Kind kind, std::string text);
  void Emit(ConsoleOutput out);
  void SetState(ConsoleState s);

  const client::ConnectOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::vector<ConsoleOutput> output_;
  ConsoleState state_ = ConsoleState::kConnecting;
  bool stop_ = false;
  int backend_pid_ = 0;
  int32_t cancel_key_ = 0;
  char tx_status_ = 'I';
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace minipg::viz
