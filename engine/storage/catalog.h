/*-------------------------------------------------------------------------
 * catalog.h
 *   A table as the SQL layer knows it (name, OID, owner, columns), and the
 *   tables of a database at one moment. They are read from the system
 *   catalogs pg_class and pg_attribute (engine/catalog/relcache.h).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/storage/datum.h"

namespace minipg::storage {

/* The first OID of a user object (PostgreSQL's FirstNormalObjectId). */
inline constexpr uint32_t kFirstTableOid = 16384;
/* The role initdb creates, which owns what it creates (PostgreSQL's OID 10). */
inline constexpr uint32_t kBootstrapSuperuserOid = 10;

struct ColumnDef {
  std::string name;
  ColumnType type;
  int32_t typmod = -1;  // pg_attribute.atttypmod: varchar(n) n + 4, numeric(p,s) ((p << 16) | s) + 4, -1 none
  bool not_null = false;          // pg_attribute.attnotnull
  std::string default_expr{};     // pg_attrdef.adbin (SQL text, as pg_get_expr prints it), empty: none
};

/* A CHECK constraint of a table (pg_constraint contype 'c'). */
struct CheckDef {
  std::string name;  // conname: t_a_check
  std::string expr;  // conbin: the expression's SQL text
};

/* An index of a table (pg_class relkind 'i' + pg_index), B-tree only. */
struct IndexDef {
  uint32_t oid = 0;               // its pg_class OID, and its relfilenode
  std::string name;
  std::vector<int16_t> key_attnums;  // pg_index.indkey: the table's columns, 1-based
  bool unique = false;
  bool primary = false;
};

/* One column's statistics as ANALYZE left them in pg_statistic (stainherit
 * false), for the planner's selectivity estimates (optimizer/costsize.cpp).
 * The values are their text output, as pg_statistic keeps them here
 * (stavalues is text[]); the planner reads them in the column's type. */
struct ColumnStats {
  int16_t attnum = 0;     // staattnum: 1-based
  double null_frac = 0;   // stanullfrac
  int32_t width = 0;      // stawidth: average stored width of the non-null values
  double n_distinct = 0;  // stadistinct: > 0 a count, < 0 minus a fraction of the rows, 0 unknown
  std::vector<std::string> mcv_values{};  // most common values (STATISTIC_KIND_MCV), most common first
  std::vector<double> mcv_freqs{};        // their frequencies among all rows
  std::vector<std::string> histogram{};   // bounds of the other values (STATISTIC_KIND_HISTOGRAM), ascending
  bool has_correlation = false;           // STATISTIC_KIND_CORRELATION
  double correlation = 0;
};

struct TableDef {
  uint32_t oid = 0;  // its pg_class OID, and its relfilenode
  std::string name;
  uint32_t owner = 0;  // the role OID of whoever created it (pg_tables.tableowner)
  std::vector<ColumnDef> columns;
  bool shared = false;  // a shared system catalog: its file is in global/, not base/<db>/
  std::vector<IndexDef> indexes{};  // in creation (OID) order
  std::vector<CheckDef> checks{};    // in creation (OID) order
  // pg_class's statistics, as VACUUM / ANALYZE last left them: the planner's
  // size estimate (-1 tuples: never analyzed).
  double reltuples = -1;
  int64_t relpages = 0;
  char kind = 'r';  // pg_class.relkind: r table, S sequence, v view
  std::string view_query{};  // a view's stored SELECT (pg_rewrite.ev_action)
  // pg_statistic's rows for its columns (ANALYZE), by attnum, or none;
  // shared, so the copy of a table each statement gets does not copy them.
  std::shared_ptr<const std::vector<ColumnStats>> stats{};
  int64_t relallvisible = 0;  // pg_class.relallvisible: pages all-visible when VACUUM / ANALYZE last counted
  uint32_t relfrozenxid = 0;  // pg_class.relfrozenxid: every older xid in it is frozen
};

/* The tables of a database as a statement sees them. */
struct CatalogSnapshot {
  std::vector<TableDef> tables;  // in creation (OID) order

  /* The table called `name` (exact match), or nullptr. */
  const TableDef* Find(std::string_view name) const {
    for (const TableDef& t : tables) {
      if (t.name == name) return &t;
    }
    return nullptr;
  }
};

}  // namespace minipg::storage
