/*-------------------------------------------------------------------------
 * storage_functions.cpp
 *   The table of storage functions (see storage_functions.h).
 *
 *   pg_current_wal_lsn()         the WAL written so far (text: "0/16B3748")
 *   pg_current_wal_insert_lsn()  where the next record goes
 *   pg_current_wal_flush_lsn()   the WAL made durable
 *   pg_walfile_name(lsn)         the segment file holding that position
 *   pg_relation_size(rel [, fork])  bytes of one fork ("main", "fsm", "vm", "init")
 *   pg_table_size(rel)           every fork of the relation (there is no TOAST)
 *   pg_indexes_size(rel)         every fork of the table's indexes
 *   pg_total_relation_size(rel)  the table and its indexes
 *   pg_relation_filepath(rel)    "base/<database oid>/<relfilenode>"
 *   pg_database_size(name | oid) every file under base/<database oid>
 *   pg_size_pretty(bigint)       "8192 bytes", "16 kB", "1234 MB"
 *   pg_reload_conf()             SIGHUP to the postmaster (admin_functions.h)
 *
 * NOTES
 *   A table's or index's relfilenode is its OID (docs/storage.md), so a
 *   size is SmgrRelationSize of {pg_default, the database's OID, its OID}.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/storage_functions.h"

#include "engine/sql/adt/builtins.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <variant>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/relcache.h"
#include "engine/catalog/shared_catalogs.h"
#include "engine/common/sqlstate.h"
#include "engine/storage/heap/multixact.h"
#include "engine/sql/admin_functions.h"
#include "engine/storage/block.h"
#include "engine/storage/catalog.h"
#include "engine/sql/executor/exec_expr.h"
#include "engine/sql/types.h"
#include "engine/storage/buffer/buffer_pool.h"
#include "engine/storage/buffer/locked_buffer.h"
#include "engine/storage/heap/visibilitymap.h"
#include "engine/storage/global_catalog.h"
#include "engine/storage/page/heap_tuple.h"
#include "engine/storage/page/page.h"
#include "engine/storage/smgr/smgr.h"
#include "engine/storage/wal/wal_layout.h"
#include "engine/storage/wal/xlog.h"

namespace minipg::sql {
namespace {

using storage::Datum;
using Args = std::vector<Datum>;

Datum Lsn(storage::XLogRecPtr lsn) {
  return Datum(storage::FormatLsn(lsn));
}

Result<Datum> CurrentWalLsn(const Args&, const SessionContext&) {
  return Lsn(storage::wal::GetWalPositions().write);
}
Result<Datum> CurrentWalInsertLsn(const Args&, const SessionContext&) {
  return Lsn(storage::wal::GetWalPositions().insert);
}
Result<Datum> CurrentWalFlushLsn(const Args&, const SessionContext&) {
  return Lsn(storage::wal::GetWalPositions().flush);
}

Result<Datum> WalfileName(const Args& args, const SessionContext&) {
  const std::string& text = std::get<std::string>(args[0]);
  auto lsn = storage::wal::ParseLsn(text);
  if (!lsn) {
    return MakeError(sqlstate::kInvalidTextRepresentation,
                     fmt::format("invalid input syntax for type pg_lsn: \"{}\"", text));
  }
  return Datum(storage::wal::PgWalfileName(*lsn));
}

/* The connected database's OID (as the cluster catalog says; else its
 * folder's name, base/<oid>). */
storage::Oid MyDatabaseOid(const SessionContext& ctx) {
  if (!ctx.cluster_dir.empty()) {
    auto cluster = catalog::LoadGlobalCatalog(ctx.cluster_dir);
    if (cluster.ok()) {
      if (const storage::DatabaseDef* db = cluster->FindDatabase(ctx.database)) return db->oid;
    }
  }
  return static_cast<storage::Oid>(std::strtoul(ctx.data_dir.filename().c_str(), nullptr, 10));
}

/* A relation argument (a name, or an OID): its file and, for a table or
 * one of its indexes, the table (none for a system catalog). */
struct FoundRelation {
  storage::RelFileLocator file;
  std::optional<storage::TableDef> table;  // the table, or the index's table
  bool index = false;
};

Result<FoundRelation> FindRelation(const Datum& arg, const SessionContext& ctx) {
  const int64_t* oid = std::get_if<int64_t>(&arg);
  const std::string* name = std::get_if<std::string>(&arg);
  auto named = [&](uint32_t o, std::string_view n) {
    return (oid != nullptr && o == *oid) || (name != nullptr && n == *name);
  };
  // The system catalogs first (pg_catalog is first on the search_path), then
  // the tables and their indexes as this backend's cache has them.
  for (const catalog::SystemCatalog* c : catalog::SystemCatalogs()) {
    if (named(c->oid, c->name)) return FoundRelation{catalog::CatalogLocator(*c, MyDatabaseOid(ctx)), std::nullopt};
  }
  auto tables = catalog::RelcacheTables(catalog::DatabaseOidOf(ctx.data_dir));
  if (!tables.ok()) return tables.error();
  for (const storage::TableDef& t : tables->tables) {
    if (named(t.oid, t.name)) {
      return FoundRelation{storage::RelFileLocator{storage::kDefaultTablespaceOid, MyDatabaseOid(ctx), t.oid}, t};
    }
    for (const storage::IndexDef& i : t.indexes) {
      if (named(i.oid, i.name)) {
        return FoundRelation{storage::RelFileLocator{storage::kDefaultTablespaceOid, MyDatabaseOid(ctx), i.oid}, t,
                             true};
      }
    }
  }
  if (oid != nullptr) {
    return MakeError(sqlstate::kUndefinedTable, fmt::format("relation with OID {} does not exist", *oid));
  }
  return MakeError(sqlstate::kUndefinedTable,
                   fmt::format("relation \"{}\" does not exist", name != nullptr ? *name : ""));
}

Result<storage::ForkNumber> ForkByName(const std::string& name) {
  if (name == "main") return storage::ForkNumber::kMain;
  if (name == "fsm") return storage::ForkNumber::kFsm;
  if (name == "vm") return storage::ForkNumber::kVisibilityMap;
  Error e = MakeError(sqlstate::kInvalidParameterValue, "invalid fork name");
  e.hint = "Valid fork names are \"main\", \"fsm\", \"vm\", and \"init\".";
  return e;
}

Result<Datum> Size(const storage::RelFileLocator& rel, std::optional<storage::ForkNumber> fork) {
  auto bytes = storage::SmgrRelationSize(rel, fork);
  if (!bytes.ok()) return bytes.error();
  return Datum(static_cast<int64_t>(*bytes));
}

Result<Datum> RelationSize(const Args& args, const SessionContext& ctx) {
  auto rel = FindRelation(args[0], ctx);
  if (!rel.ok()) return rel.error();
  std::string fork_name = args.size() > 1 ? std::get<std::string>(args[1]) : "main";
  if (fork_name == "init") return Datum(int64_t{0});  // only unlogged tables have one; minipg has none
  auto fork = ForkByName(fork_name);
  if (!fork.ok()) return fork.error();
  return Size(rel->file, *fork);
}

/* pg_table_size: every fork of the relation (there is no TOAST). */
Result<Datum> TableSize(const Args& args, const SessionContext& ctx) {
  auto rel = FindRelation(args[0], ctx);
  if (!rel.ok()) return rel.error();
  return Size(rel->file, std::nullopt);
}

/* The bytes of every fork of a table's indexes (0 for an index or a catalog). */
Result<int64_t> IndexesBytes(const FoundRelation& rel) {
  int64_t total = 0;
  if (!rel.table || rel.index) return total;
  for (const storage::IndexDef& i : rel.table->indexes) {
    auto bytes = storage::SmgrRelationSize(storage::RelFileLocator{rel.file.spc_oid, rel.file.db_oid, i.oid},
                                           std::nullopt);
    if (!bytes.ok()) return bytes.error();
    total += static_cast<int64_t>(*bytes);
  }
  return total;
}

/* pg_indexes_size and pg_total_relation_size (the table's forks and its indexes'). */
template <bool kWithTable>
Result<Datum> IndexesSize(const Args& args, const SessionContext& ctx) {
  auto rel = FindRelation(args[0], ctx);
  if (!rel.ok()) return rel.error();
  auto indexes = IndexesBytes(*rel);
  if (!indexes.ok()) return indexes.error();
  if (!kWithTable) return Datum(*indexes);
  auto table = storage::SmgrRelationSize(rel->file, std::nullopt);
  if (!table.ok()) return table.error();
  return Datum(static_cast<int64_t>(*table) + *indexes);
}

Result<Datum> RelationFilepath(const Args& args, const SessionContext& ctx) {
  auto rel = FindRelation(args[0], ctx);
  if (!rel.ok()) return rel.error();
  return Datum(fmt::format("base/{}/{}", rel->file.db_oid, rel->file.rel_number));
}

Result<Datum> DatabaseSize(const Args& args, const SessionContext& ctx) {
  if (ctx.cluster_dir.empty()) {
    return MakeError(sqlstate::kFeatureNotSupported, "this session has no cluster catalog");
  }
  auto cluster = catalog::LoadGlobalCatalog(ctx.cluster_dir);
  if (!cluster.ok()) return cluster.error();
  const storage::DatabaseDef* db = nullptr;
  for (const storage::DatabaseDef& d : cluster->databases) {
    if (const int64_t* oid = std::get_if<int64_t>(&args[0]); oid != nullptr && d.oid == *oid) db = &d;
    if (const std::string* name = std::get_if<std::string>(&args[0]); name != nullptr && d.name == *name) db = &d;
  }
  if (db == nullptr) {
    if (std::holds_alternative<int64_t>(args[0])) return Datum(std::monostate{});  // PostgreSQL: NULL for an unknown OID
    return MakeError(sqlstate::kInvalidCatalogName,
                     fmt::format("database \"{}\" does not exist", std::get<std::string>(args[0])));
  }
  int64_t total = 0;
  std::error_code ec;
  auto dir = ctx.cluster_dir / "base" / std::to_string(db->oid);
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      auto n = it->file_size(size_ec);
      if (!size_ec) total += static_cast<int64_t>(n);  // a file removed meanwhile counts 0
    }
  }
  return Datum(total);
}

Result<Datum> SizePretty(const Args& args, const SessionContext&) {
  return Datum(PrettySize(std::get<int64_t>(args[0])));
}

/* An entry's call: the arguments as a vector, as the functions above take them. */
template <Result<Datum> (*F)(const Args&, const SessionContext&)>
Result<Datum> Call(const FunctionCall& c) {
  return F(Args(c.args.begin(), c.args.end()), c.ctx);
}

Result<Datum> Reload(const Args&, const SessionContext& ctx) { return ReloadConf(ctx); }

FunctionInfo Fn(uint32_t oid, const char* name, std::vector<TypeId> args, TypeId result, FunctionImpl call,
                Volatility volatility = Volatility::kVolatile) {
  return MakeFunctionInfo(oid, name, std::move(args), result, call, volatility);
}

}  // namespace

void RegisterStorageFunctions(BuiltinRegistry& r) {
  using T = TypeId;
  // A relation is named by text or given by OID (PostgreSQL's regclass):
  // the OID forms are minipg's own entries, from kMinipgFirstBuiltinOid + 1.
  uint32_t next = kMinipgFirstBuiltinOid + 1;
  r.functions.push_back(Fn(2849, "pg_current_wal_lsn", {}, T::kText, Call<CurrentWalLsn>));
  r.functions.push_back(Fn(2852, "pg_current_wal_insert_lsn", {}, T::kText, Call<CurrentWalInsertLsn>));
  r.functions.push_back(Fn(3330, "pg_current_wal_flush_lsn", {}, T::kText, Call<CurrentWalFlushLsn>));
  r.functions.push_back(Fn(2851, "pg_walfile_name", {T::kText}, T::kText, Call<WalfileName>, Volatility::kImmutable));
  for (T rel : {T::kText, T::kOid}) {
    bool text = rel == T::kText;
    r.functions.push_back(Fn(text ? 2325 : next++, "pg_relation_size", {rel}, T::kInt8, Call<RelationSize>));
    r.functions.push_back(Fn(text ? 2332 : next++, "pg_relation_size", {rel, T::kText}, T::kInt8, Call<RelationSize>));
    r.functions.push_back(Fn(text ? 2997 : next++, "pg_table_size", {rel}, T::kInt8, Call<TableSize>));
    r.functions.push_back(Fn(text ? 2286 : next++, "pg_total_relation_size", {rel}, T::kInt8,
                             Call<IndexesSize<true>>));
    r.functions.push_back(Fn(text ? 2998 : next++, "pg_indexes_size", {rel}, T::kInt8, Call<IndexesSize<false>>));
    r.functions.push_back(Fn(text ? 3034 : next++, "pg_relation_filepath", {rel}, T::kText, Call<RelationFilepath>));
    r.functions.push_back(Fn(text ? 2168 : 2324, "pg_database_size", {text ? T::kName : T::kOid}, T::kInt8,
                             Call<DatabaseSize>));
  }
  r.functions.push_back(Fn(2288, "pg_size_pretty", {T::kInt8}, T::kText, Call<SizePretty>, Volatility::kImmutable));
  r.functions.push_back(Fn(2621, "pg_reload_conf", {}, T::kBool, Call<Reload>));
}

Result<std::vector<storage::Tuple>> MultiXactMembersRows(const SessionContext&, const std::vector<Datum>& args) {
  auto multi = static_cast<storage::MultiXactId>(std::get<int64_t>(args[0]));
  if (multi < storage::kFirstMultiXactId) {
    return MakeError(sqlstate::kInvalidParameterValue, fmt::format("invalid MultiXactId: {}", multi));
  }
  auto members = storage::GetMultiXactIdMembers(multi);
  if (!members.ok()) return members.error();
  std::vector<storage::Tuple> rows;
  for (const storage::MultiXactMember& m : *members) {
    rows.push_back({Datum(static_cast<int64_t>(m.xid)), Datum(std::string(storage::MultiXactStatusName(m.status)))});
  }
  return rows;
}

namespace {

/* A relation that is a table (not an index): 42809 otherwise. */
Status CheckIsTable(const FoundRelation& rel) {
  if (!rel.index && rel.table) return OkStatus();
  std::string name = std::to_string(rel.file.rel_number);
  if (rel.table) {
    for (const storage::IndexDef& index : rel.table->indexes) {
      if (index.oid == rel.file.rel_number) name = index.name;
    }
  }
  return MakeError(sqlstate::kWrongObjectType, fmt::format("\"{}\" is not a table", name));
}

}  // namespace

Result<std::vector<storage::Tuple>> MinipgVisibilityMapRows(const SessionContext& ctx, const std::vector<Datum>& args) {
  auto rel = FindRelation(args[0], ctx);
  if (!rel.ok()) return rel.error();
  if (Status s = CheckIsTable(*rel); !s.ok()) return s.error();
  auto nblocks = storage::SmgrNBlocks(rel->file, storage::ForkNumber::kMain);
  if (!nblocks.ok()) return nblocks.error();
  std::vector<storage::Tuple> rows;
  storage::VmBuffer vm;
  for (storage::BlockNumber b = 0; b < *nblocks; ++b) {
    auto bits = storage::VisibilityMapGetStatus(rel->file, b, vm);
    if (!bits.ok()) return bits.error();
    rows.push_back({Datum(static_cast<int64_t>(b)), Datum((*bits & storage::kVmAllVisible) != 0),
                    Datum((*bits & storage::kVmAllFrozen) != 0)});
  }
  return rows;
}

Result<std::vector<storage::Tuple>> MinipgPageItemsRows(const SessionContext& ctx, const std::vector<Datum>& args) {
  auto rel = FindRelation(args[0], ctx);
  if (!rel.ok()) return rel.error();
  if (Status s = CheckIsTable(*rel); !s.ok()) return s.error();
  int64_t block = std::get<int64_t>(args[1]);
  auto nblocks = storage::SmgrNBlocks(rel->file, storage::ForkNumber::kMain);
  if (!nblocks.ok()) return nblocks.error();
  if (block < 0 || block >= static_cast<int64_t>(*nblocks)) {
    return MakeError(sqlstate::kInvalidParameterValue,
                     fmt::format("block number {} is out of range for relation \"{}\"", block,
                                 rel->table ? rel->table->name : std::string("?")));
  }
  auto buffer = storage::ReadBuffer(storage::BufferTag{rel->file, storage::ForkNumber::kMain,
                                                       static_cast<storage::BlockNumber>(block)});
  if (!buffer.ok()) return buffer.error();
  storage::LockedBuffer locked(*buffer, storage::BufferLockMode::kShare);
  std::string page(locked.page(), storage::kBlockSize);  // a copy: the lock is not held while rows are made
  locked.Reset();
  std::vector<storage::Tuple> rows;
  if (storage::PageIsNew(page.data())) return rows;
  auto null = [] { return Datum(std::monostate{}); };
  auto i64 = [](int64_t v) { return Datum(v); };
  std::vector<TypeId> types;
  if (rel->table && !rel->index) {
    for (const storage::ColumnDef& c : rel->table->columns) types.push_back(FromColumnType(c.type));
  }
  storage::OffsetNumber max = storage::PageGetMaxOffsetNumber(page.data());
  for (storage::OffsetNumber off = storage::kFirstOffsetNumber; off <= max; ++off) {
    storage::ItemId id = storage::PageGetItemId(page.data(), off);
    storage::Tuple row{i64(off), i64(id.offset), i64(static_cast<int64_t>(id.flags)), i64(id.length)};
    std::string_view item = storage::PageGetItem(page.data(), id);
    auto header = item.empty() || rel->index ? Result<storage::HeapTupleHeader>(MakeError(sqlstate::kInternalError, ""))
                                             : storage::HeapTupleGetHeader(item);
    if (!header.ok()) {
      for (int i = 0; i < 11; ++i) row.push_back(null());  // t_xmin .. t_row
      rows.push_back(std::move(row));
      continue;
    }
    const storage::HeapTupleHeader& h = *header;
    row.push_back(i64(h.xmin));
    row.push_back(i64(h.xmax));
    row.push_back(i64(h.cid));
    row.push_back(Datum(fmt::format("({},{})", h.ctid.block, h.ctid.offset)));
    row.push_back(i64(h.infomask2));
    row.push_back(i64(h.infomask));
    row.push_back(i64(h.hoff));
    std::string bits;  // the null bitmap, one character per column (1: not null)
    if ((h.infomask & storage::kHeapHasNull) != 0) {
      for (size_t i = 0; i < h.natts(); ++i) {
        auto byte = static_cast<uint8_t>(item[storage::kHeapTupleHeaderSize + i / 8]);
        bits += (byte >> (i % 8)) & 1 ? '1' : '0';
      }
      while (bits.size() % 8 != 0) bits += '0';
    }
    row.push_back(bits.empty() ? null() : Datum(bits));
    row.push_back(null());  // t_oid
    std::string data = "\\x";
    for (size_t i = h.hoff; i < item.size(); ++i) data += fmt::format("{:02x}", static_cast<uint8_t>(item[i]));
    row.push_back(Datum(data));
    auto values = types.empty() ? Result<storage::Tuple>(MakeError(sqlstate::kInternalError, ""))
                                : storage::HeapDeformTuple(rel->table->columns, item);
    row.push_back(values.ok() ? Datum(RecordLiteral(*values, types)) : null());
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string PrettySize(int64_t bytes) {
  // PostgreSQL 15's steps: bytes below 10 kB; then each unit below 20 of
  // the next (kB, MB, GB, TB; PB last), rounded half away from zero.
  static const char* const kUnits[] = {"kB", "MB", "GB", "TB", "PB"};
  if (std::llabs(bytes) < 10 * 1024) return fmt::format("{} bytes", bytes);
  int64_t halves = bytes / (int64_t{1} << 9);  // in half-kB
  for (size_t i = 0;; ++i) {
    if (std::llabs(halves) < 20 * 1024 - 1 || i + 1 == std::size(kUnits)) {
      int64_t rounded = (halves + (halves < 0 ? -1 : 1)) / 2;
      return fmt::format("{} {}", rounded, kUnits[i]);
    }
    halves /= 1024;
  }
}

}  // namespace minipg::sql
