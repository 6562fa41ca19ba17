/*-------------------------------------------------------------------------
 * shell_commands.cpp
 *   minipsql's backslash commands, as psql spells and prints them:
 *
 *     \q  \?  \conninfo  \c [DB [USER]]  \timing [on|off]  \x [on|off|auto]
 *     \a  \t [on|off]  \echo TEXT  \set [NAME [VALUE]]  \unset NAME
 *     \copy ... FROM|TO FILE|STDIN|STDOUT [options]   (the client's file)
 *     \d NAME  \dt  \d  \l  \du   (in describe.cpp)
 *
 * NOTES
 *   \copy opens the file here, in minipsql, and moves its bytes with
 *   COPY ... FROM STDIN / TO STDOUT: the client-side counterpart of COPY
 *   with a file name, which the server opens.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iostream>

#include "sim/minipsql/shell.h"

namespace minipg::minipsql {

namespace {

/* Splits a meta-command's arguments: whitespace-separated, 'single' and
 * "double" quotes group (a doubled quote inside is one). */
std::vector<std::string> SplitArgs(const std::string& text) {
  std::vector<std::string> args;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i >= text.size()) break;
    std::string arg;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) {
      char q = text[i];
      if (q == '\'' || q == '"') {
        ++i;
        while (i < text.size()) {
          if (text[i] == q) {
            if (i + 1 < text.size() && text[i + 1] == q) {
              arg += q;
              i += 2;
              continue;
            }
            break;
          }
          arg += text[i++];
        }
        ++i;  // the closing quote
        continue;
      }
      arg += text[i++];
    }
    args.push_back(std::move(arg));
  }
  return args;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::optional<bool> OnOff(const std::string& v) {
  std::string s = Lower(v);
  if (s == "on" || s == "true" || s == "1" || s == "yes") return true;
  if (s == "off" || s == "false" || s == "0" || s == "no") return false;
  return std::nullopt;
}

constexpr const char* kHelp =
    "General\n"
    "  \\copy ...              perform SQL COPY with data stream to the client host\n"
    "  \\q                     quit minipsql\n"
    "\n"
    "Help\n"
    "  \\?                     show this help\n"
    "\n"
    "Query Buffer and Output\n"
    "  \\echo [STRING]         write string to standard output\n"
    "  \\timing [on|off]       toggle timing of commands\n"
    "  \\x [on|off|auto]       toggle expanded output\n"
    "  \\a                     toggle between unaligned and aligned output mode\n"
    "  \\t [on|off]            show only rows\n"
    "\n"
    "Informational\n"
    "  \\d NAME                describe table\n"
    "  \\d, \\dt [PATTERN]      list tables\n"
    "  \\l [PATTERN]           list databases\n"
    "  \\du [PATTERN]          list roles\n"
    "\n"
    "Connection\n"
    "  \\c [DBNAME [USER]]     connect to new database\n"
    "  \\conninfo              display information about current connection\n"
    "\n"
    "Variables\n"
    "  \\set [NAME [VALUE]]    set internal variable, or list all if no parameters\n"
    "  \\unset NAME            unset (delete) internal variable\n"
    "\n"
    "SQL ending in ';' runs it; Ctrl-C cancels a running query.\n";

}  // namespace

bool Shell::RunMetaCommand(const std::string& line, int lineno) {
  size_t end = 1;
  while (end < line.size() && !std::isspace(static_cast<unsigned char>(line[end]))) ++end;
  std::string cmd = line.substr(1, end - 1);
  std::string rest = end < line.size() ? line.substr(end + 1) : "";
  if (cmd == "copy") return CmdCopy(rest, lineno);
  std::vector<std::string> args = SplitArgs(rest);
  for (auto& a : args) {
    // :name in an argument is the variable's value, as in psql.
    if (a.size() > 1 && a[0] == ':' && vars_.count(a.substr(1))) a = vars_[a.substr(1)];
  }
  auto say = [this](const std::string& text) {
    if (!quiet_) std::printf("%s\n", text.c_str());
  };
  if (cmd == "q" || cmd == "quit") {
    quit_ = true;
    return true;
  }
  if (cmd == "?") {
    std::fputs(kHelp, stdout);
    return true;
  }
  if (cmd == "conninfo") return CmdConninfo();
  if (cmd == "c" || cmd == "connect") return CmdConnect(args);
  if (cmd == "timing") {
    auto v = args.empty() ? std::optional<bool>(!timing_) : OnOff(args[0]);
    if (!v) {
      PrintMessage(
          fmt::format("unrecognized value \"{}\" for \"\\timing\": Boolean expected", args[0]),
          lineno);
      return false;
    }
    timing_ = *v;
    say(timing_ ? "Timing is on." : "Timing is off.");
    return true;
  }
  if (cmd == "x") {
    if (!args.empty() && Lower(args[0]) == "auto") {
      print_.expanded = false;  // minipsql has no terminal width to decide by: auto is off
      say("Expanded display is used automatically.");
      return true;
    }
    auto v = args.empty() ? std::optional<bool>(!print_.expanded) : OnOff(args[0]);
    if (!v) {
      PrintMessage(fmt::format("\\x: unrecognized value \"{}\": Boolean expected", args[0]),
                   lineno);
      return false;
    }
    print_.expanded = *v;
    say(print_.expanded ? "Expanded display is on." : "Expanded display is off.");
    return true;
  }
  if (cmd == "a") {
    print_.unaligned = !print_.unaligned;
    say(print_.unaligned ? "Output format is unaligned." : "Output format is aligned.");
    return true;
  }
  if (cmd == "t") {
    auto v = args.empty() ? std::optional<bool>(!print_.tuples_only) : OnOff(args[0]);
    print_.tuples_only = v.value_or(print_.tuples_only);
    say(print_.tuples_only ? "Tuples only is on." : "Tuples only is off.");
    return true;
  }
  if (cmd == "echo") {
    std::string text;
    for (size_t i = 0; i < args.size(); ++i) text += (i > 0 ? " " : "") + args[i];
    std::printf("%s\n", text.c_str());
    std::fflush(stdout);
    return true;
  }
  if (cmd == "set") return CmdSet(args);
  if (cmd == "unset") {
    if (args.empty()) {
      PrintMessage("\\unset: missing required argument", lineno);
      return false;
    }
    vars_.erase(args[0]);
    return true;
  }
  if (cmd == "d" || cmd == "dt" || cmd == "l" || cmd == "list" || cmd == "du") {
    return CmdDescribe(cmd, args, lineno);
  }
  PrintMessage(fmt::format("invalid command \\{}", cmd), lineno);
  std::fputs("Try \\? for help.\n", stderr);
  return false;
}

bool Shell::CmdConninfo() {
  std::string db = options_.database.empty() ? options_.user : options_.database;
  std::string where = options_.host.starts_with('/')
                          ? fmt::format("via socket in \"{}\"", options_.host)
                          : fmt::format("on host \"{}\"", options_.host);
  std::printf("You are connected to database \"%s\" as user \"%s\" %s at port \"%d\".\n",
              db.c_str(), options_.user.c_str(), where.c_str(), options_.port);
  std::fflush(stdout);
  return true;
}

bool Shell::CmdConnect(const std::vector<std::string>& args) {
  client::ConnectOptions o = options_;
  if (o.database.empty()) o.database = o.user;
  if (args.size() > 0 && args[0] != "-") o.database = args[0];
  if (args.size() > 1 && args[1] != "-") {
    o.user = args[1];
    o.password.clear();  // another user: ask again if the server wants one
  }
  auto conn = ConnectWithPrompt(o, never_prompt_);
  if (!conn.ok()) {
    // psql's words: where it tried, then the server's FATAL as libpq shows it.
    const Error& e = conn.error();
    std::string where = o.host.starts_with('/')
                            ? fmt::format("socket \"{}/.s.PGSQL.{}\"", o.host, o.port)
                            : fmt::format("\"{}\", port {}", o.host, o.port);
    std::string what = e.severity == Severity::kFatal ? fmt::format("FATAL:  {}", e.message) : e.message;
    std::fprintf(stderr, "\\connect: connection to server on %s failed: %s\nPrevious connection kept\n",
                 where.c_str(), what.c_str());
    return false;
  }
  conn_->Close();
  conn_ = std::move(*conn);
  options_ = o;
  std::printf("You are now connected to database \"%s\" as user \"%s\".\n", o.database.c_str(),
              o.user.c_str());
  std::fflush(stdout);
  return true;
}

bool Shell::CmdSet(const std::vector<std::string>& args) {
  if (args.empty()) {
    for (const auto& [name, value] : vars_) std::printf("%s = '%s'\n", name.c_str(), value.c_str());
    std::fflush(stdout);
    return true;
  }
  std::string value;
  for (size_t i = 1; i < args.size(); ++i) value += args[i];
  vars_[args[0]] = value;
  return true;
}

bool Shell::CmdCopy(const std::string& rest, int lineno) {
  // \copy table [(cols)] | (query)  from|to  file|stdin|stdout|pstdin|pstdout  [options]
  size_t i = rest.find_first_not_of(" \t");
  if (i == std::string::npos) {
    PrintMessage("\\copy: arguments required", lineno);
    return false;
  }
  // Everything before the FROM/TO word, at the top level (not inside
  // parentheses or quotes), is the table (with columns) or the query.
  size_t depth = 0, word = std::string::npos;
  bool in_str = false;
  bool is_from = false;
  for (size_t k = i; k < rest.size(); ++k) {
    char c = rest[k];
    if (in_str) {
      in_str = c != '\'';
      continue;
    }
    if (c == '\'')
      in_str = true;
    else if (c == '(')
      ++depth;
    else if (c == ')' && depth > 0)
      --depth;
    else if (depth == 0 && (k == 0 || std::isspace(static_cast<unsigned char>(rest[k - 1])) ||
                            rest[k - 1] == ')')) {
      std::string w;
      size_t e = k;
      while (e < rest.size() && std::isalpha(static_cast<unsigned char>(rest[e]))) w += rest[e++];
      w = Lower(w);
      if ((w == "from" || w == "to") &&
          (e == rest.size() || std::isspace(static_cast<unsigned char>(rest[e])))) {
        word = k;
        is_from = w == "from";
        break;
      }
    }
  }
  if (word == std::string::npos || word == i) {
    PrintMessage("\\copy: parse error at end of line", lineno);
    return false;
  }
  std::string target = rest.substr(i, word - i);
  while (!target.empty() && std::isspace(static_cast<unsigned char>(target.back())))
    target.pop_back();
  size_t f = rest.find_first_not_of(" \t", word + (is_from ? 4 : 2));
  if (f == std::string::npos) {
    PrintMessage("\\copy: parse error at end of line", lineno);
    return false;
  }
  std::string file;
  size_t after = f;
  if (rest[f] == '\'') {
    after = f + 1;
    while (after < rest.size()) {
      if (rest[after] == '\'') {
        if (after + 1 < rest.size() && rest[after + 1] == '\'') {
          file += '\'';
          after += 2;
          continue;
        }
        ++after;
        break;
      }
      file += rest[after++];
    }
  } else {
    while (after < rest.size() && !std::isspace(static_cast<unsigned char>(rest[after])) &&
           rest[after] != ';') {
      file += rest[after++];
    }
  }
  std::string options = after < rest.size() ? rest.substr(after) : "";
  size_t o = options.find_first_not_of(" \t");
  options = o == std::string::npos ? "" : options.substr(o);
  std::string sql = fmt::format("COPY {} {}{}{}", target, is_from ? "FROM STDIN" : "TO STDOUT",
                                options.empty() ? "" : " ", options);
  bool quoted = rest[f] == '\'';
  std::string kw = quoted ? "" : Lower(file);
  if (is_from) {
    if (kw == "stdin" || kw == "pstdin") {
      // Data from minipsql's own input (stdin: the current source), up to "\.".
      LineSource stdin_source(&std::cin, "<stdin>", false);
      LineSource* src = kw == "stdin" && source_ != nullptr ? source_ : &stdin_source;
      bool sent = false;
      return RunSqlWithCopy(
          sql,
          [src, &sent]() -> Result<std::optional<std::string>> {
            if (sent) return std::optional<std::string>();
            sent = true;
            std::string data;
            while (auto l = src->Read(">> ")) {
              if (*l == "\\.") break;
              data += *l + "\n";
            }
            return std::optional<std::string>(std::move(data));
          },
          nullptr, lineno);
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      PrintMessage(fmt::format("{}: {}", file, std::strerror(errno)), lineno);
      return false;
    }
    std::string buf(64u << 10, '\0');
    return RunSqlWithCopy(
        sql,
        [&in, &buf]() -> Result<std::optional<std::string>> {
          in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
          std::streamsize n = in.gcount();
          if (n > 0) return std::optional<std::string>(buf.substr(0, static_cast<size_t>(n)));
          if (in.bad()) return MakeError("58030", "aborted because of read failure");
          return std::optional<std::string>();
        },
        nullptr, lineno);
  }
  if (kw == "stdout" || kw == "pstdout") {
    bool ok = RunSqlWithCopy(
        sql, nullptr,
        [](std::string_view data) -> Status {
          std::fwrite(data.data(), 1, data.size(), stdout);
          return OkStatus();
        },
        lineno);
    return ok;
  }
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) {
    PrintMessage(fmt::format("{}: {}", file, std::strerror(errno)), lineno);
    return false;
  }
  // The file is ours: psql prints the tag ("COPY 3") for \copy ... to a file.
  return RunSqlWithCopy(
      sql, nullptr,
      [&out](std::string_view data) -> Status {
        out.write(data.data(), static_cast<std::streamsize>(data.size()));
        return out ? OkStatus() : Status(MakeError("58030", "could not write COPY data"));
      },
      lineno, false);
}

}  // namespace minipg::minipsql
