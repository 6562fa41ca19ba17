/*-------------------------------------------------------------------------
 * protocol.h
 *   Constants of the PostgreSQL frontend/backend protocol, version 3.0, as
 *   minipg speaks it: message type bytes grouped by direction (like
 *   PostgreSQL's protocol.h), special startup codes, and length limits.
 *
 *   Every message after startup is framed as
 *
 *     OFFSET SIZE DESCRIPTION
 *          0    1 type byte (one of the constants below)
 *          1    4 length, big-endian int32, counting itself but not the type
 *          5    n body (length - 4 bytes)
 *
 *   The startup packet has no type byte: int32 length, int32 code, body.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstddef>
#include <cstdint>

namespace minipg::protocol {

/* Messages a frontend (client) sends. */
namespace fe {
inline constexpr char kQuery = 'Q';
inline constexpr char kTerminate = 'X';
inline constexpr char kParse = 'P';
inline constexpr char kBind = 'B';
inline constexpr char kDescribe = 'D';
inline constexpr char kExecute = 'E';
inline constexpr char kSync = 'S';
inline constexpr char kClose = 'C';
inline constexpr char kFlush = 'H';
inline constexpr char kPasswordMessage = 'p';
inline constexpr char kCopyData = 'd';
inline constexpr char kCopyDone = 'c';
inline constexpr char kCopyFail = 'f';
inline constexpr char kFunctionCall = 'F';
}  // namespace fe

/* Messages a backend (server) sends. */
namespace be {
inline constexpr char kAuthentication = 'R';
inline constexpr char kBackendKeyData = 'K';
inline constexpr char kParameterStatus = 'S';
inline constexpr char kReadyForQuery = 'Z';
inline constexpr char kRowDescription = 'T';
inline constexpr char kDataRow = 'D';
inline constexpr char kCommandComplete = 'C';
inline constexpr char kEmptyQueryResponse = 'I';
inline constexpr char kErrorResponse = 'E';
inline constexpr char kNoticeResponse = 'N';
inline constexpr char kParseComplete = '1';
inline constexpr char kBindComplete = '2';
inline constexpr char kCloseComplete = '3';
inline constexpr char kNoData = 'n';
inline constexpr char kParameterDescription = 't';
inline constexpr char kPortalSuspended = 's';
inline constexpr char kCopyInResponse = 'G';
inline constexpr char kCopyOutResponse = 'H';
inline constexpr char kNegotiateProtocolVersion = 'v';
inline constexpr char kNotificationResponse = 'A';
inline constexpr char kCopyData = 'd';  // COPY TO STDOUT: one row of data
inline constexpr char kCopyDone = 'c';  // COPY TO STDOUT: the end of the data
}  // namespace be

/* Authentication request codes (the int32 after 'R'). */
inline constexpr int32_t kAuthOk = 0;
inline constexpr int32_t kAuthCleartextPassword = 3;
inline constexpr int32_t kAuthMd5Password = 5;
inline constexpr int32_t kAuthSasl = 10;          // list of SASL mechanisms
inline constexpr int32_t kAuthSaslContinue = 11;  // server-first-message
inline constexpr int32_t kAuthSaslFinal = 12;     // server-final-message

/* Startup packet codes. */
inline constexpr int32_t kProtocolVersion3 = 3 << 16;  // 196608: major 3, minor 0
inline constexpr int32_t kCancelRequestCode = (1234 << 16) | 5678;
inline constexpr int32_t kSslRequestCode = (1234 << 16) | 5679;
inline constexpr int32_t kGssEncRequestCode = (1234 << 16) | 5680;

/* ReadyForQuery transaction status bytes. */
inline constexpr char kTxIdle = 'I';
inline constexpr char kTxInBlock = 'T';
inline constexpr char kTxFailed = 'E';

/* ErrorResponse / NoticeResponse field codes. */
namespace field {
inline constexpr char kSeverity = 'S';
inline constexpr char kSeverityNonLocalized = 'V';
inline constexpr char kSqlstate = 'C';
inline constexpr char kMessage = 'M';
inline constexpr char kDetail = 'D';
inline constexpr char kHint = 'H';
inline constexpr char kPosition = 'P';
inline constexpr char kContext = 'W';
}  // namespace field

/* Limits checked before anything is allocated: "better to say 'command
 * unknown' than to run out of memory because we used garbage as a length
 * word" (PostgreSQL's SocketBackend). */
inline constexpr size_t kMaxStartupPacketLength = 10000;  // as PostgreSQL's
inline constexpr size_t kMaxMessageLength = 64u << 20;    // a Query of up to 64 MiB
inline constexpr size_t kMaxSmallMessageLength = 10000;   // Sync, Terminate, Flush, ...

}  // namespace minipg::protocol
