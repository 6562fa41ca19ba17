/*-------------------------------------------------------------------------
 * hba.h
 *   pg_hba.conf: which connections may authenticate how, in PostgreSQL's
 *   format. One rule a line; '#' starts a comment; fields are separated by
 *   blanks; a field may be double-quoted (then keywords lose their meaning):
 *
 *     local      DATABASE  USER  METHOD
 *     host       DATABASE  USER  ADDRESS  METHOD      ADDRESS = a.b.c.d/len, ::1/len, all
 *     host       DATABASE  USER  IP-ADDRESS  IP-MASK  METHOD
 *     hostssl    ...  (parsed, never matches: minipg has no SSL)
 *     hostnossl  ...  (like host: every minipg connection is unencrypted)
 *
 *     DATABASE   all | sameuser | replication | name[,name...]
 *     USER       all | name[,name...]
 *     METHOD     trust | reject | password | md5 | scram-sha-256
 *
 *   The first line whose type, database, user and address match decides.
 *
 * NOTES
 *   The postmaster parses the file at start and on SIGHUP; a file with any
 *   error is not used (at start the server refuses to run, on SIGHUP the
 *   old rules stay), as PostgreSQL does. Backends get the parsed rules as
 *   part of the postmaster's memory, copied by fork().
 *   Not supported (each one an error naming the line): +group and @file
 *   references, host names, samehost/samenet, options after the method,
 *   and the methods PostgreSQL has beyond the five above.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace minipg::auth {

enum class HbaConnType {
  kLocal,      // Unix-domain socket
  kHost,       // TCP, with or without SSL
  kHostSsl,    // TCP with SSL: never matches in minipg
  kHostNoSsl,  // TCP without SSL
};

enum class AuthMethod {
  kTrust,        // no questions asked
  kReject,       // always refused
  kPassword,     // clear-text password (AuthenticationCleartextPassword)
  kMd5,          // AuthenticationMD5Password (SCRAM when the stored secret is SCRAM)
  kScramSha256,  // SASL SCRAM-SHA-256
};

const char* AuthMethodName(AuthMethod m);

/* An IP address as bytes in network order, with its family. */
struct IpAddress {
  int family = 0;  // AF_INET or AF_INET6; 0 = "all"
  std::array<uint8_t, 16> bytes{};
};

/* Parses "1.2.3.4" or "::1"; false if it is neither. */
bool ParseIpAddress(std::string_view text, IpAddress& out);

struct HbaToken {
  std::string text;
  bool quoted = false;
};

struct HbaLine {
  int line_number = 0;
  std::string raw;  // the line as written, for logs
  HbaConnType conn_type = HbaConnType::kLocal;
  std::vector<HbaToken> databases;
  std::vector<HbaToken> users;
  IpAddress address;  // host lines only; family 0 = all
  IpAddress mask;
  AuthMethod method = AuthMethod::kTrust;
};

struct HbaProblem {
  int line_number = 0;
  std::string message;
};

struct HbaFile {
  std::vector<HbaLine> lines;
  std::vector<HbaProblem> errors;    // any error: the file must not be used
  std::vector<HbaProblem> warnings;  // logged, the line still counts (hostssl)
};

HbaFile ParseHba(std::string_view text);

/* Reads and parses a file; an unreadable file is one error at line 0. */
HbaFile LoadHbaFile(const std::filesystem::path& path);

/* Who is connecting. `address` is ignored for a local connection. */
struct HbaRequest {
  bool local = false;
  IpAddress address;
  std::string database;
  std::string user;
};

/* The first matching line, or nullptr. */
const HbaLine* MatchHba(const std::vector<HbaLine>& lines, const HbaRequest& request);

/* True if `address` lies in `net`/`mask`. */
bool AddressInNetwork(const IpAddress& address, const IpAddress& net, const IpAddress& mask);

/* The default file a new data directory gets: trust for local, 127.0.0.1/32 and ::1/128. */
std::string DefaultHbaFile();

}  // namespace minipg::auth
