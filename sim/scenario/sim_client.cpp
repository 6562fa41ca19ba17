/*-------------------------------------------------------------------------
 * sim_client.cpp
 *   A simulated client's thread and actions (see sim_client.h).
 *-------------------------------------------------------------------------
 */
#include "sim/scenario/sim_client.h"

#include <fmt/format.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "sim/scenario/event_link.h"

namespace minipg::sim {

SimClient::SimClient(std::string name, client::ConnectOptions options, bool tcp, EventLink* link)
    : name_(std::move(name)), options_(std::move(options)), tcp_(tcp), link_(link) {
  thread_ = std::thread([this] { Loop(); });
}

SimClient::~SimClient() {
  {
    std::lock_guard lock(queue_mu_);
    stop_ = true;
  }
  queue_cv_.notify_all();
  if (!Idle()) (void)Cancel();  // a client stuck in a long query lets go
  thread_.join();
  if (conn_) conn_->Close();
  if (stall_fd_ >= 0) close(stall_fd_);
}

void SimClient::Post(std::function<void()> task) {
  {
    std::lock_guard lock(queue_mu_);
    queue_.push_back(std::move(task));
  }
  queue_cv_.notify_all();
}

void SimClient::WaitIdle() {
  std::unique_lock lock(queue_mu_);
  queue_cv_.wait(lock, [&] { return queue_.empty() && !busy_; });
}

bool SimClient::Idle() {
  std::lock_guard lock(queue_mu_);
  return queue_.empty() && !busy_;
}

void SimClient::Loop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      task = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
    }
    {
      std::lock_guard conn(conn_mu_);
      task();
    }
    {
      std::lock_guard lock(queue_mu_);
      busy_ = false;
    }
    queue_cv_.notify_all();
  }
}

void SimClient::Fail(const Error& e, const std::vector<protocol::ErrorFields>& notices) {
  ++errors_;
  Outcome o;
  o.ok = false;
  o.sqlstate = e.sqlstate;
  o.message = e.message;
  o.severity = e.severity == Severity::kFatal ? "FATAL" : "ERROR";
  Heard(o, notices);
  o.said.push_back(e.message);
  if (!e.detail.empty()) o.said.push_back(e.detail);
  {
    std::lock_guard lock(state_mu_);
    last_ = o;
  }
  link_->Send("client_error", {{"client", name_},
                               {"severity", o.severity},
                               {"sqlstate", o.sqlstate},
                               {"message", o.message}});
}

void SimClient::Heard(Outcome& o, const std::vector<protocol::ErrorFields>& notices) {
  for (const protocol::ErrorFields& n : notices) {
    o.said.push_back(n.message);
    if (!n.detail.empty()) o.said.push_back(n.detail);
  }
}

void SimClient::FailInClient(const std::string& message) {
  ++errors_;
  Outcome o;
  o.ok = false;
  o.message = message;
  {
    std::lock_guard lock(state_mu_);
    last_ = o;
  }
  link_->Send("client_error", {{"client", name_}, {"severity", ""}, {"sqlstate", ""}, {"message", message}});
}

void SimClient::Succeed(const client::QueryResult& r) {
  Outcome o;
  Heard(o, r.notices);
  o.results = std::make_shared<const std::vector<client::StatementResult>>(r.statements);
  if (!r.statements.empty()) {
    const client::StatementResult& st = r.statements.back();
    o.tag = st.tag;
    o.rows = static_cast<int64_t>(st.rows.size());
    if (!st.rows.empty() && !st.rows[0].empty()) o.first_value = st.rows[0][0];
  }
  {
    std::lock_guard lock(state_mu_);
    last_ = o;
  }
  link_->Send("client_result", {{"client", name_}, {"tag", o.tag}, {"rows", o.rows}});
}

void SimClient::Disconnected(const char* how) {
  {
    std::lock_guard lock(fd_mu_);
    live_fd_ = -1;
    conn_.reset();
  }
  link_->Send("client_disconnect", {{"client", name_}, {"how", how}});
}

void SimClient::Connect() {
  if (conn_) {
    Disconnect();  // a second connect replaces the first, politely
  }
  link_->Send("client_connect", {{"client", name_},
                                 {"transport", tcp_ ? "tcp" : "unix"},
                                 {"user", options_.user},
                                 {"database", options_.database},
                                 {"application_name", options_.application_name}});
  auto c = client::Connection::Connect(options_);
  if (!c.ok()) {
    Fail(c.error());
    return;
  }
  conn_ = std::move(*c);
  vanishing_ = false;
  {
    std::lock_guard lock(fd_mu_);
    live_fd_ = conn_->fd();
  }
  {
    std::lock_guard lock(state_mu_);
    if (backend_pid_ != 0) previous_pid_ = backend_pid_;
    backend_pid_ = conn_->backend_pid();
    cancel_key_ = conn_->cancel_key();
    last_ = Outcome{};
  }
  link_->Send("client_connected", {{"client", name_}, {"backend_pid", conn_->backend_pid()}});
}

void SimClient::Query(const std::string& sql) {
  if (!conn_) {
    FailInClient("no connection to the server");
    return;
  }
  ++queries_;
  link_->Send("client_query", {{"client", name_}, {"text", sql}});
  auto r = conn_->Query(sql);
  if (!r.ok() && vanishing_) {  // VanishNow cut it: no answer came, and none was waited for
    Disconnected("vanish");
    return;
  }
  if (!r.ok()) {  // a FATAL or a broken connection: it is gone
    Fail(r.error());
    Disconnected("server");
    return;
  }
  if (r->error) {
    Error e = MakeError(r->error->sqlstate, r->error->message);
    e.detail = r->error->detail;
    Fail(e, r->notices);
    return;
  }
  Succeed(*r);
}

void SimClient::CopyIn(const std::string& table, const std::filesystem::path& file, bool csv) {
  if (!conn_) {
    FailInClient("no connection to the server");
    return;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    // psql's \copy says the same, with no SQLSTATE: the client's own file is missing.
    FailInClient(fmt::format("{}: {}", file.string(), std::strerror(errno)));
    return;
  }
  std::string sql = fmt::format("COPY {} FROM STDIN{}", table, csv ? " WITH (FORMAT csv)" : "");
  ++queries_;
  link_->Send("client_query", {{"client", name_}, {"text", sql}});
  auto r = conn_->CopyIn(sql, in);
  if (!r.ok()) {
    Fail(r.error());
    Disconnected("server");
  } else if (r->error) {
    Error e = MakeError(r->error->sqlstate, r->error->message);
    e.detail = r->error->detail;
    Fail(e, r->notices);
  } else {
    Succeed(*r);
  }
}

/* Leaving is an action of its own: what came before is no longer its
 * outcome (nor printed again as if leaving had failed). */
void SimClient::Disconnect() {
  if (conn_) {
    {
      std::lock_guard lock(fd_mu_);
      live_fd_ = -1;  // before the close: VanishNow never touches a reused fd
    }
    conn_->Close();
    Disconnected("terminate");
  }
  std::lock_guard lock(state_mu_);
  last_ = Outcome{};
}

void SimClient::Vanish() {
  if (conn_) {
    {
      std::lock_guard lock(fd_mu_);
      live_fd_ = -1;
    }
    conn_->Abandon();
    Disconnected("vanish");
  }
  std::lock_guard lock(state_mu_);
  last_ = Outcome{};
}

void SimClient::Stall() {
  link_->Send("client_connect", {{"client", name_},
                                 {"transport", tcp_ ? "tcp" : "unix"},
                                 {"user", options_.user},
                                 {"database", options_.database},
                                 {"application_name", options_.application_name}});
  auto fd = client::OpenSocket(options_.host, options_.port, options_.connect_timeout_ms,
                               options_.local_address);
  if (!fd.ok()) {
    Fail(fd.error());
    return;
  }
  if (stall_fd_ >= 0) close(stall_fd_);
  stall_fd_ = *fd;  // held open, silent: the backend waits for a startup packet
  std::lock_guard lock(state_mu_);
  last_ = Outcome{};
}

void SimClient::VanishNow() {
  vanishing_ = true;
  std::lock_guard lock(fd_mu_);
  if (live_fd_ >= 0) shutdown(live_fd_, SHUT_RDWR);  // the server sees the close; the owner closes the fd
}

Status SimClient::Cancel() {
  int pid;
  int32_t key;
  {
    std::lock_guard lock(state_mu_);
    pid = backend_pid_;
    key = cancel_key_;
  }
  if (pid == 0) return MakeError("08003", "no connection to cancel");
  return client::Connection::SendCancel(options_, pid, key);
}

Outcome SimClient::Last() {
  std::lock_guard lock(state_mu_);
  return last_;
}

int SimClient::backend_pid() {
  std::lock_guard lock(state_mu_);
  return backend_pid_;
}

int SimClient::previous_pid() {
  std::lock_guard lock(state_mu_);
  return previous_pid_;
}

bool SimClient::Connected() {
  std::unique_lock conn(conn_mu_, std::try_to_lock);
  if (!conn.owns_lock()) return true;  // busy with an action: it has a connection in use
  if (!conn_) return false;
  Error why;
  if (!conn_->ServerClosed(&why)) return true;
  if (!why.sqlstate.empty()) Fail(why);  // e.g. FATAL 57P01 after pg_terminate_backend
  Disconnected("server");
  return false;
}

}  // namespace minipg::sim
