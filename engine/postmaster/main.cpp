/*-------------------------------------------------------------------------
 * main.cpp
 *   `minipg`: start a server.
 *
 *     minipg -D DATADIR [-p PORT] [-k SOCKETDIR] [-h ADDRESSES] [-N MAXCONN] [-U NAME] [-c name=value ...]
 *
 *   The flags are PostgreSQL's `postgres` flags. An empty or missing
 *   DATADIR is initialized first (and the server says so); -U names its
 *   superuser then, as initdb -U does (default: the OS user).
 *-------------------------------------------------------------------------
 */
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <limits.h>
#include <unistd.h>

#include "engine/common/guc.h"
#include "engine/common/stack_depth.h"
#include "engine/postmaster/config.h"
#include "engine/postmaster/data_dir.h"
#include "engine/postmaster/postmaster.h"
#include "engine/postmaster/ps_status.h"
#include "engine/protocol/protocol.h"

namespace {

void PrintError(const minipg::Error& e) {
  std::fprintf(stderr, "minipg: %s\n", e.message.c_str());
  if (!e.detail.empty()) std::fprintf(stderr, "DETAIL:  %s\n", e.detail.c_str());
  if (!e.hint.empty()) std::fprintf(stderr, "HINT:  %s\n", e.hint.c_str());
}

/* Binds every shared library's symbols now, before the server forks
 * anything. The dynamic linker binds a library function on its first
 * call, in each process: every backend would look up again each function
 * the postmaster never called, touching pages of every library's symbol
 * tables, which was a tenth of the CPU of a new connection. The executable
 * binds its own at load (-z now); the libraries only with LD_BIND_NOW,
 * which the dynamic linker reads at startup, so the server starts itself
 * once more with it set (if that fails it goes on as it is). */
void BindLibrariesNow(char** argv) {
  if (std::getenv("LD_BIND_NOW") != nullptr) return;
  // Its own file by its real name, so the process is still called minipg
  // (ps -C, pgrep, top), not "exe".
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return;
  self[n] = '\0';
  setenv("LD_BIND_NOW", "1", 1);
  execv(self, argv);
  unsetenv("LD_BIND_NOW");
}

}  // namespace

int main(int argc, char** argv) {
  BindLibrariesNow(argv);
  // The bottom of the stack for every check_stack_depth of this process and
  // of the backends it forks (see stack_depth.h).
  minipg::SetStackBase();
  std::vector<std::string> args = minipg::InitPsStatus(argc, argv);

  CLI::App app{"minipg: an educational PostgreSQL-compatible server that forks a backend per connection"};
  std::string data_dir;
  std::string port, socket_dir, listen, max_conn, superuser;
  std::vector<std::string> options;
  app.set_help_flag("--help", "print this help and exit");  // -h is the listen address, as in postgres
  app.add_option("-D,--pgdata", data_dir, "data directory (created and initialized if missing or empty)");
  app.add_option("-p,--port", port, "TCP port and Unix socket number (default 5432)");
  app.add_option("-k,--socket-dir", socket_dir, "directories for the Unix socket (default /tmp)");
  app.add_option("-h,--listen", listen, "TCP addresses to listen on (default localhost)");
  app.add_option("-N,--max-connections", max_conn, "maximum number of client connections");
  app.add_option("-U,--username", superuser,
                 "superuser name of a new data directory (as initdb -U; default: the OS user)");
  app.add_option("-c", options, "set a setting: -c name=value (repeatable)");
  app.set_version_flag("-V,--version", std::string("minipg (PostgreSQL) ") + minipg::kServerVersion);

  std::vector<const char*> cargv;
  for (const auto& a : args) cargv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(cargv.size()), cargv.data());
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (data_dir.empty()) {
    if (const char* env = std::getenv("PGDATA")) data_dir = env;
  }
  if (data_dir.empty()) {
    std::fprintf(stderr,
                 "minipg: no data directory specified\n"
                 "You must specify the -D option or set the PGDATA environment variable.\n");
    return 1;
  }

  minipg::Config config;
  config.data_directory = data_dir;
  bool created = false;
  if (minipg::Status s = minipg::PrepareDataDirectory(config.data_directory, created, superuser); !s.ok()) {
    PrintError(s.error());
    return 1;
  }
  if (created) {
    std::fprintf(stderr, "minipg: initialized a new data directory in \"%s\"\n", data_dir.c_str());
  }
  if (minipg::Status s = minipg::LoadConfigFile(config, config.data_directory / minipg::kConfigFileName);
      !s.ok()) {
    PrintError(s.error());
    return 1;
  }
  // Command-line settings win over the file.
  std::vector<std::pair<std::string, std::string>> cli;
  if (!port.empty()) cli.emplace_back("port", port);
  if (!socket_dir.empty()) cli.emplace_back("unix_socket_directories", socket_dir);
  if (!listen.empty()) cli.emplace_back("listen_addresses", listen);
  if (!max_conn.empty()) cli.emplace_back("max_connections", max_conn);
  for (const auto& o : options) {
    auto eq = o.find('=');
    if (eq == std::string::npos) {
      std::fprintf(stderr, "minipg: -c %s requires a value (use -c name=value)\n", o.c_str());
      return 1;
    }
    cli.emplace_back(o.substr(0, eq), o.substr(eq + 1));
  }
  for (const auto& [name, value] : cli) {
    if (minipg::Status s = minipg::SetConfigOption(config, name, value); !s.ok()) {
      PrintError(s.error());
      return 1;
    }
  }
  config.settings.ResolveServerDefaults();
  if (minipg::Status s = minipg::CheckConfig(config); !s.ok()) {
    PrintError(s.error());
    return 1;
  }
  return minipg::PostmasterMain(config);
}
