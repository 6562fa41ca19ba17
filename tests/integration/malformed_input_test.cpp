/*-------------------------------------------------------------------------
 * malformed_input_test.cpp
 *   Input a client should not send, sent on purpose with raw protocol
 *   messages: text that is not UTF-8, message bodies that do not decode,
 *   unsupported parameter formats. Each is answered as PostgreSQL 15
 *   answers it (checked against a real server): an ERROR with its SQLSTATE
 *   and message, after which the same session goes on. Nothing here may
 *   kill a backend (a crash would restart the whole server).
 *-------------------------------------------------------------------------
 */
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "engine/protocol/codec.h"
#include "engine/protocol/message_reader.h"
#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

namespace protocol = minipg::protocol;

/* One frontend message: type, length, body. */
std::string Raw(char type, const std::string& body) {
  std::string out(1, type);
  uint32_t len = static_cast<uint32_t>(body.size() + 4);
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((len >> shift) & 0xff));
  return out + body;
}

std::string Sync() {
  return Raw('S', "");
}

/* A session on a raw socket (the client library does the startup). */
class RawSession {
 public:
  explicit RawSession(Server& server) {
    auto c = server.Connect();
    EXPECT_TRUE(c.ok());
    if (c.ok()) conn_ = std::move(*c);
  }
  bool ok() const { return conn_ != nullptr; }
  int pid() const { return conn_->backend_pid(); }

  /* Sends `wire`, then reads up to ReadyForQuery: the ErrorResponses seen
   * (empty when none), or "EOF" if the session ended. */
  std::vector<protocol::ErrorFields> Send(const std::string& wire, std::string* types = nullptr) {
    std::vector<protocol::ErrorFields> errors;
    EXPECT_EQ(send(conn_->fd(), wire.data(), wire.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(wire.size()));
    protocol::MessageReader reader(conn_->fd(), protocol::Peer::kBackend);
    for (;;) {
      auto m = reader.ReadMessage();
      if (!m.ok()) {
        protocol::ErrorFields eof;
        eof.severity = "EOF";
        errors.push_back(eof);
        return errors;
      }
      if (types != nullptr) types->push_back(m->type);
      if (m->type == 'E') errors.push_back(*protocol::DecodeErrorResponse(m->body));
      if (m->type == 'Z') return errors;
    }
  }

  /* True if a plain SELECT 1 still works on this session. */
  bool StillWorks() {
    auto r = conn_->Query("SELECT 1");
    return r.ok() && r->ok() && r->Scalar() == std::optional<std::string>("1");
  }

  client::Connection& conn() { return *conn_; }

 private:
  std::unique_ptr<client::Connection> conn_;
};

std::string Query(const std::string& sql) {
  return Raw('Q', sql + std::string(1, '\0'));
}

std::string Parse(const std::string& name, const std::string& sql) {
  return Raw('P', name + std::string(1, '\0') + sql + std::string(3, '\0'));
}

/* Bind of the unnamed statement with one parameter: its format code, then
 * its length word and bytes exactly as given. */
std::string BindOne(int16_t format, int32_t len, const std::string& bytes) {
  std::string body("\0\0", 2);  // portal "", statement ""
  body += std::string("\0\x01", 2);
  body.push_back(static_cast<char>((format >> 8) & 0xff));
  body.push_back(static_cast<char>(format & 0xff));
  body += std::string("\0\x01", 2);
  for (int shift = 24; shift >= 0; shift -= 8)
    body.push_back(static_cast<char>((len >> shift) & 0xff));
  body += bytes;
  body += std::string("\0\0", 2);  // no result formats
  return Raw('B', body);
}

std::string Describe(char kind, const std::string& name) {
  return Raw('D', std::string(1, kind) + name + std::string(1, '\0'));
}

constexpr const char* kBadUtf8Ff = "invalid byte sequence for encoding \"UTF8\": 0xff";

// Scenario (the crash a review found): a byte that is not UTF-8 in a
// query used to throw from a trace event and abort the backend, which
// restarts the whole server. Now it is ERROR 22021 naming the bytes as
// PostgreSQL does, the same session runs SELECT 1, another session never
// notices, and the server log shows no crash.
TEST(MalformedInputTest, InvalidUtf8IsAnErrorNotACrash) {
  Server server;
  ASSERT_TRUE(server.Start());
  RawSession a(server), other(server);
  ASSERT_TRUE(a.ok() && other.ok());
  int pid = a.pid();
  ASSERT_TRUE(a.StillWorks());
  ASSERT_FALSE(a.conn().Query("CREATE TABLE t (a text)")->error);

  struct Case {
    std::string wire;
    std::string message;
    std::string context;
  };
  std::vector<Case> cases = {
      {Query("SELECT 1 AS \"\xff\""), kBadUtf8Ff, ""},
      {Query("SELECT * FROM t WHERE a = '\xff'"), kBadUtf8Ff, ""},
      // As many bytes as the first one promises, at most what is left.
      {Query("SELECT '\xe2\x28\xa1'"),
       "invalid byte sequence for encoding \"UTF8\": 0xe2 0x28 0xa1", ""},
      {Query("SELECT 'a\xe2\x82"), "invalid byte sequence for encoding \"UTF8\": 0xe2 0x82", ""},
      {Query("SELECT '\xc0\xaf'"), "invalid byte sequence for encoding \"UTF8\": 0xc0 0xaf", ""},
      {Parse("", "SELECT '\xff'") + Sync(), kBadUtf8Ff, ""},
      {Parse("s\xff", "SELECT 1") + Sync(), kBadUtf8Ff, ""},
      {Parse("", "SELECT $1::text") + BindOne(0, 1, "\xff") + Sync(), kBadUtf8Ff,
       "unnamed portal parameter $1"},
      {Describe('S', "\xff") + Sync(), kBadUtf8Ff, ""},
  };
  for (const Case& c : cases) {
    auto errors = a.Send(c.wire);
    ASSERT_EQ(errors.size(), 1u) << c.message;
    EXPECT_EQ(errors[0].severity, "ERROR") << c.message;
    EXPECT_EQ(errors[0].sqlstate, "22021") << c.message;
    EXPECT_EQ(errors[0].message, c.message);
    EXPECT_EQ(errors[0].context, c.context) << c.message;
    EXPECT_TRUE(a.StillWorks()) << "after " << c.message;
  }
  // Valid multi-byte text is fine, in a query and in a parameter.
  auto ok = a.conn().Query("SELECT 'h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x98'");
  ASSERT_TRUE(ok.ok() && ok->ok());
  EXPECT_EQ(ok->Scalar(), std::optional<std::string>("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x98"));
  EXPECT_TRUE(a.Send(Parse("", "SELECT $1::text") + BindOne(0, 2, "\xc3\xa9") + Sync()).empty());

  EXPECT_EQ(a.pid(), pid);
  EXPECT_TRUE(other.StillWorks()) << "other sessions are unaffected";
  auto fresh = server.Connect();
  ASSERT_TRUE(fresh.ok());
  std::string log = server.Log();
  EXPECT_EQ(log.find("terminated by signal"), std::string::npos) << log;
  EXPECT_EQ(log.find("terminating any other active server processes"), std::string::npos) << log;
}

// Scenario: COPY FROM data (STDIN or a server-side file) that is not UTF-8
// is ERROR 22021 with "COPY t, line N"; the session goes on and nothing
// was copied.
TEST(MalformedInputTest, InvalidUtf8InCopyData) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto c = server.Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_FALSE((*c)->Query("CREATE TABLE t (a text)")->error);
  bool sent = false;
  auto r = (*c)->Query(
      "COPY t FROM STDIN",
      [&]() -> Result<std::optional<std::string>> {
        if (sent) return std::optional<std::string>();
        sent = true;
        return std::optional<std::string>(std::string("ok\nb\xffx\n"));
      },
      nullptr);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->error.has_value());
  EXPECT_EQ(r->error->sqlstate, "22021");
  EXPECT_EQ(r->error->message, kBadUtf8Ff);
  EXPECT_EQ(r->error->context, "COPY t, line 2");
  // CopyFail's message is text too; and a CopyFail without its string is
  // an ERROR, not the end of the session.
  for (const auto& [body, want] : std::vector<std::pair<std::string, std::string>>{
           {std::string("why \xff\0", 6), "22021 " + std::string(kBadUtf8Ff)},
           {"why", "08P01 invalid string in message"}}) {
    auto& conn = **c;
    std::string wire;
    protocol::EncodeQuery(wire, "COPY t FROM STDIN");
    wire += Raw('d', "ok\n") + Raw('f', body);
    ASSERT_EQ(send(conn.fd(), wire.data(), wire.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(wire.size()));
    protocol::MessageReader reader(conn.fd(), protocol::Peer::kBackend);
    std::string got;
    for (;;) {
      auto m = reader.ReadMessage();
      ASSERT_TRUE(m.ok()) << "the session must go on after " << want;
      if (m->type == 'E') {
        auto e = protocol::DecodeErrorResponse(m->body);
        got = e->severity + " " + e->sqlstate + " " + e->message + " / " + e->context;
      }
      if (m->type == 'Z') break;
    }
    EXPECT_EQ(got, "ERROR " + want + " / COPY t, line 2");
  }
  // The same for a server-side file.
  std::string path = (server.data_dir() / "bad_copy.txt").string();
  {
    std::ofstream out(path, std::ios::binary);
    out << "ok\nb\xffx\n";
  }
  auto file = (*c)->Query("COPY t FROM '" + path + "'");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(file->error.has_value());
  EXPECT_EQ(file->error->sqlstate, "22021");
  EXPECT_EQ(file->error->message, kBadUtf8Ff);
  EXPECT_EQ(file->error->context, "COPY t, line 2");
  auto rows = (*c)->Query("SELECT a FROM t");
  ASSERT_TRUE(rows.ok() && rows->ok());
  EXPECT_EQ(rows->statements.back().tag, "SELECT 0");
}

// Scenario: a message whose framing is intact but whose body does not
// decode is ERROR 08P01 with PostgreSQL's words (in the extended protocol
// the rest up to Sync is skipped), and the session goes on; only framing
// errors (a bad length word) end it.
TEST(MalformedInputTest, BadMessageBodiesAreErrors) {
  Server server;
  ASSERT_TRUE(server.Start());
  RawSession a(server);
  ASSERT_TRUE(a.ok());
  int pid = a.pid();
  struct Case {
    std::string wire;
    std::string message;
    std::string context;
  };
  std::vector<Case> cases = {
      {Parse("", "SELECT $1::text") + BindOne(0, -2, "") + Sync(),
       "insufficient data left in message", "unnamed portal parameter $1"},
      {Parse("", "SELECT $1::text") + BindOne(0, 100, "abc") + Sync(),
       "insufficient data left in message", "unnamed portal parameter $1"},
      {Describe('X', "foo") + Sync(), "invalid DESCRIBE message subtype 88", ""},
      {Raw('C', std::string("Xfoo\0", 5)) + Sync(), "invalid CLOSE message subtype 88", ""},
      {Raw('Q', std::string("SELECT 1\0xx", 11)), "invalid message format", ""},
      {Raw('P', std::string("\0SELECT 1\0\0\0zz", 15)) + Sync(), "invalid message format", ""},
      {Raw('P', "abc") + Sync(), "invalid string in message", ""},
      {Raw('E', std::string("\0\0\0", 3)) + Sync(), "insufficient data left in message", ""},
  };
  for (const Case& c : cases) {
    std::string types;
    auto errors = a.Send(c.wire, &types);
    ASSERT_EQ(errors.size(), 1u) << c.message;
    EXPECT_EQ(errors[0].severity, "ERROR") << c.message;
    EXPECT_EQ(errors[0].sqlstate, "08P01") << c.message;
    EXPECT_EQ(errors[0].message, c.message);
    EXPECT_EQ(errors[0].context, c.context) << c.message;
    EXPECT_EQ(types.back(), 'Z') << c.message;
    EXPECT_TRUE(a.StillWorks()) << "after " << c.message;
  }
  // After an error in the extended protocol everything up to Sync is
  // skipped: the Execute after the bad Describe sends nothing.
  std::string types;
  auto errors = a.Send(Parse("", "SELECT 1") + Describe('X', "") + Raw('B', std::string(8, '\0')) +
                           Raw('E', std::string(5, '\0')) + Sync(),
                       &types);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(types, "1EZ") << "ParseComplete, the error, ReadyForQuery";
  // Inside a transaction block the error aborts the block, as any ERROR does.
  ASSERT_FALSE(a.conn().Query("BEGIN")->error);
  a.Send(Raw('Q', std::string("SELECT 1\0xx", 11)));
  auto in_failed = a.conn().Query("SELECT 1");
  ASSERT_TRUE(in_failed.ok() && in_failed->error);
  EXPECT_EQ(in_failed->error->sqlstate, "25P02");
  ASSERT_FALSE(a.conn().Query("ROLLBACK")->error);
  EXPECT_TRUE(a.StillWorks());
  EXPECT_EQ(a.pid(), pid);
}

// Scenario: a parameter format code other than 0 (text) or 1 (binary) is
// 22023 invalid_parameter_value, as in PostgreSQL, not a protocol error.
// Errors in a parameter carry PostgreSQL's CONTEXT naming it.
TEST(MalformedInputTest, UnsupportedParameterFormatCode) {
  Server server;
  ASSERT_TRUE(server.Start());
  RawSession a(server);
  ASSERT_TRUE(a.ok());
  auto errors = a.Send(Parse("", "SELECT $1::text") + BindOne(2, 1, "a") + Sync());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].severity, "ERROR");
  EXPECT_EQ(errors[0].sqlstate, "22023");
  EXPECT_EQ(errors[0].message, "unsupported format code: 2");
  EXPECT_EQ(errors[0].context, "unnamed portal parameter $1");
  EXPECT_TRUE(a.StillWorks());
  // A text value that was read but does not parse: PostgreSQL's context
  // names the value, cut to log_parameter_max_length_on_error (0) bytes.
  errors = a.Send(Parse("", "SELECT $1::int") + BindOne(0, 3, "abc") + Sync());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].sqlstate, "22P02");
  EXPECT_EQ(errors[0].context, "unnamed portal parameter $1 = '...'");
  EXPECT_TRUE(a.StillWorks());
}

// Scenario: PostgreSQL does not check startup parameters for UTF-8, but
// keeps application_name printable ASCII (pg_clean_ascii): any other byte,
// from the startup packet or from SET, becomes '?'. So a name that is not
// UTF-8 can never reach a client through SHOW or ParameterStatus.
TEST(MalformedInputTest, ApplicationNameIsCleanedToAscii) {
  Server server;
  ASSERT_TRUE(server.Start());
  client::ConnectOptions options = server.Options();
  options.application_name =
      "ab\xff"
      "c\td";
  auto c = client::Connection::Connect(options);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ((*c)->parameters().at("application_name"), "ab?c?d");
  auto show = (*c)->Query("SHOW application_name");
  ASSERT_TRUE(show.ok() && show->ok());
  EXPECT_EQ(show->Scalar(), std::optional<std::string>("ab?c?d"));
  ASSERT_TRUE((*c)->Query("SET application_name = 'caf\xc3\xa9'")->ok());
  show = (*c)->Query("SHOW application_name");
  ASSERT_TRUE(show.ok() && show->ok());
  EXPECT_EQ(show->Scalar(), std::optional<std::string>("caf??"));
}

}  // namespace
}  // namespace minipg::testing
