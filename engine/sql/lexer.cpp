/*-------------------------------------------------------------------------
 * lexer.cpp
 *   The SQL tokenizer (see lexer.h).
 *
 * NOTES
 *   Linear in the text: each byte is looked at a bounded number of times,
 *   and token positions are counted on from the previous token's, never
 *   from the start of the text. The main loop checks for interrupts, so a
 *   cancel or terminate acts within a few thousand bytes even while a
 *   multi-megabyte query is being lexed.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/lexer.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include <fmt/format.h>

#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"

namespace minipg::sql {

namespace {

bool IsIdentStart(unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; }
bool IsIdentChar(unsigned char c) { return IsIdentStart(c) || std::isdigit(c) || c == '$'; }

/* The rest of the input from `offset`, without trailing white space, for
 * "at or near" in unterminated-token errors. */
std::string_view RestOfInput(std::string_view text, size_t offset) {
  std::string_view rest = text.substr(offset);
  while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.back()))) {
    rest.remove_suffix(1);
  }
  return rest;
}

Error LexError(std::string_view text, size_t offset, std::string message) {
  Error e = MakeError(sqlstate::kSyntaxError, std::move(message));
  e.position = CharPosition(text, offset);
  return e;
}

/* Character positions of increasing byte offsets, each counted on from the
 * last one asked: linear over a whole text, where CharPosition() from the
 * start for every token would be quadratic. */
class PositionCounter {
 public:
  explicit PositionCounter(std::string_view text) : text_(text) {}
  int At(size_t offset) {
    if (offset < offset_) {
      offset_ = 0;  // never happens in the lexer; correct all the same
      position_ = 1;
    }
    for (; offset_ < offset && offset_ < text_.size(); ++offset_) {
      if ((static_cast<unsigned char>(text_[offset_]) & 0xC0) != 0x80) {
        ++position_;
      }
    }
    return position_;
  }

 private:
  std::string_view text_;
  size_t offset_ = 0;
  int position_ = 1;
};

/* Truncates to kMaxIdentifierLength bytes without splitting a UTF-8 character. */
void TruncateIdentifier(std::string& s) {
  if (s.size() <= kMaxIdentifierLength) {
    return;
  }
  size_t len = kMaxIdentifierLength;
  while (len > 0 && (static_cast<unsigned char>(s[len]) & 0xC0) == 0x80) {
    --len;
  }
  s.resize(len);
}

/* The rest of a quoted string from `i` (just past its opening quote) to
 * its closing quote, '' read as one quote; `escapes` also reads backslash
 * escapes (E'...'). nullopt if the text ends first. */
std::optional<std::string> LexString(std::string_view text, size_t& i, bool escapes) {
  std::string value;
  const size_t n = text.size();
  while (i < n) {
    char ch = text[i];
    if (ch == '\'') {
      if (i + 1 < n && text[i + 1] == '\'') {
        value += '\'';
        i += 2;
        continue;
      }
      ++i;
      return value;
    }
    if (escapes && ch == '\\' && i + 1 < n) {
      char esc = text[i + 1];
      i += 2;
      switch (esc) {
        case 'b': value += '\b'; break;
        case 'f': value += '\f'; break;
        case 'n': value += '\n'; break;
        case 'r': value += '\r'; break;
        case 't': value += '\t'; break;
        default: value += esc; break;
      }
      continue;
    }
    value += text[i++];
  }
  return std::nullopt;
}

}  // namespace

int CharPosition(std::string_view text, size_t offset) {
  int pos = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++pos;
    }
  }
  return pos;
}

Result<std::vector<Token>> Lex(std::string_view text) {
  std::vector<Token> tokens;
  // Dense SQL ("1, 1, 1") has about one token per 1.5 bytes; most text
  // fewer. Reserving for the common case spares most of the growth copies
  // (bounded, so a huge string literal does not reserve for nothing).
  tokens.reserve(std::min<size_t>(text.size() / 4, size_t{1} << 20) + 16);
  size_t i = 0;
  const size_t n = text.size();
  PositionCounter positions(text);
  auto push = [&](TokenKind kind, std::string value, size_t start, bool quoted = false) {
    Token t;
    t.kind = kind;
    t.text = std::move(value);
    t.quoted = quoted;
    t.offset = start;
    t.end = i;
    t.position = positions.At(start);
    tokens.push_back(std::move(t));
  };
  while (i < n) {
    if (Status s = CheckForInterrupts(); !s.ok()) {
      return s.error();
    }
    unsigned char c = text[i];
    size_t start = i;
    if (std::isspace(c)) {
      ++i;
      continue;
    }
    if (c == '-' && i + 1 < n && text[i + 1] == '-') {
      while (i < n && text[i] != '\n') {
        ++i;
      }
      continue;
    }
    if (c == '/' && i + 1 < n && text[i + 1] == '*') {
      int depth = 0;
      while (i < n) {
        if (text[i] == '/' && i + 1 < n && text[i + 1] == '*') {
          ++depth;
          i += 2;
        } else if (text[i] == '*' && i + 1 < n && text[i + 1] == '/') {
          --depth;
          i += 2;
          if (depth == 0) {
            break;
          }
        } else {
          ++i;
        }
      }
      if (depth != 0) {
        return LexError(text, start, fmt::format("unterminated /* comment at or near \"{}\"",
                                                 RestOfInput(text, start)));
      }
      continue;
    }
    if ((c == 'b' || c == 'B' || c == 'x' || c == 'X') && i + 1 < n && text[i + 1] == '\'') {
      // B'101' and X'1F' are PostgreSQL's bit-string constants: minipg has no bit type.
      Error e = MakeError(sqlstate::kFeatureNotSupported, "bit-string constants are not supported by minipg");
      e.position = CharPosition(text, start);
      return e;
    }
    bool escaped = (c == 'e' || c == 'E') && i + 1 < n && text[i + 1] == '\'';
    if (c == '\'' || escaped) {
      // A string; E'...' also takes C-like backslash escapes.
      i += escaped ? 2 : 1;
      auto value = LexString(text, i, escaped);
      if (!value) {
        return LexError(text, start, fmt::format("unterminated quoted string at or near \"{}\"",
                                                 RestOfInput(text, start)));
      }
      push(TokenKind::kString, std::move(*value), start);
      continue;
    }
    if (IsIdentStart(c)) {
      while (i < n && IsIdentChar(text[i])) {
        ++i;
      }
      std::string word(text.substr(start, i - start));
      for (char& ch : word) {
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      }
      TruncateIdentifier(word);
      push(TokenKind::kIdent, std::move(word), start);
      continue;
    }
    if (c == '"') {
      std::string word;
      ++i;
      bool closed = false;
      while (i < n) {
        if (text[i] == '"') {
          if (i + 1 < n && text[i + 1] == '"') {
            word += '"';
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        word += text[i++];
      }
      if (!closed) {
        return LexError(text, start, fmt::format("unterminated quoted identifier at or near \"{}\"",
                                                 RestOfInput(text, start)));
      }
      if (word.empty()) {
        return LexError(text, start, "zero-length delimited identifier at or near \"\"\"\"");
      }
      TruncateIdentifier(word);
      push(TokenKind::kIdent, std::move(word), start, true);
      continue;
    }
    if (std::isdigit(c) || (c == '.' && i + 1 < n && std::isdigit(static_cast<unsigned char>(text[i + 1])))) {
      bool numeric = false;
      while (i < n && std::isdigit(static_cast<unsigned char>(text[i]))) {
        ++i;
      }
      if (i < n && text[i] == '.' && !(i + 1 < n && text[i + 1] == '.')) {
        numeric = true;
        ++i;
        while (i < n && std::isdigit(static_cast<unsigned char>(text[i]))) {
          ++i;
        }
      }
      if (i < n && (text[i] == 'e' || text[i] == 'E')) {
        size_t save = i;
        ++i;
        if (i < n && (text[i] == '+' || text[i] == '-')) {
          ++i;
        }
        if (i < n && std::isdigit(static_cast<unsigned char>(text[i]))) {
          numeric = true;
          while (i < n && std::isdigit(static_cast<unsigned char>(text[i]))) {
            ++i;
          }
        } else {
          i = save;
        }
      }
      if (i < n && IsIdentStart(text[i])) {
        // PostgreSQL 15 rejects "123abc" as trailing junk.
        while (i < n && IsIdentChar(text[i])) {
          ++i;
        }
        return LexError(text, start, fmt::format("trailing junk after numeric literal at or near \"{}\"",
                                                 text.substr(start, i - start)));
      }
      push(numeric ? TokenKind::kNumeric : TokenKind::kInteger, std::string(text.substr(start, i - start)),
           start);
      continue;
    }
    // Operators: the two-character ones first.
    if (i + 1 < n) {
      std::string_view two = text.substr(i, 2);
      if (two == "<>" || two == "!=" || two == "<=" || two == ">=" || two == "||" || two == "::" || two == "@>" ||
          two == "<@" || two == "&&") {
        i += 2;
        push(TokenKind::kOp, std::string(two == "!=" ? "<>" : two), start);
        continue;
      }
    }
    if (c == '~' || (c == '!' && i + 1 < n && text[i + 1] == '~')) {
      // The pattern-matching operators: ~ ~* !~ !~* ~~ ~~* !~~ !~~*.
      while (i < n && std::string_view("~!*").find(text[i]) != std::string_view::npos) {
        ++i;
      }
      push(TokenKind::kOp, std::string(text.substr(start, i - start)), start);
      continue;
    }
    if (std::string_view("+-*/%=<>").find(static_cast<char>(c)) != std::string_view::npos) {
      ++i;
      push(TokenKind::kOp, std::string(1, static_cast<char>(c)), start);
      continue;
    }
    if (std::string_view("(),;.[]:").find(static_cast<char>(c)) != std::string_view::npos) {
      ++i;
      push(TokenKind::kPunct, std::string(1, static_cast<char>(c)), start);
      continue;
    }
    // A parameter reference: '$' and digits (extended query protocol).
    if (c == '$' && i + 1 < n && std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
      ++i;
      while (i < n && std::isdigit(static_cast<unsigned char>(text[i]))) {
        ++i;
      }
      if (i < n && IsIdentChar(text[i])) {
        while (i < n && IsIdentChar(text[i])) {
          ++i;
        }
        return LexError(text, start, fmt::format("trailing junk after parameter at or near \"{}\"",
                                                 text.substr(start, i - start)));
      }
      push(TokenKind::kParam, std::string(text.substr(start + 1, i - start - 1)), start);
      continue;
    }
    // Anything else (e.g. '@' alone) is a syntax error at that character.
    ++i;
    while (i < n && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) {
      ++i;
    }
    return LexError(text, start, fmt::format("syntax error at or near \"{}\"", text.substr(start, i - start)));
  }
  Token end;
  end.kind = TokenKind::kEnd;
  end.offset = end.end = n;
  end.position = positions.At(n);
  tokens.push_back(std::move(end));
  return tokens;
}

Error SyntaxErrorAt(std::string_view text, const Token& t) {
  Error e = MakeError(sqlstate::kSyntaxError,
                      t.kind == TokenKind::kEnd
                          ? std::string("syntax error at end of input")
                          : fmt::format("syntax error at or near \"{}\"", text.substr(t.offset, t.end - t.offset)));
  e.position = t.position;
  return e;
}

}  // namespace minipg::sql
