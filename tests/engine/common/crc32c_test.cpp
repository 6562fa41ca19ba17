/*-------------------------------------------------------------------------
 * crc32c_test.cpp
 *   CRC-32C against the test vectors of RFC 3720 (iSCSI), appendix B.4, and
 *   the hardware path against the table path.
 *-------------------------------------------------------------------------
 */
#include "engine/common/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using minipg::Crc32c;
using minipg::Crc32cPortable;

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int v : b) s.push_back(static_cast<char>(v));
  return s;
}

// Scenario: the four 32-byte vectors of RFC 3720 B.4 give the published CRCs.
TEST(Crc32c, Rfc3720Vectors) {
  std::string zeros(32, '\0');
  std::string ones(32, '\xFF');
  std::string inc;
  std::string dec;
  for (int i = 0; i < 32; ++i) {
    inc.push_back(static_cast<char>(i));
    dec.push_back(static_cast<char>(31 - i));
  }
  for (auto* f : {&Crc32c, &Crc32cPortable}) {
    EXPECT_EQ(f(zeros, 0), 0x8A9136AAu);
    EXPECT_EQ(f(ones, 0), 0x62A8AB43u);
    EXPECT_EQ(f(inc, 0), 0x46DD794Eu);
    EXPECT_EQ(f(dec, 0), 0x113FDB5Cu);
  }
}

// Scenario: the iSCSI SCSI Read (10) command PDU of RFC 3720 B.4.
TEST(Crc32c, Rfc3720ReadCommandPdu) {
  std::string pdu = Bytes({0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                           0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
                           0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
                           0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00});
  EXPECT_EQ(Crc32c(pdu), 0xD9963A56u);
}

// Scenario: "123456789" is the usual check value of CRC-32C; and checksumming
// in pieces gives the same as in one go, at every cut and odd lengths.
TEST(Crc32c, CheckValueAndPieces) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  std::string text;
  for (int i = 0; i < 1000; ++i) text.push_back(static_cast<char>(i * 7 + 3));
  uint32_t whole = Crc32c(text);
  EXPECT_EQ(Crc32cPortable(text), whole);
  for (size_t cut : {0, 1, 5, 8, 13, 512, 999, 1000}) {
    std::string_view v(text);
    EXPECT_EQ(Crc32c(v.substr(cut), Crc32c(v.substr(0, cut))), whole) << cut;
    EXPECT_EQ(Crc32cPortable(v.substr(cut), Crc32cPortable(v.substr(0, cut))), whole) << cut;
  }
  EXPECT_EQ(Crc32c(""), 0u);
}

}  // namespace
