/*
 * hba_test.cpp
 *   pg_hba.conf parsing (good lines, each error with its line number) and
 *   matching (first match wins; CIDR and netmask matching for IPv4 and IPv6).
 */
#include "engine/auth/hba.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

namespace minipg::auth {
namespace {

HbaRequest Host(const std::string& ip, const std::string& db, const std::string& user) {
  HbaRequest r;
  EXPECT_TRUE(ParseIpAddress(ip, r.address)) << ip;
  r.database = db;
  r.user = user;
  return r;
}

HbaRequest Local(const std::string& db, const std::string& user) {
  HbaRequest r;
  r.local = true;
  r.database = db;
  r.user = user;
  return r;
}

// Scenario: every supported line shape parses, comments and blank lines are skipped.
TEST(HbaTest, ParsesGoodLines) {
  HbaFile f = ParseHba(
      "# a comment\n"
      "\n"
      "local   all  all                     trust   # trailing comment\n"
      "host    shop alice,bob 10.0.0.0/8     md5\n"
      "host    all  all  192.168.1.0 255.255.255.0 password\n"
      "hostnossl sameuser all ::1/128       scram-sha-256\n"
      "hostssl all  all  0.0.0.0/0          reject\n"
      "host    \"all\" all all                trust\n");
  ASSERT_TRUE(f.errors.empty()) << f.errors[0].message;
  ASSERT_EQ(f.lines.size(), 6u);
  EXPECT_EQ(f.lines[0].line_number, 3);
  EXPECT_EQ(f.lines[0].conn_type, HbaConnType::kLocal);
  EXPECT_EQ(f.lines[1].method, AuthMethod::kMd5);
  ASSERT_EQ(f.lines[1].users.size(), 2u);
  EXPECT_EQ(f.lines[1].users[1].text, "bob");
  EXPECT_EQ(f.lines[2].method, AuthMethod::kPassword);
  EXPECT_EQ(f.lines[3].conn_type, HbaConnType::kHostNoSsl);
  EXPECT_EQ(f.lines[3].address.family, AF_INET6);
  EXPECT_EQ(f.lines[3].method, AuthMethod::kScramSha256);
  EXPECT_EQ(f.lines[4].method, AuthMethod::kReject);
  EXPECT_TRUE(f.lines[5].databases[0].quoted);
  ASSERT_EQ(f.warnings.size(), 1u) << "hostssl can never match without SSL";
  EXPECT_EQ(f.warnings[0].line_number, 7);
}

// Scenario: each kind of mistake is an error naming its line, with PostgreSQL's wording.
TEST(HbaTest, ErrorsNameTheirLine) {
  struct Case {
    const char* line;
    const char* message;
  } cases[] = {
      {"hots all all 127.0.0.1/32 trust", "invalid connection type \"hots\""},
      {"local", "end-of-line before database specification"},
      {"local all", "end-of-line before role specification"},
      {"local all all", "end-of-line before authentication method"},
      {"host all all", "end-of-line before IP address specification"},
      {"host all all 127.0.0.1/33 trust", "invalid CIDR mask in address \"127.0.0.1/33\""},
      {"host all all 127.0.0.1", "end-of-line before netmask specification"},
      {"host all all 127.0.0.1 ::1 trust", "IP address and mask do not match"},
      {"host all all 300.0.0.1/32 trust",
       "invalid IP address \"300.0.0.1\": host names are not supported by minipg"},
      {"local all all bogus", "invalid authentication method \"bogus\""},
      {"local all all peer", "authentication method \"peer\" is not supported by minipg"},
      {"local all all trust extra=1", "unrecognized authentication option name: \"extra=1\""},
      {"local all +admins trust",
       "group and file references (\"+admins\") are not supported by minipg"},
  };
  for (const Case& c : cases) {
    HbaFile f = ParseHba(std::string("local all all trust\n# comment\n") + c.line + "\n");
    ASSERT_EQ(f.errors.size(), 1u) << c.line;
    EXPECT_EQ(f.errors[0].line_number, 3) << c.line;
    EXPECT_EQ(f.errors[0].message, c.message) << c.line;
    EXPECT_EQ(f.lines.size(), 1u) << "the good line still parses";
  }
}

// Scenario: the first line that matches decides; local and host lines only match their transport.
TEST(HbaTest, FirstMatchWins) {
  HbaFile f = ParseHba(
      "local all  all                 trust\n"
      "host  shop alice 127.0.0.1/32  scram-sha-256\n"
      "host  all  rej   127.0.0.0/8   reject\n"
      "host  sameuser all 127.0.0.1/32 md5\n"
      "host  all  all   127.0.0.1/32  password\n");
  ASSERT_TRUE(f.errors.empty());
  EXPECT_EQ(MatchHba(f.lines, Local("shop", "alice"))->line_number, 1);
  EXPECT_EQ(MatchHba(f.lines, Host("127.0.0.1", "shop", "alice"))->method,
            AuthMethod::kScramSha256);
  EXPECT_EQ(MatchHba(f.lines, Host("127.0.0.1", "other", "alice"))->method, AuthMethod::kPassword);
  EXPECT_EQ(MatchHba(f.lines, Host("127.0.0.1", "shop", "rej"))->method, AuthMethod::kReject);
  EXPECT_EQ(MatchHba(f.lines, Host("127.0.0.1", "bob", "bob"))->method, AuthMethod::kMd5)
      << "sameuser";
  EXPECT_EQ(MatchHba(f.lines, Host("10.1.1.1", "shop", "alice")), nullptr)
      << "no line for that address";
}

// Scenario: CIDR and netmask matching for IPv4 and IPv6, and "all" addresses.
TEST(HbaTest, AddressMatching) {
  HbaFile f = ParseHba(
      "host all a 192.168.0.0/16 trust\n"
      "host all b 10.1.2.0 255.255.255.0 trust\n"
      "host all c fe80::/10 trust\n"
      "host all d ::1/128 trust\n"
      "host all e all trust\n"
      "hostssl all f all trust\n");
  ASSERT_TRUE(f.errors.empty());
  EXPECT_NE(MatchHba(f.lines, Host("192.168.200.7", "x", "a")), nullptr);
  EXPECT_EQ(MatchHba(f.lines, Host("192.169.0.1", "x", "a")), nullptr);
  EXPECT_NE(MatchHba(f.lines, Host("10.1.2.255", "x", "b")), nullptr);
  EXPECT_EQ(MatchHba(f.lines, Host("10.1.3.1", "x", "b")), nullptr);
  EXPECT_NE(MatchHba(f.lines, Host("fe80::1234", "x", "c")), nullptr);
  EXPECT_EQ(MatchHba(f.lines, Host("fec0::1", "x", "c")), nullptr);
  EXPECT_NE(MatchHba(f.lines, Host("::1", "x", "d")), nullptr);
  EXPECT_EQ(MatchHba(f.lines, Host("::2", "x", "d")), nullptr);
  EXPECT_EQ(MatchHba(f.lines, Host("127.0.0.1", "x", "d")), nullptr)
      << "IPv4 never matches an IPv6 line";
  EXPECT_NE(MatchHba(f.lines, Host("8.8.8.8", "x", "e")), nullptr);
  EXPECT_EQ(MatchHba(f.lines, Host("8.8.8.8", "x", "f")), nullptr) << "hostssl never matches";
}

// Scenario: the file a new data directory gets trusts local and loopback connections only.
TEST(HbaTest, DefaultFileTrustsLoopback) {
  HbaFile f = ParseHba(DefaultHbaFile());
  ASSERT_TRUE(f.errors.empty());
  EXPECT_EQ(MatchHba(f.lines, Local("postgres", "anyone"))->method, AuthMethod::kTrust);
  EXPECT_EQ(MatchHba(f.lines, Host("127.0.0.1", "postgres", "anyone"))->method, AuthMethod::kTrust);
  EXPECT_EQ(MatchHba(f.lines, Host("::1", "postgres", "anyone"))->method, AuthMethod::kTrust);
  EXPECT_EQ(MatchHba(f.lines, Host("192.0.2.1", "postgres", "anyone")), nullptr);
}

}  // namespace
}  // namespace minipg::auth
