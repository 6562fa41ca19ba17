/*-------------------------------------------------------------------------
 * server_process.cpp
 *   Starting and stopping the scenario's own minipg (see server_process.h).
 *-------------------------------------------------------------------------
 */
#include "sim/scenario/server_process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "engine/common/sqlstate.h"
#include "sim/client/client.h"

namespace minipg::sim {

namespace fs = std::filesystem;

namespace {
volatile sig_atomic_t g_embedded_pid = 0;
}  // namespace

pid_t EmbeddedServerPid() {
  return static_cast<pid_t>(g_embedded_pid);
}

int FreeTcpPort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  if (fd >= 0) close(fd);
  return port;
}

std::string MinipgBinary() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path beside = self.parent_path() / "minipg";
    if (fs::exists(beside, ec)) return beside.string();
  }
  return "minipg";
}

ServerProcess::ServerProcess(std::vector<std::pair<std::string, std::string>> settings,
                             std::vector<std::string> hba_lines, int event_port)
    : settings_(std::move(settings)), hba_lines_(std::move(hba_lines)) {
  char tmpl[] = "/tmp/minipg_sim_XXXXXX";
  if (const char* dir = mkdtemp(tmpl)) data_dir_ = dir;
  log_ = data_dir_.string() + ".log";
  port_ = FreeTcpPort();
  own_event_port_ = event_port <= 0;
  event_port_ = own_event_port_ ? FreeTcpPort() : event_port;
}

ServerProcess::~ServerProcess() {
  if (detached_) {
    g_embedded_pid = 0;
    return;
  }
  if (Running()) (void)Stop(SIGINT, 10000);
  if (pid_ > 0) {  // it would not stop: do not leave it behind
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  if (!data_dir_.empty()) fs::remove_all(data_dir_, ec);
  fs::remove(log_, ec);
}

Status ServerProcess::Start() {
  if (data_dir_.empty()) return MakeError("58000", "could not create a temporary data directory");
  // A postmaster that is on its way out (it just logged its exit) is reaped first.
  for (int i = 0; i < 500 && Running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (Running()) return MakeError("55000", "the server is still running");
  for (int attempt = 0;; ++attempt) {
    size_t log_before = LogTail(SIZE_MAX).size();
    if (Status s = Spawn(); !s.ok()) return s;
    Status ready = WaitReady();
    // A port picked free a moment ago can be taken before the postmaster
    // binds it (other servers starting on this machine): pick again.
    bool port_taken = !ready.ok() && !Running() &&
                      LogTail(SIZE_MAX).find("Address already in use", log_before) != std::string::npos;
    if (!port_taken || started_ || attempt == 4) {
      started_ = started_ || ready.ok();
      return ready;
    }
    port_ = FreeTcpPort();
    if (own_event_port_) event_port_ = FreeTcpPort();
  }
}

Status ServerProcess::Spawn() {
  std::vector<std::string> args = {MinipgBinary(),
                                   "-D", data_dir_.string(),
                                   "-p", std::to_string(port_),
                                   "-k", data_dir_.string(),
                                   "-h", "127.0.0.1",
                                   "-c", fmt::format("event_port={}", event_port_)};
  for (const auto& [name, value] : settings_) {
    args.push_back("-c");
    args.push_back(name + "=" + value);
  }
  pid_ = fork();
  if (pid_ < 0) return MakeError("58000", fmt::format("could not fork: {}", std::strerror(errno)));
  if (pid_ == 0) {
    int fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    setpgid(0, 0);  // a Ctrl-C at the terminal is the runner's to handle, not the server's
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  g_embedded_pid = pid_;
  return OkStatus();
}

Status ServerProcess::WaitReady() {
  client::ConnectOptions probe;
  probe.host = data_dir_.string();
  probe.port = port_;
  probe.user = client::OsUser();
  probe.database = "postgres";
  probe.connect_timeout_ms = 2000;
  for (int i = 0; i < 600; ++i) {  // up to 30 s: a loaded machine, a sanitizer build
    if (!Running()) {
      return MakeError("58000", fmt::format("minipg exited while starting; its log:\n{}", LogTail()));
    }
    auto c = client::Connection::Connect(probe);
    if (c.ok()) {
      (*c)->Close();
      return InstallHba();
    }
    // Anything but "not listening yet" (e.g. an hba rule refusing the
    // probe) still means the server is up.
    if (c.error().sqlstate != sqlstate::kConnectionException &&
        c.error().sqlstate != sqlstate::kCannotConnectNow && !c.error().sqlstate.empty()) {
      return InstallHba();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return MakeError("58000", fmt::format("minipg did not start in 30 s; its log:\n{}", LogTail()));
}

/* The scenario's pg_hba.conf replaces the one the first start wrote (as
 * initdb's); the postmaster re-reads it on SIGHUP, as PostgreSQL's does. */
Status ServerProcess::InstallHba() {
  if (hba_lines_.empty() || hba_installed_) return OkStatus();
  {
    std::ofstream hba(data_dir_ / "pg_hba.conf", std::ios::trunc);
    hba << "# written by minipg-sim from the scenario's hba lines\n";
    for (const std::string& line : hba_lines_) hba << line << "\n";
    if (!hba) return MakeError("58030", "could not write pg_hba.conf");
  }
  size_t before = LogTail(SIZE_MAX).size();
  kill(pid_, SIGHUP);
  for (int i = 0; i < 600; ++i) {  // until the postmaster says it reloaded
    std::string log = LogTail(SIZE_MAX);
    if (log.size() > before && log.find("reloading configuration files", before) != std::string::npos) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the reload itself follows the line
      hba_installed_ = true;
      return OkStatus();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return MakeError("58000", fmt::format("minipg did not reload pg_hba.conf; its log:\n{}", LogTail()));
}

bool ServerProcess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    pid_ = 0;
    g_embedded_pid = 0;
    return false;
  }
  return r == 0;
}

Status ServerProcess::Stop(int sig, int timeout_ms) {
  if (!Running()) return OkStatus();
  kill(pid_, sig);
  for (int waited = 0; waited < timeout_ms; waited += 20) {
    if (!Running()) return OkStatus();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return MakeError("57P01", fmt::format("the server did not stop within {} ms", timeout_ms));
}

std::string ServerProcess::LogTail(size_t max_bytes) const {
  std::ifstream in(log_);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string all = ss.str();
  return all.size() > max_bytes ? all.substr(all.size() - max_bytes) : all;
}

}  // namespace minipg::sim
