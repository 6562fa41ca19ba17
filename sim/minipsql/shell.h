/*-------------------------------------------------------------------------
 * shell.h
 *   minipsql's main loop, as psql's MainLoop: lines come from a source (the
 *   terminal, a -f file, piped stdin); SQL collects in a query buffer until
 *   a ';' outside quotes, comments and parentheses, then runs as one Query;
 *   a line starting with '\' is a meta-command (shell_commands.cpp).
 *
 * NOTES
 *   Exit statuses are psql's: 0 done, 1 a -c command failed (or minipsql's
 *   own error), 2 the connection was lost, 3 a script stopped on an error
 *   with ON_ERROR_STOP set.
 *   Errors from a script or piped input are prefixed "minipsql:FILE:LINE: "
 *   (LINE: where the statement ended), as psql prefixes "psql:FILE:LINE: ".
 *-------------------------------------------------------------------------
 */
#pragma once

#include <chrono>
#include <functional>
#include <istream>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "sim/client/client.h"
#include "sim/minipsql/printer.h"

namespace minipg::minipsql {

/* Where lines come from: a stream, or the terminal through libedit. */
class LineSource {
 public:
  LineSource(std::istream* in, std::string name, bool interactive)
      : in_(in), name_(std::move(name)), interactive_(interactive) {}
  /* The next line without its '\n'; nullopt at the end. */
  std::optional<std::string> Read(const std::string& prompt);
  const std::string& name() const { return name_; }
  bool interactive() const { return interactive_; }
  int line() const { return line_; }

 private:
  std::istream* in_;
  std::string name_;
  bool interactive_;
  int line_ = 0;
};

/* True while a query runs: only then does Ctrl-C send a CancelRequest. */
bool QueryRunning();

/* Asks for a password on the terminal without echo (psql's prompt). */
std::string PromptPassword(const std::string& prompt);

/* Connects; when the server wants a password and none was given, prompts
 * "Password for user X: " and tries again, as psql does (unless -w). */
Result<std::unique_ptr<client::Connection>> ConnectWithPrompt(client::ConnectOptions& o,
                                                              bool never_prompt);

class Shell {
 public:
  Shell(std::unique_ptr<client::Connection> conn, client::ConnectOptions options,
        std::string progname)
      : conn_(std::move(conn)), options_(std::move(options)), progname_(std::move(progname)) {}

  /* One -c string: a meta-command, or SQL sent as one Query. */
  bool RunCommandString(const std::string& text);
  /* Lines from `src` until its end or \q; returns 0, or 3 when
   * ON_ERROR_STOP stopped it. */
  int RunSource(LineSource& src);

  PrintOptions& print() { return print_; }
  std::map<std::string, std::string>& variables() { return vars_; }
  void set_quiet(bool q) { quiet_ = q; }
  void set_never_prompt(bool w) { never_prompt_ = w; }
  bool quit_requested() const { return quit_; }
  client::Connection& connection() { return *conn_; }

 private:
  /* Runs SQL, prints results and errors; false on error. */
  bool RunSql(const std::string& sql, int line);
  /* Runs SQL whose COPY data comes from / goes to the given streams. */
  /* `to_stdout`: COPY TO STDOUT data goes to our stdout, so its tag is not
   * printed (psql's rule); \copy to a file prints "COPY n". */
  bool RunSqlWithCopy(const std::string& sql, client::CopyInSource in, client::CopyOutSink out,
                      int line, bool to_stdout = true);
  bool PrintResult(const std::string& sql, const Result<client::QueryResult>& r, int line,
                   bool copy_out);
  /* A backslash command line ("\dt", "\copy t from 'x' csv"). */
  bool RunMetaCommand(const std::string& line, int lineno);
  bool CmdConnect(const std::vector<std::string>& args);
  bool CmdCopy(const std::string& rest, int lineno);
  bool CmdDescribe(const std::string& cmd, const std::vector<std::string>& args, int lineno);
  bool DescribeTable(const std::string& name, int lineno);
  /* The rows of a catalog query for \CMD, or nullopt after saying why not. */
  std::optional<std::vector<protocol::DataRow>> CatalogRows(const std::string& cmd,
                                                            const char* sql, int lineno);
  bool CmdConninfo();
  bool CmdSet(const std::vector<std::string>& args);
  void PrintError(const protocol::ErrorFields& e, const std::string& query, int line);
  void PrintMessage(const std::string& text,
                    int line);  // a minipsql error line, with the script location
  std::string Interpolate(const std::string& sql) const;
  bool OnErrorStop() const;
  std::string Prompt(bool continuation) const;

  std::unique_ptr<client::Connection> conn_;
  client::ConnectOptions options_;
  std::string progname_;
  PrintOptions print_;
  std::map<std::string, std::string> vars_;
  bool quiet_ = false;
  bool timing_ = false;
  bool never_prompt_ = false;
  bool quit_ = false;
  LineSource* source_ = nullptr;  // the source being run (COPY FROM STDIN reads its lines)
};

}  // namespace minipg::minipsql
