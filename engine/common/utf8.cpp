/*-------------------------------------------------------------------------
 * utf8.cpp
 *   UTF-8 verification with PostgreSQL's rules (pg_utf8_verifychar): no
 *   overlong forms, no surrogates, nothing above U+10FFFF, and no NUL byte.
 *-------------------------------------------------------------------------
 */
#include "engine/common/utf8.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/common/sqlstate.h"

namespace minipg {

namespace {

/* The length of the valid character at s[i], or 0 if there is none. */
size_t CharLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = byte(0);
  if (c == 0) return 0;  // PostgreSQL refuses NUL in text
  if (c < 0x80) return 1;
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xbf;  // allowed range of the second byte
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    if (c == 0xe0) lo = 0xa0;  // no overlong forms
    if (c == 0xed) hi = 0x9f;  // no surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    if (c == 0xf0) lo = 0x90;  // no overlong forms
    if (c == 0xf4) hi = 0x8f;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(1) < lo || byte(1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if ((byte(k) & 0xc0) != 0x80) return 0;
  }
  return len;
}

/* How many bytes the first byte promises, as PostgreSQL's pg_utf_mblen says. */
size_t PromisedLength(unsigned char c) {
  if ((c & 0x80) == 0) return 1;
  if ((c & 0xe0) == 0xc0) return 2;
  if ((c & 0xf0) == 0xe0) return 3;
  if ((c & 0xf8) == 0xf0) return 4;
  return 1;
}

}  // namespace

size_t ValidUtf8Prefix(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t len = CharLength(s, i);
    if (len == 0) return i;
    i += len;
  }
  return i;
}

Status VerifyUtf8(std::string_view s) {
  size_t bad = ValidUtf8Prefix(s);
  if (bad == s.size()) return OkStatus();
  size_t n = std::min(PromisedLength(static_cast<unsigned char>(s[bad])), s.size() - bad);
  std::string bytes;
  for (size_t k = 0; k < n; ++k) {
    if (k > 0) bytes.push_back(' ');
    bytes += fmt::format("0x{:02x}", static_cast<unsigned char>(s[bad + k]));
  }
  return MakeError(sqlstate::kCharacterNotInRepertoire,
                   fmt::format("invalid byte sequence for encoding \"UTF8\": {}", bytes));
}

std::string CleanAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    auto b = static_cast<unsigned char>(c);
    if (b < 32 || b > 126) c = '?';
  }
  return out;
}

std::string_view Utf8Prefix(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // not inside a character
  return s.substr(0, n);
}

std::string ShortenForDisplay(std::string_view s) {
  if (s.size() <= kMaxShownValue) return std::string(s);
  return std::string(Utf8Prefix(s, kMaxShownValue)) + "...";
}

}  // namespace minipg
