/*-------------------------------------------------------------------------
 * driver_test.cpp
 *   The extended query protocol against a real minipg, driven the way
 *   drivers drive it: real libpq (PQprepare, PQexecPrepared, PQexecParams
 *   with binary values, PQdescribePrepared), raw protocol messages for a
 *   row-limited Execute, and real pgbench in its extended and prepared
 *   modes (and simple, which must keep working).
 *-------------------------------------------------------------------------
 */
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/protocol/codec.h"
#include "engine/protocol/message_reader.h"
#include "tests/integration/pq_server.h"

namespace minipg::testing {
namespace {

std::string SqlState(const PGresult* r) {
  const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  return s != nullptr ? s : "";
}
std::string Message(const PGresult* r) {
  const char* s = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
  return s != nullptr ? s : "";
}

class DriverTest : public SharedServerSuite {
 protected:
  /* Runs a simple Query that must succeed. */
  static void Exec(PGconn* c, const char* sql) {
    Res r(PQexec(c, sql));
    ASSERT_TRUE(PQresultStatus(r.get()) == PGRES_COMMAND_OK ||
                PQresultStatus(r.get()) == PGRES_TUPLES_OK)
        << sql << ": " << PQerrorMessage(c);
  }
};

// Scenario: PQprepare once, then PQexecPrepared with text parameters
// inserts and finds rows; parameter types are inferred from the columns.
TEST_F(DriverTest, PrepareAndExecPreparedWithTextParams) {
  Conn c = Connect();
  Exec(c.get(), "CREATE TABLE items (id int, name text)");
  Res p(PQprepare(c.get(), "ins", "INSERT INTO items VALUES ($1, $2)", 2, nullptr));
  ASSERT_EQ(PQresultStatus(p.get()), PGRES_COMMAND_OK) << PQerrorMessage(c.get());
  const char* v1[] = {"1", "tea"};
  Res r1(PQexecPrepared(c.get(), "ins", 2, v1, nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(r1.get()), PGRES_COMMAND_OK) << PQerrorMessage(c.get());
  EXPECT_STREQ(PQcmdStatus(r1.get()), "INSERT 0 1");
  const char* v2[] = {"2", "cake"};
  Res r2(PQexecPrepared(c.get(), "ins", 2, v2, nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(r2.get()), PGRES_COMMAND_OK);

  Res s(PQprepare(c.get(), "sel", "SELECT name FROM items WHERE id = $1", 0, nullptr));
  ASSERT_EQ(PQresultStatus(s.get()), PGRES_COMMAND_OK) << PQerrorMessage(c.get());
  const char* id[] = {"2"};
  Res r3(PQexecPrepared(c.get(), "sel", 1, id, nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(r3.get()), PGRES_TUPLES_OK) << PQerrorMessage(c.get());
  ASSERT_EQ(PQntuples(r3.get()), 1);
  EXPECT_STREQ(PQgetvalue(r3.get(), 0, 0), "cake");
  EXPECT_STREQ(PQcmdStatus(r3.get()), "SELECT 1");
  Exec(c.get(), "DROP TABLE items");
}

// Scenario: PQexecParams with binary int4/int8 parameters and binary
// results: the values arrive in network byte order with the right widths.
TEST_F(DriverTest, ExecParamsBinaryParamsAndResults) {
  Conn c = Connect();
  uint32_t a = htonl(static_cast<uint32_t>(-5));
  uint64_t b = (static_cast<uint64_t>(1) << 40) + 3;
  char b_bytes[8];
  for (int i = 0; i < 8; ++i) b_bytes[i] = static_cast<char>((b >> (8 * (7 - i))) & 0xff);
  Oid types[] = {23, 20, 25};
  const char* values[] = {reinterpret_cast<const char*>(&a), b_bytes, "hi"};
  int lengths[] = {4, 8, 2};
  int formats[] = {1, 1, 1};
  Res r(PQexecParams(c.get(), "SELECT $1 + 1, $2 * 2, $3 || '!', $1 > 0", 3, types, values, lengths,
                     formats, 1));
  ASSERT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK) << PQerrorMessage(c.get());
  ASSERT_EQ(PQnfields(r.get()), 4);
  EXPECT_EQ(PQftype(r.get(), 0), 23u);
  EXPECT_EQ(PQftype(r.get(), 1), 20u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(PQfformat(r.get(), i), 1) << "column " << i;
  ASSERT_EQ(PQgetlength(r.get(), 0, 0), 4);
  uint32_t got4 = 0;
  std::memcpy(&got4, PQgetvalue(r.get(), 0, 0), 4);
  EXPECT_EQ(static_cast<int32_t>(ntohl(got4)), -4);
  ASSERT_EQ(PQgetlength(r.get(), 0, 1), 8);
  const auto* p8 = reinterpret_cast<const unsigned char*>(PQgetvalue(r.get(), 0, 1));
  uint64_t got8 = 0;
  for (int i = 0; i < 8; ++i) got8 = (got8 << 8) | p8[i];
  EXPECT_EQ(got8, b * 2);
  EXPECT_EQ(std::string(PQgetvalue(r.get(), 0, 2), PQgetlength(r.get(), 0, 2)), "hi!");
  ASSERT_EQ(PQgetlength(r.get(), 0, 3), 1);
  EXPECT_EQ(PQgetvalue(r.get(), 0, 3)[0], 0);  // false

  // A binary int4 of the wrong length is 22P03.
  int bad_len[] = {2, 8, 2};
  Res bad(PQexecParams(c.get(), "SELECT $1 + 1, $2, $3", 3, types, values, bad_len, formats, 0));
  ASSERT_EQ(PQresultStatus(bad.get()), PGRES_FATAL_ERROR);
  EXPECT_EQ(SqlState(bad.get()), "22P03");
  EXPECT_EQ(Message(bad.get()), "incorrect binary data format in bind parameter 1");
}

// Scenario: PQdescribePrepared reports the parameter types (given or
// inferred) and the result columns; a statement without rows has none.
TEST_F(DriverTest, DescribePrepared) {
  Conn c = Connect();
  Exec(c.get(), "CREATE TABLE d (id int, big bigint, name text)");
  Res p(PQprepare(c.get(), "desc1", "SELECT id, name FROM d WHERE big = $1 AND name = $2", 0,
                  nullptr));
  ASSERT_EQ(PQresultStatus(p.get()), PGRES_COMMAND_OK) << PQerrorMessage(c.get());
  Res d(PQdescribePrepared(c.get(), "desc1"));
  ASSERT_EQ(PQresultStatus(d.get()), PGRES_COMMAND_OK) << PQerrorMessage(c.get());
  ASSERT_EQ(PQnparams(d.get()), 2);
  EXPECT_EQ(PQparamtype(d.get(), 0), 20u);
  EXPECT_EQ(PQparamtype(d.get(), 1), 25u);
  ASSERT_EQ(PQnfields(d.get()), 2);
  EXPECT_STREQ(PQfname(d.get(), 0), "id");
  EXPECT_EQ(PQftype(d.get(), 0), 23u);
  EXPECT_EQ(PQftype(d.get(), 1), 25u);

  Oid given[] = {23};
  Res p2(PQprepare(c.get(), "desc2", "INSERT INTO d (id) VALUES ($1)", 1, given));
  ASSERT_EQ(PQresultStatus(p2.get()), PGRES_COMMAND_OK) << PQerrorMessage(c.get());
  Res d2(PQdescribePrepared(c.get(), "desc2"));
  ASSERT_EQ(PQresultStatus(d2.get()), PGRES_COMMAND_OK);
  EXPECT_EQ(PQnparams(d2.get()), 1);
  EXPECT_EQ(PQparamtype(d2.get(), 0), 23u);
  EXPECT_EQ(PQnfields(d2.get()), 0);

  Res missing(PQdescribePrepared(c.get(), "nope"));
  EXPECT_EQ(PQresultStatus(missing.get()), PGRES_FATAL_ERROR);
  EXPECT_EQ(SqlState(missing.get()), "26000");
  EXPECT_EQ(Message(missing.get()), "prepared statement \"nope\" does not exist");
  Exec(c.get(), "DROP TABLE d");
}

// Scenario: an error in an extended-protocol query (bad parameter value,
// unknown table, two commands) does not spoil the connection: the next
// query on it succeeds.
TEST_F(DriverTest, ErrorThenSuccessOnSameConnection) {
  Conn c = Connect();
  const char* bad[] = {"abc"};
  Res r1(PQexecParams(c.get(), "SELECT $1::int + 1", 1, nullptr, bad, nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(r1.get()), PGRES_FATAL_ERROR);
  EXPECT_EQ(SqlState(r1.get()), "22P02");
  EXPECT_EQ(Message(r1.get()), "invalid input syntax for type integer: \"abc\"");

  const char* good[] = {"41"};
  Res r2(PQexecParams(c.get(), "SELECT $1::int + 1", 1, nullptr, good, nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(r2.get()), PGRES_TUPLES_OK) << PQerrorMessage(c.get());
  EXPECT_STREQ(PQgetvalue(r2.get(), 0, 0), "42");

  Res r3(PQexecParams(c.get(), "SELECT * FROM no_such_table", 0, nullptr, nullptr, nullptr, nullptr,
                      0));
  EXPECT_EQ(SqlState(r3.get()), "42P01");
  Res r4(PQprepare(c.get(), "two", "SELECT 1; SELECT 2", 0, nullptr));
  EXPECT_EQ(SqlState(r4.get()), "42601");
  EXPECT_EQ(Message(r4.get()), "cannot insert multiple commands into a prepared statement");

  Res r5(PQexecParams(c.get(), "SELECT 'still fine'", 0, nullptr, nullptr, nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(r5.get()), PGRES_TUPLES_OK) << PQerrorMessage(c.get());
  EXPECT_STREQ(PQgetvalue(r5.get(), 0, 0), "still fine");
  EXPECT_EQ(PQtransactionStatus(c.get()), PQTRANS_IDLE);
}

// Scenario: a second PQprepare with a name in use is 42P05; the first
// statement still works; an unknown name is 26000.
TEST_F(DriverTest, DuplicateNamedStatement) {
  Conn c = Connect();
  Res p1(PQprepare(c.get(), "dup", "SELECT $1::int * 2", 0, nullptr));
  ASSERT_EQ(PQresultStatus(p1.get()), PGRES_COMMAND_OK);
  Res p2(PQprepare(c.get(), "dup", "SELECT 1", 0, nullptr));
  ASSERT_EQ(PQresultStatus(p2.get()), PGRES_FATAL_ERROR);
  EXPECT_EQ(SqlState(p2.get()), "42P05");
  EXPECT_EQ(Message(p2.get()), "prepared statement \"dup\" already exists");
  const char* v[] = {"21"};
  Res r(PQexecPrepared(c.get(), "dup", 1, v, nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK) << PQerrorMessage(c.get());
  EXPECT_STREQ(PQgetvalue(r.get(), 0, 0), "42");
  Res missing(PQexecPrepared(c.get(), "missing", 0, nullptr, nullptr, nullptr, 0));
  EXPECT_EQ(SqlState(missing.get()), "26000");
}

// Scenario: one named statement executed many times with different values
// (as a driver's statement cache does) inserts every row.
TEST_F(DriverTest, NamedStatementUsedManyTimes) {
  Conn c = Connect();
  Exec(c.get(), "CREATE TABLE many (n int, sq bigint)");
  Res p(PQprepare(c.get(), "put", "INSERT INTO many VALUES ($1, $2)", 0, nullptr));
  ASSERT_EQ(PQresultStatus(p.get()), PGRES_COMMAND_OK) << PQerrorMessage(c.get());
  for (int i = 1; i <= 100; ++i) {
    std::string n = std::to_string(i), sq = std::to_string(static_cast<int64_t>(i) * i);
    const char* v[] = {n.c_str(), sq.c_str()};
    Res r(PQexecPrepared(c.get(), "put", 2, v, nullptr, nullptr, 0));
    ASSERT_EQ(PQresultStatus(r.get()), PGRES_COMMAND_OK) << i << ": " << PQerrorMessage(c.get());
  }
  Res s(PQexec(c.get(), "SELECT sq FROM many WHERE n = 77"));
  ASSERT_EQ(PQntuples(s.get()), 1);
  EXPECT_STREQ(PQgetvalue(s.get(), 0, 0), "5929");
  Res all(PQexec(c.get(), "SELECT n FROM many"));
  EXPECT_EQ(PQntuples(all.get()), 100);
  Exec(c.get(), "DROP TABLE many");
}

// Scenario: statement_timeout applies to an Execute as to a Query.
TEST_F(DriverTest, StatementTimeoutAppliesToExecute) {
  Conn c = Connect();
  Exec(c.get(), "SET statement_timeout = '200ms'");
  const char* v[] = {"30"};
  Res r(PQexecParams(c.get(), "SELECT pg_sleep($1)", 1, nullptr, v, nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(r.get()), PGRES_FATAL_ERROR);
  EXPECT_EQ(SqlState(r.get()), "57014");
  EXPECT_EQ(Message(r.get()), "canceling statement due to statement timeout");
  Exec(c.get(), "RESET statement_timeout");
}

/* Reads backend messages until ReadyForQuery; returns their type bytes
 * (and keeps the bodies). */
std::vector<protocol::Message> ReadUntilReady(protocol::MessageReader& reader) {
  std::vector<protocol::Message> out;
  for (;;) {
    auto m = reader.ReadMessage();
    if (!m.ok()) {
      ADD_FAILURE() << m.error().message;
      return out;
    }
    out.push_back(*m);
    if (m->type == protocol::be::kReadyForQuery) return out;
  }
}

std::string Types(const std::vector<protocol::Message>& msgs) {
  std::string s;
  for (const auto& m : msgs) s += m.type;
  return s;
}

// Scenario: Execute with a row limit returns that many rows and
// PortalSuspended; the next Execute continues where it stopped; Sync (no
// transaction block) destroys the portal.
TEST_F(DriverTest, RowLimitedExecuteSuspendsPortal) {
  auto conn = server_->Connect();
  ASSERT_TRUE(conn.ok()) << conn.error().message;
  ASSERT_TRUE((*conn)->Query("CREATE TABLE five (n int)").value().ok());
  ASSERT_TRUE((*conn)->Query("INSERT INTO five VALUES (1), (2), (3), (4), (5)").value().ok());
  int fd = (*conn)->fd();
  std::string out;
  protocol::EncodeParse(out, {"", "SELECT n FROM five WHERE n > $1 ORDER BY n", {}});
  protocol::EncodeBind(out, {"", "", {}, {std::string("0")}, {}});
  protocol::EncodeDescribe(out, protocol::kTargetPortal, "");
  protocol::EncodeExecute(out, "", 2);
  protocol::EncodeExecute(out, "", 2);
  protocol::EncodeExecute(out, "", 2);
  protocol::EncodeSync(out);
  ASSERT_TRUE(protocol::WriteAll(fd, out).ok());
  protocol::MessageReader reader(fd, protocol::Peer::kBackend);
  auto msgs = ReadUntilReady(reader);
  // ParseComplete, BindComplete, RowDescription, 2 rows + suspended,
  // 2 rows + suspended, the last row + CommandComplete, ReadyForQuery.
  ASSERT_EQ(Types(msgs), "12TDDsDDsDCZ");
  std::vector<std::string> values;
  for (const auto& m : msgs) {
    if (m.type == protocol::be::kDataRow)
      values.push_back(*protocol::DecodeDataRow(m.body).value()[0]);
  }
  EXPECT_EQ(values, (std::vector<std::string>{"1", "2", "3", "4", "5"}));
  EXPECT_EQ(*protocol::DecodeCommandComplete(msgs[10].body), "SELECT 1");

  // The unnamed portal is gone after Sync: 34000, then ReadyForQuery.
  out.clear();
  protocol::EncodeExecute(out, "", 0);
  protocol::EncodeSync(out);
  ASSERT_TRUE(protocol::WriteAll(fd, out).ok());
  msgs = ReadUntilReady(reader);
  ASSERT_EQ(Types(msgs), "EZ");
  auto err = protocol::DecodeErrorResponse(msgs[0].body);
  EXPECT_EQ(err->sqlstate, "34000");
  EXPECT_EQ(err->message, "portal \"\" does not exist");

  // Describe of a statement: ParameterDescription then RowDescription; an
  // error skips everything up to Sync (the Execute after it is not run).
  out.clear();
  protocol::EncodeParse(out, {"st", "SELECT n FROM five WHERE n = $1", {}});
  protocol::EncodeDescribe(out, protocol::kTargetStatement, "st");
  protocol::EncodeBind(out, {"", "st", {}, {std::string("x")}, {}});
  protocol::EncodeExecute(out, "", 0);
  protocol::EncodeSync(out);
  ASSERT_TRUE(protocol::WriteAll(fd, out).ok());
  msgs = ReadUntilReady(reader);
  ASSERT_EQ(Types(msgs), "1tTEZ");
  EXPECT_EQ(*protocol::DecodeParameterDescription(msgs[1].body), std::vector<uint32_t>{23});
  EXPECT_EQ(protocol::DecodeErrorResponse(msgs[3].body)->sqlstate, "22P02");

  // A command's portal runs once; running it again is 55000, as in
  // PostgreSQL. A limit met exactly suspends the portal (more rows might
  // follow, as far as the client knows); the next Execute completes it.
  out.clear();
  protocol::EncodeParse(out, {"", "INSERT INTO five VALUES (6)", {}});
  protocol::EncodeBind(out, {"", "", {}, {}, {}});
  protocol::EncodeExecute(out, "", 0);
  protocol::EncodeExecute(out, "", 0);
  protocol::EncodeSync(out);
  protocol::EncodeParse(out, {"", "SELECT n FROM five WHERE n = 6", {}});
  protocol::EncodeBind(out, {"", "", {}, {}, {}});
  protocol::EncodeExecute(out, "", 1);
  protocol::EncodeExecute(out, "", 1);
  protocol::EncodeSync(out);
  ASSERT_TRUE(protocol::WriteAll(fd, out).ok());
  msgs = ReadUntilReady(reader);
  ASSERT_EQ(Types(msgs), "12CEZ");
  EXPECT_EQ(*protocol::DecodeCommandComplete(msgs[2].body), "INSERT 0 1");
  EXPECT_EQ(protocol::DecodeErrorResponse(msgs[3].body)->sqlstate, "55000");
  EXPECT_EQ(protocol::DecodeErrorResponse(msgs[3].body)->message, "portal \"\" cannot be run");
  msgs = ReadUntilReady(reader);
  ASSERT_EQ(Types(msgs), "12DsCZ");
  EXPECT_EQ(*protocol::DecodeCommandComplete(msgs[4].body), "SELECT 0");
  ASSERT_TRUE((*conn)->Query("DROP TABLE five").value().ok());
}

/* Reads the event stream until a predicate holds (see event_stream_test). */
class EventReader {
 public:
  explicit EventReader(int port) {
    auto fd = client::OpenSocket("127.0.0.1", port, 5000);
    fd_ = fd.ok() ? *fd : -1;
  }
  ~EventReader() {
    if (fd_ >= 0) close(fd_);
  }
  bool ReadUntil(const std::function<bool(const nlohmann::json&)>& pred, int timeout_ms = 20000) {
    for (int waited = 0; fd_ >= 0 && waited < timeout_ms;) {
      size_t nl;
      while ((nl = buf_.find('\n')) != std::string::npos) {
        seen.push_back(nlohmann::json::parse(buf_.substr(0, nl)));
        buf_.erase(0, nl + 1);
        if (pred(seen.back())) return true;
      }
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) {
        waited += 100;
        continue;
      }
      char chunk[8192];
      ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buf_.append(chunk, static_cast<size_t>(n));
    }
    return false;
  }
  /* Index of the first event of this backend with this type, from `from`; -1 if none. */
  int Find(int pid, const std::string& type, int from = 0) const {
    for (int i = from; i < static_cast<int>(seen.size()); ++i) {
      if (seen[i]["pid"] == pid && seen[i]["type"] == type) return i;
    }
    return -1;
  }
  std::vector<nlohmann::json> seen;

 private:
  int fd_ = -1;
  std::string buf_;
};

// Scenario: a prepared statement's round shows in the event stream as
// prepare -> bind -> query_start -> analyze -> plan -> execute ->
// query_done, then the session goes idle; a row limit emits
// portal_suspended.
TEST_F(DriverTest, EventsForExtendedProtocol) {
  EventReader events(server_->event_port());
  ASSERT_TRUE(events.ReadUntil([](const nlohmann::json& e) { return e["type"] == "hello"; }));
  Conn c = Connect();
  int pid = PQbackendPID(c.get());
  Res p(PQprepare(c.get(), "ev", "SELECT $1::int + 1", 0, nullptr));
  ASSERT_EQ(PQresultStatus(p.get()), PGRES_COMMAND_OK);
  const char* v[] = {"1"};
  Res r(PQexecPrepared(c.get(), "ev", 1, v, nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK);
  ASSERT_TRUE(events.ReadUntil([&](const nlohmann::json& e) {
    return e["pid"] == pid && e["type"] == "ready" && e["status"] == "I" &&
           std::any_of(events.seen.begin(), events.seen.end(), [&](const nlohmann::json& x) {
             return x["pid"] == pid && x["type"] == "query_done";
           });
  }));
  int prepare = events.Find(pid, "prepare");
  ASSERT_GE(prepare, 0);
  EXPECT_EQ(events.seen[prepare]["name"], "ev");
  EXPECT_EQ(events.seen[prepare]["params"], nlohmann::json::array({"integer"}));
  int bind = events.Find(pid, "bind", prepare);
  ASSERT_GT(bind, prepare);
  EXPECT_EQ(events.seen[bind]["statement"], "ev");
  EXPECT_EQ(events.seen[bind]["portal"], "");
  EXPECT_EQ(events.seen[bind]["params"], 1);
  int last = bind;
  for (const char* type : {"query_start", "analyze", "plan", "execute", "query_done"}) {
    int i = events.Find(pid, type, last);
    ASSERT_GT(i, last) << type << " after the previous stage";
    last = i;
  }
  EXPECT_EQ(events.seen[last]["tag"], "SELECT 1");
  int idle = events.Find(pid, "state", last);
  ASSERT_GT(idle, last);
  EXPECT_EQ(events.seen[idle]["state"], "idle");

  auto conn = server_->Connect();
  ASSERT_TRUE(conn.ok());
  int raw_pid = (*conn)->backend_pid();
  std::string out;
  protocol::EncodeParse(out, {"", "SHOW ALL", {}});
  protocol::EncodeBind(out, {"", "", {}, {}, {}});
  protocol::EncodeExecute(out, "", 3);
  protocol::EncodeSync(out);
  ASSERT_TRUE(protocol::WriteAll((*conn)->fd(), out).ok());
  ASSERT_TRUE(events.ReadUntil([&](const nlohmann::json& e) {
    return e["pid"] == raw_pid && e["type"] == "portal_suspended";
  }));
  EXPECT_EQ(events.seen.back()["rows"], 3);
  EXPECT_EQ(events.seen.back()["sent"], 3);
}

bool HavePgbench() {
  return RunCommand("command -v pgbench >/dev/null 2>&1").status == 0;
}

// Scenario: pgbench in its extended and prepared modes (and simple, as
// before) runs a custom script with \set variables to the end: every
// transaction processed, every row inserted.
TEST_F(DriverTest, PgbenchExtendedPreparedAndSimple) {
  if (!HavePgbench())
    GTEST_SKIP() << "pgbench is not installed (scripts/install-deps.sh installs it)";
  Conn c = Connect();
  Exec(c.get(), "CREATE TABLE bench (aid int, note text)");
  std::string script = server_->data_dir().string() + "/bench.sql";
  ASSERT_EQ(RunCommand("printf '%s\\n' '\\set aid random(1, 1000)' 'SELECT :aid;' "
                       "\"INSERT INTO bench VALUES (:aid, 'x');\" > " +
                       script)
                .status,
            0);
  int expected_rows = 0;
  for (const char* mode : {"extended", "prepared", "simple"}) {
    std::string cmd = "pgbench -n -M " + std::string(mode) + " -f " + script + " -c 4 -t 50 -h " +
                      server_->socket_dir() + " -p " + std::to_string(server_->port()) +
                      " -U " + Superuser() + " postgres 2>&1";
    CommandResult r = RunCommand(cmd);
    EXPECT_EQ(r.status, 0) << mode << ":\n" << r.out;
    EXPECT_NE(r.out.find("number of transactions actually processed: 200/200"), std::string::npos)
        << mode << ":\n"
        << r.out;
    expected_rows += 200;
    Res rows(PQexec(c.get(), "SELECT aid FROM bench WHERE aid >= 1 AND aid <= 1000"));
    ASSERT_EQ(PQresultStatus(rows.get()), PGRES_TUPLES_OK) << PQerrorMessage(c.get());
    EXPECT_EQ(PQntuples(rows.get()), expected_rows) << mode;
  }
  Exec(c.get(), "DROP TABLE bench");
}

}  // namespace
}  // namespace minipg::testing
