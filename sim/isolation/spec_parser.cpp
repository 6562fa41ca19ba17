/*-------------------------------------------------------------------------
 * spec_parser.cpp
 *   Reading isolation spec files (spec.h): a scanner of names, quoted
 *   strings, SQL blocks and punctuation, and a recursive-descent reader of
 *   the grammar isolationtester accepts:
 *
 *     spec        := setup* [teardown] session+ permutation*
 *     session     := "session" NAME [setup] step+ [teardown]
 *     step        := "step" NAME SQL
 *     permutation := "permutation" pstep+
 *     pstep       := NAME [ "(" blocker {"," blocker} ")" ]
 *     blocker     := "*" | NAME | NAME "notices" INTEGER
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include <cctype>
#include <set>

#include "sim/isolation/spec.h"

namespace minipg::sim::isolation {
namespace {

enum class TokenKind { kName, kSql, kPunct, kInteger, kEnd };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  bool quoted = false;  // a "quoted" name is never a keyword
  int line = 1;
};

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f'; }
bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

/* Splits the text into tokens, or says why it cannot. */
std::string Scan(std::string_view text, std::vector<Token>* tokens) {
  int line = 1;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '\n') {
      ++line;
      ++i;
    } else if (IsBlank(c)) {
      ++i;
    } else if (c == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '"') {
      size_t end = i + 1;
      while (end < text.size() && text[end] != '"' && text[end] != '\n') ++end;
      if (end >= text.size()) return fmt::format("unterminated quoted string at line {}", line);
      if (text[end] == '\n') return fmt::format("unexpected newline in quoted string at line {}", line);
      tokens->push_back({TokenKind::kName, std::string(text.substr(i + 1, end - i - 1)), true, line});
      i = end + 1;
    } else if (c == '{') {
      int start_line = line;
      size_t begin = i + 1;
      int depth = 1;
      size_t j = begin;
      for (; j < text.size(); ++j) {
        if (text[j] == '\n') ++line;
        if (text[j] == '{') ++depth;
        if (text[j] == '}' && --depth == 0) break;
      }
      if (j >= text.size()) return fmt::format("unterminated sql block at line {}", start_line);
      // Blanks (not newlines) right after '{' and right before '}' are not part of it.
      size_t end = j;
      while (begin < end && IsBlank(text[begin])) ++begin;
      while (end > begin && IsBlank(text[end - 1])) --end;
      tokens->push_back({TokenKind::kSql, std::string(text.substr(begin, end - begin)), false, start_line});
      i = j + 1;
    } else if (c == '(' || c == ')' || c == ',' || c == '*') {
      tokens->push_back({TokenKind::kPunct, std::string(1, c), false, line});
      ++i;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t end = i;
      while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
      tokens->push_back({TokenKind::kInteger, std::string(text.substr(i, end - i)), false, line});
      i = end;
    } else if (IsNameStart(c)) {
      size_t end = i;
      while (end < text.size() && IsNameChar(text[end])) ++end;
      tokens->push_back({TokenKind::kName, std::string(text.substr(i, end - i)), false, line});
      i = end;
    } else {
      return fmt::format("syntax error at line {}: unexpected character \"{}\"", line, c);
    }
  }
  tokens->push_back({TokenKind::kEnd, "", false, line});
  return "";
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  std::string Parse(TestSpec* spec) {
    while (IsKeyword("setup")) {
      ++pos_;
      std::string sql;
      if (!Sql(&sql)) return error_;
      spec->setup_sqls.push_back(std::move(sql));
    }
    if (IsKeyword("teardown")) {
      ++pos_;
      std::string sql;
      if (!Sql(&sql)) return error_;
      spec->teardown_sql = std::move(sql);
    }
    while (IsKeyword("session")) {
      ++pos_;
      Session session;
      if (!Name(&session.name)) return error_;
      if (IsKeyword("setup")) {
        ++pos_;
        std::string sql;
        if (!Sql(&sql)) return error_;
        session.setup_sql = std::move(sql);
      }
      while (IsKeyword("step")) {
        ++pos_;
        Step step;
        if (!Name(&step.name) || !Sql(&step.sql)) return error_;
        session.steps.push_back(std::move(step));
      }
      if (session.steps.empty()) return Fail("a session needs at least one step");
      if (IsKeyword("teardown")) {
        ++pos_;
        std::string sql;
        if (!Sql(&sql)) return error_;
        session.teardown_sql = std::move(sql);
      }
      spec->sessions.push_back(std::move(session));
    }
    if (spec->sessions.empty()) return Fail("a spec needs at least one session");
    while (IsKeyword("permutation")) {
      ++pos_;
      Permutation permutation;
      while (Peek().kind == TokenKind::kName && !IsAnyKeyword()) {
        PermutationStep step;
        step.name = Peek().text;
        ++pos_;
        if (IsPunct("(") && !Blockers(&step.blockers)) return error_;
        permutation.push_back(std::move(step));
      }
      if (permutation.empty()) return Fail("a permutation needs at least one step");
      spec->permutations.push_back(std::move(permutation));
    }
    if (Peek().kind != TokenKind::kEnd) return Fail(fmt::format("unexpected \"{}\"", Peek().text));
    return "";
  }

 private:
  const Token& Peek() const { return tokens_[pos_]; }
  bool IsKeyword(std::string_view word) const {
    return Peek().kind == TokenKind::kName && !Peek().quoted && Peek().text == word;
  }
  bool IsAnyKeyword() const {
    return IsKeyword("setup") || IsKeyword("teardown") || IsKeyword("session") || IsKeyword("step") ||
           IsKeyword("permutation");
  }
  bool IsPunct(std::string_view p) const { return Peek().kind == TokenKind::kPunct && Peek().text == p; }

  std::string Fail(const std::string& why) {
    error_ = fmt::format("{} at line {}", why, Peek().line);
    return error_;
  }
  bool Sql(std::string* out) {
    if (Peek().kind != TokenKind::kSql) {
      Fail("expected an SQL block { ... }");
      return false;
    }
    *out = tokens_[pos_++].text;
    return true;
  }
  bool Name(std::string* out) {
    if (Peek().kind != TokenKind::kName || IsAnyKeyword()) {
      Fail("expected a name");
      return false;
    }
    *out = tokens_[pos_++].text;
    return true;
  }
  /* "(" blocker {"," blocker} ")" */
  bool Blockers(std::vector<Blocker>* out) {
    ++pos_;  // (
    for (;;) {
      Blocker b;
      if (IsPunct("*")) {
        ++pos_;
      } else if (Name(&b.step)) {
        b.kind = BlockerKind::kOtherStep;
        if (IsKeyword("notices")) {
          ++pos_;
          if (Peek().kind != TokenKind::kInteger) {
            Fail("expected a number of notices");
            return false;
          }
          b.kind = BlockerKind::kNotices;
          b.notices = std::stoi(tokens_[pos_++].text);
        }
      } else {
        return false;
      }
      out->push_back(std::move(b));
      if (IsPunct(",")) {
        ++pos_;
        continue;
      }
      if (IsPunct(")")) {
        ++pos_;
        return true;
      }
      Fail("expected \",\" or \")\" in a blocker list");
      return false;
    }
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  std::string error_;
};

/* Unique step names; permutations and blockers naming existing steps. */
std::string Check(const TestSpec& spec) {
  std::set<std::string> names;
  for (const Session& s : spec.sessions) {
    for (const Step& st : s.steps) {
      if (!names.insert(st.name).second) return fmt::format("duplicate step name \"{}\"", st.name);
    }
  }
  for (const Permutation& p : spec.permutations) {
    for (const PermutationStep& ps : p) {
      if (names.count(ps.name) == 0) return fmt::format("undefined step \"{}\" specified in permutation", ps.name);
      for (const Blocker& b : ps.blockers) {
        if (b.kind != BlockerKind::kOnce && names.count(b.step) == 0) {
          return fmt::format("undefined blocking step \"{}\" referenced in permutation step \"{}\"", b.step,
                             ps.name);
        }
      }
    }
  }
  return "";
}

void Interleave(const TestSpec& spec, std::vector<size_t>& next, Permutation& current,
                std::vector<Permutation>* out) {
  bool any = false;
  for (size_t s = 0; s < spec.sessions.size(); ++s) {
    if (next[s] >= spec.sessions[s].steps.size()) continue;
    any = true;
    current.push_back({spec.sessions[s].steps[next[s]].name, {}});
    ++next[s];
    Interleave(spec, next, current, out);
    --next[s];
    current.pop_back();
  }
  if (!any) out->push_back(current);
}

}  // namespace

SpecParse ParseSpec(std::string_view text) {
  SpecParse result;
  std::vector<Token> tokens;
  result.error = Scan(text, &tokens);
  if (!result.ok()) return result;
  result.error = Parser(std::move(tokens)).Parse(&result.spec);
  if (!result.ok()) return result;
  result.error = Check(result.spec);
  return result;
}

std::optional<StepRef> FindStep(const TestSpec& spec, std::string_view name) {
  for (size_t s = 0; s < spec.sessions.size(); ++s) {
    for (size_t i = 0; i < spec.sessions[s].steps.size(); ++i) {
      if (spec.sessions[s].steps[i].name == name) return StepRef{s, i};
    }
  }
  return std::nullopt;
}

std::vector<std::string> UnusedSteps(const TestSpec& spec) {
  std::set<std::string> used;
  for (const Permutation& p : spec.permutations) {
    for (const PermutationStep& ps : p) used.insert(ps.name);
  }
  std::vector<std::string> unused;
  if (spec.permutations.empty()) return unused;
  for (const Session& s : spec.sessions) {
    for (const Step& st : s.steps) {
      if (used.count(st.name) == 0) unused.push_back(st.name);
    }
  }
  return unused;
}

std::vector<Permutation> AllPermutations(const TestSpec& spec) {
  std::vector<Permutation> out;
  std::vector<size_t> next(spec.sessions.size(), 0);
  Permutation current;
  Interleave(spec, next, current, &out);
  return out;
}

}  // namespace minipg::sim::isolation
