/*-------------------------------------------------------------------------
 * codec_extended.cpp
 *   Encoders and decoders of the extended query protocol's messages (the
 *   declarations are in codec.h, next to the simple protocol's):
 *
 *   Parse 'P'
 *     OFFSET SIZE DESCRIPTION
 *          0    n statement name, NUL-terminated ("" = unnamed)
 *          n    m query text, NUL-terminated
 *        n+m    2 number of parameter type OIDs (k)
 *      n+m+2   4k parameter type OIDs (0 = unspecified)
 *
 *   Bind 'B'
 *     portal name\0, statement name\0,
 *     int16 number of parameter format codes (0, 1 or p), int16 codes...,
 *     int16 number of parameters p, then per parameter int32 length (-1 =
 *     NULL) and that many bytes,
 *     int16 number of result format codes (0, 1 or columns), int16 codes...
 *
 *   Describe 'D' / Close 'C': byte 'S' or 'P', name\0
 *   Execute 'E': portal name\0, int32 row limit (0 = all)
 *   Sync 'S', Flush 'H': no body
 *
 *   Backend: ParseComplete '1', BindComplete '2', CloseComplete '3', NoData
 *   'n', PortalSuspended 's' (no body); ParameterDescription 't': int16
 *   count, int32 type OIDs.
 *
 * NOTES
 *   As everywhere in the codec, every count is checked against the bytes
 *   left in the body before anything is reserved.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include "engine/protocol/codec.h"

namespace minipg::protocol {

#define MINIPG_TRY(var, expr)                \
  auto var##_r = (expr);                     \
  if (!var##_r.ok()) return var##_r.error(); \
  auto var = *var##_r

namespace {

/* Reads an int16 count followed by that many int16 values. */
Result<std::vector<int16_t>> ReadInt16List(MessageCursor& c, const char* what) {
  MINIPG_TRY(n, c.Int16());
  if (n < 0 || static_cast<size_t>(n) * 2 > c.Remaining()) {
    return ProtocolError(fmt::format("invalid {} count {}", what, n));
  }
  std::vector<int16_t> out;
  out.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    MINIPG_TRY(v, c.Int16());
    out.push_back(v);
  }
  return out;
}

/* Bytes after the last field: PostgreSQL's pq_getmsgend says just this. */
Status CheckEnd(const MessageCursor& c) {
  if (!c.AtEnd()) return ProtocolError("invalid message format");
  return OkStatus();
}

}  // namespace

void EncodeParse(std::string& out, const ParseMessage& m) {
  MessageWriter w(out);
  w.Begin(fe::kParse)
      .CString(m.name)
      .CString(m.query)
      .Int16(static_cast<int16_t>(m.param_types.size()));
  for (uint32_t oid : m.param_types) {
    w.Int32(static_cast<int32_t>(oid));
  }
  w.End();
}

void EncodeBind(std::string& out, const BindMessage& m) {
  MessageWriter w(out);
  w.Begin(fe::kBind).CString(m.portal).CString(m.statement);
  w.Int16(static_cast<int16_t>(m.param_formats.size()));
  for (int16_t f : m.param_formats) {
    w.Int16(f);
  }
  w.Int16(static_cast<int16_t>(m.params.size()));
  for (const auto& p : m.params) {
    if (!p) {
      w.Int32(-1);
    } else {
      w.Int32(static_cast<int32_t>(p->size())).Bytes(*p);
    }
  }
  w.Int16(static_cast<int16_t>(m.result_formats.size()));
  for (int16_t f : m.result_formats) {
    w.Int16(f);
  }
  w.End();
}

void EncodeDescribe(std::string& out, char kind, std::string_view name) {
  MessageWriter(out).Begin(fe::kDescribe).Byte(kind).CString(name).End();
}

void EncodeExecute(std::string& out, std::string_view portal, int32_t max_rows) {
  MessageWriter(out).Begin(fe::kExecute).CString(portal).Int32(max_rows).End();
}

void EncodeClose(std::string& out, char kind, std::string_view name) {
  MessageWriter(out).Begin(fe::kClose).Byte(kind).CString(name).End();
}

void EncodeSync(std::string& out) {
  MessageWriter(out).Begin(fe::kSync).End();
}
void EncodeFlush(std::string& out) {
  MessageWriter(out).Begin(fe::kFlush).End();
}

Result<ParseMessage> DecodeParse(std::string_view body) {
  MessageCursor c(body);
  ParseMessage m;
  MINIPG_TRY(name, c.CString());
  MINIPG_TRY(query, c.CString());
  MINIPG_TRY(n, c.Int16());
  if (n < 0 || static_cast<size_t>(n) * 4 > c.Remaining()) {
    return ProtocolError(fmt::format("invalid parameter type count {} in Parse", n));
  }
  m.name = name;
  m.query = query;
  m.param_types.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    MINIPG_TRY(oid, c.Int32());
    m.param_types.push_back(static_cast<uint32_t>(oid));
  }
  if (Status s = CheckEnd(c); !s.ok()) return s.error();
  return m;
}

Result<BindMessage> DecodeBind(std::string_view body) {
  MessageCursor c(body);
  BindMessage m;
  MINIPG_TRY(portal, c.CString());
  MINIPG_TRY(statement, c.CString());
  m.portal = portal;
  m.statement = statement;
  MINIPG_TRY(formats, ReadInt16List(c, "parameter format code"));
  m.param_formats = std::move(formats);
  MINIPG_TRY(n, c.Int16());
  // Each value takes at least its 4-byte length word.
  if (n < 0 || static_cast<size_t>(n) * 4 > c.Remaining()) {
    return ProtocolError(fmt::format("invalid parameter count {} in Bind", n));
  }
  m.params.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    MINIPG_TRY(len, c.Int32());
    if (len == -1) {
      m.params.emplace_back(std::nullopt);
      continue;
    }
    if (len < 0 || static_cast<size_t>(len) > c.Remaining()) {
      // PostgreSQL's words, with the context its bind_param_error_callback adds.
      Error e = ProtocolError("insufficient data left in message");
      e.context = m.portal.empty() ? fmt::format("unnamed portal parameter ${}", i + 1)
                                   : fmt::format("portal \"{}\" parameter ${}", m.portal, i + 1);
      return e;
    }
    MINIPG_TRY(bytes, c.Bytes(static_cast<size_t>(len)));
    m.params.emplace_back(std::string(bytes));
  }
  MINIPG_TRY(results, ReadInt16List(c, "result format code"));
  m.result_formats = std::move(results);
  if (Status s = CheckEnd(c); !s.ok()) return s.error();
  return m;
}

Result<TargetMessage> DecodeDescribe(std::string_view body, const char* message) {
  MessageCursor c(body);
  MINIPG_TRY(kind, c.Byte());
  MINIPG_TRY(name, c.CString());
  if (kind != kTargetStatement && kind != kTargetPortal) {
    return ProtocolError(
        fmt::format("invalid {} message subtype {}", message, static_cast<int>(kind)));
  }
  if (Status s = CheckEnd(c); !s.ok()) return s.error();
  return TargetMessage{kind, std::string(name)};
}

Result<ExecuteMessage> DecodeExecute(std::string_view body) {
  MessageCursor c(body);
  MINIPG_TRY(portal, c.CString());
  MINIPG_TRY(max_rows, c.Int32());
  if (Status s = CheckEnd(c); !s.ok()) return s.error();
  return ExecuteMessage{std::string(portal), max_rows};
}

void EncodeParseComplete(std::string& out) {
  MessageWriter(out).Begin(be::kParseComplete).End();
}
void EncodeBindComplete(std::string& out) {
  MessageWriter(out).Begin(be::kBindComplete).End();
}
void EncodeCloseComplete(std::string& out) {
  MessageWriter(out).Begin(be::kCloseComplete).End();
}
void EncodeNoData(std::string& out) {
  MessageWriter(out).Begin(be::kNoData).End();
}
void EncodePortalSuspended(std::string& out) {
  MessageWriter(out).Begin(be::kPortalSuspended).End();
}

void EncodeParameterDescription(std::string& out, const std::vector<uint32_t>& type_oids) {
  MessageWriter w(out);
  w.Begin(be::kParameterDescription).Int16(static_cast<int16_t>(type_oids.size()));
  for (uint32_t oid : type_oids) {
    w.Int32(static_cast<int32_t>(oid));
  }
  w.End();
}

Result<std::vector<uint32_t>> DecodeParameterDescription(std::string_view body) {
  MessageCursor c(body);
  MINIPG_TRY(n, c.Int16());
  if (n < 0 || static_cast<size_t>(n) * 4 != c.Remaining()) {
    return ProtocolError(fmt::format("invalid parameter count {} in ParameterDescription", n));
  }
  std::vector<uint32_t> out;
  out.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    MINIPG_TRY(oid, c.Int32());
    out.push_back(static_cast<uint32_t>(oid));
  }
  return out;
}

}  // namespace minipg::protocol
