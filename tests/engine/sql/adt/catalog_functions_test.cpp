/*-------------------------------------------------------------------------
 * catalog_functions_test.cpp
 *   The catalog functions psql calls, called directly on catalogs holding
 *   the objects of tests/integration/data/psql15_queries/setup.sql
 *   (customers, orders, their indexes and constraints), against what
 *   PostgreSQL 15 returned for the same calls.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/adt/catalog_functions.h"

#include "engine/catalog/catalog_access.h"
#include "engine/storage/data_directory.h"
#include "engine/catalog/catalog_rows.h"
#include "engine/catalog/client_catalogs.h"
#include "engine/catalog/table_ddl.h"
#include "engine/shmem/pgstat.h"
#include "engine/sql/adt/builtin_catalog_rows.h"
#include "engine/sql/adt/catalog_types.h"
#include "engine/sql/types.h"
#include "tests/engine/catalog/catalog_fixture.h"

namespace minipg::sql {
namespace {

using storage::ColumnType;
using storage::Datum;

class CatalogFunctionsTest : public catalog::BootstrappedCatalogTest {
 protected:
  void SetUp() override {
    BootstrappedCatalogTest::SetUp();
    (void)Builtins();  // registers the functions and the reg* lookups
    pgstat::SetMyDatabase(5);
    ctx_.data_dir = dir_.path() / "base" / "5";
    customers_ = MakeTable("customers", {{"id", ColumnType::kInt4}, {"email", ColumnType::kText}});
    orders_ = MakeTable("orders", {{"id", ColumnType::kInt8}, {"customer_id", ColumnType::kInt4},
                                   {"amount", ColumnType::kText}});
    pkey_ = MakeIndex("customers_pkey", customers_, {1}, true, true);
    email_key_ = MakeIndex("customers_email_key", customers_, {2}, true, false);
    orders_idx_ = MakeIndex("orders_customer_idx", orders_, {2}, false, false);
    Insert(catalog::kConstraintRelationId,
           catalog::PgConstraintRow({.oid = 20001, .name = "customers_pkey", .type = 'p', .table = customers_,
                                     .keys = {1}, .index = pkey_}));
    Insert(catalog::kConstraintRelationId,
           catalog::PgConstraintRow({.oid = 20002, .name = "customers_email_key", .type = 'u', .table = customers_,
                                     .keys = {2}, .index = email_key_}));
    Insert(catalog::kConstraintRelationId,
           catalog::PgConstraintRow({.oid = 20003, .name = "orders_customer_id_fkey", .type = 'f', .table = orders_,
                                     .keys = {2}, .index = pkey_, .ref_table = customers_, .ref_keys = {1}}));
    Insert(catalog::kConstraintRelationId,
           catalog::PgConstraintRow({.oid = 20004, .name = "orders_amount_check", .type = 'c', .table = orders_,
                                     .keys = {3}, .check = "amount > 0::numeric"}));
  }

  catalog::Oid MakeTable(std::string_view name, std::vector<storage::ColumnDef> columns) {
    auto made = catalog::CreateTableWithCatalog(ctx_.data_dir, name, columns, 10);
    EXPECT_TRUE(made.ok() && *made);
    auto rows = catalog::CatalogScan(*catalog::FindSystemCatalog("pg_class"), 5);
    for (const catalog::CatalogRow& r : *rows) {
      if (r.values[catalog::pg_class::kRelname] == Datum(std::string(name))) {
        return static_cast<catalog::Oid>(std::get<int64_t>(r.values[catalog::pg_class::kOid]));
      }
    }
    ADD_FAILURE() << name;
    return 0;
  }

  catalog::Oid MakeIndex(std::string_view name, catalog::Oid table, std::vector<int16_t> keys, bool unique,
                         bool primary) {
    catalog::Oid oid = next_index_oid_++;
    catalog::RelationRow rel;
    rel.oid = oid;
    rel.name = name;
    rel.natts = keys.size();
    storage::Tuple row = catalog::PgClassRow(rel);
    row[catalog::pg_class::kRelkind] = std::string("i");
    row[catalog::pg_class::kRelam] = int64_t{catalog::kBtreeAmOid};
    Insert(catalog::kRelationRelationId, row);
    Insert(catalog::kIndexRelationId, catalog::PgIndexRow({oid, table, std::move(keys), unique, primary}));
    return oid;
  }

  void Insert(catalog::Oid cat, const storage::Tuple& row) {
    Status s = catalog::CatalogInsert(*catalog::FindSystemCatalogByOid(cat), 5, row);
    ASSERT_TRUE(s.ok()) << s.error().message;
  }

  /* The function `name` taking `types`, called with `args`. */
  Datum Call(const char* name, std::vector<TypeId> types, std::vector<Datum> args) {
    for (const FunctionInfo* f : FindFunctions(name)) {
      if (f->args != types) continue;
      FunctionCall call{args, types, f->result, ctx_};
      bool has_null = false;
      for (const Datum& a : args) has_null = has_null || storage::IsNull(a);
      if (f->strict && has_null) return Datum();
      auto v = f->call(call);
      EXPECT_TRUE(v.ok()) << name << ": " << (v.ok() ? "" : v.error().message);
      return v.ok() ? *v : Datum();
    }
    ADD_FAILURE() << "no function " << name;
    return Datum();
  }
  std::string CallText(const char* name, std::vector<TypeId> types, std::vector<Datum> args) {
    Datum d = Call(name, std::move(types), std::move(args));
    return storage::IsNull(d) ? "NULL" : OutputText(d, TypeId::kText);
  }

  SessionContext ctx_;
  catalog::Oid customers_ = 0, orders_ = 0, pkey_ = 0, email_key_ = 0, orders_idx_ = 0;
  catalog::Oid next_index_oid_ = 30000;
};

Datum Oid(int64_t v) { return Datum(v); }

// Scenario: pg_get_indexdef as PostgreSQL 15 printed it for the same
// indexes: qualified table unless pretty, one column's name for column > 0.
TEST_F(CatalogFunctionsTest, IndexDefinitions) {
  using T = TypeId;
  EXPECT_EQ(CallText("pg_get_indexdef", {T::kOid}, {Oid(pkey_)}),
            "CREATE UNIQUE INDEX customers_pkey ON public.customers USING btree (id)");
  EXPECT_EQ(CallText("pg_get_indexdef", {T::kOid, T::kInt4, T::kBool}, {Oid(orders_idx_), Datum(int64_t{0}), Datum(true)}),
            "CREATE INDEX orders_customer_idx ON orders USING btree (customer_id)");
  EXPECT_EQ(CallText("pg_get_indexdef", {T::kOid, T::kInt4, T::kBool}, {Oid(pkey_), Datum(int64_t{1}), Datum(true)}), "id");
  EXPECT_EQ(CallText("pg_get_indexdef", {T::kOid, T::kInt4, T::kBool}, {Oid(pkey_), Datum(int64_t{2}), Datum(true)}), "");
  EXPECT_EQ(CallText("pg_get_indexdef", {T::kOid}, {Oid(999999)}), "NULL");
}

// Scenario: pg_get_constraintdef of each kind, as PostgreSQL 15 printed.
TEST_F(CatalogFunctionsTest, ConstraintDefinitions) {
  using T = TypeId;
  EXPECT_EQ(CallText("pg_get_constraintdef", {T::kOid, T::kBool}, {Oid(20001), Datum(true)}), "PRIMARY KEY (id)");
  EXPECT_EQ(CallText("pg_get_constraintdef", {T::kOid, T::kBool}, {Oid(20002), Datum(true)}), "UNIQUE (email)");
  EXPECT_EQ(CallText("pg_get_constraintdef", {T::kOid, T::kBool}, {Oid(20003), Datum(true)}),
            "FOREIGN KEY (customer_id) REFERENCES customers(id)");
  EXPECT_EQ(CallText("pg_get_constraintdef", {T::kOid}, {Oid(20004)}), "CHECK (amount > 0::numeric)");
}

// Scenario: format_type as PostgreSQL 15 answered format_type(1043, 44)
// and the rest.
TEST_F(CatalogFunctionsTest, FormatType) {
  using T = TypeId;
  auto f = [&](int64_t oid, Datum typmod) { return CallText("format_type", {T::kOid, T::kInt4}, {Oid(oid), typmod}); };
  EXPECT_EQ(f(1043, Datum(int64_t{44})), "character varying(40)");
  EXPECT_EQ(f(1700, Datum(int64_t{655366})), "numeric(10,2)");
  EXPECT_EQ(f(1042, Datum(int64_t{-1})), "bpchar");
  EXPECT_EQ(f(1042, Datum()), "character");
  EXPECT_EQ(f(1007, Datum(int64_t{-1})), "integer[]");
  EXPECT_EQ(f(999999, Datum(int64_t{-1})), "???");
  EXPECT_EQ(f(1184, Datum(int64_t{3})), "timestamp(3) with time zone");
  EXPECT_EQ(f(1015, Datum(int64_t{14})), "character varying(10)[]");
  EXPECT_EQ(f(16, Datum()), "boolean");
  EXPECT_EQ(CallText("format_type", {T::kOid, T::kInt4}, {Datum(), Datum(int64_t{1})}), "NULL");
}

// Scenario: visibility on the path pg_catalog, public; NULL for no object.
TEST_F(CatalogFunctionsTest, Visibility) {
  using T = TypeId;
  EXPECT_EQ(Call("pg_table_is_visible", {T::kOid}, {Oid(customers_)}), Datum(true));
  EXPECT_EQ(Call("pg_table_is_visible", {T::kOid}, {Oid(1259)}), Datum(true));
  EXPECT_EQ(Call("pg_table_is_visible", {T::kOid}, {Oid(999999)}), Datum());
  EXPECT_EQ(Call("pg_type_is_visible", {T::kOid}, {Oid(23)}), Datum(true));
  EXPECT_EQ(Call("pg_function_is_visible", {T::kOid}, {Oid(2079)}), Datum(true));
  EXPECT_EQ(OutputText(Call("current_schemas", {T::kBool}, {Datum(true)}), T::kNameArray), "{pg_catalog,public}");
  EXPECT_EQ(OutputText(Call("current_schemas", {T::kBool}, {Datum(false)}), T::kNameArray), "{public}");
}

// Scenario: regclass / regtype / regnamespace read and print names through
// the catalogs, with PostgreSQL's errors for unknown names.
TEST_F(CatalogFunctionsTest, RegTypes) {
  auto in = InputText("customers", TypeId::kRegclass);
  ASSERT_TRUE(in.ok()) << in.error().message;
  EXPECT_EQ(*in, Datum(int64_t{customers_}));
  EXPECT_EQ(OutputText(*in, TypeId::kRegclass), "customers");
  EXPECT_EQ(OutputText(Datum(int64_t{1259}), TypeId::kRegclass), "pg_class");
  auto qualified = InputText("pg_catalog.pg_extension", TypeId::kRegclass);
  ASSERT_TRUE(qualified.ok());
  EXPECT_EQ(*qualified, Datum(int64_t{3079}));
  auto missing = InputText("nosuch", TypeId::kRegclass);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().sqlstate, "42P01");
  EXPECT_EQ(missing.error().message, "relation \"nosuch\" does not exist");
  EXPECT_EQ(OutputText(Datum(int64_t{999999}), TypeId::kRegclass), "999999");
  EXPECT_EQ(OutputText(Datum(int64_t{1043}), TypeId::kRegtype), "character varying");
  auto t = InputText("int4", TypeId::kRegtype);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, Datum(int64_t{23}));
  EXPECT_EQ(OutputText(Datum(int64_t{11}), TypeId::kRegnamespace), "pg_catalog");
  auto nsp = InputText("nosuch", TypeId::kRegnamespace);
  ASSERT_FALSE(nsp.ok());
  EXPECT_EQ(nsp.error().message, "schema \"nosuch\" does not exist");
}

// Scenario: the array functions as PostgreSQL 15 answered them.
TEST_F(CatalogFunctionsTest, ArrayFunctions) {
  using T = TypeId;
  Datum arr = *InputText("{a,NULL,b}", T::kTextArray);
  EXPECT_EQ(CallText("array_to_string", {T::kAnyArray, T::kText}, {arr, Datum(std::string(","))}), "a,b");
  EXPECT_EQ(CallText("array_to_string", {T::kAnyArray, T::kText, T::kText},
                     {arr, Datum(std::string(",")), Datum(std::string("*"))}),
            "a,*,b");
  EXPECT_EQ(Call("array_length", {T::kAnyArray, T::kInt4}, {*InputText("{}", T::kInt4Array), Datum(int64_t{1})}),
            Datum());
  EXPECT_EQ(Call("array_upper", {T::kAnyArray, T::kInt4}, {*InputText("{5,6}", T::kInt4Array), Datum(int64_t{1})}),
            Datum(int64_t{2}));
  Datum schemas = Call("current_schemas", {T::kBool}, {Datum(true)});
  EXPECT_EQ(Call("array_position", {T::kAnyCompatibleArray, T::kAnyCompatible}, {schemas, Datum(std::string("public"))}),
            Datum(int64_t{2}));
  const FunctionInfo* unnest = FindFunctions("unnest").at(0);
  std::vector<Datum> args{arr};
  std::vector<TypeId> types{T::kTextArray};
  auto state = unnest->call_set(FunctionCall{args, types, T::kText, ctx_});
  ASSERT_TRUE(state.ok());
  std::vector<Datum> got;
  Datum d;
  while (*(*state)->Next(&d)) got.push_back(d);
  EXPECT_EQ(got, (std::vector<Datum>{Datum(std::string("a")), Datum(), Datum(std::string("b"))}));
}

// Scenario: \df's columns for a built-in function, as PostgreSQL prints
// them ("oid, integer").
TEST_F(CatalogFunctionsTest, FunctionResultAndArguments) {
  using T = TypeId;
  EXPECT_EQ(CallText("pg_get_function_arguments", {T::kOid}, {Oid(1081)}), "oid, integer");
  EXPECT_EQ(CallText("pg_get_function_arguments", {T::kOid}, {Oid(384)}), "anyarray, text, text");
  EXPECT_EQ(CallText("pg_get_function_result", {T::kOid}, {Oid(2079)}), "boolean");
  EXPECT_EQ(CallText("pg_get_function_result", {T::kOid}, {Oid(2331)}), "SETOF anyelement");
  EXPECT_EQ(CallText("col_description", {T::kOid, T::kInt4}, {Oid(customers_), Datum(int64_t{1})}), "NULL");
}

// Scenario: the registry's functions become pg_proc rows with
// PostgreSQL's values (pg_table_is_visible: 2079, stable, strict, oid).
TEST_F(CatalogFunctionsTest, RegistryBecomesPgProcRows) {
  catalog::BootstrapRowMap rows = BuiltinCatalogRows(Builtins());
  namespace p = catalog::pg_proc;
  bool found = false;
  for (const storage::Tuple& r : rows[catalog::kProcRelationId]) {
    if (r[p::kOid] != Datum(int64_t{2079})) continue;
    found = true;
    EXPECT_EQ(r[p::kProname], Datum(std::string("pg_table_is_visible")));
    EXPECT_EQ(r[p::kProvolatile], Datum(std::string("s")));
    EXPECT_EQ(r[p::kProisstrict], Datum(true));
    EXPECT_EQ(r[p::kProrettype], Datum(int64_t{16}));
    EXPECT_EQ(OutputText(r[p::kProargtypes], TypeId::kOidVector), "26");
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(rows[catalog::kProcRelationId].size(), Builtins().functions.size());
}

}  // namespace
}  // namespace minipg::sql
