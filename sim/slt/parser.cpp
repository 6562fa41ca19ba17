/*-------------------------------------------------------------------------
 * parser.cpp
 *   Reading a sqllogictest file into records (slt.h has the format).
 *
 * NOTES
 *   A corpus written for several databases holds records this runner does
 *   not know (another dialect's directives): each becomes a ParseProblem
 *   and a record of kind kUnknown (counted as skipped), passed over up to
 *   the next blank line, so one unknown word never loses the rest of the file.
 *-------------------------------------------------------------------------
 */
#include "sim/slt/slt.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace minipg::sim::slt {
namespace {

/* The text split into lines, without '\r' or '\n'. */
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

bool Blank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

/* The words of a header line. */
std::vector<std::string> Words(std::string_view line) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < line.size()) {
    size_t start = line.find_first_not_of(" \t", i);
    if (start == std::string_view::npos) break;
    size_t end = line.find_first_of(" \t", start);
    if (end == std::string_view::npos) end = line.size();
    words.emplace_back(line.substr(start, end - start));
    i = end;
  }
  return words;
}

std::optional<int> ParseInt(const std::string& word) {
  int n = 0;
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), n);
  if (ec != std::errc() || end != word.data() + word.size()) return std::nullopt;
  return n;
}

class Reader {
 public:
  explicit Reader(std::string_view text) : lines_(Lines(text)) {}

  SltFile Read() {
    std::vector<Condition> conditions;
    while (i_ < lines_.size()) {
      std::string_view line = lines_[i_];
      if (Blank(line) || line.front() == '#') {
        if (!conditions.empty() && Blank(line)) Problem("skipif/onlyif not followed by a record");
        if (Blank(line)) conditions.clear();
        ++i_;
        continue;
      }
      std::vector<std::string> w = Words(line);
      int line_no = static_cast<int>(i_) + 1;
      ++i_;
      if ((w[0] == "skipif" || w[0] == "onlyif") && w.size() >= 2) {
        conditions.push_back({w[0] == "onlyif", w[1]});
        continue;
      }
      Record r;
      r.line = line_no;
      r.conditions = std::move(conditions);
      conditions.clear();
      if (!Header(w, r)) {
        r.kind = RecordKind::kUnknown;
        r.sql = std::string(line);
        out_.records.push_back(std::move(r));
        SkipBlock();
        continue;
      }
      if (r.kind == RecordKind::kStatement || r.kind == RecordKind::kQuery) Body(r);
      bool halt = r.kind == RecordKind::kHalt;
      out_.records.push_back(std::move(r));
      // An unconditional halt ends the file here; a conditional one is the
      // runner's to obey for the databases it names.
      if (halt && out_.records.back().conditions.empty()) break;
    }
    return std::move(out_);
  }

 private:
  void Problem(std::string message) {
    out_.problems.push_back({static_cast<int>(i_), std::move(message)});
  }

  /* Fills in the record's kind and header fields; false (with a problem
   * noted) if the line is not a record this runner knows. */
  bool Header(const std::vector<std::string>& w, Record& r) {
    if (w[0] == "statement" && w.size() >= 2 && (w[1] == "ok" || w[1] == "error")) {
      r.kind = RecordKind::kStatement;
      r.expect_error = w[1] == "error";
      return true;
    }
    if (w[0] == "query" && w.size() >= 2) {
      r.kind = RecordKind::kQuery;
      r.types = w[1];
      for (char c : r.types) {
        if (c != 'T' && c != 'I' && c != 'R') {
          Problem("query type \"" + r.types + "\" is not letters T, I, R");
          return false;
        }
      }
      if (w.size() >= 3) {
        if (w[2] == "nosort") {
          r.sort = SortMode::kNoSort;
        } else if (w[2] == "rowsort") {
          r.sort = SortMode::kRowSort;
        } else if (w[2] == "valuesort") {
          r.sort = SortMode::kValueSort;
        } else {
          Problem("unknown sort mode \"" + w[2] + "\"");
          return false;
        }
      }
      if (w.size() >= 4) r.label = w[3];
      return true;
    }
    if (w[0] == "hash-threshold" && w.size() == 2) {
      if (auto n = ParseInt(w[1])) {
        r.kind = RecordKind::kHashThreshold;
        r.hash_threshold = *n;
        return true;
      }
    }
    if (w[0] == "halt" && w.size() == 1) {
      r.kind = RecordKind::kHalt;
      return true;
    }
    Problem("unknown record \"" + w[0] + "\"");
    return false;
  }

  /* The SQL lines, then (a query) ---- and the expected lines. */
  void Body(Record& r) {
    std::string sql;
    while (i_ < lines_.size() && !Blank(lines_[i_])) {
      if (r.kind == RecordKind::kQuery && lines_[i_] == "----") {
        r.has_separator = true;
        ++i_;
        break;
      }
      if (!sql.empty()) sql += '\n';
      sql += lines_[i_++];
    }
    r.sql = std::move(sql);
    if (r.sql.empty()) Problem("a record without SQL");
    if (!r.has_separator) return;
    while (i_ < lines_.size() && !Blank(lines_[i_])) r.expected.emplace_back(lines_[i_++]);
  }

  void SkipBlock() {
    while (i_ < lines_.size() && !Blank(lines_[i_])) ++i_;
  }

  std::vector<std::string_view> lines_;
  size_t i_ = 0;
  SltFile out_;
};

}  // namespace

SltFile ParseSlt(std::string_view text) { return Reader(text).Read(); }

bool Applies(const Record& record, std::string_view db) {
  // The name matches in any case, as SQLite's runner compares it (stricmp).
  auto same = [db](const std::string& name) {
    return name.size() == db.size() &&
           std::equal(name.begin(), name.end(), db.begin(),
                      [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) ==
                                                  std::tolower(static_cast<unsigned char>(b)); });
  };
  for (const Condition& c : record.conditions) {
    if (c.only_if != same(c.db)) return false;
  }
  return true;
}

}  // namespace minipg::sim::slt
