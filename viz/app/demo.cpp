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

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace minipg::viz {

namespace fs = std::filesystem;

std::string DefaultTourScenario() {
  return std::string(MINIPG_SOURCE_DIR) + "/scenarios/tour.scn";
}

/* The lessons in the order scenarios/README.md lists them (its table's
 * first column, "| `hello.scn` | ..."): the order they are taught in. */
std::map<std::string, size_t> TeachingOrder(const fs::path& dir) {
  std::map<std::string, size_t> rank;
  std::ifstream readme(dir / "README.md");
  std::string line;
  while (std::getline(readme, line)) {
    if (!line.starts_with("| `")) continue;
    size_t end = line.find('`', 3);
    if (end != std::string::npos) rank.emplace(line.substr(3, end - 3), rank.size());
  }
  return rank;
}

/* One folder's lessons: the tour first, then the order its README lists
 * them in, then any it does not list (by name). */
std::vector<ui::ScenarioEntry> FolderScenarios(const fs::path& dir) {
  std::vector<ui::ScenarioEntry> out;
  std::error_code ec;
  const std::map<std::string, size_t> order = TeachingOrder(dir);
  for (const auto& f : fs::directory_iterator(dir, ec)) {
    if (f.path().extension() != ".scn") continue;
    auto parsed = sim::LoadScenario(f.path().string());
    if (!parsed.ok()) continue;  // a broken lesson is minipg-sim's to report, not the menu's
    ui::ScenarioEntry e;
    e.path = f.path().string();
    e.title = parsed->title.empty() ? f.path().stem().string() : parsed->title;
    e.goal = parsed->goal;
    out.push_back(std::move(e));
  }
  auto rank = [&](const ui::ScenarioEntry& e) {
    if (e.path.ends_with("/tour.scn")) return size_t{0};
    auto it = order.find(fs::path(e.path).filename().string());
    return it == order.end() ? order.size() + 1 : it->second + 1;
  };
  std::sort(out.begin(), out.end(), [&](const ui::ScenarioEntry& a, const ui::ScenarioEntry& b) {
    return std::pair(rank(a), a.path) < std::pair(rank(b), b.path);
  });
  return out;
}

std::vector<ui::ScenarioEntry> ListScenarios(const std::vector<std::string>& more_folders) {
  std::vector<ui::ScenarioEntry> out = FolderScenarios(fs::path(MINIPG_SOURCE_DIR) / "scenarios");
  for (const std::string& dir : more_folders) {
    for (ui::ScenarioEntry& e : FolderScenarios(dir)) {
      e.folder = dir;
      out.push_back(std::move(e));
    }
  }
  return out;
}

namespace {

/* $XDG_CONFIG_HOME/minipg/minipg-viz.conf or ~/.config/minipg/minipg-viz.conf. */
fs::path SettingsPath() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg != '\0') {
    return fs::path(xdg) / "minipg" / "minipg-viz.conf";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return fs::path(home) / ".config" / "minipg" / "minipg-viz.conf";
  }
  return {};
}

}  // namespace

std::vector<std::string> LessonFolders(const std::vector<std::string>& given, bool remember) {
  fs::path settings = SettingsPath();
  std::vector<std::string> folders;
  std::vector<std::string> other_lines;  // settings this function does not own, kept as they are
  if (!settings.empty()) {
    std::ifstream in(settings);
    std::string line;
    while (std::getline(in, line)) {
      if (line.starts_with("lessons = ")) {
        folders.push_back(line.substr(10));
      } else {
        other_lines.push_back(line);
      }
    }
  }
  bool changed = false;
  for (const std::string& g : given) {
    std::error_code ec;
    std::string dir = fs::absolute(g, ec).lexically_normal().string();
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    if (std::find(folders.begin(), folders.end(), dir) == folders.end()) {
      folders.push_back(dir);
      changed = true;
    }
  }
  if (remember && changed && !settings.empty()) {
    std::error_code ec;
    fs::create_directories(settings.parent_path(), ec);
    std::ofstream out(settings, std::ios::trunc);
    for (const std::string& l : other_lines) out << l << "\n";
    for (const std::string& f : folders) out << "lessons = " << f << "\n";
    if (out) {
      std::printf("minipg-viz: the Scenarios window lists the lessons in %s from now on (%s)\n",
                  folders.back().c_str(), settings.c_str());
    }
  }
  return folders;
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
  scenario_ = scenario;
  for (const sim::Step& step : setup.steps) {
    if (step.kind == sim::StepKind::kServer) sim_owns_server_ = true;
  }
  if (sim_owns_server_) {  // minipg-sim will start it, on this event port
    sim_event_port_ = sim::FreeTcpPort();
    return OkStatus();
  }
  server_ = std::make_unique<sim::ServerProcess>(setup.settings, setup.hba_lines);
  if (Status s = server_->Start(); !s.ok()) return s;
  std::printf("minipg-viz: started minipg (pid %d) in %s, port %d\n", static_cast<int>(server_->pid()),
              server_->data_dir().c_str(), server_->port());
  std::fflush(stdout);
  return OkStatus();
}

void Demo::StartTour(double speed, const std::string& hold) {
  if (scenario_.empty() || tour_ != 0 || (!server_ && !sim_owns_server_)) return;
  std::error_code ec;
  fs::path sim_bin = fs::read_symlink("/proc/self/exe", ec).parent_path() / "minipg-sim";
  std::vector<std::string> args = {sim_bin.string(), scenario_, "--speed", fmt::format("{}", speed)};
  if (sim_owns_server_) {
    args.insert(args.end(), {"--event-port", std::to_string(sim_event_port_)});
  } else {
    args.insert(args.end(), {"--server", fmt::format("127.0.0.1:{}", server_->port()), "--socket-dir",
                             server_->data_dir().string(), "--event-port", std::to_string(server_->event_port()),
                             "--setup-applied"});  // Start() made the server as the scenario asks
  }
  if (!hold.empty()) {
    args.push_back("--hold");
    args.push_back(hold);
  }
  std::printf("minipg-viz: playing %s: %s %s\n",
              scenario_ == DefaultTourScenario() ? "the guided tour" : "a lesson", sim_bin.filename().c_str(),
              scenario_.c_str());
  std::fflush(stdout);
  tour_ = fork();
  if (tour_ < 0) {
    std::fprintf(stderr, "minipg-viz: could not start minipg-sim: %m\n");
    tour_ = 0;
    return;
  }
  if (tour_ == 0) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    std::fprintf(stderr, "minipg-viz: could not run %s: %m\n", argv[0]);
    _exit(127);
  }
}

std::string Demo::Restart() {
  if (!server_) return "no server was started";
  Status s = server_->Start();
  if (!s.ok()) return s.error().message;
  std::printf("minipg-viz: restarted minipg (pid %d)\n", static_cast<int>(server_->pid()));
  std::fflush(stdout);
  return "";
}

std::string Demo::EventAddress() const {
  return fmt::format("127.0.0.1:{}", server_ ? server_->event_port() : sim_event_port_);
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
      "  stop it with: kill -INT %d   (its data directory, %s, is temporary: rm -rf it after)\n",
      static_cast<int>(server_->pid()), server_->data_dir().c_str(), server_->port(),
      server_->event_port(), static_cast<int>(server_->pid()), server_->data_dir().c_str());
  std::fflush(stdout);
  server_.reset();
}

}  // namespace minipg::viz
