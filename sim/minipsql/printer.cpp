/*-------------------------------------------------------------------------
 * printer.cpp
 *   psql-style output: aligned, unaligned, tuples only, expanded.
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
  return oid == 20 || oid == 21 || oid == 23 || oid == 700 || oid == 701 || oid == 1700 ||
         oid == 26;
}

std::string Value(const protocol::DataRow& row, size_t i) {
  return i < row.size() && row[i] ? *row[i] : "";
}

std::string Footer(size_t rows) {
  return fmt::format("({} row{})\n", rows, rows == 1 ? "" : "s");
}

std::string Unaligned(const client::StatementResult& r, const PrintOptions& o) {
  std::string out;
  size_t n = r.fields.size();
  if (o.expanded) {
    for (size_t k = 0; k < r.rows.size(); ++k) {
      if (k > 0) out += "\n";
      for (size_t i = 0; i < n; ++i)
        out += r.fields[i].name + o.field_separator + Value(r.rows[k], i) + "\n";
    }
    return out;
  }
  if (!o.tuples_only) {
    if (!o.title.empty()) out += o.title + "\n";
    for (size_t i = 0; i < n; ++i) out += (i > 0 ? o.field_separator : "") + r.fields[i].name;
    out += "\n";
  }
  for (const auto& row : r.rows) {
    for (size_t i = 0; i < n; ++i) out += (i > 0 ? o.field_separator : "") + Value(row, i);
    out += "\n";
  }
  if (!o.tuples_only && o.footer) out += Footer(r.rows.size());
  return out;
}

/* A cell as psql shows it: split at newlines, tabs expanded to the next
 * multiple of 8 columns. */
std::vector<std::string> CellLines(const std::string& v) {
  std::vector<std::string> lines(1);
  for (char c : v) {
    if (c == '\n') {
      lines.emplace_back();
    } else if (c == '\t') {
      lines.back() += std::string(8 - Width(lines.back()) % 8, ' ');
    } else {
      lines.back() += c;
    }
  }
  return lines;
}

std::string Expanded(const client::StatementResult& r, const PrintOptions& o) {
  if (r.rows.empty()) return o.tuples_only ? "" : "(0 rows)\n\n";
  size_t name_w = 0, value_w = 0;
  for (const auto& f : r.fields) name_w = std::max(name_w, Width(f.name));
  for (const auto& row : r.rows) {
    for (size_t i = 0; i < r.fields.size(); ++i) {
      for (const auto& l : CellLines(Value(row, i))) value_w = std::max(value_w, Width(l));
    }
  }
  std::string out;
  for (size_t k = 0; k < r.rows.size(); ++k) {
    if (o.tuples_only) {
      // No record headers, only a rule between records (as psql -t -x).
      if (k > 0) out += std::string(name_w + 1, '-') + "+" + std::string(value_w + 1, '-') + "\n";
    } else {
      std::string head = fmt::format("-[ RECORD {} ]", k + 1);
      size_t total = name_w + 3 + value_w;
      if (Width(head) < total) head += std::string(total - Width(head), '-');
      out += head + "\n";
    }
    for (size_t i = 0; i < r.fields.size(); ++i) {
      const std::string& name = r.fields[i].name;
      auto lines = CellLines(Value(r.rows[k], i));
      for (size_t l = 0; l < lines.size(); ++l) {
        out += (l == 0 ? name + std::string(name_w - Width(name), ' ') : std::string(name_w, ' ')) +
               " | " + lines[l] + (l + 1 < lines.size() ? "+" : "") + "\n";
      }
    }
  }
  return out + "\n";
}

std::string Aligned(const client::StatementResult& r, const PrintOptions& o) {
  size_t n = r.fields.size();
  std::vector<size_t> width(n);
  for (size_t i = 0; i < n; ++i) width[i] = Width(r.fields[i].name);
  std::vector<std::vector<std::vector<std::string>>> cells;  // row, column, line
  for (const auto& row : r.rows) {
    auto& cr = cells.emplace_back();
    for (size_t i = 0; i < n; ++i) {
      cr.push_back(CellLines(Value(row, i)));
      for (const auto& l : cr.back()) width[i] = std::max(width[i], Width(l));
    }
  }
  std::string out;
  if (!o.tuples_only) {
    if (!o.title.empty()) {
      size_t total = 2;
      for (size_t i = 0; i < n; ++i) total += width[i] + (i > 0 ? 3 : 0);
      size_t tw = Width(o.title);
      out += std::string(total > tw ? (total - tw) / 2 : 0, ' ') + o.title + "\n";
    }
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
  }
  for (const auto& cr : cells) {
    size_t height = 1;
    for (const auto& c : cr) height = std::max(height, c.size());
    // A value with newlines takes several lines; '+' marks where it goes on.
    for (size_t l = 0; l < height; ++l) {
      std::string line;
      for (size_t i = 0; i < n; ++i) {
        std::string v = l < cr[i].size() ? cr[i][l] : "";
        bool more = l + 1 < cr[i].size();
        size_t pad = width[i] - Width(v);
        if (i == 0) {
          line += " ";
        } else {
          bool prev_more = l + 1 < cr[i - 1].size();
          line += prev_more ? "| " : " | ";
        }
        if (IsNumericType(r.fields[i].type_oid)) {
          line += std::string(pad, ' ') + v;
        } else {
          line += v;
          if (i + 1 < n || more) line += std::string(pad, ' ');
        }
        if (more) line += "+";
      }
      out += line + "\n";
    }
  }
  if (!o.tuples_only && o.footer) out += Footer(r.rows.size());
  return out + "\n";
}

}  // namespace

std::string FormatResult(const client::StatementResult& r, const PrintOptions& o) {
  if (r.fields.empty()) return r.tag.empty() ? "" : r.tag + "\n";
  if (o.unaligned) {
    if (o.tuples_only && r.rows.empty()) return "";
    return Unaligned(r, o);
  }
  return o.expanded ? Expanded(r, o) : Aligned(r, o);
}

std::string FormatError(const protocol::ErrorFields& e, std::string_view query,
                        std::string_view prefix) {
  std::string out = fmt::format("{}{}:  {}\n", prefix, e.severity, e.message);
  if (e.position > 0) {
    // The position counts characters (UTF-8 code points), not bytes.
    std::vector<std::string_view> chars;
    for (size_t i = 0; i < query.size();) {
      auto c = static_cast<unsigned char>(query[i]);
      size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
      n = std::min(n, query.size() - i);
      chars.push_back(query.substr(i, n));
      i += n;
    }
    size_t pos = static_cast<size_t>(e.position) - 1;
    if (pos <= chars.size()) {
      size_t beg = pos, end = pos;
      while (beg > 0 && chars[beg - 1] != "\n") --beg;
      while (end < chars.size() && chars[end] != "\n") ++end;
      int lineno = 1 + static_cast<int>(std::count(chars.begin(), chars.begin() + beg, "\n"));
      // A long line is cut to a 60-column window that keeps at least 10
      // columns right of the position, as psql does.
      constexpr size_t kDisplay = 60, kMinRightCut = 10;
      bool beg_cut = false, end_cut = false;
      if (end - beg > kDisplay) {
        if (beg + kDisplay >= pos + kMinRightCut) {
          end = beg + kDisplay;
          end_cut = true;
        } else {
          if (pos + kMinRightCut < end) {
            end = pos + kMinRightCut;
            end_cut = true;
          }
          if (end - beg > kDisplay) {
            beg = end - kDisplay;
            beg_cut = true;
          }
        }
      }
      std::string line = beg_cut ? "..." : "";
      for (size_t i = beg; i < end; ++i) line += chars[i];
      if (end_cut) line += "...";
      std::string lead = fmt::format("LINE {}: ", lineno);
      out += lead + line + "\n";
      out += std::string(lead.size() + (beg_cut ? 3 : 0) + (pos - beg), ' ') + "^\n";
    }
  }
  if (!e.detail.empty()) out += fmt::format("DETAIL:  {}\n", e.detail);
  if (!e.hint.empty()) out += fmt::format("HINT:  {}\n", e.hint);
  if (!e.context.empty()) out += fmt::format("CONTEXT:  {}\n", e.context);
  return out;
}

}  // namespace minipg::minipsql
