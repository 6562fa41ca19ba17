/*-------------------------------------------------------------------------
 * copy_format_fuzz.cpp
 *   Fuzz target: COPY FROM's text and CSV parsing (engine/sql/copy_format).
 *
 *   Input: a first line of options as COPY's WITH clause gives them, words
 *   NAME or NAME=VALUE separated by spaces ("format=csv header quote='"),
 *   then the data. Options go through MakeCopyOptions; the data through a
 *   CopyParser, as COPY FROM STDIN feeds it (CopyData messages cut
 *   anywhere, then CopyDone).
 *
 *   Checks:
 *     1. The records (or the error) do not depend on where the data was
 *        cut: fed whole and fed in small chunks give the same result.
 *     2. A record's fields written back with FormatCopyRow (as COPY TO
 *        writes them) parse to the same fields. Text format with a NULL
 *        string of its own is left out: "NULL 'x'" makes a value x and a
 *        NULL look the same, in PostgreSQL too.
 *-------------------------------------------------------------------------
 */
#include <string>
#include <vector>

#include "engine/common/utf8.h"
#include "engine/sql/copy_format.h"
#include "tests/fuzz/fuzz_input.h"

namespace sql = minipg::sql;

namespace {

constexpr size_t kMaxRecords = 1000;

std::vector<sql::CopyOptionItem> ParseOptionLine(std::string_view line) {
  std::vector<sql::CopyOptionItem> items;
  while (!line.empty()) {
    size_t end = line.find(' ');
    std::string_view word = line.substr(0, end);
    line.remove_prefix(end == std::string_view::npos ? line.size() : end + 1);
    if (word.empty()) continue;
    sql::CopyOptionItem item;
    size_t eq = word.find('=');
    item.name = std::string(word.substr(0, eq));
    if (eq != std::string_view::npos) item.value = std::string(word.substr(eq + 1));
    items.push_back(std::move(item));
  }
  return items;
}

/* What a parse gave: the records, then the error that stopped it ("" if none). */
struct Outcome {
  std::vector<sql::CopyRecord> records;
  std::string error;
};

/* Takes every record the parser has ready; false once it failed. */
bool Drain(sql::CopyParser& parser, Outcome& out) {
  while (out.records.size() < kMaxRecords) {
    auto next = parser.Next();
    if (!next.ok()) {
      out.error = next.error().message + " / " + next.error().context;
      return false;
    }
    if (!next->has_value()) return true;
    out.records.push_back(std::move(**next));
  }
  return false;
}

Outcome Parse(const sql::CopyOptions& opts, std::string_view data, size_t chunk) {
  sql::CopyParser parser(opts, "t");
  Outcome out;
  while (!data.empty()) {
    parser.Feed(data.substr(0, chunk));
    data.remove_prefix(std::min(chunk, data.size()));
    if (!Drain(parser, out)) return out;
  }
  parser.Finish();
  Drain(parser, out);
  return out;
}

bool SameRecords(const std::vector<sql::CopyRecord>& a, const std::vector<sql::CopyRecord>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].line != b[i].line || a[i].text != b[i].text || a[i].fields != b[i].fields) return false;
  }
  return true;
}

void CheckRoundTrip(const sql::CopyOptions& opts, const sql::CopyRecord& rec) {
  sql::CopyOptions plain = opts;
  plain.header = false;
  std::string line = sql::FormatCopyRow(rec.fields, plain);
  sql::CopyParser parser(plain, "t");
  parser.Feed(line);
  parser.Finish();
  auto again = parser.Next();
  if (!again.ok() || !again->has_value() || (*again)->fields != rec.fields) {
    minipg::fuzz::Fail("a COPY row written by FormatCopyRow parses to other fields");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t nl = input.find('\n');
  if (nl == std::string_view::npos) return 0;
  std::string_view option_line = input.substr(0, nl);
  std::string_view copy_data = input.substr(nl + 1);
  // Options come from an SQL statement, whose text is valid UTF-8.
  if (!minipg::VerifyUtf8(option_line).ok()) return 0;
  auto opts = sql::MakeCopyOptions(ParseOptionLine(option_line));
  if (!opts.ok()) return 0;

  Outcome whole = Parse(*opts, copy_data, copy_data.size() + 1);
  for (size_t chunk : {1, 3, 7}) {
    Outcome cut = Parse(*opts, copy_data, chunk);
    if (cut.error != whole.error || !SameRecords(cut.records, whole.records)) {
      minipg::fuzz::Fail("COPY data parses differently when cut into chunks");
    }
  }
  bool ambiguous_null = opts->format == sql::CopyFormat::kText && opts->null_string != "\\N";
  if (!ambiguous_null) {
    for (const auto& rec : whole.records) CheckRoundTrip(*opts, rec);
  }
  return 0;
}
