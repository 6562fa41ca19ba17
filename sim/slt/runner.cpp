/*-------------------------------------------------------------------------
 * runner.cpp
 *   One sqllogictest file against one server through libpq (runner.h).
 *-------------------------------------------------------------------------
 */
#include "sim/slt/runner.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <map>
#include <memory>
#include <thread>

namespace minipg::sim::slt {
namespace {

using Conn = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using Res = std::unique_ptr<PGresult, decltype(&PQclear)>;

void IgnoreNotice(void*, const char*) {}

/* Connects to `conninfo`, to database `dbname` instead if not empty. */
Conn Connect(const std::string& conninfo, const std::string& dbname) {
  const char* keys[] = {"dbname", dbname.empty() ? nullptr : "dbname", nullptr};
  const char* values[] = {conninfo.c_str(), dbname.empty() ? nullptr : dbname.c_str(), nullptr};
  Conn conn(PQconnectdbParams(keys, values, 1), &PQfinish);
  if (conn) PQsetNoticeProcessor(conn.get(), IgnoreNotice, nullptr);
  return conn;
}

Res Exec(PGconn* conn, const std::string& sql) { return Res(PQexec(conn, sql.c_str()), &PQclear); }

std::string ErrorOf(PGconn* conn, const PGresult* res) {
  std::string msg = res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  return msg;
}

/* Lines of a result for a failure report, at most a few. */
std::string Shown(const std::vector<std::string>& lines) {
  constexpr size_t kMax = 6;
  std::string out;
  for (size_t i = 0; i < lines.size() && i < kMax; ++i) out += (i ? " | " : "") + lines[i];
  if (lines.size() > kMax) out += fmt::format(" | ... ({} in all)", lines.size());
  return out.empty() ? "(nothing)" : out;
}

class FileRunner {
 public:
  FileRunner(const std::string& conninfo, const RunOptions& options)
      : conninfo_(conninfo), options_(options), conn_(nullptr, &PQfinish) {}

  FileRun Run(const SltFile& file) {
    Conn admin = Connect(conninfo_, "");
    if (PQstatus(admin.get()) != CONNECTION_OK) {
      out_.error = ErrorOf(admin.get(), nullptr);
      return out_;
    }
    if (options_.own_database) {
      static int counter = 0;
      std::string name = fmt::format("slt_{}_{}", getpid(), ++counter);
      if (PQresultStatus(Exec(admin.get(), "CREATE DATABASE " + name).get()) == PGRES_COMMAND_OK) {
        database_ = name;
      }
    }
    Reconnect();
    for (const Record& r : file.records) {
      if (!Step(r)) break;
    }
    conn_.reset();
    if (!database_.empty()) Drop(admin.get());
    return out_;
  }

 private:
  void Reconnect() {
    conn_ = Connect(conninfo_, database_);
    if (PQstatus(conn_.get()) == CONNECTION_OK) {
      Exec(conn_.get(), fmt::format("SET statement_timeout = {}", options_.statement_timeout_ms));
    }
  }

  /* Runs one record; false when the file ends here (halt). */
  bool Step(const Record& r) {
    if (r.kind == RecordKind::kHashThreshold) {
      hash_threshold_ = r.hash_threshold;
      return true;
    }
    bool applies = Applies(r, options_.db_name);
    if (r.kind == RecordKind::kHalt) return !applies;
    if (r.kind == RecordKind::kUnknown || !applies) {
      ++out_.counts.skipped;
      return true;
    }
    if (PQstatus(conn_.get()) != CONNECTION_OK) Reconnect();
    std::string why = r.kind == RecordKind::kStatement ? Statement(r) : Query(r);
    if (why.empty()) {
      ++out_.counts.passed;
    } else {
      ++out_.counts.failed;
      out_.failures.push_back({r.line, r.sql, std::move(why)});
    }
    return true;
  }

  /* Empty if the statement did as the record says, else why not. */
  std::string Statement(const Record& r) {
    Res res = Exec(conn_.get(), r.sql);
    ExecStatusType st = PQresultStatus(res.get());
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
    if (r.expect_error) return ok ? "expected an error, it succeeded" : "";
    return ok ? "" : "expected success: " + ErrorOf(conn_.get(), res.get());
  }

  std::string Query(const Record& r) {
    Res res = Exec(conn_.get(), r.sql);
    if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) return "query failed: " + ErrorOf(conn_.get(), res.get());
    size_t columns = static_cast<size_t>(PQnfields(res.get()));
    if (columns != r.types.size()) {
      return fmt::format("expected {} column{}, got {}", r.types.size(), r.types.size() == 1 ? "" : "s", columns);
    }
    std::vector<std::vector<std::string>> rows(static_cast<size_t>(PQntuples(res.get())));
    for (size_t i = 0; i < rows.size(); ++i) {
      for (size_t c = 0; c < columns; ++c) {
        int ri = static_cast<int>(i), ci = static_cast<int>(c);
        std::optional<std::string> v;
        if (!PQgetisnull(res.get(), ri, ci)) v.emplace(PQgetvalue(res.get(), ri, ci), PQgetlength(res.get(), ri, ci));
        rows[i].push_back(FormatValue(v, r.types[c]));
      }
    }
    std::vector<std::string> values = SortedValues(std::move(rows), r.sort);
    std::string hash = HashLine(values);
    if (!r.label.empty()) {
      // Queries with one label must agree with each other.
      auto [it, first] = labels_.emplace(r.label, hash);
      if (!first && it->second != hash) return fmt::format("label {}: {}, earlier {}", r.label, hash, it->second);
    }
    if (!r.has_separator) return "";  // no results written: that it ran is the test
    if (Matches(values, columns, r.expected)) return "";
    bool hashed = r.expected.size() == 1 && r.expected[0].find(" values hashing to ") != std::string::npos;
    bool big = hash_threshold_ > 0 && values.size() > static_cast<size_t>(hash_threshold_);
    return fmt::format("expected {}, got {}", Shown(r.expected), hashed || big ? hash : Shown(values));
  }

  /* DROP DATABASE, retried while the server still counts our session. */
  void Drop(PGconn* admin) {
    for (int attempt = 0; attempt < 50; ++attempt) {
      if (PQresultStatus(Exec(admin, "DROP DATABASE IF EXISTS " + database_).get()) == PGRES_COMMAND_OK) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  const std::string& conninfo_;
  const RunOptions& options_;
  Conn conn_;
  std::string database_;
  int hash_threshold_ = 0;
  std::map<std::string, std::string> labels_;
  FileRun out_;
};

}  // namespace

FileRun RunSltFile(const SltFile& file, const std::string& conninfo, const RunOptions& options) {
  return FileRunner(conninfo, options).Run(file);
}

}  // namespace minipg::sim::slt
