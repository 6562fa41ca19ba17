/*-------------------------------------------------------------------------
 * system_columns.h
 *   A table's system columns (PostgreSQL's heap_getsysattr): readable by
 *   name in any query of a table, never part of `*`. The analyzer binds
 *   one as a Var whose attno is past the table's own columns and the junk
 *   ctid slot UPDATE and DELETE use:
 *
 *     attno     column    type  value
 *     n + 1     ctid      tid   the row version's place, "(0,1)"
 *     n + 2     xmin      xid   the inserting transaction
 *     n + 3     cmin      cid   t_cid as stored (PostgreSQL shows the raw
 *     n + 4     xmax      xid   the deleting or locking transaction, 0
 *     n + 5     cmax      cid   field for both cmin and cmax, a combo id included)
 *     n + 6     tableoid  oid   the table
 *
 *   (n: the table's column count.) A scan whose Plan has
 *   emit_system_columns appends the junk ctid and these six values to each
 *   row (node_scan.cpp, node_indexscan.cpp).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <array>
#include <string_view>

#include <fmt/format.h>

#include "engine/common/error.h"
#include "engine/common/sqlstate.h"
#include "engine/sql/session.h"

namespace minipg::sql {

struct SystemColumn {
  std::string_view name;
  TypeId type;
};

inline constexpr std::array<SystemColumn, 6> kSystemColumns = {{
    {"ctid", TypeId::kTid},
    {"xmin", TypeId::kXid},
    {"cmin", TypeId::kCid},
    {"xmax", TypeId::kXid},
    {"cmax", TypeId::kCid},
    {"tableoid", TypeId::kOid},
}};

/* The index of a system column's name in kSystemColumns, -1 if none. */
inline int SystemColumnIndex(std::string_view name) {
  for (size_t i = 0; i < kSystemColumns.size(); ++i) {
    if (kSystemColumns[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

/* 42701 for a new column named as a system column (CREATE TABLE, ADD
 * COLUMN), as PostgreSQL's CheckAttributeNamesTypes. */
inline Status CheckNotSystemColumn(std::string_view name) {
  if (SystemColumnIndex(name) < 0) return OkStatus();
  return MakeError(sqlstate::kDuplicateColumn, fmt::format("column name \"{}\" conflicts with a system column name", name));
}

/* A system column's attno in a table of `ncols` columns. */
inline int SystemColumnAttno(size_t ncols, int index) { return static_cast<int>(ncols) + 1 + index; }

}  // namespace minipg::sql
