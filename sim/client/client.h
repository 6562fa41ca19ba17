/*-------------------------------------------------------------------------
 * client.h
 *   A protocol 3.0 client, built on the same codec the server uses
 *   (engine/protocol). minipsql, minipg-sim and the tests talk to a server
 *   through it, exactly as psql or a driver would: TCP or a Unix socket,
 *   StartupMessage, simple queries, CancelRequest on a second connection.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/error.h"
#include "engine/protocol/codec.h"
#include "engine/protocol/message_reader.h"

namespace minipg::client {

struct ConnectOptions {
  /* A host name or IP address for TCP, or a directory (starting with '/')
   * holding the server's Unix socket, as libpq's host parameter. */
  std::string host = "/tmp";
  int port = 5432;
  std::string user = "postgres";
  std::string database;  // empty = same as user
  std::string application_name;
  /* For password, md5 and scram-sha-256 authentication. When the server
   * asks for a password and this is empty, Connect fails with libpq's
   * message "fe_sendauth: no password supplied", so a caller can prompt
   * for one and connect again, as psql does. */
  std::string password;
  int connect_timeout_ms = 10000;
  /* TCP only: the local address to connect from (bind() before connect()),
   * e.g. "127.0.0.2", so the server sees another client address. Empty:
   * the system chooses. */
  std::string local_address;
};

/* The OS user running this program: libpq's default user ("postgres" if
 * it has no name). */
std::string OsUser();

/* What one statement of a Query message produced. */
struct StatementResult {
  std::vector<protocol::FieldDescription> fields;  // empty if it returns no rows
  std::vector<protocol::DataRow> rows;
  std::string tag;  // "SELECT 1", "INSERT 0 2", or "" for an empty query
};

/* Everything a Query message produced: results until the first error. */
struct QueryResult {
  std::vector<StatementResult> statements;
  std::optional<protocol::ErrorFields> error;
  std::vector<protocol::ErrorFields> notices;
  bool ok() const { return !error.has_value(); }
  /* The first value of the first row of the last statement (tests' shortcut). */
  std::optional<std::string> Scalar() const;
};

/* Supplies the data of a COPY FROM STDIN: the next chunk, nullopt at the
 * end (CopyDone), or an Error (CopyFail with its message). */
using CopyInSource = std::function<Result<std::optional<std::string>>()>;
/* Takes the data of a COPY TO STDOUT, one CopyData message per call. */
using CopyOutSink = std::function<Status(std::string_view)>;

class Connection {
 public:
  /* Connects and completes startup. A server's FATAL becomes the Error. */
  static Result<std::unique_ptr<Connection>> Connect(const ConnectOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /* Sends a simple Query and reads up to ReadyForQuery. A transport
   * failure or FATAL is an Error; an ERROR is in QueryResult::error. */
  Result<QueryResult> Query(std::string_view sql);

  /* The same, for SQL that may run COPY FROM STDIN / TO STDOUT: their data
   * comes from `in` and goes to `out` (client_copy.cpp). Without a source
   * a copy-in is refused with CopyFail; without a sink copy-out data is
   * dropped. */
  Result<QueryResult> Query(std::string_view sql, CopyInSource in, CopyOutSink out);
  /* psql's \copy: `sql` is COPY ... FROM STDIN, the whole stream is the data. */
  Result<QueryResult> CopyIn(std::string_view sql, std::istream& in);
  /* psql's \copy: `sql` is COPY ... TO STDOUT, the data is written to `out`. */
  Result<QueryResult> CopyOut(std::string_view sql, std::ostream& out);

  /* Sends a CancelRequest for this session on a new connection. */
  Status Cancel() const;
  /* The same for any session: its server, backend pid and cancel key. */
  static Status SendCancel(const ConnectOptions& server, int backend_pid, int32_t cancel_key);

  /* Sends Terminate and closes the connection. */
  void Close();
  /* Closes the socket without Terminate: a client that crashed or lost its network. */
  void Abandon();
  /* Without blocking: whether the server has closed this connection (after
   * pg_terminate_backend, a crash, a shutdown). If it sent a FATAL first,
   * that is `*why`. An idle connection the server keeps open is false. */
  bool ServerClosed(Error* why = nullptr);
  bool is_open() const { return fd_ >= 0; }

  int backend_pid() const { return backend_pid_; }
  int32_t cancel_key() const { return cancel_key_; }
  char transaction_status() const { return tx_status_; }
  const std::map<std::string, std::string>& parameters() const { return parameters_; }
  int fd() const { return fd_; }

 private:
  Connection(int fd, ConnectOptions options);
  Status Startup();
  /* After a failed send: the ErrorResponse the server sent before closing, if any. */
  Error DrainFatal();
  /* CopyInResponse, CopyOutResponse, CopyData, CopyDone inside Query(). */
  Status HandleCopyMessage(const protocol::Message& msg);

  int fd_;
  ConnectOptions options_;
  protocol::MessageReader reader_;
  int backend_pid_ = 0;
  int32_t cancel_key_ = 0;
  char tx_status_ = protocol::kTxIdle;
  std::map<std::string, std::string> parameters_;
  Error closing_error_;     // a FATAL read by ServerClosed() before the close itself arrived
  CopyInSource copy_in_;    // set while Query(sql, in, out) runs
  CopyOutSink copy_out_;
};

/* Opens a raw stream socket to the server (TCP or Unix), or an Error;
 * for TCP, from `local_address` if not empty. */
Result<int> OpenSocket(const std::string& host, int port, int timeout_ms,
                       const std::string& local_address = "");

}  // namespace minipg::client
