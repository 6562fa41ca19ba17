/*-------------------------------------------------------------------------
 * codec.cpp
 *   Encoders and decoders of protocol 3.0 messages.
 *
 * NOTES
 *   All integers on the wire are big-endian. Decoders never trust a count
 *   read from the body: a field count is checked against the bytes that
 *   remain before anything is reserved.
 *-------------------------------------------------------------------------
 */
#include "engine/protocol/codec.h"

#include <fmt/format.h>

#include <charconv>
#include <cstring>

#include "engine/common/sqlstate.h"

namespace minipg::protocol {

/* ---------------- MessageWriter ---------------- */

MessageWriter& MessageWriter::Begin(char type) {
  if (type != 0) out_.push_back(type);
  start_ = out_.size();
  out_.append(4, '\0');
  return *this;
}

MessageWriter& MessageWriter::Byte(char b) {
  out_.push_back(b);
  return *this;
}

MessageWriter& MessageWriter::Int16(int16_t v) {
  auto u = static_cast<uint16_t>(v);
  out_.push_back(static_cast<char>(u >> 8));
  out_.push_back(static_cast<char>(u & 0xff));
  return *this;
}

MessageWriter& MessageWriter::Int32(int32_t v) {
  auto u = static_cast<uint32_t>(v);
  for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<char>((u >> shift) & 0xff));
  return *this;
}

MessageWriter& MessageWriter::CString(std::string_view s) {
  // A NUL inside would end the string early on the other side: cut there.
  auto nul = s.find('\0');
  out_.append(s.substr(0, nul));
  out_.push_back('\0');
  return *this;
}

MessageWriter& MessageWriter::Bytes(std::string_view s) {
  out_.append(s);
  return *this;
}

void MessageWriter::End() {
  auto len = static_cast<uint32_t>(out_.size() - start_);
  for (int i = 0; i < 4; ++i) out_[start_ + i] = static_cast<char>((len >> (24 - 8 * i)) & 0xff);
}

/* ---------------- MessageCursor ---------------- */

Error ProtocolError(std::string message) {
  return MakeError(sqlstate::kProtocolViolation, std::move(message), Severity::kFatal);
}

Result<char> MessageCursor::Byte() {
  if (Remaining() < 1) return ProtocolError("insufficient data left in message");
  return body_[pos_++];
}

Result<int16_t> MessageCursor::Int16() {
  if (Remaining() < 2) return ProtocolError("insufficient data left in message");
  auto b = reinterpret_cast<const unsigned char*>(body_.data() + pos_);
  pos_ += 2;
  return static_cast<int16_t>((b[0] << 8) | b[1]);
}

Result<int32_t> MessageCursor::Int32() {
  if (Remaining() < 4) return ProtocolError("insufficient data left in message");
  auto b = reinterpret_cast<const unsigned char*>(body_.data() + pos_);
  pos_ += 4;
  uint32_t u = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
  return static_cast<int32_t>(u);
}

Result<std::string_view> MessageCursor::CString() {
  auto nul = body_.find('\0', pos_);
  if (nul == std::string_view::npos) return ProtocolError("invalid string in message");
  auto s = body_.substr(pos_, nul - pos_);
  pos_ = nul + 1;
  return s;
}

Result<std::string_view> MessageCursor::Bytes(size_t n) {
  if (Remaining() < n) return ProtocolError("insufficient data left in message");
  auto s = body_.substr(pos_, n);
  pos_ += n;
  return s;
}

/* Unwraps a Result into `var`, or returns its error from the enclosing function. */
#define MINIPG_TRY(var, expr)             \
  auto var##_r = (expr);                  \
  if (!var##_r.ok()) return var##_r.error(); \
  auto var = *var##_r

/* ---------------- startup ---------------- */

std::string StartupMessage::Get(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return "";
}

Result<StartupPacket> DecodeStartupPacket(std::string_view body) {
  MessageCursor c(body);
  MINIPG_TRY(code, c.Int32());
  if (code == kCancelRequestCode) {
    MINIPG_TRY(pid, c.Int32());
    MINIPG_TRY(key, c.Int32());
    return StartupPacket{CancelRequest{pid, key}};
  }
  if (code == kSslRequestCode) return StartupPacket{SslRequest{}};
  if (code == kGssEncRequestCode) return StartupPacket{GssEncRequest{}};
  if ((code >> 16) != 3) {
    return MakeError(sqlstate::kFeatureNotSupported,
                     fmt::format("unsupported frontend protocol {}.{}: server supports 3.0 to 3.0",
                                 code >> 16, code & 0xffff),
                     Severity::kFatal);
  }
  StartupMessage m;
  m.protocol = code;
  for (;;) {
    MINIPG_TRY(name, c.CString());
    if (name.empty()) break;
    MINIPG_TRY(value, c.CString());
    m.params.emplace_back(std::string(name), std::string(value));
  }
  if (!c.AtEnd()) return ProtocolError("invalid startup packet layout: expected terminator as last byte");
  return StartupPacket{std::move(m)};
}

void EncodeStartupMessage(std::string& out, const StartupMessage& m) {
  MessageWriter w(out);
  w.Begin(0).Int32(m.protocol);
  for (const auto& [k, v] : m.params) w.CString(k).CString(v);
  w.Byte('\0').End();
}

void EncodeCancelRequest(std::string& out, int32_t pid, int32_t key) {
  MessageWriter(out).Begin(0).Int32(kCancelRequestCode).Int32(pid).Int32(key).End();
}

void EncodeSslRequest(std::string& out) { MessageWriter(out).Begin(0).Int32(kSslRequestCode).End(); }

/* ---------------- backend to frontend ---------------- */

ErrorFields ErrorFields::From(const Error& e) {
  ErrorFields f;
  f.severity = SeverityName(e.severity);
  f.sqlstate = e.sqlstate;
  f.message = e.message;
  f.detail = e.detail;
  f.hint = e.hint;
  f.position = e.position;
  f.context = e.context;
  return f;
}

void EncodeAuthenticationOk(std::string& out) { EncodeAuthenticationRequest(out, kAuthOk); }

void EncodeAuthenticationRequest(std::string& out, int32_t code) {
  MessageWriter(out).Begin(be::kAuthentication).Int32(code).End();
}

void EncodeParameterStatus(std::string& out, std::string_view name, std::string_view value) {
  MessageWriter(out).Begin(be::kParameterStatus).CString(name).CString(value).End();
}

void EncodeBackendKeyData(std::string& out, int32_t pid, int32_t key) {
  MessageWriter(out).Begin(be::kBackendKeyData).Int32(pid).Int32(key).End();
}

void EncodeReadyForQuery(std::string& out, char tx_status) {
  MessageWriter(out).Begin(be::kReadyForQuery).Byte(tx_status).End();
}

void EncodeRowDescription(std::string& out, const std::vector<FieldDescription>& fields) {
  MessageWriter w(out);
  w.Begin(be::kRowDescription).Int16(static_cast<int16_t>(fields.size()));
  for (const auto& f : fields) {
    w.CString(f.name).Int32(f.table_oid).Int16(f.column).Int32(f.type_oid).Int16(f.type_len)
        .Int32(f.type_mod).Int16(f.format);
  }
  w.End();
}

void EncodeDataRow(std::string& out, const DataRow& row) {
  MessageWriter w(out);
  w.Begin(be::kDataRow).Int16(static_cast<int16_t>(row.size()));
  for (const auto& v : row) {
    if (!v) {
      w.Int32(-1);
    } else {
      w.Int32(static_cast<int32_t>(v->size())).Bytes(*v);
    }
  }
  w.End();
}

void EncodeCommandComplete(std::string& out, std::string_view tag) {
  MessageWriter(out).Begin(be::kCommandComplete).CString(tag).End();
}

void EncodeEmptyQueryResponse(std::string& out) {
  MessageWriter(out).Begin(be::kEmptyQueryResponse).End();
}

static void EncodeErrorOrNotice(std::string& out, char type, const ErrorFields& e) {
  MessageWriter w(out);
  w.Begin(type);
  w.Byte(field::kSeverity).CString(e.severity);
  w.Byte(field::kSeverityNonLocalized).CString(e.severity);
  w.Byte(field::kSqlstate).CString(e.sqlstate);
  w.Byte(field::kMessage).CString(e.message);
  if (!e.detail.empty()) w.Byte(field::kDetail).CString(e.detail);
  if (!e.hint.empty()) w.Byte(field::kHint).CString(e.hint);
  if (e.position > 0) w.Byte(field::kPosition).CString(std::to_string(e.position));
  if (!e.context.empty()) w.Byte(field::kContext).CString(e.context);
  w.Byte('\0').End();
}

void EncodeErrorResponse(std::string& out, const ErrorFields& e) {
  EncodeErrorOrNotice(out, be::kErrorResponse, e);
}

void EncodeNoticeResponse(std::string& out, const ErrorFields& e) {
  EncodeErrorOrNotice(out, be::kNoticeResponse, e);
}

Result<int32_t> DecodeAuthentication(std::string_view body) {
  MessageCursor c(body);
  return c.Int32();
}

Result<std::pair<std::string, std::string>> DecodeParameterStatus(std::string_view body) {
  MessageCursor c(body);
  MINIPG_TRY(name, c.CString());
  MINIPG_TRY(value, c.CString());
  return std::make_pair(std::string(name), std::string(value));
}

Result<CancelRequest> DecodeBackendKeyData(std::string_view body) {
  MessageCursor c(body);
  MINIPG_TRY(pid, c.Int32());
  MINIPG_TRY(key, c.Int32());
  return CancelRequest{pid, key};
}

Result<char> DecodeReadyForQuery(std::string_view body) {
  MessageCursor c(body);
  MINIPG_TRY(status, c.Byte());
  if (status != kTxIdle && status != kTxInBlock && status != kTxFailed) {
    return ProtocolError(fmt::format("invalid transaction status '{}'", status));
  }
  return status;
}

Result<std::vector<FieldDescription>> DecodeRowDescription(std::string_view body) {
  MessageCursor c(body);
  MINIPG_TRY(n, c.Int16());
  // Each field takes at least 19 bytes: never reserve more than the body can hold.
  if (n < 0 || static_cast<size_t>(n) * 19 > c.Remaining()) {
    return ProtocolError(fmt::format("invalid field count {} in RowDescription", n));
  }
  std::vector<FieldDescription> fields;
  fields.reserve(n);
  for (int i = 0; i < n; ++i) {
    FieldDescription f;
    MINIPG_TRY(name, c.CString());
    MINIPG_TRY(table_oid, c.Int32());
    MINIPG_TRY(column, c.Int16());
    MINIPG_TRY(type_oid, c.Int32());
    MINIPG_TRY(type_len, c.Int16());
    MINIPG_TRY(type_mod, c.Int32());
    MINIPG_TRY(format, c.Int16());
    f.name = name;
    f.table_oid = table_oid;
    f.column = column;
    f.type_oid = type_oid;
    f.type_len = type_len;
    f.type_mod = type_mod;
    f.format = format;
    fields.push_back(std::move(f));
  }
  return fields;
}

Result<DataRow> DecodeDataRow(std::string_view body) {
  MessageCursor c(body);
  MINIPG_TRY(n, c.Int16());
  if (n < 0 || static_cast<size_t>(n) * 4 > c.Remaining()) {
    return ProtocolError(fmt::format("invalid column count {} in DataRow", n));
  }
  DataRow row;
  row.reserve(n);
  for (int i = 0; i < n; ++i) {
    MINIPG_TRY(len, c.Int32());
    if (len == -1) {
      row.emplace_back(std::nullopt);
      continue;
    }
    if (len < 0) return ProtocolError(fmt::format("invalid value length {} in DataRow", len));
    MINIPG_TRY(bytes, c.Bytes(static_cast<size_t>(len)));
    row.emplace_back(std::string(bytes));
  }
  return row;
}

Result<std::string> DecodeCommandComplete(std::string_view body) {
  MessageCursor c(body);
  MINIPG_TRY(tag, c.CString());
  return std::string(tag);
}

Result<ErrorFields> DecodeErrorResponse(std::string_view body) {
  MessageCursor c(body);
  ErrorFields e;
  for (;;) {
    MINIPG_TRY(code, c.Byte());
    if (code == '\0') break;
    MINIPG_TRY(value, c.CString());
    switch (code) {
      case field::kSeverity:
        if (e.severity.empty()) e.severity = value;
        break;
      case field::kSeverityNonLocalized:
        e.severity = value;
        break;
      case field::kSqlstate:
        e.sqlstate = value;
        break;
      case field::kMessage:
        e.message = value;
        break;
      case field::kDetail:
        e.detail = value;
        break;
      case field::kHint:
        e.hint = value;
        break;
      case field::kContext:
        e.context = value;
        break;
      case field::kPosition: {
        int pos = 0;
        std::from_chars(value.data(), value.data() + value.size(), pos);
        e.position = pos;
        break;
      }
      default:
        break;  // fields we do not use (file, line, routine, ...)
    }
  }
  return e;
}

/* ---------------- the COPY sub-protocol ---------------- */

namespace {
void EncodeCopyResponse(std::string& out, char type, int16_t columns) {
  MessageWriter w(out);
  w.Begin(type).Byte(0).Int16(columns);
  for (int16_t i = 0; i < columns; ++i) w.Int16(0);
  w.End();
}
}  // namespace

void EncodeCopyInResponse(std::string& out, int16_t columns) {
  EncodeCopyResponse(out, be::kCopyInResponse, columns);
}
void EncodeCopyOutResponse(std::string& out, int16_t columns) {
  EncodeCopyResponse(out, be::kCopyOutResponse, columns);
}
void EncodeCopyData(std::string& out, std::string_view data) {
  MessageWriter(out).Begin(fe::kCopyData).Bytes(data).End();
}
void EncodeCopyDone(std::string& out) { MessageWriter(out).Begin(fe::kCopyDone).End(); }
void EncodeCopyFail(std::string& out, std::string_view message) {
  MessageWriter(out).Begin(fe::kCopyFail).CString(message).End();
}

Result<CopyResponse> DecodeCopyResponse(std::string_view body) {
  MessageCursor c(body);
  CopyResponse r;
  MINIPG_TRY(format, c.Byte());
  MINIPG_TRY(n, c.Int16());
  if (n < 0 || static_cast<size_t>(n) * 2 != c.Remaining()) {
    return ProtocolError("invalid COPY response: column count does not match the message");
  }
  r.format = static_cast<int8_t>(format);
  for (int16_t i = 0; i < n; ++i) {
    MINIPG_TRY(f, c.Int16());
    r.column_formats.push_back(f);
  }
  return r;
}

Result<std::string_view> DecodeCopyFail(std::string_view body) {
  MessageCursor c(body);
  MINIPG_TRY(message, c.CString());
  return message;
}

/* ---------------- frontend to backend ---------------- */

void EncodeQuery(std::string& out, std::string_view sql) {
  MessageWriter(out).Begin(fe::kQuery).CString(sql).End();
}

void EncodeTerminate(std::string& out) { MessageWriter(out).Begin(fe::kTerminate).End(); }

Result<std::string_view> DecodeQuery(std::string_view body) {
  MessageCursor c(body);
  MINIPG_TRY(sql, c.CString());
  if (!c.AtEnd()) return ProtocolError("invalid message format");
  return sql;
}

bool IsFrontendMessageType(char type) {
  switch (type) {
    case fe::kQuery: case fe::kTerminate: case fe::kParse: case fe::kBind: case fe::kDescribe:
    case fe::kExecute: case fe::kSync: case fe::kClose: case fe::kFlush:
    case fe::kPasswordMessage: case fe::kCopyData: case fe::kCopyDone: case fe::kCopyFail:
    case fe::kFunctionCall:
      return true;
    default:
      return false;
  }
}

bool IsBackendMessageType(char type) {
  switch (type) {
    case be::kAuthentication: case be::kBackendKeyData: case be::kParameterStatus:
    case be::kReadyForQuery: case be::kRowDescription: case be::kDataRow:
    case be::kCommandComplete: case be::kEmptyQueryResponse: case be::kErrorResponse:
    case be::kNoticeResponse: case be::kParseComplete: case be::kBindComplete:
    case be::kCloseComplete: case be::kNoData: case be::kParameterDescription:
    case be::kPortalSuspended: case be::kCopyInResponse: case be::kCopyOutResponse:
    case be::kNegotiateProtocolVersion: case be::kNotificationResponse:
    case be::kCopyData: case be::kCopyDone:
      return true;
    default:
      return false;
  }
}

size_t MaxFrontendMessageLength(char type) {
  switch (type) {
    case fe::kQuery: case fe::kParse: case fe::kBind: case fe::kCopyData:
    case fe::kFunctionCall: case fe::kCopyFail:
      return kMaxMessageLength;
    default:
      return kMaxSmallMessageLength;
  }
}

}  // namespace minipg::protocol
