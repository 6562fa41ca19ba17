/*-------------------------------------------------------------------------
 * like.cpp
 *   LIKE and ILIKE: the operators ~~, ~~*, !~~, !~~* on text, name and
 *   bpchar, and like_escape (what `x LIKE p ESCAPE e` calls), with
 *   PostgreSQL 15's OIDs.
 *
 *   A pattern is read into tokens (a literal character, _ for any one
 *   character, % for any run, the escape character '\' making the next one
 *   literal) and matched by the classic two-pointer wildcard walk, which
 *   backtracks only to the last %: no pattern takes more than
 *   O(text * pattern) steps.
 *
 * NOTES
 *   ILIKE folds ASCII letters only (minipg has no locale support).
 *-------------------------------------------------------------------------
 */
#include <cctype>
#include <string>
#include <vector>

#include "engine/common/sqlstate.h"
#include "engine/sql/adt/function_args.h"

namespace minipg::sql::adt {
namespace {

struct Token {
  enum class Kind { kLiteral, kAnyOne, kAnyRun } kind;
  std::string_view ch;  // kLiteral: the character's bytes
};

std::string_view NextChar(std::string_view s, size_t i) {
  size_t n = BytesOfChars(s.substr(i), 1);
  return s.substr(i, n == 0 ? 1 : n);
}

Result<std::vector<Token>> Tokenize(std::string_view pattern) {
  std::vector<Token> out;
  for (size_t i = 0; i < pattern.size();) {
    std::string_view ch = NextChar(pattern, i);
    i += ch.size();
    if (ch == "\\") {
      if (i >= pattern.size()) {
        return MakeError(sqlstate::kInvalidEscapeSequence, "LIKE pattern must not end with escape character");
      }
      ch = NextChar(pattern, i);
      i += ch.size();
      out.push_back({Token::Kind::kLiteral, ch});
    } else if (ch == "%") {
      if (out.empty() || out.back().kind != Token::Kind::kAnyRun) out.push_back({Token::Kind::kAnyRun, {}});
    } else if (ch == "_") {
      out.push_back({Token::Kind::kAnyOne, {}});
    } else {
      out.push_back({Token::Kind::kLiteral, ch});
    }
  }
  return out;
}

bool SameChar(std::string_view a, std::string_view b, bool fold) {
  if (!fold || a.size() != 1 || b.size() != 1) return a == b;
  return std::tolower(static_cast<unsigned char>(a[0])) == std::tolower(static_cast<unsigned char>(b[0]));
}

}  // namespace

Result<bool> LikeMatch(std::string_view text, std::string_view pattern, bool case_insensitive) {
  auto tokens = Tokenize(pattern);
  if (!tokens.ok()) return tokens.error();
  const std::vector<Token>& p = *tokens;
  std::vector<std::string_view> t;
  for (size_t i = 0; i < text.size();) {
    t.push_back(NextChar(text, i));
    i += t.back().size();
  }
  size_t ti = 0, pi = 0, star = SIZE_MAX, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && (p[pi].kind == Token::Kind::kAnyOne ||
                          (p[pi].kind == Token::Kind::kLiteral && SameChar(p[pi].ch, t[ti], case_insensitive)))) {
      ++ti;
      ++pi;
    } else if (pi < p.size() && p[pi].kind == Token::Kind::kAnyRun) {
      star = pi++;
      mark = ti;
    } else if (star != SIZE_MAX) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi].kind == Token::Kind::kAnyRun) ++pi;
  return pi == p.size();
}

namespace {

Result<Datum> LikeOp(const FunctionCall& c, bool fold, bool negate) {
  auto m = LikeMatch(TextArg(c, 0), TextArg(c, 1), fold);
  if (!m.ok()) return m.error();
  return Datum(*m != negate);
}
Result<Datum> Like(const FunctionCall& c) { return LikeOp(c, false, false); }
Result<Datum> NotLike(const FunctionCall& c) { return LikeOp(c, false, true); }
Result<Datum> ILike(const FunctionCall& c) { return LikeOp(c, true, false); }
Result<Datum> NotILike(const FunctionCall& c) { return LikeOp(c, true, true); }

/* like_escape(pattern, escape): the pattern rewritten for the default escape '\'. */
Result<Datum> LikeEscape(const FunctionCall& c) {
  std::string_view pattern = TextArg(c, 0), escape = TextArg(c, 1);
  if (CharLength(escape) > 1) {
    Error e = MakeError(sqlstate::kInvalidEscapeSequence, "invalid escape string");
    e.hint = "Escape string must be empty or one character.";
    return e;
  }
  std::string out;
  for (size_t i = 0; i < pattern.size();) {
    std::string_view ch = NextChar(pattern, i);
    i += ch.size();
    if (!escape.empty() && ch == escape) {
      if (i >= pattern.size()) {
        return MakeError(sqlstate::kInvalidEscapeSequence, "LIKE pattern must not end with escape character");
      }
      std::string_view next = NextChar(pattern, i);
      i += next.size();
      out += "\\";
      out += next;
    } else if (ch == "\\") {
      out += "\\\\";  // a backslash that is not the escape is literal
    } else {
      out += ch;
    }
  }
  return Datum(out);
}

}  // namespace

void RegisterLikeOperators(BuiltinRegistry& r) {
  r.operators.insert(r.operators.end(), {
      {1207, "~~", T::kName, T::kText, T::kBool, &Like, "", "!~~", false, false},
      {1208, "!~~", T::kName, T::kText, T::kBool, &NotLike, "", "~~", false, false},
      {1209, "~~", T::kText, T::kText, T::kBool, &Like, "", "!~~", false, false},
      {1210, "!~~", T::kText, T::kText, T::kBool, &NotLike, "", "~~", false, false},
      {1211, "~~", T::kBpchar, T::kText, T::kBool, &Like, "", "!~~", false, false},
      {1212, "!~~", T::kBpchar, T::kText, T::kBool, &NotLike, "", "~~", false, false},
      {1625, "~~*", T::kName, T::kText, T::kBool, &ILike, "", "!~~*", false, false},
      {1626, "!~~*", T::kName, T::kText, T::kBool, &NotILike, "", "~~*", false, false},
      {1627, "~~*", T::kText, T::kText, T::kBool, &ILike, "", "!~~*", false, false},
      {1628, "!~~*", T::kText, T::kText, T::kBool, &NotILike, "", "~~*", false, false},
      {1629, "~~*", T::kBpchar, T::kText, T::kBool, &ILike, "", "!~~*", false, false},
      {1630, "!~~*", T::kBpchar, T::kText, T::kBool, &NotILike, "", "~~*", false, false},
  });
  r.functions.push_back({.oid = 1637, .name = "like_escape", .args = {T::kText, T::kText}, .result = T::kText,
                         .call = &LikeEscape});
  r.functions.push_back({.oid = 850, .name = "textlike", .args = {T::kText, T::kText}, .result = T::kBool,
                         .call = &Like});
}

}  // namespace minipg::sql::adt
