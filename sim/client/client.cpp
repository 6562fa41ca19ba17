/*-------------------------------------------------------------------------
 * client.cpp
 *   The client side of protocol 3.0.
 *-------------------------------------------------------------------------
 */
#include "sim/client/client.h"
#include "sim/client/auth.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/common/sqlstate.h"

namespace minipg::client {

std::string OsUser() {
  const passwd* pw = getpwuid(geteuid());
  return pw != nullptr && pw->pw_name != nullptr ? pw->pw_name : "postgres";
}

namespace proto = protocol;

namespace {

Error ConnectionError(std::string message) {
  return MakeError(sqlstate::kConnectionException, std::move(message), Severity::kFatal);
}

Error FromFields(const proto::ErrorFields& f) {
  Error e = MakeError(f.sqlstate, f.message, f.severity == "FATAL" ? Severity::kFatal : Severity::kError);
  e.detail = f.detail;
  e.hint = f.hint;
  e.position = f.position;
  return e;
}

/* connect() with a timeout. */
bool ConnectWithTimeout(int fd, const sockaddr* addr, socklen_t len, int timeout_ms) {
  int flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  int rc = connect(fd, addr, len);
  if (rc < 0 && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    if (poll(&p, 1, timeout_ms) != 1) {
      errno = ETIMEDOUT;
      return false;
    }
    int err = 0;
    socklen_t elen = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
    if (err != 0) {
      errno = err;
      return false;
    }
    rc = 0;
  }
  fcntl(fd, F_SETFL, flags);
  return rc == 0;
}

}  // namespace

std::optional<std::string> QueryResult::Scalar() const {
  if (statements.empty() || statements.back().rows.empty() || statements.back().rows[0].empty()) {
    return std::nullopt;
  }
  return statements.back().rows[0][0];
}

/* Binds a TCP socket to a local address before it connects. */
bool BindLocal(int fd, int family, const std::string& local_address) {
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST;
  addrinfo* res = nullptr;
  if (getaddrinfo(local_address.c_str(), nullptr, &hints, &res) != 0) return false;
  bool ok = bind(fd, res->ai_addr, res->ai_addrlen) == 0;
  freeaddrinfo(res);
  return ok;
}

Result<int> OpenSocket(const std::string& host, int port, int timeout_ms,
                       const std::string& local_address) {
  if (!host.empty() && host[0] == '/') {
    std::string path = fmt::format("{}/.s.PGSQL.{}", host, port);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) return ConnectionError(fmt::format("socket path \"{}\" too long", path));
    std::strcpy(addr.sun_path, path.c_str());
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return ConnectionError(fmt::format("could not create socket: {}", std::strerror(errno)));
    if (!ConnectWithTimeout(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr, timeout_ms)) {
      int err = errno;
      close(fd);
      return ConnectionError(fmt::format("connection to server on socket \"{}\" failed: {}", path, std::strerror(err)));
    }
    return fd;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port_text = std::to_string(port);
  if (int rc = getaddrinfo(host.c_str(), port_text.c_str(), &hints, &res); rc != 0) {
    return ConnectionError(fmt::format("could not translate host name \"{}\" to address: {}", host, gai_strerror(rc)));
  }
  std::string last = "no address";
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    if (!local_address.empty() && !BindLocal(fd, ai->ai_family, local_address)) {
      last = fmt::format("could not bind to local address \"{}\": {}", local_address,
                         std::strerror(errno));
      close(fd);
      continue;
    }
    if (ConnectWithTimeout(fd, ai->ai_addr, ai->ai_addrlen, timeout_ms)) {
      freeaddrinfo(res);
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return fd;
    }
    last = std::strerror(errno);
    close(fd);
  }
  freeaddrinfo(res);
  return ConnectionError(fmt::format("connection to server at \"{}\", port {} failed: {}", host, port, last));
}

Connection::Connection(int fd, ConnectOptions options)
    : fd_(fd), options_(std::move(options)), reader_(fd, proto::Peer::kBackend) {}

Connection::~Connection() {
  if (fd_ >= 0) close(fd_);
}

Result<std::unique_ptr<Connection>> Connection::Connect(const ConnectOptions& options) {
  auto fd = OpenSocket(options.host, options.port, options.connect_timeout_ms,
                       options.local_address);
  if (!fd.ok()) return fd.error();
  std::unique_ptr<Connection> c(new Connection(*fd, options));
  if (Status s = c->Startup(); !s.ok()) return s.error();
  return c;
}

Status Connection::Startup() {
  proto::StartupMessage m;
  m.params.emplace_back("user", options_.user);
  m.params.emplace_back("database", options_.database.empty() ? options_.user : options_.database);
  if (!options_.application_name.empty()) m.params.emplace_back("application_name", options_.application_name);
  std::string out;
  proto::EncodeStartupMessage(out, m);
  if (Status s = proto::WriteAll(fd_, out); !s.ok()) return s;
  ClientAuth auth(options_.user, options_.password);
  for (;;) {
    auto msg = reader_.ReadMessage();
    if (!msg.ok()) return msg.error();
    switch (msg->type) {
      case proto::be::kAuthentication: {
        auto request = proto::DecodeAuthenticationRequest(msg->body);
        if (!request.ok()) return request.error();
        if (request->code == proto::kAuthOk) break;
        auto reply = auth.Respond(*request);
        if (!reply.ok()) return reply.error();
        if (!reply->empty()) {
          if (Status s = proto::WriteAll(fd_, *reply); !s.ok()) {
            if (Error why = DrainFatal(); !why.sqlstate.empty()) return why;
            return s.error();
          }
        }
        break;
      }
      case proto::be::kParameterStatus: {
        auto p = proto::DecodeParameterStatus(msg->body);
        if (!p.ok()) return p.error();
        parameters_[p->first] = p->second;
        break;
      }
      case proto::be::kBackendKeyData: {
        auto k = proto::DecodeBackendKeyData(msg->body);
        if (!k.ok()) return k.error();
        backend_pid_ = k->pid;
        cancel_key_ = k->key;
        break;
      }
      case proto::be::kErrorResponse: {
        auto e = proto::DecodeErrorResponse(msg->body);
        if (!e.ok()) return e.error();
        return FromFields(*e);
      }
      case proto::be::kNoticeResponse:
        break;
      case proto::be::kReadyForQuery: {
        auto st = proto::DecodeReadyForQuery(msg->body);
        if (!st.ok()) return st.error();
        tx_status_ = *st;
        return OkStatus();
      }
      default:
        return proto::ProtocolError(fmt::format("unexpected message '{}' during startup", msg->type));
    }
  }
}

Result<QueryResult> Connection::Query(std::string_view sql) {
  if (fd_ < 0) return ConnectionError("connection is closed");
  std::string out;
  proto::EncodeQuery(out, sql);
  if (Status s = proto::WriteAll(fd_, out); !s.ok()) {
    // The server may have closed the connection after telling us why (a
    // FATAL during shutdown): report that, as libpq does, not the EPIPE.
    if (Error why = DrainFatal(); !why.sqlstate.empty()) return why;
    return s.error();
  }
  QueryResult result;
  StatementResult current;
  for (;;) {
    auto msg = reader_.ReadMessage();
    if (!msg.ok()) return msg.error();
    switch (msg->type) {
      case proto::be::kRowDescription: {
        auto f = proto::DecodeRowDescription(msg->body);
        if (!f.ok()) return f.error();
        current.fields = std::move(*f);
        break;
      }
      case proto::be::kDataRow: {
        auto r = proto::DecodeDataRow(msg->body);
        if (!r.ok()) return r.error();
        current.rows.push_back(std::move(*r));
        break;
      }
      case proto::be::kCommandComplete: {
        auto t = proto::DecodeCommandComplete(msg->body);
        if (!t.ok()) return t.error();
        current.tag = std::move(*t);
        result.statements.push_back(std::move(current));
        current = StatementResult{};
        break;
      }
      case proto::be::kEmptyQueryResponse:
        result.statements.push_back(StatementResult{});
        break;
      case proto::be::kErrorResponse: {
        auto e = proto::DecodeErrorResponse(msg->body);
        if (!e.ok()) return e.error();
        if (e->severity == "FATAL" || e->severity == "PANIC") return FromFields(*e);
        result.error = std::move(*e);
        break;
      }
      case proto::be::kNoticeResponse: {
        auto e = proto::DecodeErrorResponse(msg->body);
        if (e.ok()) result.notices.push_back(std::move(*e));
        break;
      }
      case proto::be::kParameterStatus: {
        auto p = proto::DecodeParameterStatus(msg->body);
        if (p.ok()) parameters_[p->first] = p->second;
        break;
      }
      case proto::be::kCopyInResponse:
      case proto::be::kCopyOutResponse:
      case proto::be::kCopyData:
      case proto::be::kCopyDone:
        if (Status s = HandleCopyMessage(*msg); !s.ok()) return s.error();  // client_copy.cpp
        break;
      case proto::be::kReadyForQuery: {
        auto st = proto::DecodeReadyForQuery(msg->body);
        if (!st.ok()) return st.error();
        tx_status_ = *st;
        return result;
      }
      default:
        return proto::ProtocolError(fmt::format("unexpected message '{}' in query response", msg->type));
    }
  }
}

Error Connection::DrainFatal() {
  for (;;) {
    auto msg = reader_.ReadMessage();
    if (!msg.ok()) return Error{};
    if (msg->type == proto::be::kErrorResponse) {
      auto e = proto::DecodeErrorResponse(msg->body);
      if (e.ok()) return FromFields(*e);
    }
  }
}

Status Connection::Cancel() const {
  return SendCancel(options_, backend_pid_, cancel_key_);
}

Status Connection::SendCancel(const ConnectOptions& server, int backend_pid, int32_t cancel_key) {
  auto fd = OpenSocket(server.host, server.port, server.connect_timeout_ms, server.local_address);
  if (!fd.ok()) return fd.error();
  std::string out;
  proto::EncodeCancelRequest(out, backend_pid, cancel_key);
  Status s = proto::WriteAll(*fd, out);
  // Wait for the server to close the cancel connection: by then the signal is sent.
  char buf[16];
  pollfd p{*fd, POLLIN, 0};
  if (s.ok() && poll(&p, 1, 5000) == 1) {
    ssize_t unused = recv(*fd, buf, sizeof buf, 0);
    (void)unused;
  }
  close(*fd);
  return s;
}

void Connection::Abandon() {
  if (fd_ < 0) return;
  close(fd_);
  fd_ = -1;
}

bool Connection::ServerClosed(Error* why) {
  if (fd_ < 0) return true;
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    if (reader_.Buffered() == 0 && poll(&p, 1, 0) != 1) return false;  // nothing to read: open
    // Something arrived while no query ran: a FATAL, then the close (a
    // whole message: the server writes each in one send).
    auto msg = reader_.ReadMessage();
    if (!msg.ok()) {
      close(fd_);
      fd_ = -1;
      if (why != nullptr) *why = closing_error_;
      return true;
    }
    // The close may come after this call returns: keep the FATAL until it does.
    if (msg->type == proto::be::kErrorResponse) {
      auto e = proto::DecodeErrorResponse(msg->body);
      if (e.ok()) closing_error_ = FromFields(*e);
    }
  }
}

void Connection::Close() {
  if (fd_ < 0) return;
  std::string out;
  proto::EncodeTerminate(out);
  (void)proto::WriteAll(fd_, out);
  close(fd_);
  fd_ = -1;
}

}  // namespace minipg::client
