/*
 * password_test.cpp
 *   Stored password secrets in PostgreSQL's formats, and the checks the
 *   server makes with them.
 */
#include "engine/auth/password.h"

#include <gtest/gtest.h>

#include "engine/auth/crypto.h"

namespace minipg::auth {
namespace {

// Scenario: md5 secrets are "md5" + md5(password || user), as PostgreSQL stores them.
TEST(PasswordTest, Md5SecretFormat) {
  // PostgreSQL 15: SET password_encryption = 'md5'; CREATE ROLE alice PASSWORD 'secret';
  // SELECT rolpassword FROM pg_authid WHERE rolname = 'alice';
  EXPECT_EQ(EncryptMd5("secret", "alice"), "md5" + Md5Hex("secretalice"));
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(GetPasswordType(EncryptMd5("secret", "alice")), PasswordType::kMd5);
  EXPECT_EQ(EncryptPassword("secret", "alice", "md5"), EncryptMd5("secret", "alice"));
}

// Scenario: the md5 exchange: the client hashes twice with the salt, the server checks against the
// secret.
TEST(PasswordTest, Md5Exchange) {
  std::string secret = EncryptMd5("secret", "alice");
  std::string salt = "\x01\x02\x03\x04";
  std::string response = Md5Response("secret", "alice", salt);
  EXPECT_EQ(response, "md5" + Md5Hex(secret.substr(3) + salt));
  EXPECT_TRUE(CheckMd5Response(secret, salt, response));
  EXPECT_FALSE(CheckMd5Response(secret, salt, Md5Response("wrong", "alice", salt)));
  EXPECT_FALSE(CheckMd5Response(secret, "abcd", response)) << "another salt, another answer";
}

// Scenario: SCRAM secrets have PostgreSQL's shape and check clear-text passwords.
TEST(PasswordTest, ScramSecretFormat) {
  std::string secret = EncryptPassword("pencil", "user", "scram-sha-256");
  EXPECT_EQ(secret.rfind("SCRAM-SHA-256$4096:", 0), 0u) << secret;
  auto parsed = ParseScramSecret(secret);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->iterations, 4096);
  EXPECT_EQ(parsed->salt.size(), 16u);
  EXPECT_TRUE(CheckPlaintextPassword(secret, "user", "pencil"));
  EXPECT_FALSE(CheckPlaintextPassword(secret, "user", "pencil2"));
  EXPECT_NE(EncryptPassword("pencil", "user", "scram-sha-256"), secret) << "a fresh salt each time";
  EXPECT_EQ(EncryptPassword(secret, "user", "md5"), secret)
      << "an encrypted password is kept as it is";
  EXPECT_EQ(GetPasswordType("plain"), PasswordType::kPlaintext);
  EXPECT_FALSE(ParseScramSecret("SCRAM-SHA-256$x:abc$def:ghi").has_value());
}

// Scenario: base64 round-trips and refuses garbage.
TEST(PasswordTest, Base64) {
  EXPECT_EQ(Base64Encode("n,,"), "biws");
  EXPECT_EQ(*Base64Decode("biws"), "n,,");
  EXPECT_EQ(*Base64Decode("YQ=="), "a");
  EXPECT_EQ(*Base64Decode("YWI="), "ab");
  EXPECT_FALSE(Base64Decode("YQ=").has_value());
  EXPECT_FALSE(Base64Decode("Y!==").has_value());
}

}  // namespace
}  // namespace minipg::auth
