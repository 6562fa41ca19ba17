/*-------------------------------------------------------------------------
 * type_storage.cpp
 *   Per-type encoding of values inside heap tuples (type_storage.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/page/type_storage.h"

#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"

namespace minipg::storage {

namespace {

constexpr size_t kShortVarlenaMax = 127;       // total bytes with a 1-byte header
constexpr size_t kVarlenaMax = 0x3FFFFFFF;     // 30 bits of length in a 4-byte header

size_t AlignUp(size_t offset, size_t align) { return (offset + align - 1) / align * align; }

void Pad(std::string& out, size_t align) { out.resize(AlignUp(out.size(), align), '\0'); }

template <typename T>
void AppendLittleEndian(std::string& out, T v) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof v);  // the host is little-endian (page.cpp asserts it)
  out.append(bytes, sizeof bytes);
}

template <typename T>
T LoadLittleEndian(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

Error Mismatch(std::string_view column, std::string_view type) {
  return MakeError(sqlstate::kInternalError,
                   fmt::format("value for column \"{}\" is not of type {}", column, type));
}

Error Truncated(size_t offset, size_t need, size_t size) {
  return MakeError(sqlstate::kDataCorrupted,
                   fmt::format("heap tuple is corrupt: a value at byte {} needs {} bytes but the "
                               "tuple has {}",
                               offset, need, size));
}

/* A fixed-length value of `len` bytes at `offset`, aligned, if it fits. */
Result<const char*> FixedBytes(std::string_view tuple, size_t& offset, size_t len, size_t align) {
  size_t start = AlignUp(offset, align);
  if (start > tuple.size() || len > tuple.size() - start) {
    return Truncated(start, len, tuple.size());
  }
  offset = start + len;
  return tuple.data() + start;
}

Status AppendText(std::string& out, const std::string& s) {
  if (s.size() + 1 <= kShortVarlenaMax) {
    out.push_back(static_cast<char>(((s.size() + 1) << 1) | 1));
  } else {
    if (s.size() + 4 > kVarlenaMax) {
      return MakeError(sqlstate::kProgramLimitExceeded,
                       fmt::format("value too long for a varlena: {} bytes", s.size()));
    }
    Pad(out, 4);
    AppendLittleEndian<uint32_t>(out, static_cast<uint32_t>((s.size() + 4) << 2));
  }
  out += s;
  return OkStatus();
}

Result<Datum> ReadText(std::string_view tuple, size_t& offset) {
  if (offset < tuple.size() && tuple[offset] != 0) {
    auto b = static_cast<uint8_t>(tuple[offset]);
    if ((b & 0x01) != 0) {
      if (b == 0x01) {
        return MakeError(sqlstate::kDataCorrupted,
                         fmt::format("heap tuple is corrupt: a TOAST pointer at byte {}", offset));
      }
      size_t total = b >> 1;
      if (total > tuple.size() - offset) return Truncated(offset, total, tuple.size());
      std::string s(tuple.substr(offset + 1, total - 1));
      offset += total;
      return Datum(std::move(s));
    }
  }
  auto header = FixedBytes(tuple, offset, 4, 4);
  if (!header.ok()) return header.error();
  auto word = LoadLittleEndian<uint32_t>(*header);
  if ((word & 0x03) != 0) {
    return MakeError(sqlstate::kDataCorrupted,
                     fmt::format("heap tuple is corrupt: a compressed value at byte {}", offset - 4));
  }
  size_t total = word >> 2;
  if (total < 4) return Truncated(offset - 4, 4, tuple.size());
  size_t data = total - 4;
  if (data > tuple.size() - offset) return Truncated(offset - 4, total, tuple.size());
  std::string s(tuple.substr(offset, data));
  offset += data;
  return Datum(std::move(s));
}


/* An array's element type as PostgreSQL's pg_type OID (ArrayType.elemtype). */
uint32_t ElementTypeOid(ColumnType element) {
  switch (element) {
    case ColumnType::kInt2:
      return 21;
    case ColumnType::kInt4:
      return 23;
    case ColumnType::kOid:
      return 26;
    case ColumnType::kChar:
      return 18;
    case ColumnType::kName:
      return 19;
    case ColumnType::kBool: return 16;
    case ColumnType::kInt8: return 20;
    case ColumnType::kFloat4: return 700;
    case ColumnType::kFloat8: return 701;
    case ColumnType::kNumeric: return 1700;
    case ColumnType::kVarchar: return 1043;
    case ColumnType::kBpchar: return 1042;
    case ColumnType::kDate: return 1082;
    case ColumnType::kTimestamp: return 1114;
    case ColumnType::kTimestampTz: return 1184;
    case ColumnType::kInterval: return 1186;
    default:
      return 25;
  }
}

constexpr size_t kArrayHeaderBytes = 24;  // ndim, dataoffset, elemtype, dim, lbound (+ pad to 8)

/* numeric's varlena payload: kind/sign (0 positive, 1 negative, 2 NaN,
 * 3 +Infinity, 4 -Infinity), the display scale (uint16), the digits. */
std::string EncodeNumeric(const Numeric& n) {
  uint8_t kind = n.kind == Numeric::Kind::kNaN                ? 2
                 : n.kind == Numeric::Kind::kPositiveInfinity ? 3
                 : n.kind == Numeric::Kind::kNegativeInfinity ? 4
                 : n.negative                                 ? 1
                                                              : 0;
  std::string out(1, static_cast<char>(kind));
  AppendLittleEndian<uint16_t>(out, static_cast<uint16_t>(n.scale));
  if (kind <= 1) out += n.digits;
  return out;
}

Result<Datum> DecodeNumeric(const std::string& payload, size_t offset) {
  if (payload.size() < 3 || static_cast<uint8_t>(payload[0]) > 4 ||
      (static_cast<uint8_t>(payload[0]) <= 1 &&
       (payload.size() == 3 || payload.find_first_not_of("0123456789", 3) != std::string::npos))) {
    return MakeError(sqlstate::kDataCorrupted,
                     fmt::format("heap tuple is corrupt: a bad numeric before byte {}", offset));
  }
  Numeric n;
  auto kind = static_cast<uint8_t>(payload[0]);
  n.kind = kind == 2   ? Numeric::Kind::kNaN
           : kind == 3 ? Numeric::Kind::kPositiveInfinity
           : kind == 4 ? Numeric::Kind::kNegativeInfinity
                       : Numeric::Kind::kFinite;
  n.negative = kind == 1;
  n.scale = LoadLittleEndian<uint16_t>(payload.data() + 1);
  if (kind <= 1) n.digits = payload.substr(3);
  return Datum(std::move(n));
}

}  // namespace

/* An array as PostgreSQL lays one out (ArrayType): ndim (0 when empty,
 * but 1 for an empty int2vector / oidvector), dataoffset (0 without NULLs,
 * else where the elements start), elemtype, then for one dimension its
 * length and lower bound (0 for the vectors), the NULL bitmap if any (bit
 * set = not NULL), padding to 8 bytes, and the non-NULL elements, each
 * aligned as its type and padded to that alignment after it (a text
 * element keeps a 4-byte header). Offsets count from the varlena's 4-byte
 * header; an array (not the vectors: their storage is plain) is stored
 * with a 1-byte header (unaligned) instead when it fits, as PostgreSQL's
 * tuples do. */
Status AppendArray(std::string& out, ColumnType type, const ArrayData& array, std::string_view column) {
  ColumnType element = ArrayElementColumnType(type);
  bool vector = type == ColumnType::kInt2Vector || type == ColumnType::kOidVector;
  bool has_nulls = false;
  for (const Datum& d : array.elements) has_nulls = has_nulls || IsNull(d);
  std::string a(4, '\0');  // the 4-byte varlena header, filled in at the end
  size_t ndim = array.elements.empty() && !vector ? 0 : 1;
  size_t bitmap = has_nulls ? (array.elements.size() + 7) / 8 : 0;
  size_t data_offset = ndim == 0 ? 16 : AlignUp(kArrayHeaderBytes + bitmap, 8);
  AppendLittleEndian<int32_t>(a, static_cast<int32_t>(ndim));
  AppendLittleEndian<int32_t>(a, has_nulls ? static_cast<int32_t>(data_offset) : 0);
  AppendLittleEndian<uint32_t>(a, ElementTypeOid(element));
  if (ndim == 1) {
    AppendLittleEndian<int32_t>(a, static_cast<int32_t>(array.elements.size()));
    AppendLittleEndian<int32_t>(a, vector ? 0 : array.lower_bound);
    std::string bits(bitmap, '\0');
    for (size_t i = 0; i < array.elements.size() && has_nulls; ++i) {
      if (!IsNull(array.elements[i])) bits[i / 8] = static_cast<char>(bits[i / 8] | (1 << (i % 8)));
    }
    a += bits;
  }
  a.resize(data_offset, '\0');
  size_t align = StorageOf(element)->align;
  for (const Datum& d : array.elements) {
    if (IsNull(d)) continue;
    if (element == ColumnType::kText || element == ColumnType::kName) {
      const std::string* text = std::get_if<std::string>(&d);
      if (text == nullptr) return Mismatch(column, "text");
      Pad(a, 4);
      AppendLittleEndian<uint32_t>(a, static_cast<uint32_t>((text->size() + 4) << 2));
      a += *text;
    } else if (Status s = AppendDatum(a, element, d, column); !s.ok()) {
      return s;
    }
    Pad(a, align);
  }
  if (a.size() > kVarlenaMax) {
    return MakeError(sqlstate::kProgramLimitExceeded, fmt::format("array too long: {} bytes", a.size()));
  }
  if (!vector && a.size() - 3 <= kShortVarlenaMax) {  // int2vector / oidvector: plain storage, never short
    out.push_back(static_cast<char>(((a.size() - 3) << 1) | 1));
    out.append(a, 4);
    return OkStatus();
  }
  auto header = static_cast<uint32_t>(a.size() << 2);
  std::memcpy(a.data(), &header, sizeof header);
  Pad(out, 4);
  out += a;
  return OkStatus();
}

Result<Datum> ReadArray(std::string_view tuple, size_t& offset, ColumnType type) {
  std::string a(4, '\0');  // the array in its 4-byte-header form, so element offsets count from there
  size_t start = offset;
  if (offset < tuple.size() && (static_cast<uint8_t>(tuple[offset]) & 0x01) != 0 && tuple[offset] != 0x01) {
    size_t total = static_cast<uint8_t>(tuple[offset]) >> 1;
    if (total > tuple.size() - offset) return Truncated(offset, total, tuple.size());
    a.append(tuple.substr(offset + 1, total - 1));
    offset += total;
  } else {
    auto header = FixedBytes(tuple, offset, 4, 4);
    if (!header.ok()) return header.error();
    start = offset - 4;
    size_t total = LoadLittleEndian<uint32_t>(*header) >> 2;
    if (total < 4 || total > tuple.size() - start) return Truncated(start, total, tuple.size());
    a.append(tuple.substr(offset, total - 4));
    offset = start + total;
  }
  if (a.size() < 16) return Truncated(start, 16, a.size());
  int32_t ndim = LoadLittleEndian<int32_t>(a.data() + 4);
  int32_t data_offset = LoadLittleEndian<int32_t>(a.data() + 8);
  ArrayData array;
  array.element = ArrayElementColumnType(type);
  if (ndim == 1 && a.size() >= kArrayHeaderBytes) {
    int32_t n = LoadLittleEndian<int32_t>(a.data() + 16);
    array.lower_bound = LoadLittleEndian<int32_t>(a.data() + 20);
    size_t bitmap_bytes = data_offset != 0 ? (static_cast<size_t>(n) + 7) / 8 : 0;
    if (n < 0 || kArrayHeaderBytes + bitmap_bytes > a.size()) return Truncated(start, kArrayHeaderBytes, a.size());
    std::string_view bits = std::string_view(a).substr(kArrayHeaderBytes, bitmap_bytes);
    size_t pos = data_offset != 0 ? static_cast<size_t>(data_offset) : AlignUp(kArrayHeaderBytes, 8);
    for (int32_t i = 0; i < n; ++i) {
      if (!bits.empty() && (static_cast<uint8_t>(bits[i / 8]) & (1 << (i % 8))) == 0) {
        array.elements.emplace_back();
        continue;
      }
      auto d = ReadDatum(a, pos, array.element);
      if (!d.ok()) return d.error();
      array.elements.push_back(std::move(*d));
    }
  } else if (ndim != 0) {
    return MakeError(sqlstate::kDataCorrupted,
                     fmt::format("heap tuple is corrupt: an array of {} dimensions at byte {}", ndim, start));
  }
  return Datum(ArrayValue{std::make_shared<const ArrayData>(std::move(array))});
}

Result<TypeStorage> StorageOf(ColumnType type) {
  if (IsArrayColumnType(type)) return TypeStorage{-1, 4};
  switch (type) {
    case ColumnType::kBool:
      return TypeStorage{1, 1};
    case ColumnType::kInt4:
      return TypeStorage{4, 4};
    case ColumnType::kInt8:
      return TypeStorage{8, 8};
    case ColumnType::kText:
    case ColumnType::kName:  // as text: see datum.h
      return TypeStorage{-1, 4};
    case ColumnType::kOid:
    case ColumnType::kXid:
    case ColumnType::kFloat4:
    case ColumnType::kRegproc:
      return TypeStorage{4, 4};
    case ColumnType::kChar:
      return TypeStorage{1, 1};
    case ColumnType::kInt2:
      return TypeStorage{2, 2};
    case ColumnType::kNumeric:
    case ColumnType::kVarchar:
    case ColumnType::kBpchar:
      return TypeStorage{-1, 4};
    case ColumnType::kFloat8:
    case ColumnType::kTimestamp:
    case ColumnType::kTimestampTz:
    case ColumnType::kInterval:
      return TypeStorage{8, 8};
    case ColumnType::kDate:
      return TypeStorage{4, 4};
    default:  // kInet; arrays are handled before the switch (IsArrayColumnType)
      break;
  }
  return MakeError(sqlstate::kInternalError,
                   fmt::format("column type {} cannot be stored in a heap tuple",
                               static_cast<int>(type)));
}

Status AppendDatum(std::string& out, ColumnType type, const Datum& value, std::string_view column) {
  if (IsArrayColumnType(type)) {
    const ArrayValue* a = std::get_if<ArrayValue>(&value);
    if (a == nullptr || !a->data) return Mismatch(column, "array");
    return AppendArray(out, type, *a->data, column);
  }
  switch (type) {
    case ColumnType::kBool: {
      const bool* b = std::get_if<bool>(&value);
      if (b == nullptr) return Mismatch(column, "boolean");
      out.push_back(*b ? 1 : 0);
      return OkStatus();
    }
    case ColumnType::kInt4: {
      const int64_t* v = std::get_if<int64_t>(&value);
      if (v == nullptr) return Mismatch(column, "integer");
      if (*v < std::numeric_limits<int32_t>::min() || *v > std::numeric_limits<int32_t>::max()) {
        return MakeError(sqlstate::kNumericValueOutOfRange, "integer out of range");
      }
      Pad(out, 4);
      AppendLittleEndian<int32_t>(out, static_cast<int32_t>(*v));
      return OkStatus();
    }
    case ColumnType::kInt8: {
      const int64_t* v = std::get_if<int64_t>(&value);
      if (v == nullptr) return Mismatch(column, "bigint");
      Pad(out, 8);
      AppendLittleEndian<int64_t>(out, *v);
      return OkStatus();
    }
    case ColumnType::kText:
    case ColumnType::kName: {
      const std::string* s = std::get_if<std::string>(&value);
      if (s == nullptr) return Mismatch(column, type == ColumnType::kText ? "text" : "name");
      return AppendText(out, *s);
    }
    case ColumnType::kOid:
    case ColumnType::kXid:
    case ColumnType::kRegproc: {
      const int64_t* v = std::get_if<int64_t>(&value);
      if (v == nullptr || *v < 0 || *v > std::numeric_limits<uint32_t>::max()) {
        return Mismatch(column, type == ColumnType::kOid ? "oid" : "xid");
      }
      Pad(out, 4);
      AppendLittleEndian<uint32_t>(out, static_cast<uint32_t>(*v));
      return OkStatus();
    }
    case ColumnType::kChar: {
      const std::string* s = std::get_if<std::string>(&value);
      if (s == nullptr || s->size() > 1) return Mismatch(column, "\"char\"");
      out.push_back(s->empty() ? '\0' : (*s)[0]);
      return OkStatus();
    }
    case ColumnType::kInt2: {
      const int64_t* v = std::get_if<int64_t>(&value);
      if (v == nullptr) return Mismatch(column, "smallint");
      if (*v < std::numeric_limits<int16_t>::min() || *v > std::numeric_limits<int16_t>::max()) {
        return MakeError(sqlstate::kNumericValueOutOfRange, "smallint out of range");
      }
      Pad(out, 2);
      AppendLittleEndian<int16_t>(out, static_cast<int16_t>(*v));
      return OkStatus();
    }
    case ColumnType::kFloat4: {
      const double* d = std::get_if<double>(&value);
      if (d == nullptr) return Mismatch(column, "real");
      Pad(out, 4);
      AppendLittleEndian<float>(out, static_cast<float>(*d));
      return OkStatus();
    }
    case ColumnType::kNumeric: {
      const Numeric* n = std::get_if<Numeric>(&value);
      if (n == nullptr) return Mismatch(column, "numeric");
      return AppendText(out, EncodeNumeric(*n));
    }
    case ColumnType::kVarchar:
    case ColumnType::kBpchar: {
      const std::string* s = std::get_if<std::string>(&value);
      if (s == nullptr) return Mismatch(column, type == ColumnType::kVarchar ? "character varying" : "character");
      return AppendText(out, *s);
    }
    case ColumnType::kFloat8: {
      const double* d = std::get_if<double>(&value);
      if (d == nullptr) return Mismatch(column, "double precision");
      Pad(out, 8);
      AppendLittleEndian<double>(out, *d);
      return OkStatus();
    }
    case ColumnType::kTimestamp:
    case ColumnType::kTimestampTz: {
      const int64_t* v = std::get_if<int64_t>(&value);
      if (v == nullptr) return Mismatch(column, "timestamp");
      Pad(out, 8);
      AppendLittleEndian<int64_t>(out, *v);
      return OkStatus();
    }
    case ColumnType::kDate: {
      const int64_t* v = std::get_if<int64_t>(&value);
      if (v == nullptr || *v < std::numeric_limits<int32_t>::min() || *v > std::numeric_limits<int32_t>::max()) {
        return Mismatch(column, "date");
      }
      Pad(out, 4);
      AppendLittleEndian<int32_t>(out, static_cast<int32_t>(*v));
      return OkStatus();
    }
    case ColumnType::kInterval: {
      const Interval* iv = std::get_if<Interval>(&value);
      if (iv == nullptr) return Mismatch(column, "interval");
      Pad(out, 8);
      AppendLittleEndian<int64_t>(out, iv->micros);
      AppendLittleEndian<int32_t>(out, iv->days);
      AppendLittleEndian<int32_t>(out, iv->months);
      return OkStatus();
    }
    default:  // kInet; arrays are handled before the switch (IsArrayColumnType)
      break;
  }
  return StorageOf(type).error();
}

Result<Datum> ReadDatum(std::string_view tuple, size_t& offset, ColumnType type) {
  if (IsArrayColumnType(type)) return ReadArray(tuple, offset, type);
  switch (type) {
    case ColumnType::kBool: {
      auto p = FixedBytes(tuple, offset, 1, 1);
      if (!p.ok()) return p.error();
      return Datum(**p != 0);
    }
    case ColumnType::kInt4: {
      auto p = FixedBytes(tuple, offset, 4, 4);
      if (!p.ok()) return p.error();
      return Datum(int64_t{LoadLittleEndian<int32_t>(*p)});
    }
    case ColumnType::kInt8: {
      auto p = FixedBytes(tuple, offset, 8, 8);
      if (!p.ok()) return p.error();
      return Datum(LoadLittleEndian<int64_t>(*p));
    }
    case ColumnType::kText:
    case ColumnType::kName:
      return ReadText(tuple, offset);
    case ColumnType::kOid:
    case ColumnType::kXid:
    case ColumnType::kRegproc: {
      auto p = FixedBytes(tuple, offset, 4, 4);
      if (!p.ok()) return p.error();
      return Datum(int64_t{LoadLittleEndian<uint32_t>(*p)});
    }
    case ColumnType::kChar: {
      auto p = FixedBytes(tuple, offset, 1, 1);
      if (!p.ok()) return p.error();
      return Datum(**p == '\0' ? std::string() : std::string(1, **p));
    }
    case ColumnType::kInt2: {
      auto p = FixedBytes(tuple, offset, 2, 2);
      if (!p.ok()) return p.error();
      return Datum(int64_t{LoadLittleEndian<int16_t>(*p)});
    }
    case ColumnType::kFloat4: {
      auto p = FixedBytes(tuple, offset, 4, 4);
      if (!p.ok()) return p.error();
      return Datum(double{LoadLittleEndian<float>(*p)});
    }
    case ColumnType::kNumeric: {
      auto text = ReadText(tuple, offset);
      if (!text.ok()) return text;
      return DecodeNumeric(std::get<std::string>(*text), offset);
    }
    case ColumnType::kVarchar:
    case ColumnType::kBpchar:
      return ReadText(tuple, offset);
    case ColumnType::kFloat8: {
      auto p = FixedBytes(tuple, offset, 8, 8);
      if (!p.ok()) return p.error();
      return Datum(LoadLittleEndian<double>(*p));
    }
    case ColumnType::kTimestamp:
    case ColumnType::kTimestampTz: {
      auto p = FixedBytes(tuple, offset, 8, 8);
      if (!p.ok()) return p.error();
      return Datum(LoadLittleEndian<int64_t>(*p));
    }
    case ColumnType::kDate: {
      auto p = FixedBytes(tuple, offset, 4, 4);
      if (!p.ok()) return p.error();
      return Datum(int64_t{LoadLittleEndian<int32_t>(*p)});
    }
    case ColumnType::kInterval: {
      auto p = FixedBytes(tuple, offset, 16, 8);
      if (!p.ok()) return p.error();
      return Datum(Interval{LoadLittleEndian<int32_t>(*p + 12), LoadLittleEndian<int32_t>(*p + 8),
                            LoadLittleEndian<int64_t>(*p)});
    }
    default:  // kInet; arrays are handled before the switch (IsArrayColumnType)
      break;
  }
  return StorageOf(type).error();
}

}  // namespace minipg::storage
