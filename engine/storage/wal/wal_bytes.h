/*-------------------------------------------------------------------------
 * wal_bytes.h
 *   Little-endian fixed-width reads and writes for the WAL's on-disk
 *   formats (page headers, record headers, record payloads).
 *
 * NOTES
 *   WAL bytes are little-endian on disk whatever the machine. ByteWriter
 *   appends to a string; ByteReader takes from the front of a view and
 *   remembers when a read ran past the end (it then gives zeros), so a
 *   decoder checks ok() once at the end instead of after every field.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace minipg::storage::wal {

inline void StoreLe(char* p, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}
inline uint64_t LoadLe(const char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}
inline void Store16(char* p, uint16_t v) { StoreLe(p, v, 2); }
inline void Store32(char* p, uint32_t v) { StoreLe(p, v, 4); }
inline void Store64(char* p, uint64_t v) { StoreLe(p, v, 8); }
inline uint16_t Load16(const char* p) { return static_cast<uint16_t>(LoadLe(p, 2)); }
inline uint32_t Load32(const char* p) { return static_cast<uint32_t>(LoadLe(p, 4)); }
inline uint64_t Load64(const char* p) { return LoadLe(p, 8); }

class ByteWriter {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U16(uint16_t v) { Put(v, 2); }
  void U32(uint32_t v) { Put(v, 4); }
  void U64(uint64_t v) { Put(v, 8); }
  void Bytes(std::string_view b) { out_.append(b); }
  std::string& str() { return out_; }

 private:
  void Put(uint64_t v, size_t n) {
    char b[8];
    StoreLe(b, v, n);
    out_.append(b, n);
  }
  std::string out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  uint8_t U8() { return static_cast<uint8_t>(Get(1)); }
  uint16_t U16() { return static_cast<uint16_t>(Get(2)); }
  uint32_t U32() { return static_cast<uint32_t>(Get(4)); }
  uint64_t U64() { return Get(8); }
  std::string_view Bytes(size_t n) {
    if (n > in_.size()) {
      ok_ = false;
      in_ = {};
      return {};
    }
    std::string_view b = in_.substr(0, n);
    in_.remove_prefix(n);
    return b;
  }
  std::string_view Rest() const { return in_; }
  bool ok() const { return ok_; }
  /* ok() and nothing left over: a fixed-layout payload was read exactly. */
  bool done() const { return ok_ && in_.empty(); }

 private:
  uint64_t Get(size_t n) {
    std::string_view b = Bytes(n);
    return b.empty() ? 0 : LoadLe(b.data(), n);
  }
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace minipg::storage::wal
