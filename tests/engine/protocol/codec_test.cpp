/*
 * codec_test.cpp
 *   The protocol codec on its own: every message both ways, and malformed
 *   bodies rejected with 08P01 instead of crashing or over-allocating.
 */
#include "engine/protocol/codec.h"

#include <gtest/gtest.h>

namespace minipg::protocol {
namespace {

/* Splits one framed message into type and body, checking the length word. */
std::pair<char, std::string> Unframe(const std::string& wire) {
  EXPECT_GE(wire.size(), 5u);
  uint32_t len = (uint32_t(uint8_t(wire[1])) << 24) | (uint32_t(uint8_t(wire[2])) << 16) |
                 (uint32_t(uint8_t(wire[3])) << 8) | uint8_t(wire[4]);
  EXPECT_EQ(len + 1, wire.size()) << "length word must count itself and the body";
  return {wire[0], wire.substr(5)};
}

// Scenario: a StartupMessage we encode decodes to the same parameters.
TEST(CodecTest, StartupMessageRoundTrip) {
  StartupMessage m;
  m.params = {{"user", "alice"}, {"database", "shop"}, {"application_name", "psql"}};
  std::string wire;
  EncodeStartupMessage(wire, m);
  auto decoded = DecodeStartupPacket(wire.substr(4));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  const auto& got = std::get<StartupMessage>(*decoded);
  EXPECT_EQ(got.protocol, kProtocolVersion3);
  EXPECT_EQ(got.Get("user"), "alice");
  EXPECT_EQ(got.Get("database"), "shop");
  EXPECT_EQ(got.Get("application_name"), "psql");
  EXPECT_EQ(got.Get("options"), "");
}

// Scenario: the special startup codes are told apart.
TEST(CodecTest, CancelSslAndGssRequests) {
  std::string wire;
  EncodeCancelRequest(wire, 4242, -17);
  auto c = DecodeStartupPacket(wire.substr(4));
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(std::holds_alternative<CancelRequest>(*c));
  EXPECT_EQ(std::get<CancelRequest>(*c).pid, 4242);
  EXPECT_EQ(std::get<CancelRequest>(*c).key, -17);

  wire.clear();
  EncodeSslRequest(wire);
  EXPECT_EQ(wire.size(), 8u);
  auto s = DecodeStartupPacket(wire.substr(4));
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(std::holds_alternative<SslRequest>(*s));

  std::string gss = {0x04, (char)0xd2, 0x16, 0x30};  // 80877104
  auto g = DecodeStartupPacket(gss);
  ASSERT_TRUE(g.ok());
  EXPECT_TRUE(std::holds_alternative<GssEncRequest>(*g));
}

// Scenario: a protocol version other than 3 is refused with 0A000, as PostgreSQL does.
TEST(CodecTest, UnsupportedProtocolVersion) {
  std::string body = {0x00, 0x02, 0x00, 0x00, 0x00};
  auto r = DecodeStartupPacket(body);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().sqlstate, "0A000");
  EXPECT_NE(r.error().message.find("unsupported frontend protocol 2.0"), std::string::npos);
}

// Scenario: a startup packet whose parameter list is not terminated is rejected.
TEST(CodecTest, UnterminatedStartupPacket) {
  std::string body = {0x00, 0x03, 0x00, 0x00, 'u', 's', 'e', 'r'};
  auto r = DecodeStartupPacket(body);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().sqlstate, "08P01");
}

// Scenario: RowDescription, DataRow (with NULL) and CommandComplete round-trip.
TEST(CodecTest, QueryResultMessagesRoundTrip) {
  std::vector<FieldDescription> fields(2);
  fields[0].name = "id";
  fields[0].type_oid = 23;
  fields[0].type_len = 4;
  fields[1].name = "?column?";
  std::string wire;
  EncodeRowDescription(wire, fields);
  auto [t1, b1] = Unframe(wire);
  EXPECT_EQ(t1, 'T');
  auto f = DecodeRowDescription(b1);
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->size(), 2u);
  EXPECT_EQ((*f)[0].name, "id");
  EXPECT_EQ((*f)[0].type_oid, 23);
  EXPECT_EQ((*f)[0].type_len, 4);
  EXPECT_EQ((*f)[1].name, "?column?");

  wire.clear();
  EncodeDataRow(wire, {std::string("42"), std::nullopt, std::string("")});
  auto [t2, b2] = Unframe(wire);
  EXPECT_EQ(t2, 'D');
  auto row = DecodeDataRow(b2);
  ASSERT_TRUE(row.ok());
  ASSERT_EQ(row->size(), 3u);
  EXPECT_EQ((*row)[0], "42");
  EXPECT_FALSE((*row)[1].has_value());
  EXPECT_EQ((*row)[2], "");

  wire.clear();
  EncodeCommandComplete(wire, "SELECT 1");
  auto [t3, b3] = Unframe(wire);
  EXPECT_EQ(t3, 'C');
  EXPECT_EQ(*DecodeCommandComplete(b3), "SELECT 1");
}

// Scenario: an ErrorResponse carries severity, SQLSTATE, message and position.
TEST(CodecTest, ErrorResponseRoundTrip) {
  Error e = MakeError("42P01", "relation \"nope\" does not exist");
  e.position = 15;
  e.hint = "check the name";
  std::string wire;
  EncodeErrorResponse(wire, ErrorFields::From(e));
  auto [t, b] = Unframe(wire);
  EXPECT_EQ(t, 'E');
  auto got = DecodeErrorResponse(b);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->severity, "ERROR");
  EXPECT_EQ(got->sqlstate, "42P01");
  EXPECT_EQ(got->message, "relation \"nope\" does not exist");
  EXPECT_EQ(got->position, 15);
  EXPECT_EQ(got->hint, "check the name");
}

// Scenario: small fixed messages have the exact bytes PostgreSQL sends.
TEST(CodecTest, FixedMessagesExactBytes) {
  std::string wire;
  EncodeAuthenticationOk(wire);
  EXPECT_EQ(wire, std::string("R\0\0\0\x08\0\0\0\0", 9));
  wire.clear();
  EncodeReadyForQuery(wire, 'I');
  EXPECT_EQ(wire, std::string("Z\0\0\0\x05I", 6));
  wire.clear();
  EncodeBackendKeyData(wire, 1, 2);
  EXPECT_EQ(wire, std::string("K\0\0\0\x0c\0\0\0\x01\0\0\0\x02", 13));
  wire.clear();
  EncodeTerminate(wire);
  EXPECT_EQ(wire, std::string("X\0\0\0\x04", 5));
  wire.clear();
  EncodeEmptyQueryResponse(wire);
  EXPECT_EQ(wire, std::string("I\0\0\0\x04", 5));
}

// Scenario: garbage counts never make the decoder allocate what they claim.
TEST(CodecTest, HostileCountsRejected) {
  // DataRow claiming 32767 columns in 2 bytes.
  std::string body = {0x7f, (char)0xff};
  auto r = DecodeDataRow(body);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().sqlstate, "08P01");
  // A value length larger than the body.
  std::string body2 = {0x00, 0x01, 0x7f, (char)0xff, (char)0xff, (char)0xff, 'x'};
  EXPECT_FALSE(DecodeDataRow(body2).ok());
  // A negative length other than -1.
  std::string body3 = {0x00, 0x01, (char)0xff, (char)0xff, (char)0xff, (char)0xfe};
  EXPECT_FALSE(DecodeDataRow(body3).ok());
  // RowDescription claiming 1000 fields.
  std::string body4 = {0x03, (char)0xe8, 'a', 0};
  EXPECT_FALSE(DecodeRowDescription(body4).ok());
  // ReadyForQuery with an invalid status.
  EXPECT_FALSE(DecodeReadyForQuery("Q").ok());
  EXPECT_FALSE(DecodeReadyForQuery("").ok());
}

// Scenario: a Query body must be one NUL-terminated string.
TEST(CodecTest, QueryBody) {
  std::string wire;
  EncodeQuery(wire, "SELECT 1; SELECT 2");
  auto [t, b] = Unframe(wire);
  EXPECT_EQ(t, 'Q');
  EXPECT_EQ(*DecodeQuery(b), "SELECT 1; SELECT 2");
  EXPECT_FALSE(DecodeQuery("no terminator").ok());
  EXPECT_FALSE(DecodeQuery(std::string("a\0b\0", 4)).ok());
}

// Scenario: message type tables and limits.
TEST(CodecTest, TypeTablesAndLimits) {
  EXPECT_TRUE(IsFrontendMessageType('Q'));
  EXPECT_TRUE(IsFrontendMessageType('X'));
  EXPECT_FALSE(IsFrontendMessageType('Z'));
  EXPECT_FALSE(IsFrontendMessageType('\0'));
  EXPECT_TRUE(IsBackendMessageType('Z'));
  EXPECT_FALSE(IsBackendMessageType('Q'));
  EXPECT_EQ(MaxFrontendMessageLength('Q'), kMaxMessageLength);
  EXPECT_EQ(MaxFrontendMessageLength('X'), kMaxSmallMessageLength);
}

// Scenario: the extended protocol's frontend messages round-trip through
// their encoders and decoders, NULL parameters and format codes included.
TEST(CodecTest, ExtendedFrontendMessagesRoundTrip) {
  std::string wire;
  EncodeParse(wire, ParseMessage{"s1", "SELECT $1", {23, 0}});
  auto [type, body] = Unframe(wire);
  EXPECT_EQ(type, 'P');
  auto parse = DecodeParse(body);
  ASSERT_TRUE(parse.ok());
  EXPECT_EQ(parse->name, "s1");
  EXPECT_EQ(parse->query, "SELECT $1");
  EXPECT_EQ(parse->param_types, (std::vector<uint32_t>{23, 0}));

  wire.clear();
  BindMessage bind{"p1", "s1", {1}, {std::string("\0\0\0\x05", 4), std::nullopt}, {0, 1}};
  EncodeBind(wire, bind);
  auto [btype, bbody] = Unframe(wire);
  EXPECT_EQ(btype, 'B');
  auto b = DecodeBind(bbody);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->portal, "p1");
  EXPECT_EQ(b->statement, "s1");
  EXPECT_EQ(b->param_formats, std::vector<int16_t>{1});
  ASSERT_EQ(b->params.size(), 2u);
  EXPECT_EQ(b->params[0], std::string("\0\0\0\x05", 4));
  EXPECT_EQ(b->params[1], std::nullopt);
  EXPECT_EQ(b->result_formats, (std::vector<int16_t>{0, 1}));

  wire.clear();
  EncodeDescribe(wire, kTargetPortal, "p1");
  auto [dtype, dbody] = Unframe(wire);
  EXPECT_EQ(dtype, 'D');
  auto d = DecodeDescribe(dbody);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->kind, 'P');
  EXPECT_EQ(d->name, "p1");

  wire.clear();
  EncodeClose(wire, kTargetStatement, "s1");
  auto [ctype, cbody] = Unframe(wire);
  EXPECT_EQ(ctype, 'C');
  EXPECT_EQ(DecodeDescribe(cbody)->kind, 'S');

  wire.clear();
  EncodeExecute(wire, "p1", 10);
  auto [etype, ebody] = Unframe(wire);
  EXPECT_EQ(etype, 'E');
  auto e = DecodeExecute(ebody);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->portal, "p1");
  EXPECT_EQ(e->max_rows, 10);

  wire.clear();
  EncodeSync(wire);
  EncodeFlush(wire);
  EXPECT_EQ(wire, std::string("S\0\0\0\x04H\0\0\0\x04", 10));
}

// Scenario: the extended protocol's backend messages have PostgreSQL's bytes.
TEST(CodecTest, ExtendedBackendMessages) {
  std::string wire;
  EncodeParseComplete(wire);
  EncodeBindComplete(wire);
  EncodeCloseComplete(wire);
  EncodeNoData(wire);
  EncodePortalSuspended(wire);
  EXPECT_EQ(wire, std::string("1\0\0\0\x04" "2\0\0\0\x04" "3\0\0\0\x04" "n\0\0\0\x04" "s\0\0\0\x04", 25));
  wire.clear();
  EncodeParameterDescription(wire, {23, 25});
  EXPECT_EQ(wire, std::string("t\0\0\0\x0e\0\x02\0\0\0\x17\0\0\0\x19", 15));
  auto [type, body] = Unframe(wire);
  EXPECT_EQ(type, 't');
  auto oids = DecodeParameterDescription(body);
  ASSERT_TRUE(oids.ok());
  EXPECT_EQ(*oids, (std::vector<uint32_t>{23, 25}));
}

// Scenario: malformed extended-protocol bodies are 08P01, never a crash or
// a huge allocation.
TEST(CodecTest, ExtendedHostileMessagesRejected) {
  // Parse claiming 30000 parameter types.
  std::string parse = std::string("s\0q\0", 4) + std::string("\x75\x30", 2);
  auto p = DecodeParse(parse);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().sqlstate, "08P01");
  // Bind whose parameter length runs past the body.
  std::string bind = std::string("\0\0\0\0\0\x01\x7f\xff\xff\xffx", 11);
  EXPECT_FALSE(DecodeBind(bind).ok());
  // Bind with a negative length other than -1.
  std::string bind2 = std::string("\0\0\0\0\0\x01\xff\xff\xff\xfe\0\0", 12);
  EXPECT_FALSE(DecodeBind(bind2).ok());
  // Describe with an unknown subtype, Execute with trailing bytes.
  EXPECT_FALSE(DecodeDescribe(std::string("X\0", 2)).ok());
  EXPECT_FALSE(DecodeExecute(std::string("p\0\0\0\0\0\0", 7)).ok());
  EXPECT_FALSE(DecodeParameterDescription(std::string("\0\x02\0\0\0\x17", 6)).ok());
}

}  // namespace
}  // namespace minipg::protocol
