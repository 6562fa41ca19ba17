/*-------------------------------------------------------------------------
 * shell.cpp
 *   minipsql's main loop (see shell.h): reading lines, splitting SQL on
 *   ';', running it, printing results, errors and timings.
 *-------------------------------------------------------------------------
 */
#include "sim/minipsql/shell.h"

#include <editline/readline.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace minipg::minipsql {

namespace {

/* Where a statement ends: the scanner's state carries across lines. */
struct ScanState {
  bool in_string = false;  // '...'
  bool in_ident = false;   // "..."
  int block_comment = 0;   // /* ... */ (nested)
  std::string dollar_tag;  // inside $tag$ ... $tag$
  int parens = 0;
};

/* The offset of the ';' that ends a statement in `text` from `from`, or
 * npos; skips a "--" comment to the end of the line. */
size_t FindSemicolon(const std::string& text, size_t from, ScanState& st) {
  for (size_t i = from; i < text.size(); ++i) {
    char c = text[i];
    char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (st.in_string) {
      if (c == '\'') st.in_string = false;  // '' reopens at once: same result
      continue;
    }
    if (st.in_ident) {
      if (c == '"') st.in_ident = false;
      continue;
    }
    if (st.block_comment > 0) {
      if (c == '*' && next == '/') {
        --st.block_comment;
        ++i;
      } else if (c == '/' && next == '*') {
        ++st.block_comment;
        ++i;
      }
      continue;
    }
    if (!st.dollar_tag.empty()) {
      if (text.compare(i, st.dollar_tag.size(), st.dollar_tag) == 0) {
        i += st.dollar_tag.size() - 1;
        st.dollar_tag.clear();
      }
      continue;
    }
    if (c == '-' && next == '-') {
      size_t nl = text.find('\n', i);
      if (nl == std::string::npos) return std::string::npos;
      i = nl;
    } else if (c == '/' && next == '*') {
      ++st.block_comment;
      ++i;
    } else if (c == '\'') {
      st.in_string = true;
    } else if (c == '"') {
      st.in_ident = true;
    } else if (c == '$' && (i == 0 || !(std::isalnum(static_cast<unsigned char>(text[i - 1])) ||
                                        text[i - 1] == '_'))) {
      size_t j = i + 1;
      while (j < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_'))
        ++j;
      if (j < text.size() && text[j] == '$' &&
          !(j > i + 1 && std::isdigit(static_cast<unsigned char>(text[i + 1])))) {
        st.dollar_tag = text.substr(i, j - i + 1);
        i = j;
      }
    } else if (c == '(') {
      ++st.parens;
    } else if (c == ')') {
      if (st.parens > 0) --st.parens;
    } else if (c == ';' && st.parens == 0) {
      return i;
    }
  }
  return std::string::npos;
}

std::atomic<bool> g_query_running{false};

bool IsBlank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

bool IsTrue(const std::string& v) {
  std::string s;
  for (char c : v) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s == "on" || s == "1" || s == "true" || s == "yes" || s == "t" || s == "y";
}

}  // namespace

bool QueryRunning() {
  return g_query_running;
}

std::optional<std::string> LineSource::Read(const std::string& prompt) {
  std::string line;
  if (interactive_) {
    char* raw = readline(prompt.c_str());
    if (raw == nullptr) return std::nullopt;
    line = raw;
    std::free(raw);
    if (!line.empty()) add_history(line.c_str());
  } else {
    if (!std::getline(*in_, line)) return std::nullopt;
    if (!line.empty() && line.back() == '\r') line.pop_back();
  }
  ++line_;
  return line;
}

std::string PromptPassword(const std::string& prompt) {
  int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
  int in = fd >= 0 ? fd : STDIN_FILENO;
  int out = fd >= 0 ? fd : STDERR_FILENO;
  ssize_t unused = write(out, prompt.data(), prompt.size());
  termios old{};
  bool restore = tcgetattr(in, &old) == 0;
  if (restore) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(in, TCSAFLUSH, &quiet);
  }
  std::string password;
  char c;
  while (read(in, &c, 1) == 1 && c != '\n') password += c;
  if (restore) {
    tcsetattr(in, TCSAFLUSH, &old);
    unused = write(out, "\n", 1);
  }
  (void)unused;
  if (fd >= 0) close(fd);
  return password;
}

Result<std::unique_ptr<client::Connection>> ConnectWithPrompt(client::ConnectOptions& o,
                                                              bool never_prompt) {
  auto conn = client::Connection::Connect(o);
  // libpq's words when the server asks for a password we do not have; the
  // client library reports it the same way (ConnectOptions::password).
  if (!conn.ok() && conn.error().message == "fe_sendauth: no password supplied" && !never_prompt &&
      o.password.empty()) {
    o.password = PromptPassword(fmt::format("Password for user {}: ", o.user));
    conn = client::Connection::Connect(o);
  }
  return conn;
}

bool Shell::OnErrorStop() const {
  auto it = vars_.find("ON_ERROR_STOP");
  return it != vars_.end() && IsTrue(it->second);
}

std::string Shell::Prompt(bool continuation) const {
  std::string db = options_.database.empty() ? options_.user : options_.database;
  char tx = conn_->transaction_status();
  return fmt::format("{}{}{} ", db, continuation ? "-" : "=",
                     tx == 'I'   ? "#"
                     : tx == 'T' ? "*#"
                                 : "!#");
}

void Shell::PrintMessage(const std::string& text, int line) {
  std::string prefix;
  if (source_ != nullptr && !source_->interactive() && line > 0) {
    prefix = fmt::format("{}:{}:{}: ", progname_, source_->name(), line);
  }
  std::fputs((prefix + text + "\n").c_str(), stderr);
}

void Shell::PrintError(const protocol::ErrorFields& e, const std::string& query, int line) {
  std::string prefix;
  if (source_ != nullptr && !source_->interactive() && line > 0) {
    prefix = fmt::format("{}:{}:{}: ", progname_, source_->name(), line);
  }
  std::fputs(FormatError(e, query, prefix).c_str(), stderr);
}

std::string Shell::Interpolate(const std::string& sql) const {
  // psql's :name, :'name' (a literal) and :"name" (an identifier), outside
  // quotes; an unknown name is left as written (so '::' casts survive).
  std::string out;
  bool in_string = false, in_ident = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    bool quoted = in_string || in_ident;
    if (c == ':' && !quoted && (i == 0 || sql[i - 1] != ':') && i + 1 < sql.size() &&
        sql[i + 1] != ':') {
      char q = sql[i + 1] == '\'' || sql[i + 1] == '"' ? sql[i + 1] : '\0';
      size_t start = i + 1 + (q ? 1 : 0);
      size_t end = start;
      while (end < sql.size() &&
             (std::isalnum(static_cast<unsigned char>(sql[end])) || sql[end] == '_'))
        ++end;
      std::string name = sql.substr(start, end - start);
      auto it = vars_.find(name);
      if (!name.empty() && it != vars_.end() && (!q || (end < sql.size() && sql[end] == q))) {
        if (q == '\'') {
          std::string v = "'";
          for (char ch : it->second) v += ch == '\'' ? std::string("''") : std::string(1, ch);
          out += v + "'";
        } else if (q == '"') {
          std::string v = "\"";
          for (char ch : it->second) v += ch == '"' ? std::string("\"\"") : std::string(1, ch);
          out += v + "\"";
        } else {
          out += it->second;
        }
        i = end - (q ? 0 : 1);
        continue;
      }
    }
    out += c;
    if (c == '\'' && !in_ident) in_string = !in_string;
    if (c == '"' && !in_string) in_ident = !in_ident;
  }
  return out;
}

bool Shell::PrintResult(const std::string& sql, const Result<client::QueryResult>& r, int line,
                        bool copy_out) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s: %s\n", progname_.c_str(), r.error().message.c_str());
    std::fprintf(stderr, "%s: the connection to the server was lost\n", progname_.c_str());
    std::exit(2);
  }
  for (const auto& n : r->notices) PrintError(n, sql, line);
  for (const auto& st : r->statements) {
    if (st.fields.empty()) {
      // Command tags: not with -q, and not after COPY TO STDOUT (they would
      // mix with the data), as psql does.
      if (quiet_ || (copy_out && st.tag.starts_with("COPY"))) continue;
    }
    std::fputs(FormatResult(st, print_).c_str(), stdout);
  }
  std::fflush(stdout);
  if (r->error) {
    PrintError(*r->error, sql, line);
    return false;
  }
  return true;
}

bool Shell::RunSqlWithCopy(const std::string& sql, client::CopyInSource in, client::CopyOutSink out,
                           int line, bool to_stdout) {
  bool copy_out = false;
  client::CopyOutSink watched = [&copy_out, &out, to_stdout](std::string_view data) -> Status {
    copy_out = to_stdout;
    return out ? out(data) : OkStatus();
  };
  auto start = std::chrono::steady_clock::now();
  g_query_running = true;
  auto r = conn_->Query(sql, std::move(in), watched);
  g_query_running = false;
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  bool ok = PrintResult(sql, r, line, copy_out);
  if (timing_) {
    std::string text = fmt::format("Time: {:.3f} ms", ms);
    if (ms >= 1000.0) {
      auto secs = ms / 1000.0;
      text += fmt::format(" ({:02d}:{:06.3f})", static_cast<int>(secs / 60),
                          secs - 60 * static_cast<int>(secs / 60));
    }
    std::printf("%s\n", text.c_str());
    std::fflush(stdout);
  }
  return ok;
}

bool Shell::RunSql(const std::string& raw_sql, int line) {
  std::string sql = Interpolate(raw_sql);
  // A COPY FROM STDIN typed as SQL reads its data from the same source,
  // up to a line "\." (or the end), as psql does: all of it in one chunk.
  bool sent = false;
  LineSource stdin_source(&std::cin, "<stdin>", false);  // -c "COPY t FROM STDIN": psql's own stdin
  LineSource* src = source_ != nullptr ? source_ : &stdin_source;
  client::CopyInSource once = [src, &sent]() -> Result<std::optional<std::string>> {
    if (sent) return std::optional<std::string>();
    sent = true;
    if (src->interactive()) {
      std::puts(
          "Enter data to be copied followed by a newline.\n"
          "End with a backslash and a period on a line by itself, or an EOF signal.");
    }
    std::string data;
    while (auto l = src->Read(">> ")) {
      if (*l == "\\.") break;
      data += *l + "\n";
    }
    return std::optional<std::string>(std::move(data));
  };
  client::CopyOutSink out = [](std::string_view data) -> Status {
    std::fwrite(data.data(), 1, data.size(), stdout);
    return OkStatus();
  };
  return RunSqlWithCopy(sql, once, out, line);
}

bool Shell::RunCommandString(const std::string& text) {
  size_t first = text.find_first_not_of(" \t\n");
  if (first != std::string::npos && text[first] == '\\')
    return RunMetaCommand(text.substr(first), 0);
  return RunSql(text, 0);
}

int Shell::RunSource(LineSource& src) {
  LineSource* saved = source_;
  source_ = &src;
  struct Restore {
    Shell* s;
    LineSource* saved;
    ~Restore() { s->source_ = saved; }
  } restore{this, saved};
  std::string buf;
  ScanState st;
  size_t scanned = 0;
  while (!quit_) {
    auto line = src.Read(Prompt(!buf.empty()));
    if (!line) break;
    size_t first = line->find_first_not_of(" \t");
    if (first != std::string::npos && (*line)[first] == '\\' && IsBlank(buf)) {
      buf.clear();
      bool ok = RunMetaCommand(line->substr(first), src.line());
      if (!ok && OnErrorStop() && !src.interactive()) return 3;
      continue;
    }
    if (IsBlank(buf) && IsBlank(*line)) {
      buf.clear();
      continue;
    }
    buf += buf.empty() ? *line : "\n" + *line;
    // Every ';' in the new text ends a statement; the rest waits.
    for (;;) {
      size_t semi = FindSemicolon(buf, scanned, st);
      if (semi == std::string::npos) {
        scanned = buf.size();
        break;
      }
      std::string stmt = buf.substr(0, semi + 1);
      buf.erase(0, semi + 1);
      scanned = 0;
      st = ScanState{};
      if (IsBlank(stmt.substr(0, stmt.size() - 1))) continue;
      size_t lead = stmt.find_first_not_of(" \t\n");
      bool ok = RunSql(stmt.substr(lead), src.line());
      if (!ok && OnErrorStop() && !src.interactive()) return 3;
      if (IsBlank(buf)) buf.clear();
    }
  }
  if (!IsBlank(buf) && !quit_) {
    // psql sends what is left at the end of a script.
    size_t lead = buf.find_first_not_of(" \t\n");
    bool ok = RunSql(buf.substr(lead), src.line());
    if (!ok && OnErrorStop() && !src.interactive()) return 3;
  }
  if (src.interactive() && !quit_) std::puts("\\q");
  return 0;
}

}  // namespace minipg::minipsql
