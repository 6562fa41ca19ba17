/*-------------------------------------------------------------------------
 * compare.cpp
 *   A result set as sqllogictest prints it, and its comparison with the
 *   lines a .test file expects (slt.h).
 *
 * NOTES
 *   Values arrive as the server's text (libpq's text format). An I column
 *   prints PostgreSQL's booleans as 1/0 and a fractional number truncated
 *   toward zero, as a database without those types would have returned it.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "engine/auth/crypto.h"
#include "sim/slt/slt.h"

namespace minipg::sim::slt {
namespace {

/* The value as a double, if the whole of it is a number. */
std::optional<double> AsNumber(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || errno == ERANGE) return std::nullopt;
  return d;
}

std::string TrimRight(std::string_view s) {
  size_t end = s.find_last_not_of(" \t");
  return std::string(end == std::string_view::npos ? std::string_view() : s.substr(0, end + 1));
}

/* Whether the line is "N values hashing to H". */
bool IsHashLine(const std::string& line) {
  size_t mid = line.find(" values hashing to ");
  return mid != std::string::npos && mid > 0 &&
         line.find_first_not_of("0123456789") == mid;
}

}  // namespace

std::string FormatValue(const std::optional<std::string>& value, char type) {
  if (!value) return "NULL";
  const std::string& v = *value;
  if (type == 'I') {
    if (v == "t" || v == "f") return v == "t" ? "1" : "0";
    if (v.find_first_of(".eE") != std::string::npos) {
      if (auto d = AsNumber(v); d && std::isfinite(*d)) {
        return fmt::format("{}", static_cast<int64_t>(std::trunc(*d)));
      }
    }
    return v;
  }
  if (type == 'R') {
    if (auto d = AsNumber(v)) return fmt::format("{:.3f}", *d);
    return v;
  }
  if (v.empty()) return "(empty)";
  std::string out = v;
  for (char& c : out) {
    if (c < ' ' || c > '~') c = '@';  // a signed char past 0x7f is negative: '@' too
  }
  return out;
}

std::string HashLine(const std::vector<std::string>& values) {
  std::string all;
  for (const std::string& v : values) {
    all += v;
    all += '\n';
  }
  return fmt::format("{} values hashing to {}", values.size(), auth::Md5Hex(all));
}

std::vector<std::string> SortedValues(std::vector<std::vector<std::string>> rows, SortMode sort) {
  if (sort == SortMode::kRowSort) std::sort(rows.begin(), rows.end());
  std::vector<std::string> values;
  for (auto& row : rows) {
    for (auto& v : row) values.push_back(std::move(v));
  }
  if (sort == SortMode::kValueSort) std::sort(values.begin(), values.end());
  return values;
}

bool Matches(const std::vector<std::string>& values, size_t columns,
             const std::vector<std::string>& expected) {
  if (expected.size() == 1) {
    if (IsHashLine(expected[0])) return HashLine(values) == TrimRight(expected[0]);
  }
  if (expected == values) return true;
  // One row a line, its values separated by spaces.
  if (columns < 2 || expected.size() * columns != values.size()) return false;
  for (size_t r = 0; r < expected.size(); ++r) {
    std::string row;
    for (size_t c = 0; c < columns; ++c) {
      if (c > 0) row += ' ';
      row += values[r * columns + c];
    }
    if (row != TrimRight(expected[r])) return false;
  }
  return true;
}

}  // namespace minipg::sim::slt
