/*
 * utf8_test.cpp
 *   UTF-8 verification as PostgreSQL 15 does it (messages checked against a
 *   real server), and application_name's ASCII cleaning.
 */
#include "engine/common/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace minipg {
namespace {

std::string Message(std::string_view s) {
  Status st = VerifyUtf8(s);
  return st.ok() ? "ok" : st.error().sqlstate + " " + st.error().message;
}

// Scenario: valid UTF-8 (1 to 4 bytes) passes; the first bad sequence is
// named with as many bytes as its first byte promises, at most what is left.
TEST(Utf8Test, VerifyNamesTheBadBytes) {
  EXPECT_EQ(Message(""), "ok");
  EXPECT_EQ(Message("plain ascii"), "ok");
  EXPECT_EQ(Message("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x98"), "ok");
  const std::string pre = "22021 invalid byte sequence for encoding \"UTF8\": ";
  EXPECT_EQ(Message("a\xff"), pre + "0xff");
  EXPECT_EQ(Message("\xe2\x28\xa1 rest"), pre + "0xe2 0x28 0xa1");
  EXPECT_EQ(Message("a\xe2\x82"), pre + "0xe2 0x82");                   // cut short at the end
  EXPECT_EQ(Message("\xc0\xaf"), pre + "0xc0 0xaf");                    // overlong
  EXPECT_EQ(Message("\xed\xa0\x80"), pre + "0xed 0xa0 0x80");           // a surrogate
  EXPECT_EQ(Message("\xf4\x90\x80\x80"), pre + "0xf4 0x90 0x80 0x80");  // above U+10FFFF
  EXPECT_EQ(Message("\x80"), pre + "0x80");                             // a lone continuation byte
  EXPECT_EQ(Message(std::string("a\0b", 3)), pre + "0x00");             // NUL is not text
  EXPECT_EQ(ValidUtf8Prefix("ok\xffno"), 2u);
}

// Scenario: application_name keeps printable ASCII; every other byte is '?'.
TEST(Utf8Test, CleanAscii) {
  EXPECT_EQ(CleanAscii("psql"), "psql");
  EXPECT_EQ(CleanAscii("caf\xc3\xa9\t\xff~"), "caf????~");
}

// Scenario: a prefix never ends inside a character; a value shown in a
// parse tree or plan is cut to 1 kB and marked.
TEST(Utf8Test, PrefixAndShorten) {
  EXPECT_EQ(Utf8Prefix("abc", 5), "abc");
  EXPECT_EQ(Utf8Prefix("ab\xc3\xa9", 3), "ab");  // not half of the é
  EXPECT_EQ(Utf8Prefix("ab\xc3\xa9", 4), "ab\xc3\xa9");
  EXPECT_EQ(ShortenForDisplay("short"), "short");
  std::string shown = ShortenForDisplay(std::string(5000, 'x'));
  EXPECT_EQ(shown.size(), kMaxShownValue + 3);
  EXPECT_EQ(shown.substr(kMaxShownValue), "...");
}

}  // namespace
}  // namespace minipg
