/*
 * server_harness.cpp
 *   Real servers for integration tests.
 */
#include "tests/integration/server_harness.h"

#include <fcntl.h>
#include <pwd.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace minipg::testing {

namespace {

/* The first port of the kernel's ephemeral range: ports below it are never
 * handed to outgoing connections (psql's, our clients'), so a test server's
 * port cannot be taken by some test's client socket. */
int EphemeralLow() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0;
  in >> low;
  return low > 0 ? low : 32768;
}

bool CanBind(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

}  // namespace

/*
 * Tests run in parallel processes (ctest -j), and a port that one of them
 * found free can be taken by another before its server binds it. So each
 * port is reserved: an flock on /tmp/minipg_test_ports/PORT, held until this
 * test process exits (the descriptor is kept open on purpose), so a server
 * restarted within a test finds its port still its own.
 */
int FreePort() {
  static std::mutex mu;
  std::lock_guard<std::mutex> hold(mu);
  const fs::path dir = "/tmp/minipg_test_ports";
  std::error_code ec;
  fs::create_directories(dir, ec);
  fs::permissions(dir, fs::perms::all, ec);  // shared by every user's test runs
  int high = EphemeralLow();                 // exclusive
  int low = high > 12000 ? high - 10000 : 1024;
  int span = high - low;
  int start = static_cast<int>((static_cast<unsigned>(getpid()) * 7919u) % static_cast<unsigned>(span));
  for (int i = 0; i < span; ++i) {
    int port = low + (start + i) % span;
    int fd = open((dir / std::to_string(port)).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) continue;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0 && CanBind(port)) return port;  // fd stays open: the lock
    close(fd);
  }
  return 0;
}

std::string BinDir() {
  const char* d = std::getenv("MINIPG_BIN_DIR");
  return d ? d : MINIPG_DEFAULT_BIN_DIR;
}

std::string SourceDir() {
  const char* d = std::getenv("MINIPG_SOURCE_DIR");
  return d ? d : MINIPG_DEFAULT_SOURCE_DIR;
}

CommandResult RunCommand(const std::string& command) {
  CommandResult r;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

/* A /proc file's contents, or "" if the process is gone. Plain read(2):
 * an ifstream throws from underflow() when the process exits mid-read. */
std::string ReadProcFile(const fs::path& path) {
  std::string out;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

ScopedDataDir::ScopedDataDir() {
  char tmpl[] = "/tmp/minipg_data_XXXXXX";
  path = mkdtemp(tmpl);
}

ScopedDataDir::~ScopedDataDir() {
  std::error_code ec;
  fs::remove_all(path, ec);
  fs::remove(path.string() + ".log", ec);
}

void KillWholeServer(Server& server) {
  std::vector<pid_t> children = ChildrenOf(server.pid());
  kill(server.pid(), SIGKILL);
  for (pid_t child : children) kill(child, SIGKILL);
  server.Stop(SIGKILL, 5000);  // reaps it
  server.RemoveInterlockSegment();
}

std::vector<pid_t> ChildrenOf(pid_t parent, bool* any_zombie) {
  std::vector<pid_t> out;
  if (any_zombie) *any_zombie = false;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat = ReadProcFile(entry.path() / "stat");
    auto close_paren = stat.rfind(')');
    if (close_paren == std::string::npos) continue;
    std::istringstream rest(stat.substr(close_paren + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid != parent) continue;
    out.push_back(static_cast<pid_t>(std::stol(name)));
    if (state == 'Z' && any_zombie) *any_zombie = true;
  }
  return out;
}

std::string ProcessTitle(pid_t pid) {
  std::string s = ReadProcFile("/proc/" + std::to_string(pid) + "/cmdline");
  while (!s.empty() && s.back() == '\0') s.pop_back();
  for (char& c : s) {
    if (c == '\0') c = ' ';
  }
  return s;
}

Server::Server(std::vector<std::string> settings, fs::path data_dir)
    : settings_(std::move(settings)), data_dir_(std::move(data_dir)) {
  if (data_dir_.empty()) {
    char tmpl[] = "/tmp/minipg_test_XXXXXX";
    data_dir_ = mkdtemp(tmpl);
    own_dir_ = true;
  }
  log_ = fs::path(data_dir_.string() + ".log");
  setenv("PGCONNECT_TIMEOUT", "10", 0);  // a psql that cannot connect gives up
  port_ = FreePort();
  event_port_ = FreePort();
}

Server::~Server() {
  if (Running()) Stop(SIGQUIT, 5000);
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (own_dir_) {
    RemoveInterlockSegment();
    std::error_code ec;
    fs::remove_all(data_dir_, ec);
    fs::remove(log_, ec);
  }
}

void Server::RemoveInterlockSegment() const {
  // A postmaster killed with SIGKILL leaves its System V interlock segment
  // (postmaster.pid line 7: key and id); the kernel frees it once the last
  // process attached to it is gone.
  std::ifstream in(data_dir_ / "postmaster.pid");
  std::string line;
  int lines = 0;
  while (lines < 7 && std::getline(in, line)) ++lines;
  long key = 0;
  int id = -1;
  if (lines == 7 && std::sscanf(line.c_str(), "%ld %d", &key, &id) == 2 && id >= 0) shmctl(id, IPC_RMID, nullptr);
}

bool Server::Start() {
  std::vector<std::string> args = {BinDir() + "/minipg", "-D", data_dir_.string(), "-p", std::to_string(port_),
                                   "-k", data_dir_.string(), "-c", "event_port=" + std::to_string(event_port_),
                                   "-c", "listen_addresses=127.0.0.1"};
  for (const auto& s : settings_) {
    args.push_back("-c");
    args.push_back(s);
  }
  pid_ = fork();
  if (pid_ == 0) {
    int fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  for (int i = 0; i < 200; ++i) {
    if (!Running()) break;
    auto c = Connect();
    if (c.ok()) {
      (*c)->Close();
      // The probe's backend exits on its own; wait so tests start from zero.
      WaitForBackends(0, 5000);
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::fprintf(stderr, "server did not start; its log:\n%s\n", Log().c_str());
  return false;
}

bool Server::Running() const {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    const_cast<Server*>(this)->pid_ = -status - 1;  // remember it is gone
    return false;
  }
  return r == 0;
}

int Server::Stop(int sig, int timeout_ms) {
  if (pid_ <= 0) return -1;
  kill(pid_, sig);
  for (int waited = 0; waited < timeout_ms; waited += 20) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

client::ConnectOptions Server::Options(bool unix_socket) const {
  client::ConnectOptions o;
  o.host = unix_socket ? data_dir_.string() : "127.0.0.1";
  o.port = port_;
  o.user = Superuser();
  o.database = "postgres";
  o.connect_timeout_ms = 5000;
  return o;
}

Result<std::unique_ptr<client::Connection>> Server::Connect(bool unix_socket,
                                                            const std::string& application_name) const {
  auto o = Options(unix_socket);
  o.application_name = application_name;
  return client::Connection::Connect(o);
}

Result<std::unique_ptr<client::Connection>> Server::ConnectWhenReady(int timeout_ms) const {
  for (int waited = 0;; waited += 50) {
    auto c = Connect();
    if (c.ok() || c.error().sqlstate != "57P03" || waited >= timeout_ms) return c;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::vector<pid_t> Server::Backends() const {
  std::vector<pid_t> out;
  for (pid_t p : ChildrenOf(pid_)) {
    std::string title = ProcessTitle(p);
    bool aux = title.find("event collector") != std::string::npos || title == "minipg: checkpointer" ||
               title == "minipg: background writer" || title == "minipg: walwriter" ||
               title.starts_with("minipg: startup") || title.starts_with("minipg: autovacuum");
    if (!aux) out.push_back(p);
  }
  return out;
}

bool Server::WaitForBackends(size_t n, int timeout_ms) const {
  for (int waited = 0; waited <= timeout_ms; waited += 20) {
    if (Backends().size() == n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::string Server::Log() const {
  std::ifstream in(log_);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string Superuser() {
  const passwd* pw = getpwuid(geteuid());
  return pw != nullptr ? pw->pw_name : "postgres";
}

std::string Server::PsqlCommand(bool unix_socket) const {
  return "psql -X -q -h " + (unix_socket ? data_dir_.string() : std::string("127.0.0.1")) +
         " -p " + std::to_string(port_) + " -U " + Superuser() + " -d postgres";
}

}  // namespace minipg::testing
