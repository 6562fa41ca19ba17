/*-------------------------------------------------------------------------
 * params.cpp
 *   Parameter types and values of the extended query protocol, and the
 *   binary format of result values (see params.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/params.h"

#include <fmt/format.h>

#include <cstring>

#include "engine/common/sqlstate.h"
#include "engine/sql/types.h"

namespace minipg::sql {

namespace {

uint64_t ReadBigEndian(std::string_view bytes) {
  uint64_t v = 0;
  for (unsigned char c : bytes) {
    v = (v << 8) | c;
  }
  return v;
}

void AppendBigEndian(std::string& out, uint64_t v, int size) {
  for (int i = size - 1; i >= 0; --i) {
    out += static_cast<char>((v >> (8 * i)) & 0xff);
  }
}

Error BadBinary(int number) {
  return MakeError(sqlstate::kInvalidBinaryRepresentation,
                   fmt::format("incorrect binary data format in bind parameter {}", number));
}

}  // namespace

Result<TypeId> ParamTypeFromOid(uint32_t oid) {
  switch (oid) {
    case kOidUnspecified:
    case kOidUnknown:
      return TypeId::kUnknown;
    case kOidBool:
      return TypeId::kBool;
    case kOidInt2:
    case kOidInt4:
      return TypeId::kInt4;
    case kOidInt8:
      return TypeId::kInt8;
    case kOidText:
    case kOidVarchar:
      return TypeId::kText;
    case kOidNumeric:
      return TypeId::kNumeric;
    default:
      return MakeError(sqlstate::kFeatureNotSupported,
                       fmt::format("parameter type with OID {} is not supported by minipg", oid));
  }
}

Result<std::optional<std::string>> ParamToText(const ParamValue& value, TypeId type, uint32_t oid,
                                               int number) {
  if (!value.bytes) {
    return std::optional<std::string>();
  }
  const std::string& bytes = *value.bytes;
  if (value.format == kFormatText) {
    auto datum = InputText(bytes, type);
    if (!datum.ok()) {
      return datum.error();
    }
    if (storage::IsNull(*datum)) {
      return std::optional<std::string>();
    }
    return std::optional<std::string>(OutputText(*datum, type));
  }
  if (value.format != kFormatBinary) {
    return MakeError(sqlstate::kInvalidParameterValue,
                     fmt::format("unsupported format code: {}", value.format));
  }
  switch (type) {
    case TypeId::kInt4:
    case TypeId::kInt8: {
      size_t size = oid == kOidInt2 ? 2 : type == TypeId::kInt4 ? 4 : 8;
      if (bytes.size() != size) {
        return BadBinary(number);
      }
      uint64_t raw = ReadBigEndian(bytes);
      int64_t v = size == 2   ? static_cast<int16_t>(raw)
                  : size == 4 ? static_cast<int32_t>(raw)
                              : static_cast<int64_t>(raw);
      return std::optional<std::string>(std::to_string(v));
    }
    case TypeId::kBool:
      if (bytes.size() != 1) {
        return BadBinary(number);
      }
      return std::optional<std::string>(bytes[0] != 0 ? "t" : "f");
    case TypeId::kText:
      return std::optional<std::string>(bytes);
    default:
      return MakeError(
          sqlstate::kFeatureNotSupported,
          fmt::format("binary format for parameters of type {} is not supported by minipg",
                      TypeName(type)));
  }
}

bool HasBinaryOutput(TypeId type) {
  return IsInteger(type) || IsUnsigned32(type) || IsTextLike(type) || type == TypeId::kBool;
}

std::string BinaryOutput(std::string_view text, TypeId type) {
  std::string out;
  switch (type) {
    case TypeId::kInt2:
    case TypeId::kInt4:
    case TypeId::kInt8:
    case TypeId::kOid:
    case TypeId::kXid: {
      int64_t v = 0;
      auto parsed = InputText(text, TypeId::kInt8);
      if (parsed.ok() && std::holds_alternative<int64_t>(*parsed)) {
        v = std::get<int64_t>(*parsed);
      }
      AppendBigEndian(out, static_cast<uint64_t>(v), TypeLen(type));
      return out;
    }
    case TypeId::kBool:
      out += static_cast<char>(text == "t" ? 1 : 0);
      return out;
    default:
      return std::string(text);
  }
}

}  // namespace minipg::sql
