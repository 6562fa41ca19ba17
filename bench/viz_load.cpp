/*-------------------------------------------------------------------------
 * viz_load.cpp
 *   minipg-viz-load: a synthetic event stream for the visualizer's scale
 *   benchmark (scripts/bench-viz.sh). It plays a server's collector: it
 *   listens on a TCP port, and to the one viewer that connects sends a
 *   hello, a postmaster with N live backends (accept, fork, startup,
 *   auth_ok, state idle for each), then queries on those backends
 *   (state active, query_start, parse, analyze, plan, execute,
 *   query_done, state idle, ready: 9 events each) at a steady rate for a
 *   given time, and finally the number of lines sent on stdout.
 *
 *     minipg-viz-load --port 55433 --backends 1000 --rate 50000 --seconds 20
 *
 * NOTES
 *   The events are the real schema (docs/events.md), so the viewer does
 *   all of its real work on them. The rate is kept by sending in 1 ms
 *   slices; if the viewer reads slower than that, the socket's buffer
 *   fills, send() blocks, and the shortfall shows as fewer lines sent
 *   than asked (reported).
 *-------------------------------------------------------------------------
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace {

bool SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int port = 55433;
  int backends = 1000;
  int rate = 50000;
  double seconds = 20;
  CLI::App cli{"minipg-viz-load: a synthetic event stream for minipg-viz's scale benchmark"};
  cli.add_option("--port", port, "TCP port to listen on (127.0.0.1)")->capture_default_str();
  cli.add_option("--backends", backends, "live backends")->check(CLI::Range(1, 100000))->capture_default_str();
  cli.add_option("--rate", rate, "events per second after the backends are up")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  cli.add_option("--seconds", seconds, "how long to send at that rate")->capture_default_str();
  CLI11_PARSE(cli, argc, argv);

  int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(lfd, 1) != 0) {
    std::perror("minipg-viz-load: bind/listen");
    return 1;
  }
  std::printf("minipg-viz-load: listening on 127.0.0.1:%d\n", port);
  std::fflush(stdout);
  int fd = ::accept(lfd, nullptr, nullptr);
  if (fd < 0) {
    std::perror("minipg-viz-load: accept");
    return 1;
  }
  const int pm = 100;
  int64_t ts = 1'000'000;
  uint64_t lines = 0;
  std::string out;
  auto line = [&](std::string text) {
    out += text;
    out += '\n';
    ++lines;
  };
  line(fmt::format(R"J({{"type":"hello","ts":{},"pid":101,"version":4,"server":"minipg","server_version":"15.0 (minipg-viz-load)","wall_us":1700000000000000}})J", ts));
  line(fmt::format(R"J({{"type":"postmaster_start","ts":{},"pid":{},"data_directory":"/nonexistent","port":5432,"max_connections":{},"event_port":{}}})J", ts, pm, backends + 10, port));
  for (int i = 0; i < backends; ++i) {
    int pid = 1000 + i;
    ts += 10;
    line(fmt::format(R"J({{"type":"accept","ts":{},"pid":{},"conn":{},"transport":"tcp","client":"127.0.0.1:{}"}})J", ts, pm, i + 1, 40000 + i));
    line(fmt::format(R"J({{"type":"fork","ts":{},"pid":{},"child":{},"role":"backend","conn":{}}})J", ts + 1, pm, pid, i + 1));
    line(fmt::format(R"J({{"type":"startup","ts":{},"pid":{},"user":"u{}","database":"bench","application_name":"load"}})J", ts + 2, pid, i % 10));
    line(fmt::format(R"J({{"type":"auth_ok","ts":{},"pid":{},"method":"trust"}})J", ts + 3, pid));
    line(fmt::format(R"J({{"type":"state","ts":{},"pid":{},"state":"idle"}})J", ts + 4, pid));
  }
  if (!SendAll(fd, out)) return 1;
  out.clear();

  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  uint64_t sent_events = 0;
  uint64_t q = 0;
  while (Clock::now() < end) {
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    uint64_t due = static_cast<uint64_t>(elapsed * rate);
    while (sent_events + 9 <= due) {
      int pid = 1000 + static_cast<int>(q % static_cast<uint64_t>(backends));
      ts += 20;
      line(fmt::format(R"J({{"type":"state","ts":{},"pid":{},"state":"active"}})J", ts, pid));
      line(fmt::format(R"J({{"type":"query_start","ts":{},"pid":{},"text":"SELECT * FROM t{} WHERE a = {}"}})J", ts + 1, pid, q % 7, q));
      line(fmt::format(R"J({{"type":"parse","ts":{},"pid":{},"statements":1,"tree":"SELECT"}})J", ts + 2, pid));
      line(fmt::format(R"J({{"type":"analyze","ts":{},"pid":{},"statement":"SELECT","tables":["t"],"columns":[]}})J", ts + 3, pid));
      line(fmt::format(R"J({{"type":"plan","ts":{},"pid":{},"plan":"Seq Scan on t","nodes":[{{"id":0,"parent":-1,"node":"Seq Scan","detail":"t"}}]}})J", ts + 4, pid));
      line(fmt::format(R"J({{"type":"execute","ts":{},"pid":{},"rows":1,"nodes":[{{"id":0,"rows":1}}]}})J", ts + 5, pid));
      line(fmt::format(R"J({{"type":"query_done","ts":{},"pid":{},"tag":"SELECT 1","rows":1,"duration_us":6}})J", ts + 6, pid));
      line(fmt::format(R"J({{"type":"state","ts":{},"pid":{},"state":"idle"}})J", ts + 7, pid));
      line(fmt::format(R"J({{"type":"ready","ts":{},"pid":{},"status":"I"}})J", ts + 8, pid));
      sent_events += 9;
      ++q;
    }
    if (!out.empty() && !SendAll(fd, out)) break;
    out.clear();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  double took = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("minipg-viz-load: sent %llu lines (%llu query events in %.1f s: %.0f events/s, asked %d)\n",
              static_cast<unsigned long long>(lines), static_cast<unsigned long long>(sent_events), took,
              static_cast<double>(sent_events) / took, rate);
  ::close(fd);
  return 0;
}
