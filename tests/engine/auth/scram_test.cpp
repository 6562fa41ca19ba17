/*
 * scram_test.cpp
 *   SCRAM-SHA-256 against RFC 7677's test vector (section 3): user "user",
 *   password "pencil", fixed nonces and salt. Both halves must produce the
 *   RFC's client proof and server signature byte for byte.
 */
#include "engine/auth/scram.h"

#include <gtest/gtest.h>

#include "engine/auth/crypto.h"

namespace minipg::auth {
namespace {

constexpr const char* kClientNonce = "rOprNGfwEbeRWgbNEkqO";
constexpr const char* kServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr const char* kSaltB64 = "W22ZaJ0SNY7soEsUEjb6gQ==";
constexpr const char* kClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
constexpr const char* kServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr const char* kClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+"
    "Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr const char* kServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

ScramSecret RfcSecret() {
  auto secret = ParseScramSecret(EncryptScram("pencil", *Base64Decode(kSaltB64), 4096));
  EXPECT_TRUE(secret.has_value());
  return *secret;
}

// Scenario: the client computes RFC 7677's client proof and accepts its server signature.
TEST(ScramTest, ClientMatchesRfc7677) {
  ScramClient client("pencil", "user", kClientNonce);
  EXPECT_EQ(client.ClientFirst(), kClientFirst);
  auto final_message = client.HandleServerFirst(kServerFirst);
  ASSERT_TRUE(final_message.ok()) << final_message.error().message;
  EXPECT_EQ(*final_message, kClientFinal);
  EXPECT_TRUE(client.HandleServerFinal(kServerFinal).ok());
  EXPECT_FALSE(client.HandleServerFinal("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=").ok())
      << "a server that does not know the secret is caught";
}

// Scenario: the server, holding only StoredKey and ServerKey, checks RFC 7677's proof and signs.
TEST(ScramTest, ServerMatchesRfc7677) {
  ScramServer server(RfcSecret(), kServerNonce);
  auto first = server.HandleClientFirst(kClientFirst);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(*first, kServerFirst);
  auto final_message = server.HandleClientFinal(kClientFinal);
  ASSERT_TRUE(final_message.ok()) << final_message.error().message;
  EXPECT_EQ(*final_message, kServerFinal);
}

// Scenario: a wrong password fails with 28P01; a missing secret runs a mock exchange that fails the
// same way.
TEST(ScramTest, WrongPasswordAndMockFail) {
  for (bool mock : {false, true}) {
    ScramServer server(mock ? std::nullopt : std::optional<ScramSecret>(RfcSecret()));
    ScramClient client(mock ? "pencil" : "wrong");
    auto first = server.HandleClientFirst(client.ClientFirst());
    ASSERT_TRUE(first.ok());
    auto final_message = client.HandleServerFirst(*first);
    ASSERT_TRUE(final_message.ok());
    auto result = server.HandleClientFinal(*final_message);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().sqlstate, "28P01");
  }
}

// Scenario: the right password over random nonces and salt works end to end.
TEST(ScramTest, RoundTrip) {
  ScramServer server(ParseScramSecret(EncryptScram("s3cret")));
  ScramClient client("s3cret");
  auto first = server.HandleClientFirst(client.ClientFirst());
  ASSERT_TRUE(first.ok());
  auto final_message = client.HandleServerFirst(*first);
  ASSERT_TRUE(final_message.ok());
  auto signature = server.HandleClientFinal(*final_message);
  ASSERT_TRUE(signature.ok());
  EXPECT_TRUE(client.HandleServerFinal(*signature).ok());
}

// Scenario: malformed messages and channel binding requests are refused with 08P01.
TEST(ScramTest, MalformedMessages) {
  for (const char* bad :
       {"", "x,,n=,r=abc", "n,,r=abc", "n,,n=,r=", "p=tls-server-end-point,,n=,r=abc"}) {
    ScramServer server(RfcSecret());
    auto r = server.HandleClientFirst(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().sqlstate, "08P01") << bad;
  }
  ScramServer server(RfcSecret(), kServerNonce);
  ASSERT_TRUE(server.HandleClientFirst(kClientFirst).ok());
  auto r = server.HandleClientFinal(
      "c=biws,r=othernonce,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().sqlstate, "08P01") << "the nonce must be the combined one";
}

}  // namespace
}  // namespace minipg::auth
