/*
 * copy_format_test.cpp
 *   COPY's text and CSV formats on their own: escapes, quoting, NULLs,
 *   headers, delimiters, records cut across chunks, and bad input with
 *   PostgreSQL's messages and CONTEXT lines.
 */
#include "engine/sql/copy_format.h"

#include <gtest/gtest.h>

#include "engine/common/limits.h"

namespace minipg::sql {
namespace {

CopyOptions Opts(std::vector<CopyOptionItem> items) {
  auto o = MakeCopyOptions(items);
  EXPECT_TRUE(o.ok()) << (o.ok() ? "" : o.error().message);
  return o.ok() ? *o : CopyOptions{};
}

CopyOptions Csv() {
  return Opts({{"format", "csv", 0}});
}

/* All records of `input` fed in one piece. */
std::vector<CopyValues> ParseAll(const std::string& input, const CopyOptions& o,
                                 std::optional<Error>* err = nullptr) {
  CopyParser p(o, "t");
  p.Feed(input);
  p.Finish();
  std::vector<CopyValues> out;
  for (;;) {
    auto r = p.Next();
    if (!r.ok()) {
      if (err != nullptr) *err = r.error();
      return out;
    }
    if (!r->has_value()) return out;
    out.push_back((*r)->fields);
  }
}

const std::optional<std::string> kNull;

// Scenario: text output escapes backslash, tab, newline, CR and the delimiter; NULL is \N.
TEST(CopyFormatTest, TextOutputEscapes) {
  CopyOptions o;
  EXPECT_EQ(FormatCopyRow({"1", "tab\there\\back\nnl", kNull}, o),
            "1\ttab\\there\\\\back\\nnl\t\\N\n");
  EXPECT_EQ(FormatCopyRow({"a\rb", ""}, o), "a\\rb\t\n");
  CopyOptions pipe = Opts({{"delimiter", "|", 0}});
  EXPECT_EQ(FormatCopyRow({"a|b", "c"}, pipe), "a\\|b|c\n");
}

// Scenario: CSV output quotes only when needed; an empty string is "" so it differs from NULL.
TEST(CopyFormatTest, CsvOutputQuoting) {
  CopyOptions o = Csv();
  EXPECT_EQ(FormatCopyRow({"1", "x", "t"}, o), "1,x,t\n");
  EXPECT_EQ(FormatCopyRow({"he said \"hi\", ok", "", kNull}, o),
            "\"he said \"\"hi\"\", ok\",\"\",\n");
  EXPECT_EQ(FormatCopyRow({"two\nlines"}, o), "\"two\nlines\"\n");
  EXPECT_EQ(FormatCopyRow({"\\."}, o), "\"\\.\"\n");  // would read back as the end marker
  EXPECT_EQ(FormatCopyHeader({"a", "b c", "d,e"}, o), "a,b c,\"d,e\"\n");
}

// Scenario: text input undoes every escape, \N is NULL, a quoted-looking \\N is not.
TEST(CopyFormatTest, TextInputEscapesAndNulls) {
  auto rows = ParseAll("1\ttab\\there\\\\back\\nnl\t\\N\n\\101\\x42\\q\t\\\\N\t\n", CopyOptions{});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (CopyValues{"1", "tab\there\\back\nnl", kNull}));
  EXPECT_EQ(rows[1], (CopyValues{"ABq", "\\N", ""}));
}

// Scenario: text round trip: what FormatCopyRow writes, the parser reads back.
TEST(CopyFormatTest, TextRoundTrip) {
  CopyValues row{"a\tb", "c\\d", "e\nf", kNull, "", "\x01"};
  auto rows = ParseAll(FormatCopyRow(row, CopyOptions{}), CopyOptions{});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], row);
}

// Scenario: CSV input: quoted delimiters, doubled quotes, a quoted newline, NULL vs "".
TEST(CopyFormatTest, CsvInput) {
  auto rows = ParseAll("1,\"a,b\",\"say \"\"hi\"\"\"\n2,,\"\"\n3,\"two\nlines\",x\n", Csv());
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (CopyValues{"1", "a,b", "say \"hi\""}));
  EXPECT_EQ(rows[1], (CopyValues{"2", kNull, ""}));
  EXPECT_EQ(rows[2], (CopyValues{"3", "two\nlines", "x"}));
}

// Scenario: a record cut anywhere between chunks parses the same; \r\n endings are fine.
TEST(CopyFormatTest, ChunksAndLineEndings) {
  std::string input = "1,\"a\nb\"\r\n2,c\r\n3,\\N";
  for (size_t cut = 0; cut <= input.size(); ++cut) {
    CopyParser p(Csv(), "t");
    std::vector<CopyValues> got;
    auto take = [&] {
      for (;;) {
        auto r = p.Next();
        ASSERT_TRUE(r.ok());
        if (!r->has_value()) return;
        got.push_back((*r)->fields);
      }
    };
    p.Feed(input.substr(0, cut));
    take();
    p.Feed(input.substr(cut));
    p.Finish();
    take();
    ASSERT_EQ(got.size(), 3u) << "cut at " << cut;
    EXPECT_EQ(got[0], (CopyValues{"1", "a\nb"}));
    EXPECT_EQ(got[2], (CopyValues{"3", "\\N"}));  // NULL in CSV is the empty string, not \N
  }
}

// Scenario: "\." alone on a line ends the data; what follows is ignored.
TEST(CopyFormatTest, EndMarker) {
  CopyParser p(CopyOptions{}, "t");
  p.Feed("1\n\\.\n2\n");
  p.Finish();
  auto r = p.Next();
  ASSERT_TRUE(r.ok() && r->has_value());
  r = p.Next();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  EXPECT_TRUE(p.saw_end_marker());
}

// Scenario: the line numbers count lines, so a quoted newline makes the next record line 3.
TEST(CopyFormatTest, LineNumbers) {
  CopyParser p(Csv(), "t");
  p.Feed("\"a\nb\"\nc\n");
  p.Finish();
  auto first = p.Next();
  auto second = p.Next();
  ASSERT_TRUE(first.ok() && first->has_value() && second.ok() && second->has_value());
  EXPECT_EQ((*first)->line, 1);
  EXPECT_EQ((*second)->line, 3);
}

// Scenario: malformed input fails with 22P04 and PostgreSQL's CONTEXT line.
TEST(CopyFormatTest, BadInput) {
  std::optional<Error> err;
  ParseAll("1,\"open\n", Csv(), &err);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->sqlstate, "22P04");
  EXPECT_EQ(err->message, "unterminated CSV quoted field");
  EXPECT_EQ(err->context, "COPY t, line 1: \"1,\"open\n\"");
  err.reset();
  ParseAll("ok\nbad\rcr\n", CopyOptions{}, &err);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, "literal carriage return found in data");
  EXPECT_EQ(err->context, "COPY t, line 2: \"bad\rcr\"");
}

// Scenario: the CONTEXT line cuts long values at 100 bytes, as PostgreSQL does.
TEST(CopyFormatTest, ContextLimitsLength) {
  EXPECT_EQ(CopyContextColumn("t", 3, "a", "abc"), "COPY t, line 3, column a: \"abc\"");
  std::string longv(150, 'x');
  EXPECT_EQ(CopyContextLine("t", 1, longv), "COPY t, line 1: \"" + std::string(100, 'x') + "...\"");
}

// Scenario: options are checked as PostgreSQL checks them.
TEST(CopyFormatTest, OptionErrors) {
  auto err = [](std::vector<CopyOptionItem> items) {
    auto o = MakeCopyOptions(items);
    return o.ok() ? std::string("ok") : o.error().sqlstate + " " + o.error().message;
  };
  EXPECT_EQ(err({{"format", "csv", 0}, {"format", "text", 0}}),
            "42601 conflicting or redundant options");
  EXPECT_EQ(err({{"format", "xml", 0}}), "22023 COPY format \"xml\" not recognized");
  EXPECT_EQ(err({{"delimiter", "ab", 0}}),
            "0A000 COPY delimiter must be a single one-byte character");
  EXPECT_EQ(err({{"quote", "'", 0}}), "0A000 COPY quote available only in CSV mode");
  EXPECT_EQ(err({{"bogus", std::nullopt, 0}}), "42601 option \"bogus\" not recognized");
  EXPECT_EQ(err({{"delimiter", "a", 0}}), "22023 COPY delimiter cannot be \"a\"");
  EXPECT_EQ(err({{"format", "csv", 0}, {"header", "maybe", 0}}),
            "22023 header requires a Boolean value or \"match\"");
  CopyOptions o = Opts({{"format", "csv", 0},
                        {"header", std::nullopt, 0},
                        {"null", "NULL", 0},
                        {"delimiter", ";", 0}});
  EXPECT_TRUE(o.header);
  EXPECT_EQ(o.delimiter, ';');
  EXPECT_EQ(o.null_string, "NULL");
}


/* Feeds `input` in chunks of `chunk` bytes, taking records after each one
 * as the COPY command does, then finishes. */
std::vector<CopyValues> ParseChunked(CopyParser& p, const std::string& input, size_t chunk) {
  std::vector<CopyValues> out;
  auto take = [&] {
    for (;;) {
      auto r = p.Next();
      EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
      if (!r.ok() || !r->has_value()) return;
      out.push_back((*r)->fields);
    }
  };
  for (size_t at = 0; at < input.size(); at += chunk) {
    p.Feed(std::string_view(input).substr(at, chunk));
    take();
  }
  p.Finish();
  take();
  return out;
}

// Scenario: one long record sent in many small CopyData chunks is parsed
// right, and every byte is examined about once (the scan resumes where it
// stopped), not once per chunk: the work is linear in the input.
TEST(CopyFormatTest, LongRecordInSmallChunksIsScannedOnce) {
  std::string big(1u << 20, 'x');
  for (size_t i = 1000; i < big.size(); i += 1000) big[i] = '\t';
  std::string text_input = big + "\n2\n";
  CopyParser text(CopyOptions{}, "t");
  auto rows = ParseChunked(text, text_input, 512);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].size(), big.size() / 1000 + 1);
  EXPECT_EQ(rows[1], (CopyValues{"2"}));
  EXPECT_LE(text.scanned_bytes(), static_cast<int64_t>(text_input.size() + text_input.size() / 512 + 2));

  // CSV: the in-quote state is kept across chunks too (a quoted field with
  // newlines, delimiters and doubled quotes inside).
  std::string quoted(1u << 20, 'y');
  for (size_t i = 700; i < quoted.size(); i += 700) quoted[i] = i % 1400 == 0 ? '\n' : ',';
  quoted[12345] = '"';
  quoted.insert(12345, "\"");  // a doubled quote inside the field
  std::string csv_input = "1,\"" + quoted + "\"\n2,z\n";
  CopyParser csv(Csv(), "t");
  auto csv_rows = ParseChunked(csv, csv_input, 512);
  ASSERT_EQ(csv_rows.size(), 2u);
  std::string want = quoted;
  want.erase(12345, 1);
  EXPECT_EQ(csv_rows[0], (CopyValues{"1", want}));
  EXPECT_EQ(csv_rows[1], (CopyValues{"2", "z"}));
  EXPECT_EQ(csv.lines(), 2 + static_cast<int64_t>(quoted.size() / 1400));
  EXPECT_LE(csv.scanned_bytes(), static_cast<int64_t>(csv_input.size() + csv_input.size() / 512 + 2));
}

// Scenario: a CSV escape character (ESCAPE '\') as the last byte of a chunk
// still escapes the quote that starts the next chunk, wherever the cut is.
TEST(CopyFormatTest, CsvEscapeCutAcrossChunks) {
  CopyOptions o = Opts({{"format", "csv", 0}, {"escape", "\\", 0}});
  std::string input = "1,\"a\\\"b\\\\\",c\n2,d\n";
  for (size_t cut = 0; cut <= input.size(); ++cut) {
    CopyParser p(o, "t");
    std::vector<CopyValues> got;
    auto take = [&] {
      for (;;) {
        auto r = p.Next();
        ASSERT_TRUE(r.ok()) << "cut at " << cut << ": " << r.error().message;
        if (!r->has_value()) return;
        got.push_back((*r)->fields);
      }
    };
    p.Feed(input.substr(0, cut));
    take();
    p.Feed(input.substr(cut));
    p.Finish();
    take();
    ASSERT_EQ(got.size(), 2u) << "cut at " << cut;
    EXPECT_EQ(got[0], (CopyValues{"1", "a\"b\\", "c"})) << "cut at " << cut;
  }
}

// Scenario: COPY data that is not UTF-8 is ERROR 22021 naming the bad bytes
// as PostgreSQL 15 does (the line ending included), with "COPY t, line N".
TEST(CopyFormatTest, InvalidUtf8) {
  std::optional<Error> err;
  ParseAll("ok\nb\xffx\n", CopyOptions{}, &err);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->sqlstate, "22021");
  EXPECT_EQ(err->message, "invalid byte sequence for encoding \"UTF8\": 0xff");
  EXPECT_EQ(err->context, "COPY t, line 2");
  err.reset();
  ParseAll("a,x\xe2\x28\n", Csv(), &err);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, "invalid byte sequence for encoding \"UTF8\": 0xe2 0x28 0x0a");
  EXPECT_EQ(err->context, "COPY t, line 1");
  err.reset();
  auto rows = ParseAll("h\xc3\xa9\xe2\x82\xac\n", CopyOptions{}, &err);
  EXPECT_FALSE(err) << "valid UTF-8 passes";
  EXPECT_EQ(rows.size(), 1u);
}

// Scenario: a line is bounded (limits.h): one that never ends is 54000
// "out of memory" once it passes 64 MiB, as PostgreSQL's line buffer says at
// 1 GB; a line just under the bound is taken.
TEST(CopyFormatTest, LineIsBounded) {
  CopyParser ok(CopyOptions{}, "t");
  ok.Feed(std::string(kMaxFieldBytes - 1, 'a') + "\n");
  auto first = ok.Next();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->fields[0]->size(), kMaxFieldBytes - 1);

  CopyParser p(CopyOptions{}, "t");
  const std::string chunk(1u << 20, 'a');
  Result<std::optional<CopyRecord>> r = std::optional<CopyRecord>();
  size_t fed = 0;
  while (r.ok() && fed <= kMaxFieldBytes) {
    p.Feed(chunk);
    fed += chunk.size();
    r = p.Next();
  }
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().sqlstate, "54000");
  EXPECT_EQ(r.error().message, "out of memory");
  EXPECT_EQ(r.error().detail, "Cannot enlarge string buffer containing 67108864 bytes by 1048576 more bytes.");
  EXPECT_EQ(r.error().context, "COPY t, line 1");
}

// Scenario: escapes in text format can spell any byte, but the value they
// make must still be UTF-8, as PostgreSQL checks (found by the copy_format
// fuzz target: "\x95" was stored as a lone continuation byte).
TEST(CopyFormatTest, EscapesMustMakeUtf8) {
  std::optional<Error> err;
  ParseAll("A\\x95B\t\\N\n", CopyOptions{}, &err);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->sqlstate, "22021");
  EXPECT_EQ(err->message, "invalid byte sequence for encoding \"UTF8\": 0x95");
  EXPECT_EQ(err->context, "COPY t, line 1: \"A\\x95B\t\\N\"");
  err.reset();
  ParseAll("7\t\\377\n", CopyOptions{}, &err);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, "invalid byte sequence for encoding \"UTF8\": 0xff");
  err.reset();
  ParseAll("A\\000B\n", CopyOptions{}, &err);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, "invalid byte sequence for encoding \"UTF8\": 0x00");
  err.reset();
  auto rows = ParseAll("A\\303\\251B\t\\xc3\\xa9\n", CopyOptions{}, &err);
  EXPECT_FALSE(err) << "escapes that spell UTF-8 pass";
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "A\xc3\xa9" "B");
  EXPECT_EQ(rows[0][1], "\xc3\xa9");
}

}  // namespace
}  // namespace minipg::sql
