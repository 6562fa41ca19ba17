/*-------------------------------------------------------------------------
 * demo.cpp
 *   The embedded default: a server and a guided tour (see demo.h).
 *-------------------------------------------------------------------------
 */
#include "viz/app/demo.h"

#include "sim/scenario/scenario.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <vector>

namespace minipg::viz {

namespace fs = std::filesystem;

std::string DefaultTourScenario() {
  return std::string(MINIPG_SOURCE_DIR) + "/scenarios/tour.scn";
}

Demo::~Demo() {
  Finish(false);
}

Status Demo::Start(const std::string& scenario) {
  // The server is made as the scenario's setup asks (its settings and
  // pg_hba.conf lines), as minipg-sim would make its own.
  sim::Scenario setup;
  if (!scenario.empty()) {
    auto parsed = sim::LoadScenario(scenario);
    if (!parsed.ok()) return parsed.error();
    setup = std::move(*parsed);
  }
  server_ = std::make_unique<sim::ServerProcess>(setup.settings, setup.hba_lines);
  if (Status s = server_->Start(); !s.ok()) return s;
  std::printf("minipg-viz: started minipg (pid %d) in %s, port %d\n", static_cast<int>(server_->pid()),
              server_->data_dir().c_str(), server_->port());
  if (scenario.empty()) return OkStatus();
  std::error_code ec;
  fs::path sim_bin = fs::read_symlink("/proc/self/exe", ec).parent_path() / "minipg-sim";
  std::vector<std::string> args = {sim_bin.string(),
                                   scenario,
                                   "--server",
                                   fmt::format("127.0.0.1:{}", server_->port()),
                                   "--socket-dir",
                                   server_->data_dir().string(),
                                   "--event-port",
                                   std::to_string(server_->event_port())};
  std::printf("minipg-viz: playing the guided tour: %s %s\n", sim_bin.filename().c_str(), scenario.c_str());
  std::fflush(stdout);
  tour_ = fork();
  if (tour_ < 0) return MakeError("58000", "could not start minipg-sim");
  if (tour_ == 0) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    std::fprintf(stderr, "minipg-viz: could not run %s: %m\n", argv[0]);
    _exit(127);
  }
  return OkStatus();
}

std::string Demo::EventAddress() const {
  return fmt::format("127.0.0.1:{}", server_ ? server_->event_port() : 0);
}

void Demo::Finish(bool keep_server) {
  if (tour_ > 0) {
    if (waitpid(tour_, nullptr, WNOHANG) == 0) {
      kill(tour_, SIGINT);  // the window closed mid-tour: its clients leave
      waitpid(tour_, nullptr, 0);
    }
    tour_ = 0;
  }
  if (!keep_server) {
    server_.reset();  // stops it and removes its data directory
    return;
  }
  if (!server_ || !server_->Running()) return;
  server_->Detach();
  std::printf(
      "\nminipg-viz: the server is still running (pid %d). Connect to it:\n"
      "    psql -h %s -p %d -d postgres\n"
      "    minipg-viz --connect 127.0.0.1:%d      (watch it again)\n"
      "  stop it with: kill -INT %d\n",
      static_cast<int>(server_->pid()), server_->data_dir().c_str(), server_->port(),
      server_->event_port(), static_cast<int>(server_->pid()));
  std::fflush(stdout);
  server_.reset();
}

}  // namespace minipg::viz
