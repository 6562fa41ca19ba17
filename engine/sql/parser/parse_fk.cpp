/*-------------------------------------------------------------------------
 * parse_fk.cpp
 *   A FOREIGN KEY / REFERENCES constraint checked against the table it
 *   references, as PostgreSQL's ATAddForeignKeyConstraint does when it
 *   adds one: the referencing columns exist, the referenced ones default
 *   to the primary key, they match a unique index exactly (as a set), the
 *   counts agree and each pair of types can be compared. The result is a
 *   'f' ConstraintCommand (pg_constraint row built by the executor,
 *   exec_indexing.cpp's AddTableConstraints); the checks on rows are in
 *   executor/ri_triggers.cpp.
 *
 * NOTES
 *   TransformForeignKey takes one constraint of one table so CREATE TABLE
 *   and ALTER TABLE ADD FOREIGN KEY share it.
 *-------------------------------------------------------------------------
 */
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "engine/sql/analyzer.h"
#include "engine/sql/analyzer_impl.h"
#include "engine/sql/types.h"

namespace minipg::sql::analyzer_internal {

namespace {

/* The referenced table's unique keys: its unique indexes, the primary
 * key's marked. */
struct UniqueKey {
  std::vector<std::string> columns;
  bool primary = false;
};

std::vector<UniqueKey> UniqueKeysOf(const storage::TableDef& table) {
  std::vector<UniqueKey> keys;
  for (const storage::IndexDef& index : table.indexes) {
    if (!index.unique) continue;
    UniqueKey key;
    key.primary = index.primary;
    for (int16_t a : index.key_attnums) key.columns.push_back(table.columns.at(static_cast<size_t>(a - 1)).name);
    keys.push_back(std::move(key));
  }
  return keys;
}

const storage::ColumnDef* FindColumn(const std::vector<storage::ColumnDef>& columns, const std::string& name) {
  auto it = std::find_if(columns.begin(), columns.end(), [&name](const storage::ColumnDef& c) { return c.name == name; });
  return it == columns.end() ? nullptr : &*it;
}

bool IsFloat(TypeId t) { return t == TypeId::kFloat4 || t == TypeId::kFloat8; }

/* Whether the referenced key type's B-tree equality can compare a
 * referencing value: the same operator family (integers, floats) or an
 * implicit cast to the referenced type, as PostgreSQL decides. */
bool KeyTypesComparable(TypeId fk, TypeId pk) {
  if (fk == pk || (IsInteger(fk) && IsInteger(pk)) || (IsFloat(fk) && IsFloat(pk))) return true;
  return CanCoerceImplicit(fk, pk);
}

Error UndefinedKeyColumn(const std::string& name) {
  return MakeError(sqlstate::kUndefinedColumn,
                   fmt::format("column \"{}\" referenced in foreign key constraint does not exist", name));
}

}  // namespace

Result<ConstraintCommand> Analyzer::TransformForeignKey(const std::string& table,
                                                        const std::vector<storage::ColumnDef>& columns,
                                                        const ConstraintDefinition& con,
                                                        const storage::ColumnDef* column,
                                                        const std::vector<ConstraintCommand>& own_keys,
                                                        std::set<std::string>& taken) {
  ConstraintCommand fk;
  fk.type = 'f';
  fk.on_update = con.on_update;
  fk.on_delete = con.on_delete;
  // The referenced table: this one (a table referencing itself) or one that exists.
  const std::vector<storage::ColumnDef>* ref_columns = nullptr;
  std::vector<UniqueKey> ref_keys;
  const storage::TableDef* existing = !IsSystemSchema(con.ref_table.schema) ? catalog_.Find(con.ref_table.name) : nullptr;
  if (con.ref_table.name == table && (existing == nullptr || &existing->columns == &columns)) {
    ref_columns = &columns;
    for (const ConstraintCommand& k : own_keys) ref_keys.push_back(UniqueKey{k.columns, k.type == 'p'});
  } else {
    auto ref = LookupTable(con.ref_table);
    if (!ref.ok()) {
      Error e = ref.error();
      e.position = 0;  // PostgreSQL opens the referenced table without one
      return e;
    }
    ref_columns = &(*ref)->columns;
    ref_keys = UniqueKeysOf(**ref);
  }
  fk.ref_table = con.ref_table.name;
  if (column != nullptr) fk.columns.push_back(column->name);
  for (const InsertColumn& c : con.columns) fk.columns.push_back(c.name);
  for (const std::string& c : fk.columns) {
    if (FindColumn(columns, c) == nullptr) return UndefinedKeyColumn(c);
  }
  if (con.ref_columns.empty()) {
    auto pk = std::find_if(ref_keys.begin(), ref_keys.end(), [](const UniqueKey& k) { return k.primary; });
    if (pk == ref_keys.end()) {
      return MakeError(sqlstate::kUndefinedObject,
                       fmt::format("there is no primary key for referenced table \"{}\"", fk.ref_table));
    }
    fk.ref_columns = pk->columns;
  } else {
    for (const InsertColumn& c : con.ref_columns) {
      if (FindColumn(*ref_columns, c.name) == nullptr) return UndefinedKeyColumn(c.name);
      fk.ref_columns.push_back(c.name);
    }
    std::set<std::string> wanted(fk.ref_columns.begin(), fk.ref_columns.end());
    if (wanted.size() != fk.ref_columns.size()) {
      return MakeError(sqlstate::kInvalidForeignKey, "foreign key referenced-columns list must not contain duplicates");
    }
    bool found = std::any_of(ref_keys.begin(), ref_keys.end(), [&wanted](const UniqueKey& k) {
      return std::set<std::string>(k.columns.begin(), k.columns.end()) == wanted && k.columns.size() == wanted.size();
    });
    if (!found) {
      return MakeError(sqlstate::kInvalidForeignKey,
                       fmt::format("there is no unique constraint matching given keys for referenced table \"{}\"",
                                   fk.ref_table));
    }
  }
  if (fk.columns.size() != fk.ref_columns.size()) {
    return MakeError(sqlstate::kInvalidForeignKey,
                     "number of referencing and referenced columns for foreign key disagree");
  }
  if (!con.name.empty()) {
    fk.name = con.name;
    taken.insert(con.name);
  } else {
    fk.name = ChooseName(table, JoinNames(fk.columns), "fkey", taken);
  }
  for (size_t i = 0; i < fk.columns.size(); ++i) {
    TypeId fk_type = FromColumnType(FindColumn(columns, fk.columns[i])->type);
    TypeId pk_type = FromColumnType(FindColumn(*ref_columns, fk.ref_columns[i])->type);
    if (KeyTypesComparable(fk_type, pk_type)) continue;
    Error e = MakeError(sqlstate::kDatatypeMismatch,
                        fmt::format("foreign key constraint \"{}\" cannot be implemented", fk.name));
    e.detail = fmt::format("Key columns \"{}\" and \"{}\" are of incompatible types: {} and {}.", fk.columns[i],
                           fk.ref_columns[i], TypeName(fk_type), TypeName(pk_type));
    return e;
  }
  return fk;
}

}  // namespace minipg::sql::analyzer_internal
