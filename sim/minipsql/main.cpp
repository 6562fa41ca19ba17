/*-------------------------------------------------------------------------
 * main.cpp
 *   `minipsql`: a psql-like command-line client.
 *
 *     minipsql [-h HOST] [-p PORT] [-U USER] [-d DB] [-c SQL]... [-f FILE]
 *
 *   Without -c or -f it reads SQL interactively (line editing by libedit);
 *   a statement runs when a line ends with ';'. Ctrl-C while a query runs
 *   sends a CancelRequest on a second connection, as psql does; at the
 *   prompt it clears the line. Backslash commands: \q, \conninfo, \?.
 *   Settings also come from PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD.
 *   When the server asks for a password and none was given, it prompts for
 *   one on a terminal and connects again, as psql does.
 *
 * NOTES
 *   The SIGINT handler only writes a byte to a pipe; a helper thread reads
 *   it and sends the cancel (the cancel needs a socket, which a handler
 *   must not open).
 *-------------------------------------------------------------------------
 */
#include <editline/readline.h>
#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "sim/client/auth.h"
#include "sim/client/client.h"
#include "sim/minipsql/printer.h"

namespace {

using minipg::client::Connection;

int g_cancel_pipe[2] = {-1, -1};
std::atomic<bool> g_query_running{false};

void HandleInterrupt(int) {
  ssize_t unused = write(g_cancel_pipe[1], "c", 1);
  (void)unused;
}

/* Runs `sql`, prints what psql would; returns false on error. */
bool RunQuery(Connection& conn, const std::string& sql) {
  g_query_running = true;
  auto r = conn.Query(sql);
  g_query_running = false;
  if (!r.ok()) {
    std::fprintf(stderr, "minipsql: %s\n", r.error().message.c_str());
    std::fprintf(stderr, "minipsql: the connection to the server was lost\n");
    std::exit(2);
  }
  for (const auto& n : r->notices) std::fputs(minipg::minipsql::FormatError(n, sql).c_str(), stderr);
  for (const auto& st : r->statements) std::fputs(minipg::minipsql::FormatResult(st).c_str(), stdout);
  std::fflush(stdout);
  if (r->error) {
    std::fputs(minipg::minipsql::FormatError(*r->error, sql).c_str(), stderr);
    return false;
  }
  return true;
}

/* True when `buf` holds a complete statement: ends with ';' outside quotes. */
bool StatementComplete(const std::string& buf) {
  bool in_str = false, in_ident = false;
  char last = 0;
  for (size_t i = 0; i < buf.size(); ++i) {
    char c = buf[i];
    if (!in_ident && c == '\'') in_str = !in_str;
    else if (!in_str && c == '"') in_ident = !in_ident;
    else if (!in_str && !in_ident && c == '-' && i + 1 < buf.size() && buf[i + 1] == '-') {
      i = buf.find('\n', i);
      if (i == std::string::npos) break;
      continue;
    }
    if (!in_str && !in_ident && c != ' ' && c != '\t' && c != '\n') last = c;
  }
  return !in_str && !in_ident && last == ';';
}

bool HandleBackslash(const std::string& line, Connection& conn, const minipg::client::ConnectOptions& o) {
  if (line == "\\q" || line == "\\quit") std::exit(0);
  if (line == "\\conninfo") {
    std::string where = o.host.starts_with('/') ? fmt::format("via socket in \"{}\"", o.host)
                                                : fmt::format("on host \"{}\"", o.host);
    std::printf("You are connected to database \"%s\" as user \"%s\" %s at port \"%d\" (backend PID %d).\n",
                (o.database.empty() ? o.user : o.database).c_str(), o.user.c_str(), where.c_str(), o.port,
                conn.backend_pid());
    return true;
  }
  if (line == "\\?") {
    std::puts("  \\conninfo   show the connection, with this session's backend PID\n"
              "  \\q          quit\n"
              "  SQL ending in ';' runs it; Ctrl-C cancels a running query");
    return true;
  }
  std::fprintf(stderr, "invalid command %s\nTry \\? for help.\n", line.c_str());
  return false;
}

int Interactive(Connection& conn, const minipg::client::ConnectOptions& o) {
  std::string db = o.database.empty() ? o.user : o.database;
  std::printf("minipsql (minipg client), server %s\nType \"\\?\" for help.\n\n",
              conn.parameters().count("server_version") ? conn.parameters().at("server_version").c_str() : "?");
  std::string buf;
  for (;;) {
    std::string prompt = fmt::format("{}{}{} ", db, buf.empty() ? "=" : "-",
                                     conn.transaction_status() == 'I' ? "#" : conn.transaction_status() == 'T' ? "*#" : "!#");
    char* raw = readline(prompt.c_str());
    if (raw == nullptr) {
      std::puts("\\q");
      return 0;
    }
    std::string line(raw);
    std::free(raw);
    if (!line.empty()) add_history(line.c_str());
    if (buf.empty() && !line.empty() && line[0] == '\\') {
      HandleBackslash(line, conn, o);
      continue;
    }
    buf += buf.empty() ? line : "\n" + line;
    if (StatementComplete(buf)) {
      RunQuery(conn, buf);
      buf.clear();
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"minipsql: a psql-like client for minipg (and PostgreSQL)"};
  minipg::client::ConnectOptions o;
  if (const char* v = std::getenv("PGHOST")) o.host = v;
  if (const char* v = std::getenv("PGPORT")) o.port = std::atoi(v);
  if (const passwd* pw = getpwuid(geteuid()); pw != nullptr) o.user = pw->pw_name;  // as psql: the OS user
  if (const char* v = std::getenv("USER")) o.user = v;
  if (const char* v = std::getenv("PGUSER")) o.user = v;
  if (const char* v = std::getenv("PGDATABASE")) o.database = v;
  if (const char* v = std::getenv("PGPASSWORD")) o.password = v;
  o.application_name = "minipsql";
  std::vector<std::string> commands;
  std::string file;
  app.set_help_flag("--help", "print this help and exit");
  app.add_option("-h,--host", o.host, "server host, or a directory holding its Unix socket");
  app.add_option("-p,--port", o.port, "server port");
  app.add_option("-U,--username", o.user, "user name");
  app.add_option("-d,--dbname", o.database, "database name");
  app.add_option("-c,--command", commands, "run this SQL and exit (repeatable)");
  app.add_option("-f,--file", file, "run the SQL in this file and exit");
  CLI11_PARSE(app, argc, argv);

  auto conn = Connection::Connect(o);
  if (!conn.ok() && conn.error().message == minipg::client::kNoPasswordSupplied && isatty(STDIN_FILENO)) {
    std::string prompt = "Password for user " + o.user + ": ";
    if (const char* pw = getpass(prompt.c_str()); pw != nullptr && *pw != '\0') {
      o.password = pw;
      conn = Connection::Connect(o);
    }
  }
  if (!conn.ok()) {
    std::fprintf(stderr, "minipsql: error: %s\n", conn.error().message.c_str());
    return 2;
  }
  Connection& c = **conn;

  if (pipe(g_cancel_pipe) == 0) {
    std::thread([&c] {
      char b;
      while (read(g_cancel_pipe[0], &b, 1) == 1) {
        if (g_query_running) {
          if (c.Cancel().ok()) std::fputs("Cancel request sent\n", stderr);
        }
      }
    }).detach();
    struct sigaction sa {};
    sa.sa_handler = HandleInterrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, nullptr);
  }

  bool ok = true;
  if (!commands.empty() || !file.empty()) {
    for (const auto& sql : commands) ok = RunQuery(c, sql) && ok;
    if (!file.empty()) {
      std::ifstream in(file);
      if (!in) {
        std::fprintf(stderr, "minipsql: %s: No such file or directory\n", file.c_str());
        return 1;
      }
      std::stringstream ss;
      ss << in.rdbuf();
      ok = RunQuery(c, ss.str()) && ok;
    }
    c.Close();
    return ok ? 0 : 1;
  }
  int rc = Interactive(c, o);
  c.Close();
  return rc;
}
