/*-------------------------------------------------------------------------
 * text_functions.cpp
 *   The string functions of PostgreSQL 15 (length, lower/upper/initcap,
 *   substr, position/strpos, replace, the trims, lpad/rpad, left/right,
 *   reverse, split_part, concat/concat_ws, repeat, ascii/chr, translate,
 *   starts_with, md5), the || operator, bpchar's comparisons and the
 *   varchar(n) / char(n) length coercions, with PostgreSQL's OIDs.
 *
 * NOTES
 *   Positions and lengths count UTF-8 characters. lower/upper/initcap
 *   change ASCII letters only (minipg has no locale support).
 *-------------------------------------------------------------------------
 */
#include <algorithm>
#include <cctype>
#include <climits>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/auth/crypto.h"
#include "engine/common/limits.h"
#include "engine/common/sqlstate.h"
#include "engine/sql/adt/function_args.h"

namespace minipg::sql::adt {
namespace {

constexpr size_t kMaxStringBytes = kMaxFieldBytes;  // minipg's bound on a value (limits.h; PostgreSQL's: 1 GB)

/* The characters of UTF-8 text, each as its bytes. */
std::vector<std::string_view> Chars(std::string_view s) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < s.size();) {
    size_t n = BytesOfChars(s.substr(i), 1);
    out.push_back(s.substr(i, std::max<size_t>(n, 1)));
    i += std::max<size_t>(n, 1);
  }
  return out;
}

Result<Datum> Text(std::string s) { return Datum(std::move(s)); }
Error TooLong() { return MakeError(sqlstate::kProgramLimitExceeded, "requested length too large"); }

Result<Datum> TextConcat(const FunctionCall& c) {
  std::string_view left = TextArg(c, 0), right = TextArg(c, 1);
  if (left.size() + right.size() > kMaxStringBytes) {  // where PostgreSQL's palloc refuses (past its 1 GB)
    return MakeError(sqlstate::kInternalError,
                     fmt::format("invalid memory alloc request size {}", left.size() + right.size() + 4));
  }
  return Text(std::string(left) + std::string(right));
}
Result<Datum> Length(const FunctionCall& c) { return Datum(static_cast<int64_t>(CharLength(TextArg(c, 0)))); }
Result<Datum> OctetLength(const FunctionCall& c) {
  return Datum(static_cast<int64_t>(std::get<std::string>(c.args[0]).size()));  // bpchar's padding counts
}

std::string MapAscii(std::string_view s, int (*fn)(int)) {
  std::string out(s);
  for (char& ch : out) {
    if (static_cast<unsigned char>(ch) < 0x80) ch = static_cast<char>(fn(static_cast<unsigned char>(ch)));
  }
  return out;
}
Result<Datum> Lower(const FunctionCall& c) { return Text(MapAscii(TextArg(c, 0), &::tolower)); }
Result<Datum> Upper(const FunctionCall& c) { return Text(MapAscii(TextArg(c, 0), &::toupper)); }
Result<Datum> Initcap(const FunctionCall& c) {
  std::string out(TextArg(c, 0));
  bool in_word = false;
  for (char& ch : out) {
    auto u = static_cast<unsigned char>(ch);
    if (u >= 0x80) {
      in_word = true;
      continue;
    }
    ch = static_cast<char>(in_word ? std::tolower(u) : std::toupper(u));
    in_word = std::isalnum(u) != 0;
  }
  return Text(out);
}

/* substr(s, start [, count]): characters start .. start + count - 1 that exist. */
Result<Datum> Substring(std::string_view s, int64_t start, std::optional<int64_t> count) {
  if (count && *count < 0) return MakeError(sqlstate::kSubstringError, "negative substring length not allowed");
  int64_t first = std::max<int64_t>(start, 1);
  int64_t end = count ? (start > INT64_MAX - *count ? INT64_MAX : start + *count) : INT64_MAX;  // exclusive
  if (end <= first) return Text("");
  size_t from = BytesOfChars(s, static_cast<size_t>(first - 1));
  std::string_view rest = s.substr(from);
  size_t len = end == INT64_MAX ? rest.size() : BytesOfChars(rest, static_cast<size_t>(end - first));
  return Text(std::string(rest.substr(0, len)));
}
Result<Datum> Substr2(const FunctionCall& c) { return Substring(TextArg(c, 0), IntArg(c, 1), std::nullopt); }
Result<Datum> Substr3(const FunctionCall& c) { return Substring(TextArg(c, 0), IntArg(c, 1), IntArg(c, 2)); }

Result<Datum> Position(const FunctionCall& c) {
  std::string_view s = TextArg(c, 0), sub = TextArg(c, 1);
  size_t at = s.find(sub);
  return Datum(at == std::string_view::npos ? int64_t{0} : static_cast<int64_t>(CharLength(s.substr(0, at)) + 1));
}

Result<Datum> Replace(const FunctionCall& c) {
  std::string_view s = TextArg(c, 0), from = TextArg(c, 1), to = TextArg(c, 2);
  if (from.empty()) return Text(std::string(s));
  std::string out;
  for (size_t i = 0;;) {
    size_t at = s.find(from, i);
    out.append(s.substr(i, at == std::string_view::npos ? std::string_view::npos : at - i));
    if (at == std::string_view::npos) break;
    out.append(to);
    if (out.size() > kMaxStringBytes) return TooLong();
    i = at + from.size();
  }
  return Text(out);
}

/* The trims: characters of `set` off the start and/or the end. */
Result<Datum> Trim(std::string_view s, std::string_view set, bool left, bool right) {
  std::vector<std::string_view> chars = Chars(s), trim = Chars(set);
  auto in_set = [&trim](std::string_view ch) { return std::find(trim.begin(), trim.end(), ch) != trim.end(); };
  size_t b = 0, e = chars.size();
  while (left && b < e && in_set(chars[b])) ++b;
  while (right && e > b && in_set(chars[e - 1])) --e;
  std::string out;
  for (size_t i = b; i < e; ++i) out.append(chars[i]);
  return Text(out);
}
std::string_view SetArg(const FunctionCall& c) { return c.args.size() > 1 ? TextArg(c, 1) : std::string_view(" "); }
Result<Datum> Btrim(const FunctionCall& c) { return Trim(TextArg(c, 0), SetArg(c), true, true); }
Result<Datum> Ltrim(const FunctionCall& c) { return Trim(TextArg(c, 0), SetArg(c), true, false); }
Result<Datum> Rtrim(const FunctionCall& c) { return Trim(TextArg(c, 0), SetArg(c), false, true); }

Result<Datum> Pad(const FunctionCall& c, bool left) {
  std::string_view s = TextArg(c, 0), fill = c.args.size() > 2 ? TextArg(c, 2) : std::string_view(" ");
  int64_t len = IntArg(c, 1);
  if (len <= 0) return Text("");
  if (static_cast<uint64_t>(len) * 4 > kMaxStringBytes) return TooLong();
  size_t have = CharLength(s);
  if (have >= static_cast<size_t>(len) || fill.empty()) {
    return Text(std::string(s.substr(0, BytesOfChars(s, static_cast<size_t>(len)))));
  }
  std::vector<std::string_view> fill_chars = Chars(fill);
  std::string padding;
  for (size_t i = 0; have + i < static_cast<size_t>(len); ++i) padding.append(fill_chars[i % fill_chars.size()]);
  return Text(left ? padding + std::string(s) : std::string(s) + padding);
}
Result<Datum> Lpad(const FunctionCall& c) { return Pad(c, true); }
Result<Datum> Rpad(const FunctionCall& c) { return Pad(c, false); }

Result<Datum> Left(const FunctionCall& c) {
  std::string_view s = TextArg(c, 0);
  int64_t n = IntArg(c, 1), len = static_cast<int64_t>(CharLength(s));
  int64_t keep = n >= 0 ? std::min(n, len) : std::max<int64_t>(len + n, 0);
  return Text(std::string(s.substr(0, BytesOfChars(s, static_cast<size_t>(keep)))));
}
Result<Datum> Right(const FunctionCall& c) {
  std::string_view s = TextArg(c, 0);
  int64_t n = IntArg(c, 1), len = static_cast<int64_t>(CharLength(s));
  int64_t keep = n >= 0 ? std::min(n, len) : std::max<int64_t>(len + n, 0);
  return Text(std::string(s.substr(BytesOfChars(s, static_cast<size_t>(len - keep)))));
}
Result<Datum> Reverse(const FunctionCall& c) {
  std::vector<std::string_view> chars = Chars(TextArg(c, 0));
  std::string out;
  for (auto it = chars.rbegin(); it != chars.rend(); ++it) out.append(*it);
  return Text(out);
}

Result<Datum> SplitPart(const FunctionCall& c) {
  std::string_view s = TextArg(c, 0), delim = TextArg(c, 1);
  int64_t n = IntArg(c, 2);
  if (n == 0) return MakeError(sqlstate::kInvalidParameterValue, "field position must not be zero");
  std::vector<std::string_view> fields;
  if (delim.empty()) {
    fields.push_back(s);
  } else {
    for (size_t i = 0;;) {
      size_t at = s.find(delim, i);
      fields.push_back(s.substr(i, at == std::string_view::npos ? std::string_view::npos : at - i));
      if (at == std::string_view::npos) break;
      i = at + delim.size();
    }
  }
  if (s.empty()) return Text("");
  auto count = static_cast<int64_t>(fields.size());
  int64_t index = n > 0 ? n - 1 : count + n;
  if (index < 0 || index >= count) return Text("");
  return Text(std::string(fields[static_cast<size_t>(index)]));
}

/* concat / concat_ws: each non-NULL argument in its text form. */
std::string AsText(const FunctionCall& c, size_t i) {
  return c.arg_types[i] == T::kBpchar ? std::string(TextArg(c, i)) : OutputText(c.args[i], c.arg_types[i]);
}
Result<Datum> Concat(const FunctionCall& c) {
  std::string out;
  for (size_t i = 0; i < c.args.size(); ++i) {
    if (!storage::IsNull(c.args[i])) out += AsText(c, i);
  }
  return Text(out);
}
Result<Datum> ConcatWs(const FunctionCall& c) {
  if (storage::IsNull(c.args[0])) return Datum(std::monostate{});
  std::string sep(TextArg(c, 0)), out;
  bool first = true;
  for (size_t i = 1; i < c.args.size(); ++i) {
    if (storage::IsNull(c.args[i])) continue;
    if (!first) out += sep;
    out += AsText(c, i);
    first = false;
  }
  return Text(out);
}

Result<Datum> Repeat(const FunctionCall& c) {
  std::string_view s = TextArg(c, 0);
  int64_t n = IntArg(c, 1);
  if (n <= 0 || s.empty()) return Text("");
  if (static_cast<uint64_t>(n) > kMaxStringBytes / s.size()) return TooLong();
  std::string out;
  out.reserve(s.size() * static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out.append(s);
  return Text(out);
}

Result<Datum> Ascii(const FunctionCall& c) {
  std::string_view s = TextArg(c, 0);
  if (s.empty()) return Datum(int64_t{0});
  auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < 0x80) return Datum(int64_t{b0});
  size_t n = BytesOfChars(s, 1);
  int64_t cp = b0 & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
  for (size_t i = 1; i < n; ++i) cp = (cp << 6) | (static_cast<unsigned char>(s[i]) & 0x3F);
  return Datum(cp);
}
Result<Datum> Chr(const FunctionCall& c) {
  int64_t cp = IntArg(c, 0);
  if (cp == 0) return MakeError(sqlstate::kProgramLimitExceeded, "null character not permitted");
  if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return MakeError(sqlstate::kProgramLimitExceeded, "requested character too large for encoding: " + std::to_string(cp));
  }
  std::string out;
  auto u = static_cast<uint32_t>(cp);
  if (u < 0x80) {
    out.push_back(static_cast<char>(u));
  } else if (u < 0x800) {
    out += {static_cast<char>(0xC0 | (u >> 6)), static_cast<char>(0x80 | (u & 0x3F))};
  } else if (u < 0x10000) {
    out += {static_cast<char>(0xE0 | (u >> 12)), static_cast<char>(0x80 | ((u >> 6) & 0x3F)),
            static_cast<char>(0x80 | (u & 0x3F))};
  } else {
    out += {static_cast<char>(0xF0 | (u >> 18)), static_cast<char>(0x80 | ((u >> 12) & 0x3F)),
            static_cast<char>(0x80 | ((u >> 6) & 0x3F)), static_cast<char>(0x80 | (u & 0x3F))};
  }
  return Text(out);
}

Result<Datum> Translate(const FunctionCall& c) {
  std::vector<std::string_view> from = Chars(TextArg(c, 1)), to = Chars(TextArg(c, 2));
  std::string out;
  for (std::string_view ch : Chars(TextArg(c, 0))) {
    auto it = std::find(from.begin(), from.end(), ch);
    if (it == from.end()) {
      out.append(ch);
    } else if (auto i = static_cast<size_t>(it - from.begin()); i < to.size()) {
      out.append(to[i]);
    }
  }
  return Text(out);
}

Result<Datum> StartsWith(const FunctionCall& c) { return Datum(TextArg(c, 0).substr(0, TextArg(c, 1).size()) == TextArg(c, 1)); }
Result<Datum> Md5(const FunctionCall& c) { return Text(auth::Md5Hex(TextArg(c, 0))); }

Result<Datum> VarcharCoerce(const FunctionCall& c) {
  return ApplyTypmod(c.args[0], T::kVarchar, static_cast<int32_t>(IntArg(c, 1)), std::get<bool>(c.args[2]));
}
Result<Datum> BpcharCoerce(const FunctionCall& c) {
  return ApplyTypmod(c.args[0], T::kBpchar, static_cast<int32_t>(IntArg(c, 1)), std::get<bool>(c.args[2]));
}

}  // namespace

void RegisterTextFunctions(BuiltinRegistry& r) {
  r.operators.insert(r.operators.end(), {
      {654, "||", T::kText, T::kText, T::kText, &TextConcat, "", "", false, false},
      {1054, "=", T::kBpchar, T::kBpchar, T::kBool, &CompareEq, "=", "<>", true, true},
      {1057, "<>", T::kBpchar, T::kBpchar, T::kBool, &CompareNe, "<>", "=", false, false},
      {1058, "<", T::kBpchar, T::kBpchar, T::kBool, &CompareLt, ">", ">=", false, false},
      {1059, "<=", T::kBpchar, T::kBpchar, T::kBool, &CompareLe, ">=", ">", false, false},
      {1060, ">", T::kBpchar, T::kBpchar, T::kBool, &CompareGt, "<", "<=", false, false},
      {1061, ">=", T::kBpchar, T::kBpchar, T::kBool, &CompareGe, "<=", "<", false, false},
  });
  const T kTx = T::kText, kI = T::kInt4;
  r.functions.insert(r.functions.end(), {
      {.oid = 1317, .name = "length", .args = {kTx}, .result = kI, .call = &Length},
      {.oid = 1318, .name = "length", .args = {T::kBpchar}, .result = kI, .call = &Length},
      {.oid = 1381, .name = "char_length", .args = {kTx}, .result = kI, .call = &Length},
      {.oid = 1372, .name = "char_length", .args = {T::kBpchar}, .result = kI, .call = &Length},
      {.oid = 1369, .name = "character_length", .args = {kTx}, .result = kI, .call = &Length},
      {.oid = 1367, .name = "character_length", .args = {T::kBpchar}, .result = kI, .call = &Length},
      {.oid = 1374, .name = "octet_length", .args = {kTx}, .result = kI, .call = &OctetLength},
      {.oid = 1375, .name = "octet_length", .args = {T::kBpchar}, .result = kI, .call = &OctetLength},
      {.oid = 870, .name = "lower", .args = {kTx}, .result = kTx, .call = &Lower},
      {.oid = 871, .name = "upper", .args = {kTx}, .result = kTx, .call = &Upper},
      {.oid = 872, .name = "initcap", .args = {kTx}, .result = kTx, .call = &Initcap},
      {.oid = 877, .name = "substr", .args = {kTx, kI, kI}, .result = kTx, .call = &Substr3},
      {.oid = 883, .name = "substr", .args = {kTx, kI}, .result = kTx, .call = &Substr2},
      {.oid = 936, .name = "substring", .args = {kTx, kI, kI}, .result = kTx, .call = &Substr3},
      {.oid = 937, .name = "substring", .args = {kTx, kI}, .result = kTx, .call = &Substr2},
      {.oid = 849, .name = "position", .args = {kTx, kTx}, .result = kI, .call = &Position},
      {.oid = 868, .name = "strpos", .args = {kTx, kTx}, .result = kI, .call = &Position},
      {.oid = 2087, .name = "replace", .args = {kTx, kTx, kTx}, .result = kTx, .call = &Replace},
      {.oid = 884, .name = "btrim", .args = {kTx, kTx}, .result = kTx, .call = &Btrim},
      {.oid = 885, .name = "btrim", .args = {kTx}, .result = kTx, .call = &Btrim},
      {.oid = 875, .name = "ltrim", .args = {kTx, kTx}, .result = kTx, .call = &Ltrim},
      {.oid = 881, .name = "ltrim", .args = {kTx}, .result = kTx, .call = &Ltrim},
      {.oid = 876, .name = "rtrim", .args = {kTx, kTx}, .result = kTx, .call = &Rtrim},
      {.oid = 882, .name = "rtrim", .args = {kTx}, .result = kTx, .call = &Rtrim},
      {.oid = 873, .name = "lpad", .args = {kTx, kI, kTx}, .result = kTx, .call = &Lpad},
      {.oid = 879, .name = "lpad", .args = {kTx, kI}, .result = kTx, .call = &Lpad},
      {.oid = 874, .name = "rpad", .args = {kTx, kI, kTx}, .result = kTx, .call = &Rpad},
      {.oid = 880, .name = "rpad", .args = {kTx, kI}, .result = kTx, .call = &Rpad},
      {.oid = 3060, .name = "left", .args = {kTx, kI}, .result = kTx, .call = &Left},
      {.oid = 3061, .name = "right", .args = {kTx, kI}, .result = kTx, .call = &Right},
      {.oid = 3062, .name = "reverse", .args = {kTx}, .result = kTx, .call = &Reverse},
      {.oid = 2088, .name = "split_part", .args = {kTx, kTx, kI}, .result = kTx, .call = &SplitPart},
      {.oid = 3058, .name = "concat", .args = {T::kAny}, .result = kTx, .call = &Concat, .strict = false,
       .volatility = Volatility::kStable, .min_args = 1, .variadic = true},
      {.oid = 3059, .name = "concat_ws", .args = {kTx, T::kAny}, .result = kTx, .call = &ConcatWs,
       .strict = false, .volatility = Volatility::kStable, .min_args = 2, .variadic = true},
      {.oid = 1622, .name = "repeat", .args = {kTx, kI}, .result = kTx, .call = &Repeat},
      {.oid = 1620, .name = "ascii", .args = {kTx}, .result = kI, .call = &Ascii},
      {.oid = 1621, .name = "chr", .args = {kI}, .result = kTx, .call = &Chr},
      {.oid = 878, .name = "translate", .args = {kTx, kTx, kTx}, .result = kTx, .call = &Translate},
      {.oid = 3696, .name = "starts_with", .args = {kTx, kTx}, .result = T::kBool, .call = &StartsWith},
      {.oid = 2311, .name = "md5", .args = {kTx}, .result = kTx, .call = &Md5},
      // Length coercions: what the analyzer applies for a column's typmod (the bool: explicit cast).
      {.oid = 669, .name = "varchar", .args = {T::kVarchar, kI, T::kBool}, .result = T::kVarchar,
       .call = &VarcharCoerce},
      {.oid = 668, .name = "bpchar", .args = {T::kBpchar, kI, T::kBool}, .result = T::kBpchar,
       .call = &BpcharCoerce},
  });
}

}  // namespace minipg::sql::adt
