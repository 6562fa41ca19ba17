/*-------------------------------------------------------------------------
 * copy_format.h
 *   COPY's two data formats, as PostgreSQL writes and reads them: the
 *   options that shape them, writing one row as a line, and a streaming
 *   parser that turns bytes (a file, or CopyData messages cut anywhere)
 *   into records of fields.
 *
 *   text  one line per row, fields separated by the delimiter (tab), NULL
 *         written as \N; backslash escapes \b \f \n \r \t \v \\, \<delim>,
 *         octal \123 and hex \x41 on input; "\." alone on a line ends the
 *         data.
 *   csv   fields separated by ',', a field quoted with '"' when it holds
 *         the delimiter, a quote, CR or LF (or looks like NULL); a quote
 *         inside quotes is doubled; NULL is an unquoted empty field, so an
 *         empty string is written "". A quoted field may span lines.
 *
 * NOTES
 *   Everything here is pure (no files, no catalog), so the formats are unit
 *   tested on their own (tests/engine/sql/copy_format_test.cpp).
 *   Errors carry PostgreSQL's CONTEXT line ("COPY t, line 3: \"...\""),
 *   built from the relation name the parser is given.
 *   Simplification: only "\n" and "\r\n" end a line; a file using bare
 *   "\r" line endings is refused as PostgreSQL refuses mixed endings.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/error.h"

namespace minipg::sql {

enum class CopyFormat {
  kText,  // PostgreSQL's default text format
  kCsv,   // comma-separated values
};

/* One option as the statement wrote it: name lower-cased; value as text
 * (nullopt when none was given, e.g. a bare HEADER). */
struct CopyOptionItem {
  std::string name;
  std::optional<std::string> value;
  int location = 0;
};

struct CopyOptions {
  CopyFormat format = CopyFormat::kText;
  bool header = false;
  char delimiter = '\t';
  std::string null_string = "\\N";
  char quote = '"';   // csv only
  char escape = '"';  // csv only
  bool freeze = false;  // FREEZE: only into a table new in this transaction

  const char* FormatName() const { return format == CopyFormat::kCsv ? "csv" : "text"; }
};

/* Checks and applies the options as PostgreSQL's ProcessCopyOptions does,
 * with its SQLSTATEs and messages ("conflicting or redundant options",
 * "COPY delimiter must be a single one-byte character", ...). */
Result<CopyOptions> MakeCopyOptions(const std::vector<CopyOptionItem>& items);

/* A value is text in PostgreSQL's output format; nullopt is SQL NULL. */
using CopyValues = std::vector<std::optional<std::string>>;

/* One row as a line of COPY output, ending in '\n'. */
std::string FormatCopyRow(const CopyValues& values, const CopyOptions& opts);

/* The header line (column names) for HEADER. */
std::string FormatCopyHeader(const std::vector<std::string>& names, const CopyOptions& opts);

struct CopyRecord {
  int64_t line = 0;  // 1-based line number where the record starts
  std::string text;  // the record's raw text without its line ending (for CONTEXT)
  CopyValues fields;
};

/* PostgreSQL's CONTEXT text for a COPY error ("COPY t, line 3"), with the
 * raw line or a column's value when given (long values are cut at 100
 * bytes, as PostgreSQL's limit_printout_length does). */
std::string CopyContext(std::string_view relation, int64_t line);
std::string CopyContextLine(std::string_view relation, int64_t line, std::string_view text);
std::string CopyContextColumn(std::string_view relation, int64_t line, std::string_view column,
                              std::string_view value);

/* Streaming parser: Feed() bytes as they come, Finish() at the end of the
 * input, and take records with Next() until it returns nullopt. */
class CopyParser {
 public:
  CopyParser(CopyOptions opts, std::string relation)
      : opts_(std::move(opts)), relation_(std::move(relation)) {}

  void Feed(std::string_view data) { buf_.append(data); }
  void Finish() { finished_ = true; }

  /* The next complete record, or nullopt when more input is needed (or,
   * after Finish(), the data is exhausted or the "\." marker was seen).
   * Malformed input is a 22P04 error with its CONTEXT. */
  Result<std::optional<CopyRecord>> Next();

  /* True once the end-of-data marker "\." was read. */
  bool saw_end_marker() const { return end_marker_; }
  /* Lines read so far (the next line's number is lines() + 1). */
  int64_t lines() const { return lines_; }
  /* Bytes examined while looking for record ends, for tests: each byte
   * of input is examined once, however the input was chunked. */
  int64_t scanned_bytes() const { return scanned_bytes_; }

 private:
  /* Finds the end of the record starting at pos_: sets *len (without the
   * line ending) and *next (after it); false if the input is incomplete. */
  Result<bool> FindRecordEnd(size_t* len, size_t* next, int* newlines);
  /* Starts the scan for the next record at buf_[pos]. */
  void ResetScan(size_t pos);
  Result<CopyValues> SplitText(std::string_view line, int64_t lineno) const;
  Result<CopyValues> SplitCsv(std::string_view line, int64_t lineno) const;

  CopyOptions opts_;
  std::string relation_;
  std::string buf_;
  size_t pos_ = 0;
  bool finished_ = false;
  bool end_marker_ = false;
  int64_t lines_ = 0;
  // Where FindRecordEnd stopped in the record starting at pos_: the next
  // byte to examine, whether it is inside a CSV quoted field, and the lines
  // the record has spanned so far.
  size_t scan_pos_ = 0;
  bool scan_in_quote_ = false;
  int scan_newlines_ = 1;
  int64_t scanned_bytes_ = 0;
};

}  // namespace minipg::sql
