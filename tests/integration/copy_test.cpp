/*
 * copy_test.cpp
 *   COPY against a real minipg with real psql: a file on the client's side
 *   is not on the server's (\copy loads it, COPY with the same name fails
 *   with 58P01), COPY FROM STDIN with bad data stores nothing, COPY TO
 *   STDOUT prints exactly what PostgreSQL 15 prints, and the copy
 *   sub-protocol's edges (CopyFail, a stray message) as PostgreSQL answers
 *   them. Plus the copy_start / copy_done events.
 */
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "engine/protocol/codec.h"
#include "engine/protocol/message_reader.h"
#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

bool HavePsql() {
  return RunCommand("command -v psql >/dev/null 2>&1").status == 0;
}

class CopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/minipg_client_XXXXXX";  // psql's working directory: not the data directory
    client_dir_ = mkdtemp(tmpl);
    trace_ = client_dir_ + "/trace.jsonl";
    server_ = std::make_unique<Server>(std::vector<std::string>{"trace_file=" + trace_});
    ASSERT_TRUE(server_->Start());
    auto c = server_->Connect();
    ASSERT_TRUE(c.ok());
    auto r = (*c)->Query("CREATE TABLE t (a int, b text, c boolean)");
    ASSERT_TRUE(r.ok() && r->ok());
  }
  void TearDown() override {
    server_.reset();
    RunCommand("rm -rf " + client_dir_);
  }
  /* psql run in the client directory; stdin from `input` if given. */
  CommandResult Psql(const std::string& args, const std::string& input = "") {
    std::string in = client_dir_ + "/stdin.txt";
    std::ofstream(in) << input;
    return RunCommand("cd " + client_dir_ + " && " + server_->PsqlCommand() + " " + args + " <" +
                      in + " 2>&1");
  }
  std::vector<std::string> Column(const std::string& sql) {
    auto c = server_->Connect();
    std::vector<std::string> out;
    if (!c.ok()) return out;
    auto r = (*c)->Query(sql);
    if (!r.ok() || !r->ok()) return out;
    for (const auto& row : r->statements.back().rows) out.push_back(row[0].value_or("NULL"));
    return out;
  }
  std::string client_dir_, trace_;
  std::unique_ptr<Server> server_;
};

// Scenario: the file is on the client: psql's \copy loads it; COPY with the same name
// makes the server look for it in its data directory, and fails with 58P01 and the hint.
TEST_F(CopyTest, ClientFileIsNotOnTheServer) {
  if (!HavePsql()) GTEST_SKIP() << "psql is not installed";
  std::ofstream(client_dir_ + "/client.csv") << "a,b,c\n1,one,t\n2,\"two, too\",f\n3,,\n";
  auto r = Psql("-c \"\\copy t from 'client.csv' csv header\"");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(Column("SELECT b FROM t ORDER BY a"),
            (std::vector<std::string>{"one", "two, too", "NULL"}));
  r = Psql("-c \"COPY t FROM 'client.csv' CSV HEADER\"");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(
      r.out,
      "ERROR:  could not open file \"client.csv\" for reading: No such file or directory\n"
      "HINT:  COPY FROM instructs the PostgreSQL server process to read a file. You may want a "
      "client-side facility such as psql's \\copy.\n");
  r = Psql("-v VERBOSITY=verbose -c \"COPY t FROM '" + client_dir_ + "/nope.csv'\"");
  EXPECT_NE(r.out.find("ERROR:  58P01: could not open file"), std::string::npos) << r.out;
  // \copy ... to writes on the client's side.
  r = Psql("-c \"\\copy t to 'back.csv' csv\"");
  EXPECT_EQ(r.status, 0) << r.out;
  std::stringstream back;
  back << std::ifstream(client_dir_ + "/back.csv").rdbuf();
  EXPECT_EQ(back.str(), "1,one,t\n2,\"two, too\",f\n3,,\n");
}

// Scenario: COPY FROM STDIN with a bad third line: 22P02 with CONTEXT, and none of its rows stored.
TEST_F(CopyTest, BadDataFromStdinStoresNothing) {
  if (!HavePsql()) GTEST_SKIP() << "psql is not installed";
  auto r = Psql("-v VERBOSITY=verbose -c \"COPY t FROM STDIN\"", "1\tx\tt\n2\ty\tf\nabc\tz\tt\n");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out,
            "ERROR:  22P02: invalid input syntax for type integer: \"abc\"\n"
            "CONTEXT:  COPY t, line 3, column a: \"abc\"\n");
  EXPECT_TRUE(Column("SELECT a FROM t").empty());
  // A script with COPY FROM STDIN and its data inline, ended by "\.".
  std::ofstream(client_dir_ + "/load.sql")
      << "COPY t FROM STDIN;\n1\tx\tt\n2\ty\tf\n\\.\nSELECT 'after';\n";
  r = Psql("-f load.sql");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(Column("SELECT a FROM t ORDER BY a"), (std::vector<std::string>{"1", "2"}));
}

// Scenario: COPY TO STDOUT prints the bytes PostgreSQL 15 prints for the same table
// (compared by hand once against a real PostgreSQL 15).
TEST_F(CopyTest, ToStdoutMatchesPostgres) {
  if (!HavePsql()) GTEST_SKIP() << "psql is not installed";
  auto r = Psql("-c \"COPY t FROM STDIN\"",
                "1\tx\tt\n2\ttab\\there\\\\back\\nnl\t\\N\n3\t\tf\n4\the said \"hi\", ok\tt\n");
  ASSERT_EQ(r.status, 0) << r.out;
  r = Psql("-c \"COPY t TO STDOUT\"");
  EXPECT_EQ(r.out, "1\tx\tt\n2\ttab\\there\\\\back\\nnl\t\\N\n3\t\tf\n4\the said \"hi\", ok\tt\n");
  r = Psql("-c \"COPY t TO STDOUT WITH CSV HEADER\"");
  EXPECT_EQ(r.out,
            "a,b,c\n1,x,t\n2,\"tab\there\\back\nnl\",\n3,\"\",f\n4,\"he said \"\"hi\"\", ok\",t\n");
  r = Psql("-c \"COPY (SELECT a, c FROM t WHERE a > 2) TO STDOUT (FORMAT csv)\"");
  EXPECT_EQ(r.out, "3,f\n4,t\n");
}

// Scenario: the protocol's edges: CopyFail -> 57014 with the client's message; a
// Query in the middle of copy-in -> 08P01, then the session ends as in PostgreSQL.
TEST_F(CopyTest, CopyFailAndStrayMessage) {
  auto c = server_->Connect();
  ASSERT_TRUE(c.ok());
  auto r = (*c)->Query(
      "COPY t FROM STDIN",
      []() -> Result<std::optional<std::string>> { return MakeError("57014", "client gave up"); },
      nullptr);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->error);
  EXPECT_EQ(r->error->sqlstate, "57014");
  EXPECT_EQ(r->error->message, "COPY from stdin failed: client gave up");
  EXPECT_EQ(r->error->context, "COPY t, line 1");
  // The session goes on.
  auto ok = (*c)->Query("SELECT 1");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->Scalar(), "1");

  // Raw: CopyData, then a Query where only copy messages belong.
  int fd = (*c)->fd();
  std::string out;
  protocol::EncodeQuery(out, "COPY t FROM STDIN");
  ASSERT_TRUE(protocol::WriteAll(fd, out).ok());
  protocol::MessageReader reader(fd, protocol::Peer::kBackend);
  auto m = reader.ReadMessage();
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->type, protocol::be::kCopyInResponse);
  out.clear();
  protocol::EncodeCopyData(out, "9\tz\tt\n");
  protocol::EncodeQuery(out, "SELECT 1");
  ASSERT_TRUE(protocol::WriteAll(fd, out).ok());
  std::vector<protocol::ErrorFields> errors;
  for (;;) {
    auto msg = reader.ReadMessage();
    if (!msg.ok()) break;  // the server closed the connection
    if (msg->type == protocol::be::kErrorResponse)
      errors.push_back(*protocol::DecodeErrorResponse(msg->body));
  }
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].sqlstate, "08P01");
  EXPECT_EQ(errors[0].message, "unexpected message type 0x51 during COPY from stdin");
  EXPECT_EQ(errors[1].severity, "FATAL");
  EXPECT_EQ(errors[1].message, "terminating connection because protocol synchronization was lost");
  EXPECT_TRUE(Column("SELECT a FROM t").empty());
}

// Scenario: a COPY shows in the event stream: copy_start (in, client, STDIN, text), copy_done
// (rows).
TEST_F(CopyTest, Events) {
  auto c = server_->Connect();
  ASSERT_TRUE(c.ok());
  std::istringstream data("1\tx\tt\n2\ty\tf\n");
  auto r = (*c)->CopyIn("COPY t FROM STDIN", data);
  ASSERT_TRUE(r.ok() && r->ok());
  EXPECT_EQ(r->statements.back().tag, "COPY 2");
  std::string text;
  for (int i = 0; i < 200 && text.find("\"copy_done\"") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::stringstream ss;
    ss << std::ifstream(trace_).rdbuf();
    text = ss.str();
  }
  size_t start = text.find("\"type\":\"copy_start\"");
  ASSERT_NE(start, std::string::npos) << text;
  std::string line = text.substr(start, text.find('\n', start) - start);
  EXPECT_NE(line.find("\"direction\":\"in\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"source\":\"client\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"path\":\"STDIN\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"format\":\"text\""), std::string::npos) << line;
  size_t done = text.find("\"type\":\"copy_done\"", start);
  ASSERT_NE(done, std::string::npos);
  EXPECT_NE(text.substr(done, text.find('\n', done) - done).find("\"rows\":2"), std::string::npos);
}

}  // namespace
}  // namespace minipg::testing
