/*-------------------------------------------------------------------------
 * console_session.cpp
 *   The GUI client's connection and its thread (see console_session.h).
 *-------------------------------------------------------------------------
 */
#include "viz/client/console_session.h"

#include <chrono>
#include <utility>

#include <fmt/format.h>

#include "sim/minipsql/printer.h"

namespace minipg::viz {
namespace {

/* How often an idle session checks whether the server closed it. */
constexpr auto kIdleCheck = std::chrono::milliseconds(200);

std::string ErrorText(const Error& e, std::string_view query = "") {
  return minipsql::FormatError(protocol::ErrorFields::From(e), query);
}

}  // namespace

std::string_view ConsoleStateName(ConsoleState s) {
  switch (s) {
    case ConsoleState::kConnecting: return "connecting";
    case ConsoleState::kIdle: return "idle";
    case ConsoleState::kBusy: return "running";
    case ConsoleState::kClosed: return "disconnected";
    case ConsoleState::kFailed: return "failed";
  }
  return "?";
}

ConsoleSession::ConsoleSession(client::ConnectOptions options)
    : options_(std::move(options)), thread_([this] { Run(); }) {}

ConsoleSession::~ConsoleSession() {
  Cancel();  // a running query would keep the thread in Query()
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ConsoleSession::Submit(std::string sql) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ == ConsoleState::kClosed || state_ == ConsoleState::kFailed) {
      output_.push_back({ConsoleOutput::Kind::kError, "not connected: open a new connection", {}, {}, {}});
      return;
    }
    queue_.push_back(std::move(sql));
  }
  cv_.notify_all();
}

void ConsoleSession::Cancel() {
  int pid = 0;
  int32_t key = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != ConsoleState::kBusy) return;
    pid = backend_pid_;
    key = cancel_key_;
  }
  Status s = client::Connection::SendCancel(options_, pid, key);
  Emit(ConsoleOutput::Kind::kInfo, s.ok() ? "Cancel request sent" : "could not send cancel request: " + s.error().message);
}

void ConsoleSession::Disconnect() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
}

std::vector<ConsoleOutput> ConsoleSession::TakeOutput() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ConsoleOutput> out;
  out.swap(output_);
  return out;
}

ConsoleState ConsoleSession::state() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

bool ConsoleSession::Pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !queue_.empty();
}

int ConsoleSession::backend_pid() const {
  std::lock_guard<std::mutex> lock(mu_);
  return backend_pid_;
}

char ConsoleSession::transaction_status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tx_status_;
}

std::string ConsoleSession::Describe() const {
  std::string db = options_.database.empty() ? options_.user : options_.database;
  return fmt::format("{}@{} on {}:{}", options_.user, db, options_.host, options_.port);
}

void ConsoleSession::Emit(ConsoleOutput::Kind kind, std::string text) {
  ConsoleOutput out;
  out.kind = kind;
  out.text = std::move(text);
  Emit(std::move(out));
}

void ConsoleSession::Emit(ConsoleOutput out) {
  while (!out.text.empty() && out.text.back() == '\n') out.text.pop_back();
  std::lock_guard<std::mutex> lock(mu_);
  output_.push_back(std::move(out));
}

void ConsoleSession::SetState(ConsoleState s) {
  std::lock_guard<std::mutex> lock(mu_);
  state_ = s;
}

void ConsoleSession::Run() {
  auto conn = client::Connection::Connect(options_);
  if (!conn.ok()) {
    Emit(ConsoleOutput::Kind::kError, fmt::format("connection to server at {}:{} failed: {}",
                                                   options_.host, options_.port,
                                                   ErrorText(conn.error())));
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.clear();  // what was submitted will never run (nor keep a screenshot waiting)
    }
    SetState(ConsoleState::kFailed);
    return;
  }
  std::unique_ptr<client::Connection> c = std::move(*conn);
  {
    std::lock_guard<std::mutex> lock(mu_);
    backend_pid_ = c->backend_pid();
    cancel_key_ = c->cancel_key();
    tx_status_ = c->transaction_status();
    state_ = ConsoleState::kIdle;
    output_.push_back({ConsoleOutput::Kind::kInfo,
                       fmt::format("connected: {} (backend pid {})", Describe(), backend_pid_), {}, {}, {}});
  }
  for (;;) {
    std::string sql;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, kIdleCheck, [&] { return stop_ || !queue_.empty(); });
      if (stop_) break;
      if (queue_.empty()) {
        lock.unlock();
        Error why;
        if (c->ServerClosed(&why)) {
          if (!why.message.empty()) Emit(ConsoleOutput::Kind::kError, ErrorText(why));
          Emit(ConsoleOutput::Kind::kInfo, "the server closed the connection");
          SetState(ConsoleState::kClosed);
          return;
        }
        continue;
      }
      sql = std::move(queue_.front());
      queue_.pop_front();
      state_ = ConsoleState::kBusy;
    }
    Emit(ConsoleOutput::Kind::kCommand, sql);
    auto r = c->Query(sql);
    if (!r.ok()) {
      Emit(ConsoleOutput::Kind::kError, ErrorText(r.error(), sql));
      Emit(ConsoleOutput::Kind::kInfo, "the connection to the server was lost");
      SetState(ConsoleState::kClosed);
      return;
    }
    for (const auto& n : r->notices) Emit(ConsoleOutput::Kind::kNotice, minipsql::FormatError(n, sql));
    for (const auto& st : r->statements) {
      ConsoleOutput out;
      out.kind = ConsoleOutput::Kind::kResult;
      out.text = minipsql::FormatResult(st);
      for (const auto& f : st.fields) out.columns.push_back(f.name);
      out.rows = st.rows;
      Emit(std::move(out));
    }
    if (r->error) {
      ConsoleOutput out;
      out.kind = ConsoleOutput::Kind::kError;
      out.text = minipsql::FormatError(*r->error, sql);
      out.sqlstate = r->error->sqlstate;
      Emit(std::move(out));
    }
    std::lock_guard<std::mutex> lock(mu_);
    tx_status_ = c->transaction_status();
    state_ = ConsoleState::kIdle;
  }
  c->Close();
  Emit(ConsoleOutput::Kind::kInfo, "disconnected");
  SetState(ConsoleState::kClosed);
}

}  // namespace minipg::viz
