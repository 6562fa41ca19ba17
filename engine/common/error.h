/*-------------------------------------------------------------------------
 * error.h
 *   Errors as values: what a failed step tells its caller, and what a
 *   backend turns into an ErrorResponse.
 *
 * NOTES
 *   Expected failures (a client's bad SQL, a malformed message) travel as
 *   Error values inside Result<T>, never as exceptions across a process or
 *   loop boundary. The sqlstate is the five-character code PostgreSQL would
 *   send for the same failure (see sqlstate.h).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace minipg {

/* How bad an error is, as PostgreSQL's ErrorResponse 'S' field says it. */
enum class Severity {
  kError,  // the statement fails; the session goes on
  kFatal,  // the session ends after the message is sent
  kPanic,  // the whole server must restart (not used by clients' mistakes)
  kWarning,  // not an error: sent as a NoticeResponse, the statement goes on
  kNotice,   // likewise, less worth a look (NOTICE)
  kInfo,     // what the user asked to be told (INFO: VACUUM VERBOSE); always sent
};

const char* SeverityName(Severity s);

struct Error {
  std::string sqlstate;        // e.g. "42601"
  std::string message;         // lower-case start, no trailing period
  Severity severity = Severity::kError;
  std::string detail;          // optional 'D' field
  std::string hint;            // optional 'H' field
  int position = 0;            // 1-based character offset into the query, 0 = none
  std::string context;         // optional 'W' field: where it happened ("COPY t, line 3")
};

/* Builds an Error; the common case in one call. */
inline Error MakeError(std::string sqlstate, std::string message,
                       Severity severity = Severity::kError) {
  Error e;
  e.sqlstate = std::move(sqlstate);
  e.message = std::move(message);
  e.severity = severity;
  return e;
}

/* Result<T>: either a T or an Error (std::expected arrives only in C++23). */
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}      // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<Error>(v_); }
  Error& error() { return std::get<Error>(v_); }

 private:
  std::variant<T, Error> v_;
};

/* Status: a Result with no value. */
struct Ok {};
using Status = Result<Ok>;
inline Status OkStatus() { return Ok{}; }

}  // namespace minipg
