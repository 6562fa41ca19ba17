/*-------------------------------------------------------------------------
 * printer.cpp
 *   psql-style aligned output.
 *-------------------------------------------------------------------------
 */
#include "sim/minipsql/printer.h"

#include <fmt/format.h>

#include <algorithm>

namespace minipg::minipsql {
namespace {

/* Display width of a UTF-8 string: one column per code point. */
size_t Width(std::string_view s) {
  size_t w = 0;
  for (unsigned char c : s) w += (c & 0xc0) != 0x80;
  return w;
}

bool IsNumericType(int32_t oid) {
  return oid == 20 || oid == 21 || oid == 23 || oid == 700 || oid == 701 || oid == 1700 || oid == 26;
}

}  // namespace

std::string FormatResult(const client::StatementResult& r) {
  if (r.fields.empty()) return r.tag.empty() ? "" : r.tag + "\n";
  size_t n = r.fields.size();
  std::vector<size_t> width(n);
  for (size_t i = 0; i < n; ++i) width[i] = Width(r.fields[i].name);
  for (const auto& row : r.rows) {
    for (size_t i = 0; i < n && i < row.size(); ++i) {
      if (row[i]) width[i] = std::max(width[i], Width(*row[i]));
    }
  }
  std::string out;
  // Header: names centred.
  for (size_t i = 0; i < n; ++i) {
    const std::string& name = r.fields[i].name;
    size_t pad = width[i] - Width(name);
    size_t left = pad / 2;
    out += i == 0 ? " " : " | ";
    out += std::string(left, ' ') + name + std::string(pad - left, ' ');
  }
  out += " \n";  // psql ends the header line with a space
  for (size_t i = 0; i < n; ++i) {
    out += i == 0 ? "-" : "-+-";
    out += std::string(width[i], '-');
  }
  out += "-\n";
  for (const auto& row : r.rows) {
    std::string line;
    for (size_t i = 0; i < n; ++i) {
      std::string v = i < row.size() && row[i] ? *row[i] : "";
      size_t pad = width[i] - Width(v);
      line += i == 0 ? " " : " | ";
      if (IsNumericType(r.fields[i].type_oid)) {
        line += std::string(pad, ' ') + v;
      } else {
        line += v;
        if (i + 1 < n) line += std::string(pad, ' ');
      }
    }
    out += line + "\n";
  }
  out += fmt::format("({} row{})\n\n", r.rows.size(), r.rows.size() == 1 ? "" : "s");
  return out;
}

std::string FormatError(const protocol::ErrorFields& e, std::string_view query) {
  std::string out = fmt::format("{}:  {}\n", e.severity, e.message);
  if (e.position > 0 && static_cast<size_t>(e.position) <= query.size() + 1) {
    // Find the line holding the position and point at it.
    size_t pos = static_cast<size_t>(e.position) - 1;
    size_t line_start = query.rfind('\n', pos == 0 ? 0 : pos - 1);
    line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
    if (pos < line_start) line_start = 0;
    size_t line_end = query.find('\n', pos);
    std::string_view line = query.substr(line_start, line_end == std::string_view::npos ? std::string_view::npos
                                                                                         : line_end - line_start);
    int lineno = 1 + static_cast<int>(std::count(query.begin(), query.begin() + line_start, '\n'));
    std::string prefix = fmt::format("LINE {}: ", lineno);
    out += prefix + std::string(line) + "\n";
    out += std::string(prefix.size() + Width(query.substr(line_start, pos - line_start)), ' ') + "^\n";
  }
  if (!e.detail.empty()) out += fmt::format("DETAIL:  {}\n", e.detail);
  if (!e.hint.empty()) out += fmt::format("HINT:  {}\n", e.hint);
  return out;
}

}  // namespace minipg::minipsql
