/*-------------------------------------------------------------------------
 * codec.h
 *   Encoding and decoding of protocol 3.0 messages, both directions. Shared
 *   by the server (engine/backend) and the clients (sim/client), so the two
 *   sides can never disagree about a layout.
 *
 *   Encoders append whole framed messages to a std::string. Decoders take a
 *   message body (what follows the type and length) and return a Result:
 *   a body that is too short, has a missing terminator or a count that does
 *   not fit gives an 08P01 error, never a crash or a huge allocation.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "engine/common/error.h"
#include "engine/protocol/protocol.h"

namespace minipg::protocol {

/* Builds one framed message: Begin(type), fields..., End() patches the length. */
class MessageWriter {
 public:
  explicit MessageWriter(std::string& out) : out_(out) {}
  MessageWriter& Begin(char type);  // type 0: untyped (startup packet)
  MessageWriter& Byte(char b);
  MessageWriter& Int16(int16_t v);
  MessageWriter& Int32(int32_t v);
  MessageWriter& CString(std::string_view s);  // bytes then a NUL
  MessageWriter& Bytes(std::string_view s);
  void End();

 private:
  std::string& out_;
  size_t start_ = 0;  // offset of the length word of the message being built
};

/* Reads fields out of one message body, checking every bound. */
class MessageCursor {
 public:
  explicit MessageCursor(std::string_view body) : body_(body) {}
  Result<char> Byte();
  Result<int16_t> Int16();
  Result<int32_t> Int32();
  Result<std::string_view> CString();
  Result<std::string_view> Bytes(size_t n);
  bool AtEnd() const { return pos_ == body_.size(); }
  size_t Remaining() const { return body_.size() - pos_; }

 private:
  std::string_view body_;
  size_t pos_ = 0;
};

/* An 08P01 protocol_violation error with the given message. */
Error ProtocolError(std::string message);

/* ---- the startup phase ---- */

struct StartupMessage {
  int32_t protocol = kProtocolVersion3;
  std::vector<std::pair<std::string, std::string>> params;  // user, database, options, ...
  /* The value of a parameter, or "" if absent. */
  std::string Get(std::string_view name) const;
};
struct CancelRequest {
  int32_t pid = 0;
  int32_t key = 0;
};
struct SslRequest {};
struct GssEncRequest {};
using StartupPacket = std::variant<StartupMessage, CancelRequest, SslRequest, GssEncRequest>;

/* `body` is the packet without its length word (it starts with the code). */
Result<StartupPacket> DecodeStartupPacket(std::string_view body);
void EncodeStartupMessage(std::string& out, const StartupMessage& m);
void EncodeCancelRequest(std::string& out, int32_t pid, int32_t key);
void EncodeSslRequest(std::string& out);

/* ---- backend to frontend ---- */

struct FieldDescription {
  std::string name;
  int32_t table_oid = 0;
  int16_t column = 0;
  int32_t type_oid = 25;
  int16_t type_len = -1;
  int32_t type_mod = -1;
  int16_t format = 0;  // 0 = text
};
using DataRow = std::vector<std::optional<std::string>>;

/* The fields of an ErrorResponse or NoticeResponse. */
struct ErrorFields {
  std::string severity;  // ERROR, FATAL, NOTICE, ...
  std::string sqlstate;
  std::string message;
  std::string detail;
  std::string hint;
  int position = 0;
  std::string context;  // 'W': where the error happened ("COPY t, line 3")
  /* From an engine Error. */
  static ErrorFields From(const Error& e);
};

void EncodeAuthenticationOk(std::string& out);
void EncodeAuthenticationRequest(std::string& out, int32_t code);
void EncodeParameterStatus(std::string& out, std::string_view name, std::string_view value);
void EncodeBackendKeyData(std::string& out, int32_t pid, int32_t key);
void EncodeReadyForQuery(std::string& out, char tx_status);
void EncodeRowDescription(std::string& out, const std::vector<FieldDescription>& fields);
void EncodeDataRow(std::string& out, const DataRow& row);
void EncodeCommandComplete(std::string& out, std::string_view tag);
void EncodeEmptyQueryResponse(std::string& out);
void EncodeErrorResponse(std::string& out, const ErrorFields& e);
void EncodeNoticeResponse(std::string& out, const ErrorFields& e);

Result<int32_t> DecodeAuthentication(std::string_view body);  // the request code
Result<std::pair<std::string, std::string>> DecodeParameterStatus(std::string_view body);
Result<CancelRequest> DecodeBackendKeyData(std::string_view body);
Result<char> DecodeReadyForQuery(std::string_view body);
Result<std::vector<FieldDescription>> DecodeRowDescription(std::string_view body);
Result<DataRow> DecodeDataRow(std::string_view body);
Result<std::string> DecodeCommandComplete(std::string_view body);
Result<ErrorFields> DecodeErrorResponse(std::string_view body);  // also NoticeResponse

/* ---- the COPY sub-protocol (both directions) ----
 *
 *   CopyInResponse 'G' / CopyOutResponse 'H' (backend):
 *     OFFSET SIZE DESCRIPTION
 *          0    1 overall format: 0 text (csv is text too), 1 binary
 *          1    2 number of columns N
 *          3   2N format of each column (0 = text)
 *   CopyData 'd' (either side): the bytes; CopyDone 'c': empty body;
 *   CopyFail 'f' (frontend): a NUL-terminated error message.
 */
struct CopyResponse {
  int8_t format = 0;
  std::vector<int16_t> column_formats;
};
void EncodeCopyInResponse(std::string& out, int16_t columns);
void EncodeCopyOutResponse(std::string& out, int16_t columns);
void EncodeCopyData(std::string& out, std::string_view data);
void EncodeCopyDone(std::string& out);
void EncodeCopyFail(std::string& out, std::string_view message);
Result<CopyResponse> DecodeCopyResponse(std::string_view body);
Result<std::string_view> DecodeCopyFail(std::string_view body);

/* ---- frontend to backend ---- */

void EncodeQuery(std::string& out, std::string_view sql);
void EncodeTerminate(std::string& out);
Result<std::string_view> DecodeQuery(std::string_view body);

/* ---- the extended query protocol (codec_extended.cpp) ---- */

/* Parse 'P': name, query text, parameter type OIDs (0 = unspecified). */
struct ParseMessage {
  std::string name;  // "" = the unnamed statement
  std::string query;
  std::vector<uint32_t> param_types;
};
/* Bind 'B': portal, statement, parameter format codes and values, result
 * format codes (0 = text, 1 = binary; none = all text, one = for all). */
struct BindMessage {
  std::string portal;
  std::string statement;
  std::vector<int16_t> param_formats;
  std::vector<std::optional<std::string>> params;  // nullopt = NULL (length -1)
  std::vector<int16_t> result_formats;
};
/* Describe 'D' and Close 'C': 'S' (statement) or 'P' (portal), and a name. */
inline constexpr char kTargetStatement = 'S';
inline constexpr char kTargetPortal = 'P';
struct TargetMessage {
  char kind = kTargetStatement;
  std::string name;
};
/* Execute 'E': portal and row limit (0 = no limit). */
struct ExecuteMessage {
  std::string portal;
  int32_t max_rows = 0;
};

void EncodeParse(std::string& out, const ParseMessage& m);
void EncodeBind(std::string& out, const BindMessage& m);
void EncodeDescribe(std::string& out, char kind, std::string_view name);
void EncodeExecute(std::string& out, std::string_view portal, int32_t max_rows);
void EncodeClose(std::string& out, char kind, std::string_view name);
void EncodeSync(std::string& out);
void EncodeFlush(std::string& out);
Result<ParseMessage> DecodeParse(std::string_view body);
Result<BindMessage> DecodeBind(std::string_view body);
// Also Close; `message` names it in the error ("DESCRIBE" or "CLOSE").
Result<TargetMessage> DecodeDescribe(std::string_view body, const char* message = "DESCRIBE");
Result<ExecuteMessage> DecodeExecute(std::string_view body);

void EncodeParseComplete(std::string& out);
void EncodeBindComplete(std::string& out);
void EncodeCloseComplete(std::string& out);
void EncodeNoData(std::string& out);
void EncodePortalSuspended(std::string& out);
void EncodeParameterDescription(std::string& out, const std::vector<uint32_t>& type_oids);
Result<std::vector<uint32_t>> DecodeParameterDescription(std::string_view body);

/* True if `type` is a message type a frontend may send. */
bool IsFrontendMessageType(char type);
/* True if `type` is a message type a backend may send. */
bool IsBackendMessageType(char type);
/* The largest body a frontend message of this type may have. */
size_t MaxFrontendMessageLength(char type);

}  // namespace minipg::protocol
