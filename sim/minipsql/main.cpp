/*-------------------------------------------------------------------------
 * main.cpp
 *   `minipsql`: a psql-like command-line client (docs/minipsql.md).
 *
 *     minipsql [-h HOST] [-p PORT] [-U USER] [-d DB] [-c CMD]... [-f FILE]...
 *              [-v NAME=VALUE]... [-A] [-t] [-q] [-X] [-W|-w] [DBNAME [USER]]
 *
 *   Settings also come from PGHOST, PGPORT, PGUSER, PGDATABASE and
 *   PGPASSWORD, as in libpq. Without -c or -f it reads from stdin: with
 *   prompts and line editing (libedit) on a terminal, quietly otherwise.
 *   Ctrl-C while a query runs sends a CancelRequest on a second
 *   connection, as psql does.
 *
 * NOTES
 *   The SIGINT handler only writes a byte to a pipe; a helper thread reads
 *   it and sends the cancel (the cancel needs a socket, which a handler
 *   must not open).
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

#include "sim/client/auth.h"
#include "sim/client/client.h"
#include "sim/minipsql/shell.h"

namespace {

using minipg::minipsql::Shell;

int g_cancel_pipe[2] = {-1, -1};

void HandleInterrupt(int) {
  ssize_t unused = write(g_cancel_pipe[1], "c", 1);
  (void)unused;
}

/* One -c or -f, in the order given. */
struct Action {
  bool is_file;
  std::string text;
};

}  // namespace

int main(int argc, char** argv) {
  std::string progname = argv[0];
  if (size_t slash = progname.rfind('/'); slash != std::string::npos)
    progname = progname.substr(slash + 1);
  CLI::App app{"minipsql: a psql-like client for minipg (and PostgreSQL)"};
  minipg::client::ConnectOptions o;
  if (const char* v = std::getenv("PGHOST")) o.host = v;
  if (const char* v = std::getenv("PGPORT")) o.port = std::atoi(v);
  o.user = minipg::client::OsUser();  // as psql: the OS user
  if (const char* v = std::getenv("PGUSER")) o.user = v;
  if (const char* v = std::getenv("PGDATABASE")) o.database = v;
  if (const char* v = std::getenv("PGPASSWORD")) o.password = v;
  o.application_name = "minipsql";
  std::vector<Action> actions;
  std::vector<std::string> vars;
  bool unaligned = false, tuples_only = false, quiet = false, no_psqlrc = false;
  bool force_prompt = false, never_prompt = false;
  app.set_help_flag("--help", "print this help and exit");
  app.add_option("-h,--host", o.host, "server host, or a directory holding its Unix socket");
  app.add_option("-p,--port", o.port, "server port");
  app.add_option("-U,--username", o.user, "user name");
  app.add_option("-d,--dbname", o.database, "database name");
  app.add_option_function<std::vector<std::string>>(
         "-c,--command",
         [&](const std::vector<std::string>& v) {
           for (const auto& s : v) actions.push_back({false, s});
         },
         "run this command (SQL or a backslash command) and exit; repeatable")
      ->expected(1)  // one per -c, as psql: a word after it is the database name
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->trigger_on_parse();
  app.add_option_function<std::vector<std::string>>(
         "-f,--file",
         [&](const std::vector<std::string>& v) {
           for (const auto& s : v) actions.push_back({true, s});
         },
         "run the commands in this file ('-' = stdin) and exit; repeatable")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->trigger_on_parse();
  app.add_option("-v,--set,--variable", vars, "set variable NAME=VALUE (e.g. ON_ERROR_STOP=1)");
  app.add_flag("-A,--no-align", unaligned, "unaligned output");
  app.add_flag("-t,--tuples-only", tuples_only, "print rows only");
  app.add_flag("-q,--quiet", quiet, "no informational messages, no command tags");
  app.add_flag("-X,--no-psqlrc", no_psqlrc, "do not read a startup file (minipsql never does)");
  app.add_flag("-W,--password", force_prompt, "ask for a password before connecting");
  app.add_flag("-w,--no-password", never_prompt, "never ask for a password");
  // psql's "[DBNAME [USERNAME]]": two optional positionals, each with its
  // own name in the usage line.
  std::string dbname_arg, username_arg;
  app.add_option("dbname", dbname_arg, "database name (as -d)");
  app.add_option("username", username_arg, "user name (as -U)");
  CLI11_PARSE(app, argc, argv);
  (void)no_psqlrc;
  if (!dbname_arg.empty()) o.database = dbname_arg;
  if (!username_arg.empty()) o.user = username_arg;
  if (force_prompt && !never_prompt) {
    o.password = minipg::minipsql::PromptPassword(fmt::format("Password for user {}: ", o.user));
  }

  auto conn = minipg::minipsql::ConnectWithPrompt(o, never_prompt);
  if (!conn.ok()) {
    std::fprintf(stderr, "%s: error: %s\n", progname.c_str(), conn.error().message.c_str());
    return 2;
  }
  Shell shell(std::move(*conn), o, progname);
  shell.print().unaligned = unaligned;
  shell.print().tuples_only = tuples_only;
  shell.set_quiet(quiet);
  shell.set_never_prompt(never_prompt);
  for (const auto& v : vars) {
    size_t eq = v.find('=');
    if (eq == std::string::npos) {
      shell.variables()[v] = "";
    } else {
      shell.variables()[v.substr(0, eq)] = v.substr(eq + 1);
    }
  }

  if (pipe(g_cancel_pipe) == 0) {
    std::thread([&shell] {
      char b;
      while (read(g_cancel_pipe[0], &b, 1) == 1) {
        if (!minipg::minipsql::QueryRunning()) continue;  // at the prompt: nothing to cancel
        if (shell.connection().Cancel().ok()) std::fputs("Cancel request sent\n", stderr);
      }
    }).detach();
    struct sigaction sa {};
    sa.sa_handler = HandleInterrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, nullptr);
  }

  int rc = 0;
  if (!actions.empty()) {
    for (const Action& a : actions) {
      if (a.is_file) {
        std::ifstream file;
        std::istream* in = &std::cin;
        if (a.text != "-") {
          file.open(a.text);
          if (!file) {
            std::fprintf(stderr, "%s: error: %s: %s\n", progname.c_str(), a.text.c_str(),
                         std::strerror(errno));
            return 1;
          }
          in = &file;
        }
        minipg::minipsql::LineSource src(in, a.text == "-" ? "<stdin>" : a.text, false);
        rc = shell.RunSource(src);
        if (rc == 3) break;  // ON_ERROR_STOP
      } else {
        bool ok = shell.RunCommandString(a.text);
        rc = ok ? 0 : 1;
        if (!ok && shell.variables().count("ON_ERROR_STOP") &&
            shell.variables()["ON_ERROR_STOP"] != "0" &&
            shell.variables()["ON_ERROR_STOP"] != "off") {
          break;
        }
      }
      if (shell.quit_requested()) break;
    }
  } else {
    bool tty = isatty(STDIN_FILENO) != 0;
    if (tty && !quiet) {
      const auto& params = shell.connection().parameters();
      std::printf("%s (minipg client), server %s\nType \"\\?\" for help.\n\n", progname.c_str(),
                  params.count("server_version") ? params.at("server_version").c_str() : "?");
    }
    minipg::minipsql::LineSource src(&std::cin, "<stdin>", tty);
    rc = shell.RunSource(src);
  }
  shell.connection().Close();
  std::fflush(stdout);
  return rc;
}
