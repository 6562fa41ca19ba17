/*-------------------------------------------------------------------------
 * postmaster.cpp
 *   The postmaster's set-up, main loop, child bookkeeping and shutdown.
 *
 *   When a connection arrives we fork() at once; the child reads the
 *   startup packet and becomes the backend, so a slow or hostile client
 *   can never stall the postmaster (as PostgreSQL's postmaster.c explains).
 *   Even a connection we must refuse (max_connections reached, shutdown in
 *   progress) gets a child, a "dead end", whose only job is to read the
 *   startup packet and send the FATAL: the postmaster never talks protocol.
 *
 * NOTES
 *   Signal handlers only set flags and write a byte to a self-pipe; the
 *   main loop's poll() wakes on that pipe and the named Process...()
 *   functions act. Signals are blocked around fork() so a child never runs
 *   the postmaster's handlers.
 *-------------------------------------------------------------------------
 */
#include "engine/postmaster/postmaster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <cstring>
#include <string>
#include <vector>

#include "engine/backend/backend.h"
#include "engine/common/postmaster_death.h"
#include "engine/common/latch.h"
#include "engine/common/sqlstate.h"
#include "engine/postmaster/autovacuum.h"
#include "engine/postmaster/bgwriter.h"
#include "engine/postmaster/checkpointer.h"
#include "engine/postmaster/data_dir.h"
#include "engine/postmaster/lock_wait.h"
#include "engine/postmaster/hba_load.h"
#include "engine/postmaster/ps_status.h"
#include "engine/postmaster/server_log.h"
#include "engine/postmaster/startup.h"
#include "engine/postmaster/storage_init.h"
#include "engine/postmaster/walwriter.h"
#include "engine/shmem/backend_status.h"
#include "engine/shmem/interlock.h"
#include "engine/shmem/shmem.h"
#include "engine/storage/control_file.h"
#include "engine/storage/heap/procarray.h"
#include "engine/trace/collector.h"
#include "engine/trace/event_ring.h"
#include "engine/trace/emitter.h"
#include "engine/trace/storage_events.h"

namespace minipg {
namespace {

using trace::EventType;

volatile sig_atomic_t g_child_exit_pending = 0;
volatile sig_atomic_t g_shutdown_request = 0;  // 0 none, 1 smart, 2 fast, 3 immediate
volatile sig_atomic_t g_reload_request = 0;    // SIGHUP: re-read minipg.conf and pg_hba.conf
void HandleChildExit(int) {
  g_child_exit_pending = 1;
  SetLatch();
}
void HandleSmart(int) {
  if (g_shutdown_request < 1) g_shutdown_request = 1;
  SetLatch();
}
void HandleFast(int) {
  if (g_shutdown_request < 2) g_shutdown_request = 2;
  SetLatch();
}
void HandleReload(int) {
  g_reload_request = 1;
  SetLatch();
}
volatile sig_atomic_t g_pmsignal_pending = 0;  // SIGUSR1: a child asks for something (a worker)
void HandlePmSignal(int) {
  g_pmsignal_pending = 1;
  SetLatch();
}
void HandleImmediate(int) {
  g_shutdown_request = 3;
  SetLatch();
}

/* Blocks every signal for its lifetime: a child forked meanwhile never
 * runs one of the postmaster's handlers. */
class BlockSignals {
 public:
  BlockSignals() {
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &saved_);
  }
  ~BlockSignals() { sigprocmask(SIG_SETMASK, &saved_, nullptr); }
  BlockSignals(const BlockSignals&) = delete;
  BlockSignals& operator=(const BlockSignals&) = delete;

 private:
  sigset_t saved_;
};

/* In a new child: the postmaster's handlers go back to the defaults. */
void RestoreDefaultSignals() {
  for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1}) signal(sig, SIG_DFL);
}

/* The postmaster's states (see postmaster.h). */
enum class PmState {
  kStartup,         // the startup process runs (recovery): clients get 57P03
  kRun,             // accepting connections
  kCrashRecovery,   // a backend crashed: the others were sent SIGQUIT; waiting for them to go
  kStopSmart,       // smart shutdown: no new sessions, waiting for clients to leave
  kStopFast,        // fast shutdown: backends told to end, waiting for them
  kShutdownCheckpoint,  // backends gone: the checkpointer writes the shutdown checkpoint
  kStopImmediate,   // immediate shutdown: children sent SIGQUIT, waiting briefly
  kExit,            // all children gone: exiting
};

/* How the log names a child, as PostgreSQL's LogChildExit. */
const char* ChildProcessName(ChildRole role) {
  switch (role) {
    case ChildRole::kCollector: return "event collector";
    case ChildRole::kCheckpointer: return "checkpointer process";
    case ChildRole::kStartup: return "startup process";
    case ChildRole::kBgWriter: return "background writer process";
    case ChildRole::kWalWriter: return "WAL writer process";
    case ChildRole::kAutovacLauncher: return "autovacuum launcher process";
    case ChildRole::kAutovacWorker: return "autovacuum worker process";
    default: return "server process";
  }
}

struct ListenSocket {
  int fd;
  bool unix_socket;
  std::string description;  // for the log
  std::string path;         // Unix socket file, removed at exit
};

class Postmaster {
 public:
  explicit Postmaster(const Config& config) : config_(config) {}
  int Run();

 private:
  Status OpenListenSockets();
  Status OpenTcpSocket(const std::string& address);
  /* How many connections may wait for accept(): like PostgreSQL, twice
   * the connections it serves (a burst of clients must not find a full
   * queue and get EAGAIN), within the kernel's limit. */
  int ListenBacklog() const { return std::min(2 * config_.Int("max_connections") + 16, SOMAXCONN); }
  /* How many backends (children that may become sessions, counting those
   * still reading their startup packet) may live at once: twice
   * max_connections plus two, as PostgreSQL's MaxLivePostmasterChildren
   * (which adds its worker processes, not the auxiliary ones). A backend takes its
   * slot only after its startup packet, so slow clients in startup cannot
   * keep a real one out until there are this many of them; past it, dead
   * ends say "sorry, too many clients already". */
  int MaxLiveBackends() const { return 2 * (config_.Int("max_connections") + 2); }
  Status OpenUnixSocket(const std::string& dir);
  Status OpenEventChannel();
  /* In a new child: drop everything that belongs to the postmaster (its
   * handlers, listen sockets, self-pipe, the write end of the death pipe;
   * the event channel's read side unless it is the collector). Signals
   * stay blocked until the child's own handlers are in. */
  void BecomeChild(bool collector);
  void StartCollector();
  /* Forks an auxiliary process (checkpointer, background writer, WAL
   * writer, startup process) into a slot of its own. */
  void StartAuxProcess(ChildRole role, uint32_t db = 0);
  /* The autovacuum launcher while autovacuum is on, and a worker for each
   * of its requests (autovacuum.h); only while running. */
  void MaybeStartAutovacuum();
  /* The checkpointer, the background writer, then the startup process:
   * PostgreSQL 15's order at start and at the end of a crash cycle. */
  void StartRecovery();
  void ProcessStartupExit(int status);
  int AssignSlot() const;
  /* A free event ring for a child about to be forked (marked taken), or
   * -1 if every ring is held: that child writes to the event pipe. */
  int AssignRing();
  Status InitSharedState(bool after_crash);
  void ServerLoop();
  void AcceptConnection(const ListenSocket& ls);
  void StartBackend(int sock, const ListenSocket& ls, const sockaddr_storage& addr);
  void ProcessChildExit();
  void ProcessShutdownRequest();
  void ProcessReloadRequest();
  void HandleChildCrash(pid_t pid, int status, ChildRole role, const std::string& desc);
  void SetPmState(PmState s);
  void SignalChildren(int sig, bool backends_only, int quit_reason = 0);
  int CountServerProcesses() const;
  void MaybeFinishCrashRecovery();
  bool MaybeFinishShutdown();
  int CountChildren(ChildRole role) const;
  pid_t FindChild(ChildRole role) const;
  void Cleanup();

  Config config_;
  PmState state_ = PmState::kStartup;
  bool fatal_error_ = false;  // a crash cycle ran; cleared when its recovery ends
  std::vector<ListenSocket> listen_;
  std::vector<ChildEntry> children_;
  std::vector<auth::HbaLine> hba_;  // pg_hba.conf; backends get it through fork()
  int event_send_fd_ = -1;
  int event_recv_fd_ = -1;
  int event_listen_fd_ = -1;
  trace::EventRings* event_rings_ = nullptr;  // ring 0 is ours; the others go to children
  std::vector<bool> ring_taken_;              // by index: held by us or by a live child
  pid_t collector_pid_ = 0;
  int64_t next_conn_ = 1;
  int64_t immediate_deadline_ = 0;  // NowMicros() after which children get SIGKILL
  int exit_code_ = 0;
};

const char* PmStateName(PmState s) {
  switch (s) {
    case PmState::kStartup: return "startup";
    case PmState::kRun: return "run";
    case PmState::kCrashRecovery: return "crash recovery";
    case PmState::kStopSmart: return "smart shutdown";
    case PmState::kStopFast: return "fast shutdown";
    case PmState::kShutdownCheckpoint: return "shutdown checkpoint";
    case PmState::kStopImmediate: return "immediate shutdown";
    case PmState::kExit: return "exit";
  }
  return "unknown";
}

Status SocketError(std::string what) {
  return MakeError(sqlstate::kIoError, std::move(what), Severity::kFatal);
}

Status Postmaster::OpenTcpSocket(const std::string& address) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const char* host = address == "*" ? nullptr : address.c_str();
  if (address == "*") hints.ai_family = AF_INET;
  std::string port = std::to_string(config_.Int("port"));
  if (int rc = getaddrinfo(host, port.c_str(), &hints, &res); rc != 0) {
    return SocketError(fmt::format("could not translate host name \"{}\" to address: {}", address, gai_strerror(rc)));
  }
  int opened = 0;
  std::string last_error;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    char ip[INET6_ADDRSTRLEN] = "";
    void* a = ai->ai_family == AF_INET ? static_cast<void*>(&reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr)
                                       : static_cast<void*>(&reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr);
    inet_ntop(ai->ai_family, a, ip, sizeof ip);
    const char* family = ai->ai_family == AF_INET ? "IPv4" : "IPv6";
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;  // e.g. no IPv6 in this sandbox
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ai->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
      int err = errno;
      close(fd);
      if (err == EADDRNOTAVAIL && ai->ai_family == AF_INET6) continue;  // no ::1 here
      last_error = fmt::format("could not bind {} address \"{}\": {}", family, ip, std::strerror(err));
      if (err == EADDRINUSE) {
        last_error += fmt::format(" (is another server already running on port {}?)", config_.Int("port"));
      }
      continue;
    }
    if (listen(fd, ListenBacklog()) < 0) {
      close(fd);
      continue;
    }
    std::string desc = fmt::format("listening on {} address \"{}\", port {}", family, ip, config_.Int("port"));
    listen_.push_back({fd, false, desc, ""});
    trace::Event(EventType::kListen).Str("transport", "tcp").Str("address", ip).Int("port", config_.Int("port")).Emit();
    Log("{}", desc);
    ++opened;
  }
  freeaddrinfo(res);
  if (opened == 0) {
    return SocketError(last_error.empty() ? fmt::format("could not listen on \"{}\"", address) : last_error);
  }
  return OkStatus();
}

Status Postmaster::OpenUnixSocket(const std::string& dir) {
  std::string path = fmt::format("{}/.s.PGSQL.{}", dir, config_.Int("port"));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) {
    return SocketError(fmt::format("Unix-domain socket path \"{}\" is too long", path));
  }
  std::strcpy(addr.sun_path, path.c_str());
  // A socket file left by a crashed server is removed; one that still
  // answers belongs to a running server.
  int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe >= 0) {
    bool alive = connect(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(probe);
    if (alive) {
      return SocketError(fmt::format("could not bind Unix socket \"{}\": Address already in use "
                                     "(is another server already running on port {}?)", path, config_.Int("port")));
    }
  }
  unlink(path.c_str());
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 ||
      listen(fd, ListenBacklog()) < 0) {
    int err = errno;
    if (fd >= 0) close(fd);
    return SocketError(fmt::format("could not create Unix socket \"{}\": {}", path, std::strerror(err)));
  }
  chmod(path.c_str(), 0777);
  std::string desc = fmt::format("listening on Unix socket \"{}\"", path);
  listen_.push_back({fd, true, desc, path});
  trace::Event(EventType::kListen).Str("transport", "unix").Str("address", path).Int("port", config_.Int("port")).Emit();
  Log("{}", desc);
  return OkStatus();
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    std::string item = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

Status Postmaster::OpenListenSockets() {
  for (const auto& a : SplitList(config_.String("listen_addresses"))) {
    if (Status s = OpenTcpSocket(a); !s.ok()) return s;
  }
  for (const auto& d : SplitList(config_.String("unix_socket_directories"))) {
    if (Status s = OpenUnixSocket(d); !s.ok()) return s;
  }
  if (listen_.empty()) return SocketError("no socket created for listening");
  return OkStatus();
}

Status Postmaster::OpenEventChannel() {
  int pair[2];
  if (pipe2(pair, O_NONBLOCK | O_CLOEXEC) < 0) {
    return SocketError(fmt::format("could not create event pipe: {}", std::strerror(errno)));
  }
  event_recv_fd_ = pair[0];
  event_send_fd_ = pair[1];
  // A bigger pipe absorbs bursts (up to fs.pipe-max-size); when it is full,
  // emitters drop and count. The postmaster keeps the read end open too, so
  // a restarted collector finds what was queued meanwhile.
  fcntl(event_send_fd_, F_SETPIPE_SZ, 1 << 20);
  int event_port = config_.EffectiveEventPort();
  if (event_port > 0) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(event_port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 || listen(fd, 16) < 0) {
      int err = errno;
      close(fd);
      return SocketError(fmt::format("could not bind event port {}: {}{}", event_port, std::strerror(err),
                                     err == EADDRINUSE ? " (set event_port to another port, or -1 for none)" : ""));
    }
    event_listen_fd_ = fd;
  }
  // One event ring per process that can live at once: us, every possible
  // backend and each auxiliary process. Dead-end children past that use the pipe.
  int num_rings = 1 + MaxLiveBackends() + AuxProcessSlots(config_);
  auto rings = trace::CreateEventRings(num_rings);
  if (!rings.ok()) return rings.error();
  event_rings_ = *rings;
  ring_taken_.assign(static_cast<size_t>(num_rings), false);
  ring_taken_[0] = true;
  trace::InitEmitter(event_send_fd_);
  trace::SetEventRing(event_rings_, 0);
  trace::SetQueryTextInEvents(config_.Bool("event_query_text"));  // children inherit it
  trace::SetEventsOn(config_.Bool("trace_events"));
  InstallLockWaitReporting();  // children inherit it
  return OkStatus();
}

/* The postmaster's "fork" event, written by the new child as its very first
 * event, on the postmaster's behalf (its pid, the time stamped before
 * fork()). Were the postmaster to write it after fork() returns, a busy
 * machine could run the child's first events through the collector before
 * the fork that made it; written by the child, it is always first. */
void EmitForkFromChild(int64_t ts, trace::EventRings* rings, int ring, std::string_view role, int64_t conn = -1,
                       std::string_view client = {}) {
  trace::SetEventRing(rings, ring);  // never the postmaster's: a ring has one writer
  trace::ReinitEmitterAfterFork();
  trace::Event ev(EventType::kFork);
  ev.Pid(getppid()).Ts(ts).Int("child", getpid()).Str("role", role);
  if (conn >= 0) ev.Int("conn", conn).Str("client", client);
  ev.Emit();
}

void Postmaster::BecomeChild(bool collector) {
  InitPostmasterChild();
  RestoreDefaultSignals();
  for (const auto& ls : listen_) close(ls.fd);
  InitLatch();  // its own, not the postmaster's
  if (collector) return;
  if (event_listen_fd_ >= 0) close(event_listen_fd_);
  close(event_recv_fd_);
}

void Postmaster::StartCollector() {
  int ring = AssignRing();
  int64_t ts = trace::NowMicros();
  BlockSignals block;
  pid_t pid = fork();
  if (pid == 0) {
    EmitForkFromChild(ts, event_rings_, ring, "collector");
    BecomeChild(true);
    SetPsTitle("event collector");
    trace::CollectorConfig cc;
    cc.event_fd = event_recv_fd_;
    cc.rings = event_rings_;
    cc.listen_fd = event_listen_fd_;
    cc.server_version = kServerVersion;
    cc.trace_events = config_.Bool("trace_events");
    if (!config_.String("trace_file").empty()) {
      std::filesystem::path p = config_.String("trace_file");
      cc.trace_file = (p.is_absolute() ? p : config_.data_directory / p).string();
    }
    _exit(trace::RunCollector(cc));  // it unblocks signals once its handlers are in
  }
  if (pid < 0) {
    Log("could not fork event collector: {}", std::strerror(errno));
    if (ring >= 0) ring_taken_[static_cast<size_t>(ring)] = false;
    return;
  }
  collector_pid_ = pid;
  int slot = AssignSlot();
  children_.push_back({pid, ChildRole::kCollector, 0, 0, slot, ring});
  shmem::RegisterAuxProcess(slot, pid, shmem::BackendType::kEventCollector);
}

void Postmaster::StartAuxProcess(ChildRole role, uint32_t db) {
  int slot = AssignSlot();
  int ring = AssignRing();
  int64_t ts = trace::NowMicros();
  BlockSignals block;
  pid_t pid = fork();
  if (pid == 0) {
    EmitForkFromChild(ts, event_rings_, ring, ChildRoleName(role));
    BecomeChild(false);
    switch (role) {
      case ChildRole::kCheckpointer: CheckpointerMain(config_, slot);
      case ChildRole::kBgWriter: BackgroundWriterMain(config_, slot);
      case ChildRole::kWalWriter: WalWriterMain(config_, slot);
      case ChildRole::kAutovacLauncher: AutoVacLauncherMain(config_, slot);
      case ChildRole::kAutovacWorker: AutoVacWorkerMain(config_, slot, db);
      default: StartupProcessMain(config_, slot);
    }
  }
  if (pid < 0) {
    Log("could not fork {}: {}", ChildProcessName(role), std::strerror(errno));
    if (ring >= 0) ring_taken_[static_cast<size_t>(ring)] = false;
    return;
  }
  children_.push_back({pid, role, 0, 0, slot, ring});
}

void Postmaster::MaybeStartAutovacuum() {
  g_pmsignal_pending = 0;
  AutoVacuumShared* area = AutoVacuumArea();
  if (state_ != PmState::kRun) {
    if (area != nullptr) area->pending.store(0);
    return;
  }
  if (FindChild(ChildRole::kAutovacLauncher) == 0 && config_.Bool("autovacuum")) {
    StartAuxProcess(ChildRole::kAutovacLauncher);
  }
  if (area == nullptr || area->pending.exchange(0) == 0) return;
  if (CountChildren(ChildRole::kAutovacWorker) >= config_.Int("autovacuum_max_workers")) return;  // next time
  StartAuxProcess(ChildRole::kAutovacWorker, area->request_db.load());
}

void Postmaster::StartRecovery() {
  StartAuxProcess(ChildRole::kCheckpointer);
  StartAuxProcess(ChildRole::kBgWriter);
  StartAuxProcess(ChildRole::kStartup);
  SetPmState(PmState::kStartup);
}

/* The startup process ended: the server runs, or (it failed while the
 * server started) it gives up, as PostgreSQL does. */
void Postmaster::ProcessStartupExit(int status) {
  if (state_ != PmState::kStartup) return;  // a crash cycle or a shutdown ended it
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    fatal_error_ = false;
    StartAuxProcess(ChildRole::kWalWriter);
    SetPmState(PmState::kRun);
    Log("database system is ready to accept connections");
    return;
  }
  Log("aborting startup due to startup process failure");
  exit_code_ = 1;
  SignalChildren(SIGQUIT, true, kQuitImmediateShutdown);
  immediate_deadline_ = trace::NowMicros() + 5'000'000;
  SetPmState(PmState::kStopImmediate);
}

/* The lowest auxiliary process slot no child holds: they follow the
 * max_connections slots that client backends claim for themselves. */
int Postmaster::AssignSlot() const {
  shmem::ShmemHeader* h = shmem::Header();
  if (h == nullptr) return -1;
  for (int slot = h->num_backend_slots; slot < h->num_slots; ++slot) {
    bool used = std::any_of(children_.begin(), children_.end(), [&](const ChildEntry& c) { return c.slot == slot; });
    if (!used) return slot;
  }
  return -1;
}

int Postmaster::AssignRing() {
  for (size_t i = 1; i < ring_taken_.size(); ++i) {
    if (!ring_taken_[i]) {
      ring_taken_[i] = true;
      return static_cast<int>(i);
    }
  }
  return -1;
}

/* Shared memory, at start and again after a crash cycle, and a first
 * look at pg_control: a data directory this server cannot use is refused
 * before any child runs (the startup process reads it again and recovers). */
Status Postmaster::InitSharedState(bool after_crash) {
  (void)after_crash;
  if (Status s = shmem::CreateSharedMemory(config_.Int("max_connections"), AuxProcessSlots(config_), ServerShmemRequests(config_));
      !s.ok()) {
    return s;
  }
  std::vector<trace::ShmemAreaField> areas;
  for (const shmem::ShmemAreaEntry& a : shmem::ShmemAreas()) areas.push_back({a.name, a.offset, a.size});
  StorageSettings storage_settings = GetStorageSettings(config_);
  trace::EmitShmemLayout(storage_settings.shared_buffers, storage_settings.wal_buffers, areas);
  auto control = storage::ReadControlFile(config_.data_directory);
  if (!control.ok()) return control.error();
  if (!control->has_value()) {
    return MakeError(sqlstate::kIoError,
                     fmt::format("could not open file \"{}\": No such file or directory",
                                 storage::ControlFilePath(config_.data_directory).string()),
                     Severity::kFatal);
  }
  return OkStatus();
}

void Postmaster::AcceptConnection(const ListenSocket& ls) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  int sock = accept4(ls.fd, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_CLOEXEC);
  if (sock < 0) {
    if (errno != EINTR && errno != EAGAIN) Log("could not accept new connection: {}", std::strerror(errno));
    return;
  }
  StartBackend(sock, ls, addr);
}

void Postmaster::StartBackend(int sock, const ListenSocket& ls, const sockaddr_storage& addr) {
  BackendStartInfo info;
  info.sock = sock;
  info.unix_socket = ls.unix_socket;
  info.config = &config_;
  info.children = &children_;
  info.hba = &hba_;
  if (ls.unix_socket) {
    info.client_host = "[local]";
  } else {
    char ip[INET6_ADDRSTRLEN] = "";
    if (addr.ss_family == AF_INET) {
      const auto* a4 = reinterpret_cast<const sockaddr_in*>(&addr);
      inet_ntop(AF_INET, &a4->sin_addr, ip, sizeof ip);
      info.client_port = ntohs(a4->sin_port);
    } else {
      const auto* a6 = reinterpret_cast<const sockaddr_in6*>(&addr);
      inet_ntop(AF_INET6, &a6->sin6_addr, ip, sizeof ip);
      info.client_port = ntohs(a6->sin6_port);
    }
    info.client_host = ip;
    int one = 1;
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  std::string client = ls.unix_socket ? "[local]" : fmt::format("{}:{}", info.client_host, info.client_port);

  // Decide before forking; the child carries the verdict out. Whether a
  // process array slot is free is the backend's own question, after its
  // startup packet (ClaimBackendSlot).
  if (state_ == PmState::kCrashRecovery || (state_ == PmState::kStartup && fatal_error_)) {
    info.cac = CanAcceptConnections::kRecovery;
  } else if (state_ == PmState::kStartup) {
    info.cac = CanAcceptConnections::kStartup;
  } else if (state_ != PmState::kRun) {
    info.cac = CanAcceptConnections::kShutdown;
  } else if (CountChildren(ChildRole::kBackend) >= MaxLiveBackends()) {
    info.cac = CanAcceptConnections::kTooMany;
  }
  // Dead ends are bounded too, so a flood cannot fork without limit.
  if (info.cac != CanAcceptConnections::kOk &&
      CountChildren(ChildRole::kDeadEnd) >= 2 * config_.Int("max_connections") + 10) {
    close(sock);
    return;
  }
  ChildRole role = info.cac == CanAcceptConnections::kOk ? ChildRole::kBackend : ChildRole::kDeadEnd;
  if (getrandom(&info.cancel_key, sizeof info.cancel_key, 0) != sizeof info.cancel_key) {
    info.cancel_key = static_cast<int32_t>(trace::NowMicros());
  }
  int64_t conn = next_conn_++;
  int ring = AssignRing();
  int64_t ts = trace::NowMicros();
  trace::Event(EventType::kAccept).Ts(ts).Int("conn", conn)
      .Str("transport", ls.unix_socket ? "unix" : "tcp").Str("client", client).Emit();

  BlockSignals block;
  pid_t pid = fork();
  if (pid == 0) {
    EmitForkFromChild(ts + 1, event_rings_, ring, ChildRoleName(role), conn, client);
    BecomeChild(false);
    BackendMain(info);
  }
  close(sock);
  if (pid < 0) {
    Log("could not fork new process for connection: {}", std::strerror(errno));
    if (ring >= 0) ring_taken_[static_cast<size_t>(ring)] = false;
    return;
  }
  children_.push_back({pid, role, info.cancel_key, conn, -1, ring});
}

pid_t Postmaster::FindChild(ChildRole role) const {
  for (const auto& c : children_) {
    if (c.role == role) return c.pid;
  }
  return 0;
}

int Postmaster::CountChildren(ChildRole role) const {
  int n = 0;
  for (const auto& c : children_) n += c.role == role;
  return n;
}

std::string DescribeExit(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with exit code {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return fmt::format("was terminated by signal {}: {}", WTERMSIG(status), strsignal(WTERMSIG(status)));
  }
  return fmt::format("exited with unrecognized status {}", status);
}

void Postmaster::ProcessChildExit() {
  g_child_exit_pending = 0;
  for (;;) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) break;
    ChildRole role = ChildRole::kBackend;
    // A process killed mid-write cannot clear its own slot (the one it
    // claimed, or the one we gave an auxiliary process); we do.
    for (int slot : shmem::SlotsOf(pid)) storage::ProcArrayClearSlot(slot);
    shmem::ReleaseSlotsOf(pid);
    auto it = std::find_if(children_.begin(), children_.end(), [&](const ChildEntry& c) { return c.pid == pid; });
    if (it != children_.end()) {
      role = it->role;
      // Its ring may still hold its last events: the next child given it
      // writes after them, and the collector reads on in order.
      if (it->ring >= 0) ring_taken_[static_cast<size_t>(it->ring)] = false;
      children_.erase(it);
    }
    if (role == ChildRole::kCheckpointer) {
      if (shmem::Header() != nullptr) shmem::Header()->checkpointer.pid.store(0);
    }
    std::string desc = DescribeExit(status);
    bool exited0 = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    trace::Event e(EventType::kChildExit);
    e.Int("child", pid).Str("role", ChildRoleName(role)).Str("status", desc);
    if (WIFEXITED(status)) e.Int("exit_code", WEXITSTATUS(status));
    if (WIFSIGNALED(status)) e.Int("signal", WTERMSIG(status));
    e.Emit();
    if (role == ChildRole::kCollector) {
      if (!exited0) Log("{} (PID {}) {}", ChildProcessName(role), pid, desc);
      collector_pid_ = 0;
      if (state_ == PmState::kStartup || state_ == PmState::kRun || state_ == PmState::kCrashRecovery) StartCollector();  // events must keep flowing
      continue;
    }
    // Exit codes 0 and 1 are a backend's normal ends (1 after a FATAL);
    // anything else, or death by a signal, may have left shared state
    // corrupt, so every other backend must go too.
    bool crashed = WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) > 1);
    // The checkpointer may only end after the shutdown checkpoint; any
    // other end of it is a crash, as for PostgreSQL's auxiliary processes.
    if (role == ChildRole::kCheckpointer) crashed = state_ != PmState::kShutdownCheckpoint || !exited0;
    // The background writer and the WAL writer end (exit 0) only when told
    // to at shutdown.
    bool stopping = state_ == PmState::kStopSmart || state_ == PmState::kStopFast;
    if (role == ChildRole::kBgWriter || role == ChildRole::kWalWriter) crashed = !stopping || !exited0;
    // Only an end that was not expected is logged, as PostgreSQL does (it
    // logs the others at DEBUG2): not a backend's exit 0 or 1, a startup
    // or autovacuum process done, a writer told to stop.
    if (role == ChildRole::kStartup) {
      if (!exited0) Log("{} (PID {}) {}", ChildProcessName(role), pid, desc);
      ProcessStartupExit(status);
      continue;
    }
    if (crashed) HandleChildCrash(pid, status, role, desc);
  }
}

void Postmaster::HandleChildCrash(pid_t pid, int status, ChildRole role, const std::string& desc) {
  // During an immediate shutdown or a crash cycle already under way,
  // children dying of our own SIGQUIT are expected (and not logged).
  if (state_ == PmState::kCrashRecovery || state_ == PmState::kStopImmediate) return;
  Log("{} (PID {}) {}", ChildProcessName(role), pid, desc);
  trace::Event e(EventType::kCrash);
  e.Int("child", pid).Str("status", desc);
  if (WIFSIGNALED(status)) e.Int("signal", WTERMSIG(status));
  if (WIFEXITED(status)) e.Int("exit_code", WEXITSTATUS(status));
  e.Emit();
  Log("terminating any other active server processes");
  SignalChildren(SIGQUIT, true, kQuitCrash);
  immediate_deadline_ = trace::NowMicros() + 5'000'000;
  fatal_error_ = true;
  if (state_ == PmState::kRun || state_ == PmState::kStartup) SetPmState(PmState::kCrashRecovery);
}

void Postmaster::SetPmState(PmState s) {
  state_ = s;
  trace::Event(EventType::kPostmasterState).Str("state", PmStateName(s)).Emit();
}

void Postmaster::SignalChildren(int sig, bool backends_only, int quit_reason) {
  for (const auto& c : children_) {
    if (backends_only && c.role == ChildRole::kCollector) continue;
    if (quit_reason != 0) {
      sigval v{};
      v.sival_int = quit_reason;
      sigqueue(c.pid, sig, v);  // the value tells the backend which FATAL to send
    } else {
      kill(c.pid, sig);
    }
  }
}

int Postmaster::CountServerProcesses() const {
  int n = 0;
  for (const auto& c : children_) n += c.role != ChildRole::kCollector;
  return n;
}

void Postmaster::MaybeFinishCrashRecovery() {
  if (state_ != PmState::kCrashRecovery) return;
  if (CountServerProcesses() > 0) {
    if (trace::NowMicros() > immediate_deadline_) {
      Log("issuing SIGKILL to recalcitrant children");
      SignalChildren(SIGKILL, true);
      immediate_deadline_ = INT64_MAX;
    }
    return;
  }
  if (!config_.Bool("restart_after_crash")) {
    Log("shutting down because restart_after_crash is off");
    exit_code_ = 1;
    SetPmState(PmState::kStopImmediate);
    return;
  }
  // Nothing a dead process left in shared memory can be trusted: every
  // process that could write it has exited, so make a fresh segment.
  Log("all server processes terminated; reinitializing");
  if (Status s = InitSharedState(true); !s.ok()) {
    LogError(s.error());
    exit_code_ = 1;
    SetPmState(PmState::kStopImmediate);
    return;
  }
  for (auto& c : children_) {
    if (c.role == ChildRole::kCollector) {
      c.slot = -1;
      c.slot = AssignSlot();
      shmem::RegisterAuxProcess(c.slot, c.pid, shmem::BackendType::kEventCollector);
    }
  }
  StartRecovery();  // 57P03 "in recovery mode" until the startup process is done
}

void Postmaster::ProcessReloadRequest() {
  g_reload_request = 0;
  Log("received SIGHUP, reloading configuration files");
  for (const std::string& line : ReloadConfigFile(config_.settings, config_.data_directory / kConfigFileName)) {
    Log("{}", line);
  }
  LoadHbaRules(config_, hba_, true);
  SignalChildren(SIGHUP, true);  // each re-reads the file itself, as in PostgreSQL
}

void Postmaster::ProcessShutdownRequest() {
  int req = g_shutdown_request;
  PmState target = req == 3 ? PmState::kStopImmediate : req == 2 ? PmState::kStopFast : PmState::kStopSmart;
  if (static_cast<int>(target) <= static_cast<int>(state_)) return;  // already at least this far
  const char* mode = req == 3 ? "immediate" : req == 2 ? "fast" : "smart";
  Log("received {} shutdown request", mode);
  trace::Event(EventType::kShutdownRequest).Str("mode", mode).Emit();
  SetPmState(target);
  if (target == PmState::kStopSmart) {
    pid_t startup = FindChild(ChildRole::kStartup);
    if (startup != 0) kill(startup, SIGTERM);  // recovery stops; the next start does it again
    // Autovacuum stops at once, as in PostgreSQL: only clients are waited for.
    for (const auto& c : children_) {
      if (c.role == ChildRole::kAutovacLauncher || c.role == ChildRole::kAutovacWorker) kill(c.pid, SIGTERM);
    }
  }
  if (target == PmState::kStopFast) {
    Log("aborting any active transactions");
    SignalChildren(SIGTERM, true);
  } else if (target == PmState::kStopImmediate) {
    SignalChildren(SIGQUIT, true, kQuitImmediateShutdown);
    immediate_deadline_ = trace::NowMicros() + 5'000'000;
  }
}

bool Postmaster::MaybeFinishShutdown() {
  if (state_ == PmState::kStartup || state_ == PmState::kRun || state_ == PmState::kCrashRecovery) return false;
  if (state_ == PmState::kStopSmart || state_ == PmState::kStopFast) {
    // Backends (and a startup process) first; then the background writer
    // and the WAL writer are told to end; then the checkpointer writes the
    // shutdown checkpoint.
    int writers = CountChildren(ChildRole::kBgWriter) + CountChildren(ChildRole::kWalWriter);
    if (CountServerProcesses() > CountChildren(ChildRole::kCheckpointer) + writers) return false;
    if (writers > 0) {
      for (const auto& c : children_) {
        if (c.role == ChildRole::kBgWriter || c.role == ChildRole::kWalWriter) kill(c.pid, SIGTERM);
      }
      return false;
    }
    pid_t checkpointer = FindChild(ChildRole::kCheckpointer);
    if (checkpointer == 0) {
      SetPmState(PmState::kExit);
      return true;
    }
    SetPmState(PmState::kShutdownCheckpoint);
    trace::Event(EventType::kSignal)
        .Int("target", checkpointer)
        .Str("signal", "SIGUSR2")
        .Str("why", "shutdown checkpoint")
        .Emit();
    kill(checkpointer, SIGUSR2);
    return false;
  }
  if (CountServerProcesses() > 0) {
    if (state_ == PmState::kStopImmediate && trace::NowMicros() > immediate_deadline_) {
      Log("issuing SIGKILL to recalcitrant children");
      SignalChildren(SIGKILL, true);
      immediate_deadline_ = INT64_MAX;
    }
    return false;
  }
  SetPmState(PmState::kExit);
  return true;
}

void Postmaster::ServerLoop() {
  for (;;) {
    std::vector<pollfd> fds;
    fds.push_back({LatchFd(), POLLIN, 0});
    // After a shutdown starts, smart and fast still accept, to refuse
    // politely with 57P03; immediate stops listening.
    if (state_ != PmState::kStopImmediate) {
      for (const auto& ls : listen_) fds.push_back({ls.fd, POLLIN, 0});
    }
    bool waiting = state_ == PmState::kStopImmediate || state_ == PmState::kCrashRecovery;
    int timeout = waiting ? 100 : 1000;
    int rc = poll(fds.data(), fds.size(), timeout);
    if (rc < 0 && errno != EINTR) {
      Log("poll() failed in postmaster: {}", std::strerror(errno));
      return;
    }
    if (fds[0].revents & POLLIN) ResetLatch();
    if (g_child_exit_pending) ProcessChildExit();
    if (g_shutdown_request) ProcessShutdownRequest();
    if (g_reload_request) ProcessReloadRequest();
    for (size_t i = 1; i < fds.size() && state_ != PmState::kStopImmediate; ++i) {
      if (fds[i].revents & POLLIN) AcceptConnection(listen_[i - 1]);
    }
    MaybeStartAutovacuum();
    MaybeFinishCrashRecovery();
    if (MaybeFinishShutdown()) return;
  }
}

void Postmaster::Cleanup() {
  for (const auto& ls : listen_) {
    close(ls.fd);
    if (!ls.path.empty()) unlink(ls.path.c_str());
  }
  listen_.clear();
  shmem::RemoveInterlock();
  RemoveLockFile(config_);
}

int Postmaster::Run() {
  if (Status s = CreateLockFile(config_); !s.ok()) {
    std::fprintf(stderr, "minipg: %s\n", s.error().message.c_str());
    if (!s.error().hint.empty()) std::fprintf(stderr, "HINT:  %s\n", s.error().hint.c_str());
    return 1;
  }
  SetPsTitle("postmaster");
  // Before any child exists: the interlock every child will be counted in
  // (refusing to start beside an old server's survivors), and the pipe
  // every child watches for our death.
  auto interlock = shmem::CreateInterlock(config_.data_directory);
  Status started = interlock.ok() ? AddInterlockToLockFile(config_, interlock->key, interlock->id)
                                  : Status(interlock.error());
  if (started.ok()) started = InitPostmasterDeathWatch();
  if (!started.ok()) {
    LogError(started.error());
    Cleanup();
    return 1;
  }
  if (!LoadHbaRules(config_, hba_, false)) {
    LogLine("FATAL", "could not load pg_hba.conf");
    Cleanup();
    return 1;
  }
  if (!InitLatch()) {
    std::fprintf(stderr, "minipg: could not create self-pipe: %s\n", std::strerror(errno));
    Cleanup();
    return 1;
  }
  Status s = OpenEventChannel();
  if (s.ok()) {
    trace::Event(EventType::kPostmasterStart)
        .Str("data_directory", std::filesystem::absolute(config_.data_directory).string())
        .Int("port", config_.Int("port"))
        .Int("max_connections", config_.Int("max_connections"))
        .Int("event_port", config_.EffectiveEventPort())
        .Emit();
    s = OpenListenSockets();
  }
  if (!s.ok()) {
    std::fprintf(stderr, "minipg: %s\n", s.error().message.c_str());
    Cleanup();
    return 1;
  }
  s = InitSharedState(false);  // before the first fork: every child inherits it
  if (!s.ok()) {
    LogError(s.error());
    Cleanup();
    return 1;
  }
  PreloadBackendState();  // the same
  // Handlers are installed with every signal blocked while they run.
  struct sigaction sa {};
  sigfillset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sa.sa_handler = HandleChildExit;
  sigaction(SIGCHLD, &sa, nullptr);
  sa.sa_handler = HandleSmart;
  sigaction(SIGTERM, &sa, nullptr);
  sa.sa_handler = HandleFast;
  sigaction(SIGINT, &sa, nullptr);
  sa.sa_handler = HandleImmediate;
  sigaction(SIGQUIT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  sa.sa_handler = HandleReload;
  sigaction(SIGHUP, &sa, nullptr);
  sa.sa_handler = HandlePmSignal;
  sigaction(SIGUSR1, &sa, nullptr);

  StartCollector();
  if (config_.EffectiveEventPort() > 0) {
    Log("event stream on 127.0.0.1 port {} (JSON lines; try: nc 127.0.0.1 {})", config_.EffectiveEventPort(),
        config_.EffectiveEventPort());
  }
  StartRecovery();  // "ready to accept connections" when the startup process is done
  ServerLoop();

  Log("database system is shut down");
  trace::Event(EventType::kPostmasterExit).Int("exit_code", exit_code_).Emit();
  // The collector goes last, so it records everything up to here.
  // It gets a few seconds to drain to its subscribers, never more.
  if (collector_pid_ > 0) {
    kill(collector_pid_, SIGTERM);
    int64_t deadline = trace::NowMicros() + 5'000'000;
    while (waitpid(collector_pid_, nullptr, WNOHANG) == 0) {
      if (trace::NowMicros() > deadline) {
        kill(collector_pid_, SIGKILL);
        waitpid(collector_pid_, nullptr, 0);
        break;
      }
      usleep(10'000);
    }
  }
  Cleanup();
  shmem::DestroySharedMemory();
  return exit_code_;
}

}  // namespace

int PostmasterMain(const Config& config) {
  Postmaster pm(config);
  return pm.Run();
}

}  // namespace minipg
