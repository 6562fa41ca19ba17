/*-------------------------------------------------------------------------
 * copy_format.cpp
 *   COPY's text and CSV formats: options, output, streaming input (see
 *   copy_format.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/copy_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "engine/common/limits.h"
#include "engine/common/sqlstate.h"
#include "engine/common/utf8.h"

namespace minipg::sql {

namespace {

Error BadFormat(std::string message, std::string context) {
  Error e = MakeError(sqlstate::kBadCopyFileFormat, std::move(message));
  e.context = std::move(context);
  return e;
}

/* PostgreSQL's limit_printout_length: at most 100 bytes, cut on a UTF-8
 * character boundary, then "...". */
std::string LimitPrintout(std::string_view s) {
  constexpr size_t kMax = 100;
  if (s.size() <= kMax) {
    return std::string(s);
  }
  size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) {
    --cut;
  }
  return std::string(s.substr(0, cut)) + "...";
}

std::optional<bool> ParseBool(std::string_view v) {
  std::string s(v);
  for (char& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (s == "true" || s == "on" || s == "1" || s == "t" || s == "yes" || s == "y") {
    return true;
  }
  if (s == "false" || s == "off" || s == "0" || s == "f" || s == "no" || s == "n") {
    return false;
  }
  return std::nullopt;
}

void AppendText(std::string& out, std::string_view v, char delim) {
  for (char c : v) {
    switch (c) {
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\v':
        out += "\\v";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (c == delim) {
          out += '\\';
        }
        out += c;
    }
  }
}

void AppendCsv(std::string& out, std::string_view v, const CopyOptions& o, bool single_column) {
  bool quote = v == o.null_string || (single_column && v == "\\.");
  for (char c : v) {
    quote = quote || c == o.delimiter || c == o.quote || c == '\n' || c == '\r';
  }
  if (!quote) {
    out += v;
    return;
  }
  out += o.quote;
  for (char c : v) {
    if (c == o.quote || c == o.escape) {
      out += o.escape;
    }
    out += c;
  }
  out += o.quote;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<CopyOptions> MakeCopyOptions(const std::vector<CopyOptionItem>& items) {
  CopyOptions o;
  bool seen_format = false, seen_header = false, seen_delim = false, seen_null = false;
  bool seen_quote = false, seen_escape = false, seen_freeze = false;
  std::optional<std::string> delim, quote, escape;
  auto redundant = [](const CopyOptionItem& it) {
    Error e = MakeError(sqlstate::kSyntaxError, "conflicting or redundant options");
    e.position = it.location;
    return e;
  };
  for (const CopyOptionItem& it : items) {
    const std::string value = it.value.value_or("");
    if (it.name == "format") {
      if (seen_format) return redundant(it);
      seen_format = true;
      if (value == "csv") {
        o.format = CopyFormat::kCsv;
      } else if (value == "text") {
        o.format = CopyFormat::kText;
      } else if (value == "binary") {
        return MakeError(sqlstate::kFeatureNotSupported,
                         "COPY format \"binary\" is not supported by minipg");
      } else {
        return MakeError(sqlstate::kInvalidParameterValue,
                         fmt::format("COPY format \"{}\" not recognized", value));
      }
    } else if (it.name == "header") {
      if (seen_header) return redundant(it);
      seen_header = true;
      if (!it.value) {
        o.header = true;
      } else if (auto b = ParseBool(value)) {
        o.header = *b;
      } else if (value == "match") {
        return MakeError(sqlstate::kFeatureNotSupported, "HEADER MATCH is not supported by minipg");
      } else {
        return MakeError(sqlstate::kInvalidParameterValue,
                         fmt::format("header requires a Boolean value or \"match\""));
      }
    } else if (it.name == "freeze") {
      if (seen_freeze) return redundant(it);
      seen_freeze = true;
      auto b = it.value ? ParseBool(value) : std::optional<bool>(true);
      if (!b) return MakeError(sqlstate::kSyntaxError, "freeze requires a Boolean value");
      o.freeze = *b;
    } else if (it.name == "delimiter") {
      if (seen_delim) return redundant(it);
      seen_delim = true;
      delim = value;
    } else if (it.name == "null") {
      if (seen_null) return redundant(it);
      seen_null = true;
      o.null_string = value;
    } else if (it.name == "quote") {
      if (seen_quote) return redundant(it);
      seen_quote = true;
      quote = value;
    } else if (it.name == "escape") {
      if (seen_escape) return redundant(it);
      seen_escape = true;
      escape = value;
    } else if (it.name == "force_quote" || it.name == "force_not_null" || it.name == "force_null" ||
               it.name == "encoding") {
      return MakeError(sqlstate::kFeatureNotSupported,
                       fmt::format("COPY option \"{}\" is not supported by minipg", it.name));
    } else {
      Error e =
          MakeError(sqlstate::kSyntaxError, fmt::format("option \"{}\" not recognized", it.name));
      e.position = it.location;
      return e;
    }
  }
  bool csv = o.format == CopyFormat::kCsv;
  if (!seen_null && csv) {
    o.null_string = "";
  }
  if (delim) {
    if (delim->size() != 1) {
      return MakeError(sqlstate::kFeatureNotSupported,
                       "COPY delimiter must be a single one-byte character");
    }
    o.delimiter = (*delim)[0];
  } else {
    o.delimiter = csv ? ',' : '\t';
  }
  if (o.delimiter == '\n' || o.delimiter == '\r') {
    return MakeError(sqlstate::kInvalidParameterValue,
                     "COPY delimiter cannot be newline or carriage return");
  }
  if (o.null_string.find_first_of("\r\n") != std::string::npos) {
    return MakeError(sqlstate::kInvalidParameterValue,
                     "COPY null representation cannot use newline or carriage return");
  }
  if (!csv && std::strchr("\\.abcdefghijklmnopqrstuvwxyz0123456789", o.delimiter) != nullptr) {
    return MakeError(sqlstate::kInvalidParameterValue,
                     fmt::format("COPY delimiter cannot be \"{}\"", o.delimiter));
  }
  if (!csv && quote) {
    return MakeError(sqlstate::kFeatureNotSupported, "COPY quote available only in CSV mode");
  }
  if (!csv && escape) {
    return MakeError(sqlstate::kFeatureNotSupported, "COPY escape available only in CSV mode");
  }
  if (quote) {
    if (quote->size() != 1) {
      return MakeError(sqlstate::kFeatureNotSupported,
                       "COPY quote must be a single one-byte character");
    }
    o.quote = (*quote)[0];
  }
  o.escape = o.quote;
  if (escape) {
    if (escape->size() != 1) {
      return MakeError(sqlstate::kFeatureNotSupported,
                       "COPY escape must be a single one-byte character");
    }
    o.escape = (*escape)[0];
  }
  if (csv && o.delimiter == o.quote) {
    return MakeError(sqlstate::kInvalidParameterValue,
                     "COPY delimiter and quote must be different");
  }
  if (o.null_string.find(o.delimiter) != std::string::npos) {
    return MakeError(sqlstate::kInvalidParameterValue,
                     "COPY delimiter character must not appear in the NULL specification");
  }
  if (csv && o.null_string.find(o.quote) != std::string::npos) {
    return MakeError(sqlstate::kFeatureNotSupported,
                     "CSV quote character must not appear in the NULL specification");
  }
  return o;
}

std::string FormatCopyRow(const CopyValues& values, const CopyOptions& opts) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) {
      out += opts.delimiter;
    }
    if (!values[i]) {
      out += opts.null_string;
    } else if (opts.format == CopyFormat::kCsv) {
      AppendCsv(out, *values[i], opts, values.size() == 1);
    } else {
      AppendText(out, *values[i], opts.delimiter);
    }
  }
  out += '\n';
  return out;
}

std::string FormatCopyHeader(const std::vector<std::string>& names, const CopyOptions& opts) {
  CopyValues values(names.begin(), names.end());
  // A column named like the NULL string is still a name: PostgreSQL quotes
  // it in CSV, and text has no quoting, so it is written as is.
  return FormatCopyRow(values, opts);
}

std::string CopyContext(std::string_view relation, int64_t line) {
  return fmt::format("COPY {}, line {}", relation, line);
}

std::string CopyContextLine(std::string_view relation, int64_t line, std::string_view text) {
  return fmt::format("COPY {}, line {}: \"{}\"", relation, line, LimitPrintout(text));
}

std::string CopyContextColumn(std::string_view relation, int64_t line, std::string_view column,
                              std::string_view value) {
  return fmt::format("COPY {}, line {}, column {}: \"{}\"", relation, line, column,
                     LimitPrintout(value));
}

Result<bool> CopyParser::FindRecordEnd(size_t* len, size_t* next, int* newlines) {
  // The scan resumes where the last call stopped (scan_pos_, with its
  // in-quote state and newline count), so a long record that arrives in
  // many small chunks is still scanned once: linear, not quadratic.
  bool csv = opts_.format == CopyFormat::kCsv;
  size_t i = std::max(scan_pos_, pos_);
  for (; i < buf_.size(); ++i) {
    ++scanned_bytes_;
    char c = buf_[i];
    if (csv) {
      if (scan_in_quote_) {
        if (c == opts_.escape && opts_.escape != opts_.quote) {
          if (i + 1 >= buf_.size()) {
            if (!finished_) break;  // what it escapes is in the next chunk
            continue;
          }
          if (buf_[i + 1] == opts_.quote || buf_[i + 1] == opts_.escape) {
            ++i;  // an escaped quote or escape
            continue;
          }
        }
        if (c == opts_.quote) {
          scan_in_quote_ = false;  // a doubled quote closes and reopens: same result
        } else if (c == '\n') {
          ++scan_newlines_;
        }
        continue;
      }
      if (c == opts_.quote) {
        scan_in_quote_ = true;
        continue;
      }
    } else if (c == '\\') {
      if (i + 1 >= buf_.size()) {
        if (!finished_) break;  // what it quotes is in the next chunk
        i = buf_.size();
        break;
      }
      if (buf_[i + 1] == '\n') {
        ++scan_newlines_;
      }
      ++i;  // a backslash quotes the next character, even a newline
      continue;
    }
    if (c == '\n') {
      *len = i - pos_;
      if (*len > 0 && buf_[i - 1] == '\r') {
        --*len;
      }
      *next = i + 1;
      *newlines = scan_newlines_;
      ResetScan(i + 1);
      return true;
    }
  }
  scan_pos_ = i;
  if (!finished_) {
    return false;  // the record may go on in the next chunk
  }
  if (scan_in_quote_) {
    return BadFormat("unterminated CSV quoted field",
                     CopyContextLine(relation_, lines_ + 1, std::string_view(buf_).substr(pos_)));
  }
  *len = buf_.size() - pos_;
  *next = buf_.size();
  *newlines = scan_newlines_;
  ResetScan(buf_.size());
  return *len > 0;
}

void CopyParser::ResetScan(size_t pos) {
  scan_pos_ = pos;
  scan_in_quote_ = false;
  scan_newlines_ = 1;
}

Result<std::optional<CopyRecord>> CopyParser::Next() {
  if (end_marker_) {
    return std::optional<CopyRecord>();
  }
  size_t len = 0, next = 0;
  int newlines = 1;
  auto found = FindRecordEnd(&len, &next, &newlines);
  if (!found.ok()) {
    return found.error();
  }
  // One line is bounded (limits.h), as PostgreSQL's line buffer is: a
  // client cannot make the backend hold an endless line.
  size_t held = *found ? next - pos_ : buf_.size() - pos_;
  if (held > kMaxFieldBytes) {
    Error e = StringBufferFull(kMaxFieldBytes, held - kMaxFieldBytes);
    e.context = CopyContext(relation_, lines_ + 1);
    return e;
  }
  if (!*found) {
    if (finished_) {
      pos_ = buf_.size();
    }
    return std::optional<CopyRecord>();
  }
  std::string_view line = std::string_view(buf_).substr(pos_, len);
  int64_t lineno = lines_ + 1;
  lines_ += newlines;
  // COPY data is text from the client: it must be UTF-8, line ending
  // included (PostgreSQL checks the raw bytes, so it names the '\n' too).
  if (Status s = VerifyUtf8(std::string_view(buf_).substr(pos_, next - pos_)); !s.ok()) {
    Error e = s.error();
    e.context = CopyContext(relation_, lineno);
    return e;
  }
  if (line == "\\.") {
    end_marker_ = true;
    return std::optional<CopyRecord>();
  }
  bool csv = opts_.format == CopyFormat::kCsv;
  if (!csv && line.find('\r') != std::string_view::npos) {
    Error e = BadFormat("literal carriage return found in data",
                        CopyContextLine(relation_, lineno, line));
    e.hint = "Use \"\\r\" to represent carriage return.";
    return e;
  }
  if (!csv && line.starts_with("\\.")) {
    return BadFormat("end-of-copy marker corrupt", CopyContextLine(relation_, lineno, line));
  }
  auto fields = csv ? SplitCsv(line, lineno) : SplitText(line, lineno);
  if (!fields.ok()) {
    return fields.error();
  }
  CopyRecord rec;
  rec.line = lineno;
  rec.text = std::string(line);
  rec.fields = std::move(*fields);
  pos_ = next;
  if (pos_ > (1u << 20)) {  // keep the buffer from growing with the whole input
    buf_.erase(0, pos_);
    pos_ = 0;
    ResetScan(0);
  }
  return std::optional<CopyRecord>(std::move(rec));
}

Result<CopyValues> CopyParser::SplitText(std::string_view line, int64_t lineno) const {
  CopyValues fields;
  size_t start = 0;
  for (;;) {
    // Find the end of this field: the next unescaped delimiter.
    size_t end = start;
    while (end < line.size() && line[end] != opts_.delimiter) {
      end += line[end] == '\\' && end + 1 < line.size() ? 2 : 1;
    }
    std::string_view raw = line.substr(start, end - start);
    if (raw == opts_.null_string) {
      fields.emplace_back(std::nullopt);  // compared before de-escaping, as PostgreSQL does
    } else {
      std::string value;
      bool escaped_odd_byte = false;  // an octal or hex escape made a NUL or a byte >= 0x80
      for (size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if (c != '\\' || i + 1 >= raw.size()) {
          value += c;
          continue;
        }
        char n = raw[++i];
        switch (n) {
          case 'b':
            value += '\b';
            break;
          case 'f':
            value += '\f';
            break;
          case 'n':
            value += '\n';
            break;
          case 'r':
            value += '\r';
            break;
          case 't':
            value += '\t';
            break;
          case 'v':
            value += '\v';
            break;
          case 'x':
            if (i + 1 < raw.size() && HexValue(raw[i + 1]) >= 0) {
              int v = HexValue(raw[++i]);
              if (i + 1 < raw.size() && HexValue(raw[i + 1]) >= 0) {
                v = v * 16 + HexValue(raw[++i]);
              }
              value += static_cast<char>(v);
              escaped_odd_byte |= v == 0 || v >= 0x80;
            } else {
              value += 'x';
            }
            break;
          default:
            if (n >= '0' && n <= '7') {
              int v = n - '0';
              for (int k = 0; k < 2 && i + 1 < raw.size() && raw[i + 1] >= '0' && raw[i + 1] <= '7';
                   ++k) {
                v = v * 8 + (raw[++i] - '0');
              }
              value += static_cast<char>(v & 0xff);
              escaped_odd_byte |= (v & 0xff) == 0 || (v & 0xff) >= 0x80;
            } else {
              value += n;  // any other character stands for itself
            }
        }
      }
      // The line itself was valid UTF-8, but escapes can spell any byte:
      // PostgreSQL checks the value they make too (22021, NUL included).
      if (escaped_odd_byte) {
        if (Status s = VerifyUtf8(value); !s.ok()) {
          Error e = s.error();
          e.context = CopyContextLine(relation_, lineno, line);
          return e;
        }
      }
      fields.emplace_back(std::move(value));
    }
    if (end >= line.size()) {
      break;
    }
    start = end + 1;
  }
  return fields;
}

Result<CopyValues> CopyParser::SplitCsv(std::string_view line, int64_t) const {
  CopyValues fields;
  size_t i = 0;
  for (;;) {
    std::string value;
    bool saw_quote = false;
    bool in_quote = false;
    size_t start = i;
    for (; i < line.size(); ++i) {
      char c = line[i];
      if (in_quote) {
        if (c == opts_.escape && i + 1 < line.size() &&
            (line[i + 1] == opts_.quote || line[i + 1] == opts_.escape) &&
            (opts_.escape != opts_.quote || line[i + 1] == opts_.quote)) {
          value += line[++i];
        } else if (c == opts_.quote) {
          in_quote = false;
        } else {
          value += c;
        }
        continue;
      }
      if (c == opts_.delimiter) {
        break;
      }
      if (c == opts_.quote) {
        in_quote = saw_quote = true;
        continue;
      }
      value += c;
    }
    if (!saw_quote && line.substr(start, i - start) == opts_.null_string) {
      fields.emplace_back(std::nullopt);
    } else {
      fields.emplace_back(std::move(value));
    }
    if (i >= line.size()) {
      break;
    }
    ++i;  // past the delimiter
  }
  return fields;
}

}  // namespace minipg::sql
