// The adt modules' entries in the builtins registry: found by name and
// argument types as the analyzer will, called as the executor will.
// Expected values are PostgreSQL 15's (psql against a PG15 server, the
// query in each test's comment; upper/initcap on ASCII: minipg has no locale).
#include "engine/sql/adt/builtins.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "engine/sql/types.h"

namespace minipg::sql {
namespace {

using storage::Datum;

/* Calls the function or operator `name` whose declared arguments are
 * `types` with the values parsed from `texts` (nullptr: NULL). */
class Caller {
 public:
  std::string Call(std::string_view name, std::vector<TypeId> types, std::vector<const char*> texts) {
    std::vector<Datum> args;
    for (size_t i = 0; i < texts.size(); ++i) {
      if (texts[i] == nullptr) {
        args.emplace_back();
        continue;
      }
      auto v = InputText(texts[i], types[i]);
      if (!v.ok()) return "BAD INPUT " + v.error().message;
      args.push_back(*v);
    }
    FunctionImpl impl = nullptr;
    TypeId result = TypeId::kVoid;
    for (const FunctionInfo* f : FindFunctions(name)) {
      if (f->args == types || (f->variadic && f->args.size() <= types.size())) {
        impl = f->call;
        result = f->result;
        break;
      }
    }
    for (const OperatorInfo* o : FindOperators(name)) {
      std::vector<TypeId> want = o->left == TypeId::kVoid ? std::vector<TypeId>{o->right}
                                                          : std::vector<TypeId>{o->left, o->right};
      if (want == types) {
        impl = o->call;
        result = o->result;
      }
    }
    if (impl == nullptr) return "NO SUCH ENTRY";
    SessionContext ctx;
    auto r = impl(FunctionCall{args, types, result, ctx});
    if (!r.ok()) return "ERROR " + r.error().sqlstate + " " + r.error().message;
    if (storage::IsNull(*r)) return "NULL";
    return OutputText(*r, result);
  }
};

constexpr TypeId kT = TypeId::kText, kI = TypeId::kInt4, kN = TypeId::kNumeric, kF = TypeId::kFloat8;

TEST(BuiltinsTest, OidsAreUniqueAndOperatorsHaveFunctions) {
  std::set<uint32_t> oids;
  for (const FunctionInfo& f : Builtins().functions) {
    EXPECT_TRUE(oids.insert(f.oid).second) << "function " << f.name << " " << f.oid;
    // A window function (prokind 'w') has no call: a WindowAgg node computes it.
    EXPECT_TRUE(f.call != nullptr || f.call_set != nullptr || f.kind == 'w') << f.name;
    if (f.kind == 'w') {
      EXPECT_TRUE(f.call == nullptr && f.call_set == nullptr) << f.name;
    }
  }
  std::set<uint32_t> op_oids;
  for (const OperatorInfo& o : Builtins().operators) {
    // text || anynonarray (2779, 2780): one entry per type for want of polymorphic types.
    bool polymorphic = o.oid == 2779 || o.oid == 2780;
    EXPECT_TRUE(op_oids.insert(o.oid).second || polymorphic) << "operator " << o.name << " " << o.oid;
    EXPECT_NE(o.call, nullptr) << o.oid;
  }
  ASSERT_NE(FindCast(TypeId::kInt4, TypeId::kNumeric), nullptr);
  EXPECT_EQ(FindCast(TypeId::kInt4, TypeId::kNumeric)->kind, CastKind::kImplicit);
  EXPECT_EQ(FindCast(TypeId::kNumeric, TypeId::kInt4)->kind, CastKind::kAssignment);
}

// select 1.5::numeric + 2.25, 10::numeric / 4, 2::numeric ^ 10, 2.0::float8 / 0,
//        1e308::float8 * 10, 1.0::numeric = 1.00, 'NaN'::numeric > 1, sqrt(2::numeric), exp(1::numeric),
//        ln(2::numeric), log(100::numeric), 2::numeric ^ 0.5, round(2.5::float8), round(-2.5::numeric), mod(-7, 3)
TEST(BuiltinsTest, NumericAndFloatEntries) {
  Caller c;
  EXPECT_EQ(c.Call("+", {kN, kN}, {"1.5", "2.25"}), "3.75");
  EXPECT_EQ(c.Call("/", {kN, kN}, {"10", "4"}), "2.5000000000000000");
  EXPECT_EQ(c.Call("^", {kN, kN}, {"2", "10"}), "1024.0000000000000000");
  EXPECT_EQ(c.Call("^", {kN, kN}, {"2", "-2"}), "0.2500000000000000");
  EXPECT_EQ(c.Call("/", {kF, kF}, {"2.0", "0"}), "ERROR 22012 division by zero");
  EXPECT_EQ(c.Call("*", {kF, kF}, {"1e308", "10"}), "ERROR 22003 value out of range: overflow");
  EXPECT_EQ(c.Call("=", {kN, kN}, {"1.0", "1.00"}), "t");
  EXPECT_EQ(c.Call(">", {kN, kN}, {"NaN", "1"}), "t");
  EXPECT_EQ(c.Call("sqrt", {kN}, {"2"}), "1.414213562373095");
  EXPECT_EQ(c.Call("sqrt", {kN}, {"0.0001"}), "0.01000000000000000");
  EXPECT_EQ(c.Call("exp", {kN}, {"1"}), "2.7182818284590452");
  EXPECT_EQ(c.Call("exp", {kN}, {"10"}), "22026.465794806717");
  EXPECT_EQ(c.Call("ln", {kN}, {"2"}), "0.6931471805599453");
  EXPECT_EQ(c.Call("ln", {kN}, {"1000000"}), "13.815510557964274");
  EXPECT_EQ(c.Call("log", {kN}, {"100"}), "2.0000000000000000");
  EXPECT_EQ(c.Call("log", {kN, kN}, {"2", "8"}), "3.0000000000000000");
  EXPECT_EQ(c.Call("^", {kN, kN}, {"2", "0.5"}), "1.4142135623730950");
  EXPECT_EQ(c.Call("^", {kN, kN}, {"1.5", "2.5"}), "2.7556759606310754");
  EXPECT_EQ(c.Call("round", {kF}, {"2.5"}), "2");
  EXPECT_EQ(c.Call("round", {kN}, {"-2.5"}), "-3");
  EXPECT_EQ(c.Call("mod", {kI, kI}, {"-7", "3"}), "-1");
  EXPECT_EQ(c.Call("ln", {kN}, {"0"}), "ERROR 2201E cannot take logarithm of zero");
  EXPECT_EQ(c.Call("sqrt", {kF}, {"-1"}), "ERROR 2201F cannot take square root of a negative number");
}

// select length('héllo'), octet_length('héllo'), length('ab  '::char(5)), initcap('hello wORLD-foo bar_baz'),
//        substr('hello', 2, 3), substr('hello', -1, 3), substr('hello', 3), position('lo' in 'hello'),
//        strpos('héllo', 'l'), replace('abcabc', 'b', 'XY'), btrim('xxhixx', 'x'), ltrim('  hi  '),
//        lpad('hi', 5, 'ab'), rpad('hello', 3), left('hello', -2), right('hello', 2), reverse('héllo'),
//        split_part('a,b,c', ',', 2), split_part('a,b,c', ',', -1), concat('a', NULL, 1, true),
//        concat_ws('-', 'a', NULL, 2), repeat('ab', 3), ascii('é'), chr(233), translate('hello', 'el', 'ip'),
//        md5('abc'), 'ab' || 'cd'
TEST(BuiltinsTest, TextFunctions) {
  Caller c;
  EXPECT_EQ(c.Call("length", {kT}, {"héllo"}), "5");
  EXPECT_EQ(c.Call("octet_length", {kT}, {"héllo"}), "6");
  EXPECT_EQ(c.Call("length", {TypeId::kBpchar}, {"ab   "}), "2");
  EXPECT_EQ(c.Call("upper", {kT}, {"hello"}), "HELLO");
  EXPECT_EQ(c.Call("initcap", {kT}, {"hello wORLD-foo bar_baz"}), "Hello World-Foo Bar_Baz");
  EXPECT_EQ(c.Call("substr", {kT, kI, kI}, {"hello", "2", "3"}), "ell");
  EXPECT_EQ(c.Call("substr", {kT, kI, kI}, {"hello", "-1", "3"}), "h");
  EXPECT_EQ(c.Call("substr", {kT, kI}, {"hello", "3"}), "llo");
  EXPECT_EQ(c.Call("substr", {kT, kI, kI}, {"abc", "1", "-1"}), "ERROR 22011 negative substring length not allowed");
  EXPECT_EQ(c.Call("position", {kT, kT}, {"hello", "lo"}), "4");
  EXPECT_EQ(c.Call("strpos", {kT, kT}, {"héllo", "l"}), "3");
  EXPECT_EQ(c.Call("replace", {kT, kT, kT}, {"abcabc", "b", "XY"}), "aXYcaXYc");
  EXPECT_EQ(c.Call("btrim", {kT, kT}, {"xxhixx", "x"}), "hi");
  EXPECT_EQ(c.Call("ltrim", {kT}, {"  hi  "}), "hi  ");
  EXPECT_EQ(c.Call("lpad", {kT, kI, kT}, {"hi", "5", "ab"}), "abahi");
  EXPECT_EQ(c.Call("rpad", {kT, kI}, {"hello", "3"}), "hel");
  EXPECT_EQ(c.Call("left", {kT, kI}, {"hello", "-2"}), "hel");
  EXPECT_EQ(c.Call("right", {kT, kI}, {"hello", "2"}), "lo");
  EXPECT_EQ(c.Call("reverse", {kT}, {"héllo"}), "olléh");
  EXPECT_EQ(c.Call("split_part", {kT, kT, kI}, {"a,b,c", ",", "2"}), "b");
  EXPECT_EQ(c.Call("split_part", {kT, kT, kI}, {"a,b,c", ",", "-1"}), "c");
  EXPECT_EQ(c.Call("split_part", {kT, kT, kI}, {"a,b", ",", "0"}), "ERROR 22023 field position must not be zero");
  EXPECT_EQ(c.Call("concat", {kT, kT, kI, TypeId::kBool}, {"a", nullptr, "1", "true"}), "a1t");
  EXPECT_EQ(c.Call("concat_ws", {kT, kT, kT, kI}, {"-", "a", nullptr, "2"}), "a-2");
  EXPECT_EQ(c.Call("repeat", {kT, kI}, {"ab", "3"}), "ababab");
  EXPECT_EQ(c.Call("ascii", {kT}, {"é"}), "233");
  EXPECT_EQ(c.Call("chr", {kI}, {"233"}), "é");
  EXPECT_EQ(c.Call("translate", {kT, kT, kT}, {"hello", "el", "ip"}), "hippo");
  EXPECT_EQ(c.Call("md5", {kT}, {"abc"}), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(c.Call("||", {kT, kT}, {"ab", "cd"}), "abcd");
  EXPECT_EQ(c.Call("=", {TypeId::kBpchar, TypeId::kBpchar}, {"ab   ", "ab"}), "t");
}

// select 'hello' like 'h%o', 'hello' like 'h_l%', 'HeLLo' ilike 'hel%', 'a%b' like 'a\%b',
//        'a%b' like 'a#%b' escape '#', 'abc' ~ '^a.c$', 'ABC' ~* 'abc', 'abc' !~ 'b',
//        regexp_replace('foobarbaz', 'b(..)', 'X\1Y', 'g'), regexp_replace('abc', 'b', '[\&]'),
//        substring('foobar' from 'o(b.)'), substring('foobar' from 'z'), 'word here' ~ '\mhere\M',
//        'pg_catalog' ~ '^(pg_catalog)$'; select 'abc' ~ '('
TEST(BuiltinsTest, LikeAndRegularExpressions) {
  Caller c;
  EXPECT_EQ(c.Call("~~", {kT, kT}, {"hello", "h%o"}), "t");
  EXPECT_EQ(c.Call("~~", {kT, kT}, {"hello", "h_l%"}), "t");
  EXPECT_EQ(c.Call("~~", {kT, kT}, {"hello", "h_x%"}), "f");
  EXPECT_EQ(c.Call("~~*", {kT, kT}, {"HeLLo", "hel%"}), "t");
  EXPECT_EQ(c.Call("~~", {kT, kT}, {"a%b", "a\\%b"}), "t");
  EXPECT_EQ(c.Call("like_escape", {kT, kT}, {"a#%b", "#"}), "a\\%b");
  EXPECT_EQ(c.Call("~~", {kT, kT}, {"a", "a\\"}), "ERROR 22025 LIKE pattern must not end with escape character");
  EXPECT_EQ(c.Call("~~", {kT, kT}, {std::string(200, 'a').c_str(), "%a%a%a%a%a%a%a%a%b"}), "f");  // no blow-up
  EXPECT_EQ(c.Call("~", {kT, kT}, {"abc", "^a.c$"}), "t");
  EXPECT_EQ(c.Call("~*", {kT, kT}, {"ABC", "abc"}), "t");
  EXPECT_EQ(c.Call("!~", {kT, kT}, {"abc", "b"}), "f");
  EXPECT_EQ(c.Call("~", {TypeId::kName, kT}, {"pg_catalog", "^(pg_catalog)$"}), "t");
  EXPECT_EQ(c.Call("~", {kT, kT}, {"word here", "\\mhere\\M"}), "t");
  EXPECT_EQ(c.Call("regexp_replace", {kT, kT, kT, kT}, {"foobarbaz", "b(..)", "X\\1Y", "g"}), "fooXarYXazY");
  EXPECT_EQ(c.Call("regexp_replace", {kT, kT, kT}, {"abc", "b", "[\\&]"}), "a[b]c");
  EXPECT_EQ(c.Call("substring", {kT, kT}, {"foobar", "o(b.)"}), "ba");
  EXPECT_EQ(c.Call("substring", {kT, kT}, {"foobar", "z"}), "NULL");
  EXPECT_EQ(c.Call("~", {kT, kT}, {"abc", "("}).substr(0, 40), "ERROR 2201B invalid regular expression: ");
  // A catastrophic pattern ends with an error instead of hanging the backend.
  std::string text(5000, 'a');
  text += "b";
  EXPECT_EQ(c.Call("~", {kT, kT}, {text.c_str(), "^(a|a)*$"}).substr(0, 11), "ERROR 2201B");
}

// select '2020-01-31'::date + 30, '2020-03-01'::date - '2020-01-01'::date, '2020-01-31'::date + interval '1 month',
//        '2020-01-01'::date < '2020-01-01 00:00:01'::timestamp, interval '1 day' / 3,
//        extract(second from '2020-05-17 13:14:15.5'::timestamp), extract(epoch from interval '1 year 1 day'),
//        date_part('year', '2020-05-17'::date)
TEST(BuiltinsTest, DateTimeEntries) {
  Caller c;
  constexpr TypeId kD = TypeId::kDate, kTs = TypeId::kTimestamp, kIv = TypeId::kInterval;
  EXPECT_EQ(c.Call("+", {kD, kI}, {"2020-01-31", "30"}), "2020-03-01");
  EXPECT_EQ(c.Call("-", {kD, kD}, {"2020-03-01", "2020-01-01"}), "60");
  EXPECT_EQ(c.Call("+", {kD, kIv}, {"2020-01-31", "1 month"}), "2020-02-29 00:00:00");
  EXPECT_EQ(c.Call("<", {kD, kTs}, {"2020-01-01", "2020-01-01 00:00:01"}), "t");
  EXPECT_EQ(c.Call("/", {kIv, kF}, {"1 day", "3"}), "08:00:00");
  EXPECT_EQ(c.Call("extract", {kT, kTs}, {"second", "2020-05-17 13:14:15.5"}), "15.500000");
  EXPECT_EQ(c.Call("extract", {kT, kIv}, {"epoch", "1 year 1 day"}), "31644000.000000");
  EXPECT_EQ(c.Call("extract", {kT, kD}, {"year", "2020-05-17"}), "2020");
  EXPECT_EQ(c.Call("date_part", {kT, kD}, {"year", "2020-05-17"}), "2020");
  EXPECT_EQ(c.Call("-", {kIv}, {"1 day 02:00"}), "-1 days -02:00:00");
}

// select generate_series(1, 10, 3); select generate_series(1.5, 3); select generate_series('2020-01-01'::timestamp,
// '2020-01-02', '12 hours'); select generate_series(1, 10, 0) -> ERROR: step size cannot equal zero
TEST(BuiltinsTest, GenerateSeriesStreams) {
  auto series = [](std::vector<TypeId> types, std::vector<const char*> texts, TypeId out_type) {
    std::vector<Datum> args;
    for (size_t i = 0; i < texts.size(); ++i) args.push_back(*InputText(texts[i], types[i]));
    for (const FunctionInfo* f : FindFunctions("generate_series")) {
      if (f->args != types) continue;
      SessionContext ctx;
      auto state = f->call_set(FunctionCall{args, types, f->result, ctx});
      if (!state.ok()) return "ERROR " + state.error().message;
      std::string out;
      Datum d;
      while (*(*state)->Next(&d)) out += OutputText(d, out_type) + ";";
      return out;
    }
    return std::string("NO SUCH ENTRY");
  };
  EXPECT_EQ(series({kI, kI, kI}, {"1", "10", "3"}, kI), "1;4;7;10;");
  EXPECT_EQ(series({kN, kN}, {"1.5", "3"}, kN), "1.5;2.5;");
  EXPECT_EQ(series({TypeId::kTimestamp, TypeId::kTimestamp, TypeId::kInterval},
                   {"2020-01-01", "2020-01-02", "12 hours"}, TypeId::kTimestamp),
            "2020-01-01 00:00:00;2020-01-01 12:00:00;2020-01-02 00:00:00;");
  EXPECT_EQ(series({kI, kI, kI}, {"1", "10", "0"}, kI), "ERROR step size cannot equal zero");
  EXPECT_EQ(series({TypeId::kInt8, TypeId::kInt8}, {"9223372036854775806", "9223372036854775807"}, TypeId::kInt8),
            "9223372036854775806;9223372036854775807;");
}

}  // namespace
}  // namespace minipg::sql
