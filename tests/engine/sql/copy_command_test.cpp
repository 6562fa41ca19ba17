/*
 * copy_command_test.cpp
 *   COPY run by a Session: server-side files (round trip, missing file,
 *   relative paths, column lists) and STDIN/STDOUT through an in-memory
 *   CopyChannel standing in for the client.
 */
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "engine/sql/copy_channel.h"
#include "tests/engine/sql/sql_test_util.h"

namespace minipg::sql {
namespace {

/* A client in memory: copy-in data is given in chunks, copy-out collected. */
class MemoryChannel : public CopyChannel {
 public:
  Status BeginOut(int columns) override {
    out_columns = columns;
    return OkStatus();
  }
  Status Send(std::string_view data) override {
    out += data;
    ++sends;
    return OkStatus();
  }
  Status EndOut() override {
    ended = true;
    return OkStatus();
  }
  Status BeginIn(int columns) override {
    in_columns = columns;
    return OkStatus();
  }
  Result<std::optional<std::string>> Receive() override {
    if (next < chunks.size()) return std::optional<std::string>(chunks[next++]);
    if (fail) return MakeError("57014", "COPY from stdin failed: " + *fail);
    return std::optional<std::string>();
  }

  std::vector<std::string> chunks;
  size_t next = 0;
  std::optional<std::string> fail;
  std::string out;
  int sends = 0, out_columns = -1, in_columns = -1;
  bool ended = false;
};

class ChannelSink : public CollectSink {
 public:
  CopyChannel* Copy() override { return &channel; }
  MemoryChannel channel;
};

class CopyCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(f_.RunSql("CREATE TABLE t (a int, b text, c boolean)").error);
    ASSERT_FALSE(
        f_.RunSql("INSERT INTO t VALUES (1, 'x', true), (2, 'tab\there', NULL), (3, '', false)")
            .error);
  }
  Result<StatementResult> Run(const std::string& sql, ChannelSink& sink) {
    auto stmts = f_.session().Parse(sql);
    if (!stmts.ok()) return stmts.error();
    return f_.session().Execute(*stmts->at(0), sink);
  }
  std::string Slurp(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  SqlFixture f_;
};

// Scenario: COPY TO a server file then FROM it doubles the table, byte for byte the same rows.
TEST_F(CopyCommandTest, ServerFileRoundTrip) {
  std::string path = (f_.dir() / "t.csv").string();
  auto r = f_.RunSql("COPY t TO '" + path + "' WITH (FORMAT csv, HEADER)");
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.result.command_tag, "COPY 3");
  EXPECT_EQ(Slurp(path), "a,b,c\n1,x,t\n2,tab\there,\n3,\"\",f\n");
  r = f_.RunSql("COPY t FROM '" + path + "' CSV HEADER");
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.result.command_tag, "COPY 3");
  r = f_.RunSql("SELECT a, b, c FROM t WHERE a = 2");
  ASSERT_EQ(r.sink.rows_.size(), 2u);
  EXPECT_EQ(r.sink.rows_[1],
            (std::vector<std::optional<std::string>>{"2", "tab\there", std::nullopt}));
  r = f_.RunSql("SELECT b FROM t WHERE a = 3");
  ASSERT_EQ(r.sink.rows_.size(), 2u);
  EXPECT_EQ(r.sink.rows_[1][0],
            std::optional<std::string>(""));  // "" stays an empty string, not NULL
}

// Scenario: a relative path for FROM is in the data directory; TO refuses one, as PostgreSQL does.
TEST_F(CopyCommandTest, RelativePaths) {
  {
    std::ofstream out(f_.dir() / "in.txt");
    out << "7\tseven\tt\n";
  }
  auto r = f_.RunSql("COPY t FROM 'in.txt'");
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.result.command_tag, "COPY 1");
  r = f_.RunSql("COPY t TO 'out.txt'");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->sqlstate, "42602");
  EXPECT_EQ(r.error->message, "relative path not allowed for COPY to file");
}

// Scenario: a file the server cannot see is 58P01 with PostgreSQL's hint about \copy.
TEST_F(CopyCommandTest, MissingFile) {
  auto r = f_.RunSql("COPY t FROM '/only/on/the/client.csv' CSV");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->sqlstate, "58P01");
  EXPECT_EQ(
      r.error->message,
      "could not open file \"/only/on/the/client.csv\" for reading: No such file or directory");
  EXPECT_NE(r.error->hint.find("psql's \\copy"), std::string::npos);
  r = f_.RunSql("COPY t TO '/no/such/dir/x.csv'");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->sqlstate, "58P01");
  EXPECT_EQ(r.error->message,
            "could not open file \"/no/such/dir/x.csv\" for writing: No such file or directory");
}

// Scenario: column lists: named columns in that order, the others NULL; unknown or repeated ones
// fail.
TEST_F(CopyCommandTest, ColumnLists) {
  std::string path = (f_.dir() / "cols.txt").string();
  auto r = f_.RunSql("COPY t (c, a) TO '" + path + "'");
  ASSERT_FALSE(r.error);
  EXPECT_EQ(Slurp(path), "t\t1\n\\N\t2\nf\t3\n");
  r = f_.RunSql("COPY t (c, a) FROM '" + path + "'");
  ASSERT_FALSE(r.error) << r.error->message;
  r = f_.RunSql("SELECT a, b FROM t WHERE a = 1 AND b IS NULL");
  EXPECT_EQ(r.sink.rows_.size(), 1u);
  r = f_.RunSql("COPY t (nope) TO STDOUT");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->message, "column \"nope\" of relation \"t\" does not exist");
  r = f_.RunSql("COPY t (a, a) FROM STDIN");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->sqlstate, "42701");
  r = f_.RunSql("COPY nope FROM STDIN");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->sqlstate, "42P01");
}

// Scenario: COPY TO STDOUT sends one chunk per row in text format; COPY (SELECT) TO works too.
TEST_F(CopyCommandTest, ToStdout) {
  ChannelSink sink;
  auto r = Run("COPY t TO STDOUT", sink);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->command_tag, "COPY 3");
  EXPECT_EQ(sink.channel.out, "1\tx\tt\n2\ttab\\there\t\\N\n3\t\tf\n");
  EXPECT_EQ(sink.channel.sends, 3);
  EXPECT_EQ(sink.channel.out_columns, 3);
  EXPECT_TRUE(sink.channel.ended);
  ChannelSink q;
  r =
      Run("COPY (SELECT a * 10 AS x, b FROM t WHERE a > 1 ORDER BY a DESC) TO STDOUT (FORMAT csv, "
          "HEADER true)",
          q);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->command_tag, "COPY 2");
  EXPECT_EQ(q.channel.out, "x,b\n30,\"\"\n20,tab\there\n");
}

// Scenario: COPY FROM STDIN takes data cut anywhere, up to "\.", and stores it.
TEST_F(CopyCommandTest, FromStdin) {
  ChannelSink sink;
  sink.channel.chunks = {"10\tsp", "lit\tt\n11\t\\N", "\tf\n\\.\n", "ignored\n"};
  auto r = Run("COPY t FROM STDIN", sink);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->command_tag, "COPY 2");
  EXPECT_EQ(sink.channel.in_columns, 3);
  auto rows = f_.RunSql("SELECT b FROM t WHERE a >= 10 ORDER BY a");
  ASSERT_EQ(rows.sink.rows_.size(), 2u);
  EXPECT_EQ(rows.sink.rows_[0][0], std::optional<std::string>("split"));
  EXPECT_EQ(rows.sink.rows_[1][0], std::nullopt);
}

// Scenario: bad data fails with PostgreSQL's error and CONTEXT, and stores none of the COPY's rows.
TEST_F(CopyCommandTest, BadRowStoresNothing) {
  struct Case {
    std::string data, sqlstate, message, context;
  };
  for (const Case& c : std::vector<Case>{
           {"20\tok\tt\n21\tok\tt\nabc\tx\tt\n", "22P02",
            "invalid input syntax for type integer: \"abc\"", "COPY t, line 3, column a: \"abc\""},
           {"20\tok\tt\n21\tshort\n", "22P04", "missing data for column \"c\"",
            "COPY t, line 2: \"21\tshort\""},
           {"20\tok\tt\textra\n", "22P04", "extra data after last expected column",
            "COPY t, line 1: \"20\tok\tt\textra\""},
       }) {
    ChannelSink sink;
    sink.channel.chunks = {c.data};
    auto r = Run("COPY t FROM STDIN", sink);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().sqlstate, c.sqlstate);
    EXPECT_EQ(r.error().message, c.message);
    EXPECT_EQ(r.error().context, c.context);
    auto rows = f_.RunSql("SELECT a FROM t WHERE a >= 20");
    EXPECT_TRUE(rows.sink.rows_.empty()) << "rows of a failed COPY were stored";
  }
}

// Scenario: the client's CopyFail ends the COPY with 57014 and the line it had reached.
TEST_F(CopyCommandTest, CopyFail) {
  ChannelSink sink;
  sink.channel.chunks = {"30\tz\tt\n"};
  sink.channel.fail = "client gave up";
  auto r = Run("COPY t FROM STDIN", sink);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().sqlstate, "57014");
  EXPECT_EQ(r.error().message, "COPY from stdin failed: client gave up");
  EXPECT_EQ(r.error().context, "COPY t, line 2");
  EXPECT_TRUE(f_.RunSql("SELECT a FROM t WHERE a = 30").sink.rows_.empty());
}

// Scenario: without a client (no channel), STDIN/STDOUT COPY says so instead of hanging.
TEST_F(CopyCommandTest, NoClient) {
  auto r = f_.RunSql("COPY t TO STDOUT");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->sqlstate, "0A000");
}

// Scenario: the parser takes both option syntaxes, and shows COPY in the parse tree.
TEST_F(CopyCommandTest, Syntax) {
  auto stmts =
      f_.session().Parse("COPY t (a) FROM STDIN WITH CSV HEADER DELIMITER AS ';' NULL 'x'");
  ASSERT_TRUE(stmts.ok()) << stmts.error().message;
  EXPECT_EQ(GetStatementKind(*stmts->at(0)), StatementKind::kCopy);
  auto bad = f_.RunSql("COPY (SELECT 1) FROM STDIN");
  ASSERT_TRUE(bad.error);
  EXPECT_EQ(bad.error->sqlstate, "42601");
  bad = f_.RunSql("COPY t TO PROGRAM 'cat'");
  ASSERT_TRUE(bad.error);
  EXPECT_EQ(bad.error->sqlstate, "0A000");
  bad = f_.RunSql("COPY t TO STDOUT (FORMAT binary)");
  ASSERT_TRUE(bad.error);
  EXPECT_EQ(bad.error->sqlstate, "0A000");
}

}  // namespace
}  // namespace minipg::sql
