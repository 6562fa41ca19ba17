/*-------------------------------------------------------------------------
 * hba.cpp
 *   Parsing and matching pg_hba.conf (format in hba.h). Error messages are
 *   PostgreSQL's (hba.c), so a student can compare the two servers' logs.
 *-------------------------------------------------------------------------
 */
#include "engine/auth/hba.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <sys/socket.h>

#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>

namespace minipg::auth {

namespace {

/* Splits a line into fields: blanks separate, "..." quotes (a quoted
 * comma does not split), '#' outside quotes ends the line. A field with
 * commas is one string here; SplitList() breaks it later. */
struct Field {
  std::string text;             // with quotes removed
  std::vector<HbaToken> items;  // comma-separated parts
};

bool Tokenize(std::string_view line, std::vector<Field>& fields, std::string& error) {
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    if (i >= line.size() || line[i] == '#') break;
    Field f;
    HbaToken item;
    bool in_quotes = false;
    while (i < line.size()) {
      char c = line[i];
      if (!in_quotes && (c == ' ' || c == '\t' || c == '\r' || c == '#')) break;
      if (c == '"') {
        in_quotes = !in_quotes;
        item.quoted = true;
      } else if (c == ',' && !in_quotes) {
        f.items.push_back(item);
        item = HbaToken{};
        f.text += c;
      } else {
        item.text += c;
        f.text += c;
      }
      ++i;
    }
    if (in_quotes) {
      error = "unterminated quoted string";
      return false;
    }
    f.items.push_back(item);
    fields.push_back(std::move(f));
  }
  return true;
}

bool ParsePrefixMask(int family, std::string_view len_text, IpAddress& mask) {
  int bits = 0;
  auto [p, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), bits);
  int max_bits = family == AF_INET ? 32 : 128;
  if (len_text.empty() || ec != std::errc() || p != len_text.data() + len_text.size() || bits < 0 ||
      bits > max_bits) {
    return false;
  }
  mask.family = family;
  mask.bytes.fill(0);
  for (int b = 0; b < bits; ++b) mask.bytes[b / 8] |= static_cast<uint8_t>(0x80 >> (b % 8));
  return true;
}

std::optional<AuthMethod> ParseMethod(std::string_view name) {
  if (name == "trust") return AuthMethod::kTrust;
  if (name == "reject") return AuthMethod::kReject;
  if (name == "password") return AuthMethod::kPassword;
  if (name == "md5") return AuthMethod::kMd5;
  if (name == "scram-sha-256") return AuthMethod::kScramSha256;
  return std::nullopt;
}

bool IsKnownPgMethod(std::string_view name) {
  for (const char* m : {"gss", "sspi", "ident", "peer", "ldap", "radius", "cert", "pam", "bsd"}) {
    if (name == m) return true;
  }
  return false;
}

/* Parses one line's fields; returns false with `error` set. */
bool ParseLine(const std::vector<Field>& fields, HbaLine& out, std::string& error,
               std::string& warning) {
  size_t f = 0;
  const std::string& type = fields[f++].text;
  if (type == "local") {
    out.conn_type = HbaConnType::kLocal;
  } else if (type == "host") {
    out.conn_type = HbaConnType::kHost;
  } else if (type == "hostssl") {
    out.conn_type = HbaConnType::kHostSsl;
    warning = "hostssl record cannot match because SSL is not supported by this build";
  } else if (type == "hostnossl") {
    out.conn_type = HbaConnType::kHostNoSsl;
  } else if (type == "hostgssenc" || type == "hostnogssenc") {
    error = fmt::format("connection type \"{}\" is not supported by minipg", type);
    return false;
  } else {
    error = fmt::format("invalid connection type \"{}\"", type);
    return false;
  }
  if (f >= fields.size()) {
    error = "end-of-line before database specification";
    return false;
  }
  out.databases = fields[f++].items;
  if (f >= fields.size()) {
    error = "end-of-line before role specification";
    return false;
  }
  out.users = fields[f++].items;
  for (const auto* list : {&out.databases, &out.users}) {
    for (const HbaToken& t : *list) {
      if (!t.quoted && !t.text.empty() && (t.text[0] == '+' || t.text[0] == '@')) {
        error =
            fmt::format("group and file references (\"{}\") are not supported by minipg", t.text);
        return false;
      }
      if (t.text.empty() && !t.quoted) {
        error = "empty name in a comma-separated list";
        return false;
      }
    }
  }
  if (out.conn_type != HbaConnType::kLocal) {
    if (f >= fields.size()) {
      error = "end-of-line before IP address specification";
      return false;
    }
    const std::string& addr = fields[f++].text;
    if (addr == "all") {
      out.address.family = 0;
    } else if (addr == "samehost" || addr == "samenet") {
      error = fmt::format("\"{}\" is not supported by minipg", addr);
      return false;
    } else {
      size_t slash = addr.find('/');
      std::string ip = addr.substr(0, slash);
      if (!ParseIpAddress(ip, out.address)) {
        error =
            fmt::format("invalid IP address \"{}\": host names are not supported by minipg", ip);
        return false;
      }
      if (slash != std::string::npos) {
        if (!ParsePrefixMask(out.address.family, std::string_view(addr).substr(slash + 1),
                             out.mask)) {
          error = fmt::format("invalid CIDR mask in address \"{}\"", addr);
          return false;
        }
      } else {
        if (f >= fields.size()) {
          error = "end-of-line before netmask specification";
          return false;
        }
        const std::string& mask = fields[f++].text;
        if (!ParseIpAddress(mask, out.mask)) {
          error = fmt::format("invalid IP mask \"{}\"", mask);
          return false;
        }
        if (out.mask.family != out.address.family) {
          error = "IP address and mask do not match";
          return false;
        }
      }
    }
  }
  if (f >= fields.size()) {
    error = "end-of-line before authentication method";
    return false;
  }
  const std::string& method = fields[f++].text;
  auto m = ParseMethod(method);
  if (!m) {
    error = IsKnownPgMethod(method)
                ? fmt::format("authentication method \"{}\" is not supported by minipg", method)
                : fmt::format("invalid authentication method \"{}\"", method);
    return false;
  }
  out.method = *m;
  if (f < fields.size()) {
    error = fmt::format("unrecognized authentication option name: \"{}\"", fields[f].text);
    return false;
  }
  return true;
}

bool ListMatches(const std::vector<HbaToken>& list, std::string_view name, std::string_view user,
                 bool is_db) {
  for (const HbaToken& t : list) {
    if (!t.quoted && t.text == "all") return true;
    if (is_db && !t.quoted && t.text == "sameuser") {
      if (name == user) return true;
      continue;
    }
    if (is_db && !t.quoted && t.text == "replication")
      continue;  // minipg has no replication connections
    if (t.text == name) return true;
  }
  return false;
}

}  // namespace

const char* AuthMethodName(AuthMethod m) {
  switch (m) {
    case AuthMethod::kTrust:
      return "trust";
    case AuthMethod::kReject:
      return "reject";
    case AuthMethod::kPassword:
      return "password";
    case AuthMethod::kMd5:
      return "md5";
    case AuthMethod::kScramSha256:
      return "scram-sha-256";
  }
  return "unknown";
}

bool ParseIpAddress(std::string_view text, IpAddress& out) {
  std::string s(text);
  out = IpAddress{};
  if (inet_pton(AF_INET, s.c_str(), out.bytes.data()) == 1) {
    out.family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), out.bytes.data()) == 1) {
    out.family = AF_INET6;
    return true;
  }
  return false;
}

HbaFile ParseHba(std::string_view text) {
  HbaFile file;
  std::istringstream in{std::string(text)};
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::vector<Field> fields;
    std::string error, warning;
    if (!Tokenize(line, fields, error)) {
      file.errors.push_back({number, error});
      continue;
    }
    if (fields.empty()) continue;
    HbaLine parsed;
    parsed.line_number = number;
    parsed.raw = line;
    if (!ParseLine(fields, parsed, error, warning)) {
      file.errors.push_back({number, error});
      continue;
    }
    if (!warning.empty()) file.warnings.push_back({number, warning});
    file.lines.push_back(std::move(parsed));
  }
  return file;
}

HbaFile LoadHbaFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    HbaFile file;
    file.errors.push_back(
        {0, fmt::format("could not open configuration file \"{}\": No such file or directory",
                        path.string())});
    return file;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseHba(ss.str());
}

bool AddressInNetwork(const IpAddress& address, const IpAddress& net, const IpAddress& mask) {
  if (net.family == 0) return true;  // "all"
  if (address.family != net.family) return false;
  size_t n = address.family == AF_INET ? 4 : 16;
  for (size_t i = 0; i < n; ++i) {
    if ((address.bytes[i] & mask.bytes[i]) != (net.bytes[i] & mask.bytes[i])) return false;
  }
  return true;
}

const HbaLine* MatchHba(const std::vector<HbaLine>& lines, const HbaRequest& request) {
  for (const HbaLine& line : lines) {
    if (request.local != (line.conn_type == HbaConnType::kLocal)) continue;
    if (line.conn_type == HbaConnType::kHostSsl) continue;  // no SSL connections exist
    if (!request.local && !AddressInNetwork(request.address, line.address, line.mask)) continue;
    if (!ListMatches(line.databases, request.database, request.user, true)) continue;
    if (!ListMatches(line.users, request.user, request.user, false)) continue;
    return &line;
  }
  return nullptr;
}

std::string DefaultHbaFile() {
  return "# pg_hba.conf: client authentication (PostgreSQL's format; see docs/auth.md).\n"
         "# The first line that matches a connection decides how it authenticates.\n"
         "#\n"
         "# TYPE  DATABASE        USER            ADDRESS                 METHOD\n"
         "#\n"
         "# METHOD is trust, reject, password, md5 or scram-sha-256. Reload with\n"
         "# kill -HUP <postmaster pid> after editing.\n"
         "\n"
         "# \"local\" is for Unix domain socket connections only\n"
         "local   all             all                                     trust\n"
         "# IPv4 local connections:\n"
         "host    all             all             127.0.0.1/32            trust\n"
         "# IPv6 local connections:\n"
         "host    all             all             ::1/128                 trust\n";
}

}  // namespace minipg::auth
