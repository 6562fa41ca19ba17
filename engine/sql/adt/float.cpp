/*-------------------------------------------------------------------------
 * float.cpp
 *   double precision text input and output (float.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/adt/float.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"

namespace minipg::sql::adt {

std::string Float8Out(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  // The shortest round-trip digits, then PostgreSQL's layout: plain
  // notation for exponents -4 .. 14, d.ddde+XX otherwise.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(end - buf));
  bool negative = sci.front() == '-';
  if (negative) sci.remove_prefix(1);
  size_t e_pos = sci.find('e');
  int exponent = std::atoi(std::string(sci.substr(e_pos + 1)).c_str());
  std::string digits;
  for (char c : sci.substr(0, e_pos)) {
    if (c != '.') digits.push_back(c);
  }
  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 15) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    out += fmt::format("e{}{:02d}", exponent < 0 ? '-' : '+', std::abs(exponent));
  } else if (exponent < 0) {
    out += "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
  } else if (static_cast<size_t>(exponent) + 1 >= digits.size()) {
    out += digits + std::string(exponent + 1 - digits.size(), '0');
  } else {
    out += digits.substr(0, exponent + 1) + "." + digits.substr(exponent + 1);
  }
  return out;
}

Result<double> Float8In(std::string_view text, const char* type_name) {
  std::string_view s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::string word(s);
  for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (word == "nan") return std::nan("");
  if (word == "infinity" || word == "+infinity" || word == "inf" || word == "+inf") return HUGE_VAL;
  if (word == "-infinity" || word == "-inf") return -HUGE_VAL;
  auto invalid = [&] {
    return MakeError(sqlstate::kInvalidTextRepresentation,
                     fmt::format("invalid input syntax for type {}: \"{}\"", type_name, text));
  };
  // strtod also reads hex and "infinity" spellings PostgreSQL refuses: only digits, point, exponent.
  if (word.empty() || word.find_first_not_of("0123456789.e+-") != std::string::npos) return invalid();
  std::string str(s);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(str.c_str(), &end);
  if (end != str.c_str() + str.size() || end == str.c_str()) return invalid();
  if (errno == ERANGE && (v == 0 || std::isinf(v) || std::fabs(v) < 2.2250738585072014e-308)) {
    return MakeError(sqlstate::kNumericValueOutOfRange,
                     fmt::format("\"{}\" is out of range for type {}", str, type_name));
  }
  return v;
}

Result<double> CheckFloat8(double result, bool inputs_infinite, bool zero_allowed) {
  if (std::isinf(result) && !inputs_infinite) {
    return MakeError(sqlstate::kNumericValueOutOfRange, "value out of range: overflow");
  }
  if (result == 0 && !zero_allowed) {
    return MakeError(sqlstate::kNumericValueOutOfRange, "value out of range: underflow");
  }
  return result;
}

}  // namespace minipg::sql::adt
