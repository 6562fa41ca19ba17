/*-------------------------------------------------------------------------
 * varchar.cpp
 *   varchar(n) and char(n) length checks and padding (varchar.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/adt/varchar.h"

#include <fmt/format.h>

#include "engine/common/sqlstate.h"

namespace minipg::sql::adt {
namespace {

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

/* Cuts s to n characters if the cut part is blanks or the cast is explicit. */
Status CutToLength(std::string* s, size_t n, bool explicit_cast, const char* type_name) {
  size_t bytes = BytesOfChars(*s, n);
  if (bytes == s->size()) return OkStatus();
  if (!explicit_cast && s->find_first_not_of(' ', bytes) != std::string::npos) {
    return MakeError(sqlstate::kStringDataRightTruncation,
                     fmt::format("value too long for type {}({})", type_name, n));
  }
  s->resize(bytes);
  return OkStatus();
}

}  // namespace

size_t CharLength(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += IsContinuation(c) ? 0 : 1;
  return n;
}

size_t BytesOfChars(std::string_view s, size_t n) {
  size_t i = 0;
  for (size_t chars = 0; i < s.size(); ++i) {
    if (!IsContinuation(s[i]) && chars++ == n) break;
  }
  return i;
}

Result<std::string> VarcharApplyTypmod(std::string s, int32_t typmod, bool explicit_cast) {
  if (typmod < 4) return s;
  if (Status st = CutToLength(&s, static_cast<size_t>(typmod - 4), explicit_cast, "character varying"); !st.ok()) {
    return st.error();
  }
  return s;
}

Result<std::string> BpcharApplyTypmod(std::string s, int32_t typmod, bool explicit_cast) {
  if (typmod < 4) return s;
  auto n = static_cast<size_t>(typmod - 4);
  if (Status st = CutToLength(&s, n, explicit_cast, "character"); !st.ok()) return st.error();
  s.append(n - CharLength(s), ' ');
  return s;
}

std::string_view BpcharTrimmed(std::string_view s) {
  size_t end = s.find_last_not_of(' ');
  return end == std::string_view::npos ? std::string_view() : s.substr(0, end + 1);
}

}  // namespace minipg::sql::adt
