// The array functions and operators (engine/sql/adt/array_functions.cpp)
// called as the executor calls them, with the actual types polymorphic
// resolution (parser/parse_polymorphic.cpp) gives; and that resolution.
// Expected values are PostgreSQL 15's (psql against a PG15 server).
#include <gtest/gtest.h>

#include "engine/sql/adt/builtins.h"
#include "engine/sql/adt/catalog_types.h"
#include "engine/sql/analyzer_impl.h"
#include "engine/sql/types.h"

namespace minipg::sql {
namespace {

using storage::Datum;
using T = TypeId;

class ArrayFunctionsTest : public ::testing::Test {
 protected:
  /* The function `name` declared over `declared`, called with `args` of
   * the actual types `actual`; its result as text ("NULL" for NULL). */
  std::string Call(const char* name, std::vector<T> declared, std::vector<T> actual, std::vector<Datum> args,
                   T result) {
    for (const FunctionInfo* f : FindFunctions(name)) {
      if (f->args != declared) continue;
      if (f->strict) {
        for (const Datum& a : args) {
          if (storage::IsNull(a)) return "NULL";
        }
      }
      auto v = f->call(FunctionCall{args, actual, result, ctx_});
      if (!v.ok()) return "ERROR " + v.error().message;
      return storage::IsNull(*v) ? "NULL" : OutputText(*v, result);
    }
    return "no function";
  }
  std::string Op(const char* name, T left, T right, const char* a, const char* b, T result = T::kBool) {
    std::vector<Datum> args{*InputText(a, left), *InputText(b, right)};
    std::vector<T> types{left, right};
    for (const OperatorInfo* o : FindOperators(name)) {
      auto r = analyzer_internal::ResolvePolymorphic({o->left, o->right}, types, o->result);
      if (!r.ok || r.args != types) continue;
      auto v = o->call(FunctionCall{args, types, r.result, ctx_});
      if (!v.ok()) return "ERROR " + v.error().message;
      return OutputText(*v, result);
    }
    return "no operator";
  }
  Datum Array(const char* text, T type) { return *InputText(text, type); }
  SessionContext ctx_;
};

// Scenario: SELECT ARRAY[1,2] = ARRAY[1,2], ARRAY[1,2] < ARRAY[1,2,0],
// ARRAY[2] > ARRAY[1,9], ARRAY[1,NULL] = ARRAY[1,NULL] -> t t t t.
TEST_F(ArrayFunctionsTest, ComparisonOperators) {
  EXPECT_EQ(Op("=", T::kInt4Array, T::kInt4Array, "{1,2}", "{1,2}"), "t");
  EXPECT_EQ(Op("<>", T::kInt4Array, T::kInt4Array, "{1,2}", "{1,3}"), "t");
  EXPECT_EQ(Op("<", T::kInt4Array, T::kInt4Array, "{1,2}", "{1,2,0}"), "t");
  EXPECT_EQ(Op(">", T::kInt4Array, T::kInt4Array, "{2}", "{1,9}"), "t");
  EXPECT_EQ(Op("=", T::kInt4Array, T::kInt4Array, "{1,NULL}", "{1,NULL}"), "t");
  EXPECT_EQ(Op("=", T::kOidArray, T::kOidArray, "{0}", "{0}"), "t");
  EXPECT_EQ(Op("<", T::kTextArray, T::kTextArray, "{b}", "{a,z}"), "f");
}

// Scenario: SELECT ARRAY[1,2,3] @> ARRAY[3,1], ARRAY[1,2] <@ ARRAY[1,2,3],
// ARRAY[1,2] && ARRAY[3], ARRAY[1,NULL] @> ARRAY[NULL]::int[] -> t t f f.
TEST_F(ArrayFunctionsTest, ContainmentOperators) {
  EXPECT_EQ(Op("@>", T::kInt4Array, T::kInt4Array, "{1,2,3}", "{3,1}"), "t");
  EXPECT_EQ(Op("<@", T::kInt4Array, T::kInt4Array, "{1,2}", "{1,2,3}"), "t");
  EXPECT_EQ(Op("&&", T::kInt4Array, T::kInt4Array, "{1,2}", "{2,5}"), "t");
  EXPECT_EQ(Op("&&", T::kInt4Array, T::kInt4Array, "{1,2}", "{3}"), "f");
  EXPECT_EQ(Op("@>", T::kInt4Array, T::kInt4Array, "{1,NULL}", "{NULL}"), "f");
}

// Scenario: SELECT ARRAY[1,2] || ARRAY[3], ARRAY[1,2] || 3, 0 || ARRAY[1,2] -> {1,2,3} {1,2,3} {0,1,2}.
TEST_F(ArrayFunctionsTest, Concatenation) {
  EXPECT_EQ(Op("||", T::kInt4Array, T::kInt4Array, "{1,2}", "{3}", T::kInt4Array), "{1,2,3}");
  EXPECT_EQ(Op("||", T::kInt4Array, T::kInt4, "{1,2}", "3", T::kInt4Array), "{1,2,3}");
  EXPECT_EQ(Op("||", T::kInt4, T::kInt4Array, "0", "{1,2}", T::kInt4Array), "{0,1,2}");
  T cat = T::kAnyCompatibleArray;
  EXPECT_EQ(Call("array_append", {cat, T::kAnyCompatible}, {T::kInt4Array, T::kInt4}, {Datum(), Datum(int64_t{1})},
                 T::kInt4Array),
            "{1}");
  EXPECT_EQ(Call("array_cat", {cat, cat}, {T::kInt4Array, T::kInt4Array}, {Array("{1}", T::kInt4Array), Datum()},
                 T::kInt4Array),
            "{1}");
  EXPECT_EQ(Call("array_prepend", {T::kAnyCompatible, cat}, {T::kInt4, T::kInt4Array},
                 {Datum(int64_t{0}), Array("[3:4]={1,2}", T::kInt4Array)}, T::kInt4Array),
            "[3:5]={0,1,2}");
}

// Scenario: string_to_array('a,b,,c', ','), ('a,b,x', ',', 'x'), ('abc', NULL), ('', ',')
// -> {a,b,"",c} {a,b,NULL} {a,b,c} {}; array_dims, array_ndims, cardinality, array_positions.
TEST_F(ArrayFunctionsTest, TextDimensionsAndSearch) {
  auto s = [](const char* v) { return v == nullptr ? Datum() : Datum(std::string(v)); };
  EXPECT_EQ(Call("string_to_array", {T::kText, T::kText}, {T::kText, T::kText}, {s("a,b,,c"), s(",")},
                 T::kTextArray),
            "{a,b,\"\",c}");
  EXPECT_EQ(Call("string_to_array", {T::kText, T::kText, T::kText}, {T::kText, T::kText, T::kText},
                 {s("a,b,x"), s(","), s("x")}, T::kTextArray),
            "{a,b,NULL}");
  EXPECT_EQ(Call("string_to_array", {T::kText, T::kText}, {T::kText, T::kText}, {s("abc"), s(nullptr)},
                 T::kTextArray),
            "{a,b,c}");
  EXPECT_EQ(Call("string_to_array", {T::kText, T::kText}, {T::kText, T::kText}, {s(""), s(",")}, T::kTextArray),
            "{}");
  EXPECT_EQ(Call("array_dims", {T::kAnyArray}, {T::kInt4Array}, {Array("[0:2]={1,2,3}", T::kInt4Array)}, T::kText),
            "[0:2]");
  EXPECT_EQ(Call("array_ndims", {T::kAnyArray}, {T::kInt4Array}, {Array("{}", T::kInt4Array)}, T::kInt4), "NULL");
  EXPECT_EQ(Call("cardinality", {T::kAnyArray}, {T::kInt4Array}, {Array("{}", T::kInt4Array)}, T::kInt4), "0");
  EXPECT_EQ(Call("array_positions", {T::kAnyCompatibleArray, T::kAnyCompatible}, {T::kInt4Array, T::kInt4},
                 {Array("{1,2,1}", T::kInt4Array), Datum(int64_t{1})}, T::kInt4Array),
            "{1,3}");
  EXPECT_EQ(Call("array_position", {T::kAnyCompatibleArray, T::kAnyCompatible}, {T::kInt4Array, T::kInt4},
                 {Array("{1,NULL}", T::kInt4Array), Datum()}, T::kInt4),
            "2");
}

// Scenario: aclitem reads and prints PostgreSQL's text; array_to_string over
// aclitem[] (psql's \l and \dp) joins the items.
TEST_F(ArrayFunctionsTest, AclItems) {
  Datum acl = Array("{=c/postgres,postgres=CTc/postgres}", T::kAclItemArray);
  EXPECT_EQ(OutputText(acl, T::kAclItemArray), "{=c/postgres,postgres=CTc/postgres}");
  EXPECT_EQ(Call("array_to_string", {T::kAnyArray, T::kText}, {T::kAclItemArray, T::kText},
                 {acl, Datum(std::string("\n"))}, T::kText),
            "=c/postgres\npostgres=CTc/postgres");
  EXPECT_FALSE(InputText("postgres", T::kAclItem).ok());  // missing "=" sign
  EXPECT_FALSE(InputText("a=Q/b", T::kAclItem).ok());     // invalid mode character
}

// Scenario: polymorphic resolution as PostgreSQL's: anyelement follows
// anyarray's elements, anycompatible takes the common type, all-unknown
// anyelement is undecided, all-unknown anycompatible is text.
TEST_F(ArrayFunctionsTest, PolymorphicResolution) {
  using analyzer_internal::ResolvePolymorphic;
  auto r = ResolvePolymorphic({T::kAnyArray, T::kAnyElement}, {T::kNameArray, T::kUnknown}, T::kAnyElement);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.args, (std::vector<T>{T::kNameArray, T::kName}));
  EXPECT_EQ(r.result, T::kName);
  r = ResolvePolymorphic({T::kAnyArray, T::kAnyElement}, {T::kInt4Array, T::kText}, T::kBool);
  EXPECT_FALSE(r.ok);
  r = ResolvePolymorphic({T::kAnyArray}, {T::kUnknown}, T::kInt4);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.undecided);
  r = ResolvePolymorphic({T::kAnyCompatibleArray, T::kAnyCompatible}, {T::kInt4Array, T::kInt8}, T::kAnyCompatibleArray);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.args, (std::vector<T>{T::kInt8Array, T::kInt8}));
  EXPECT_EQ(r.result, T::kInt8Array);
  r = ResolvePolymorphic({T::kAnyCompatibleArray, T::kAnyCompatible}, {T::kUnknown, T::kUnknown}, T::kInt4);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.args, (std::vector<T>{T::kTextArray, T::kText}));
  r = ResolvePolymorphic({T::kAnyNonArray}, {T::kInt4Array}, T::kAnyArray);
  EXPECT_FALSE(r.ok);
}

}  // namespace
}  // namespace minipg::sql
