/*-------------------------------------------------------------------------
 * sequence_ddl.cpp
 *   CREATE / DROP SEQUENCE, nextval and setval (sequence_ddl.h).
 *-------------------------------------------------------------------------
 */
#include "engine/catalog/sequence_ddl.h"

#include <cstring>

#include <fmt/format.h>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/client_catalogs.h"
#include "engine/catalog/table_ddl.h"
#include "engine/common/sqlstate.h"
#include "engine/storage/buffer/locked_buffer.h"
#include "engine/storage/heap/heapam.h"
#include "engine/storage/heap/transam.h"
#include "engine/storage/heap/xact.h"
#include "engine/storage/ipc/sinval.h"
#include "engine/storage/page/page.h"
#include "engine/storage/wal/wal_record.h"
#include "engine/storage/wal/wal_records.h"
#include "engine/storage/wal/xlog.h"

namespace minipg::catalog {

namespace {

using storage::Datum;

/* PostgreSQL's SEQ_LOG_VALS: how many values one WAL record covers. */
constexpr int64_t kSeqLogVals = 32;

storage::RelFileLocator SequenceFile(Oid db, Oid relid) {
  return storage::RelFileLocator{storage::kDefaultTablespaceOid, db, relid};
}

storage::Tuple StateRow(const SequenceState& s) {
  return {Datum(s.last_value), Datum(s.log_cnt), Datum(s.is_called)};
}

/* The sequence's page, exclusively locked, and where its tuple is. */
struct SequencePage {
  storage::LockedBuffer buf;
  char* tuple = nullptr;
  size_t length = 0;
  uint8_t hoff = 0;
  SequenceState state;
};

Result<SequencePage> LockSequencePage(Oid db, Oid relid, std::string_view name) {
  storage::BufferTag tag{SequenceFile(db, relid), storage::ForkNumber::kMain, 0};
  auto b = storage::ReadBuffer(tag);
  if (!b.ok()) return b.error();
  SequencePage p;
  p.buf = storage::LockedBuffer(*b, storage::BufferLockMode::kExclusive);
  char* page = p.buf.page();
  auto corrupt = [&] { return MakeError(sqlstate::kDataCorrupted, fmt::format("bad magic number in sequence \"{}\"", name)); };
  if (storage::PageIsNew(page) || storage::PageGetMaxOffsetNumber(page) < 1) return corrupt();
  storage::ItemId id = storage::PageGetItemId(page, 1);
  if (!id.IsNormal()) return corrupt();
  p.tuple = storage::PageGetItemData(page, id);
  p.length = id.length;
  auto header = storage::HeapTupleGetHeader(std::string_view(p.tuple, p.length));
  if (!header.ok()) return header.error();
  p.hoff = header->hoff;
  auto values = storage::HeapDeformTuple(SequenceColumns(), std::string_view(p.tuple, p.length));
  if (!values.ok()) return values.error();
  p.state.last_value = std::get<int64_t>((*values)[0]);
  p.state.log_cnt = std::get<int64_t>((*values)[1]);
  p.state.is_called = std::get<bool>((*values)[2]);
  return p;
}

/* Writes `s` into the tuple's data, in place (the header stays). */
Status WriteState(SequencePage& p, const SequenceState& s) {
  auto formed = storage::HeapFormTuple(SequenceColumns(), StateRow(s), storage::kFrozenTransactionId, 0);
  if (!formed.ok()) return formed.error();
  if (formed->size() != p.length) {
    return MakeError(sqlstate::kInternalError, "sequence tuple changed its length");
  }
  std::memcpy(p.tuple + p.hoff, formed->data() + p.hoff, p.length - p.hoff);
  return OkStatus();
}

/* Logs the page as it is with `logged` in its tuple (a full page image,
 * flushed), then puts `now` in the tuple: what redo restores is never
 * behind what was handed out. */
Status LogAndSet(SequencePage& p, const SequenceState& logged, const SequenceState& now) {
  if (Status s = WriteState(p, logged); !s.ok()) return s;
  storage::wal::XLogBlockRef ref;
  ref.id = 0;
  ref.tag = storage::BufferTag{storage::BufferGetTag(p.buf.get())};
  ref.page = p.buf.page();
  ref.standard_page = true;
  storage::MarkBufferDirty(p.buf.get());
  storage::XLogRecPtr end = storage::wal::XLogInsertOrPanic(storage::wal::RmgrId::kXlog, storage::wal::kXlogFpi,
                                                            storage::GetCurrentTransactionId(), {&ref, 1}, "");
  storage::PageSetLSN(p.buf.page(), end);
  if (Status s = WriteState(p, now); !s.ok()) return s;
  return storage::wal::XLogFlush(end);
}

/* The pg_depend row of an object of pg_class depending on another. */
storage::Tuple DependRow(Oid objid, Oid refobjid, int16_t refsubid, char type) {
  return {Datum(int64_t{kRelationRelationId}), Datum(int64_t{objid}), Datum(int64_t{0}),
          Datum(int64_t{kRelationRelationId}), Datum(int64_t{refobjid}), Datum(int64_t{refsubid}),
          Datum(std::string(1, type))};
}

std::string RelkindOf(const CatalogRow& row) { return std::get<std::string>(row.values[pg_class::kRelkind]); }

}  // namespace

const std::vector<storage::ColumnDef>& SequenceColumns() {
  static const std::vector<storage::ColumnDef> columns = {
      {"last_value", storage::ColumnType::kInt8, -1, true},
      {"log_cnt", storage::ColumnType::kInt8, -1, true},
      {"is_called", storage::ColumnType::kBool, -1, true},
  };
  return columns;
}

Result<bool> CreateSequenceWithCatalog(const std::filesystem::path& db_dir, std::string_view name, SequenceRow seq,
                                       Oid owner, Oid owned_table, int16_t owned_attnum, Oid* oid) {
  if (Status s = LockDatabaseDdl(db_dir); !s.ok()) return s.error();
  Oid db = DatabaseOidOf(db_dir);
  auto existing = FindRelationRow(db, name);
  if (!existing.ok()) return existing.error();
  if (existing->has_value()) return false;
  const auto& columns = SequenceColumns();
  RelationRow rel;
  rel.kind = 'S';
  rel.oid = NewRelationOid(db);
  rel.row_type = storage::GetNewObjectId();
  rel.name = name;
  rel.owner = owner;
  rel.natts = columns.size();
  storage::RelFileLocator file = SequenceFile(db, rel.oid);
  if (Status s = storage::HeapCreateRelation(file); !s.ok()) return s.error();
  if (Status s = InsertRelationRows(db, rel, PgClassRow(rel), columns); !s.ok()) return s.error();
  seq.relid = rel.oid;
  if (Status s = CatalogInsert(*FindSystemCatalog("pg_sequence"), db, PgSequenceRow(seq)); !s.ok()) return s.error();
  if (owned_table != 0) {
    if (Status s = CatalogInsert(*FindSystemCatalog("pg_depend"), db, DependRow(rel.oid, owned_table, owned_attnum, 'a'));
        !s.ok()) {
      return s.error();
    }
  }
  SequenceState start{seq.start, 0, false};
  if (Status s = storage::HeapInsert(file, columns, {StateRow(start)}); !s.ok()) return s.error();
  storage::CacheInvalidateRelcache(db, rel.oid);
  if (oid != nullptr) *oid = rel.oid;
  return true;
}

namespace {

Status DropSequenceRow(Oid db, const CatalogRow& row) {
  int64_t oid = std::get<int64_t>(row.values[pg_class::kOid]);
  if (Status s = CatalogDelete(*FindSystemCatalog("pg_class"), db, row.tid); !s.ok()) return s;
  if (Status s = DeleteCatalogRowsWhere(*FindSystemCatalog("pg_attribute"), db, pg_attribute::kAttrelid, oid); !s.ok()) {
    return s;
  }
  if (Status s = DeleteCatalogRowsWhere(*FindSystemCatalog("pg_type"), db, pg_type::kTyprelid, oid); !s.ok()) return s;
  if (Status s = DeleteCatalogRowsWhere(*FindSystemCatalog("pg_sequence"), db, pg_sequence::kSeqrelid, oid); !s.ok()) {
    return s;
  }
  if (Status s = DeleteCatalogRowsWhere(*FindSystemCatalog("pg_depend"), db, pg_depend::kObjid, oid); !s.ok()) return s;
  storage::HeapDropRelation(SequenceFile(db, static_cast<Oid>(oid)));
  storage::CacheInvalidateRelcache(db, static_cast<Oid>(oid));
  return OkStatus();
}

/* 2BP01 when a column's DEFAULT calls nextval of sequence `name`
 * (PostgreSQL's pg_depend row of the default on the sequence). */
Status CheckNoDependentDefaults(Oid db, std::string_view name) {
  auto defaults = CatalogScan(*FindSystemCatalog("pg_attrdef"), db);
  if (!defaults.ok()) return defaults.error();
  std::string call = fmt::format("nextval('{}'::regclass)", name);
  std::string detail;
  for (const CatalogRow& d : *defaults) {
    if (std::get<std::string>(d.values[pg_attrdef::kAdbin]).find(call) == std::string::npos) continue;
    int64_t table = std::get<int64_t>(d.values[pg_attrdef::kAdrelid]);
    int64_t attnum = std::get<int64_t>(d.values[pg_attrdef::kAdnum]);
    std::string table_name, column_name;
    auto classes = CatalogScan(*FindSystemCatalog("pg_class"), db);
    if (!classes.ok()) return classes.error();
    for (const CatalogRow& c : *classes) {
      if (std::get<int64_t>(c.values[pg_class::kOid]) == table) table_name = std::get<std::string>(c.values[pg_class::kRelname]);
    }
    auto attrs = CatalogScan(*FindSystemCatalog("pg_attribute"), db);
    if (!attrs.ok()) return attrs.error();
    for (const CatalogRow& a : *attrs) {
      if (std::get<int64_t>(a.values[pg_attribute::kAttrelid]) == table &&
          std::get<int64_t>(a.values[pg_attribute::kAttnum]) == attnum) {
        column_name = std::get<std::string>(a.values[pg_attribute::kAttname]);
      }
    }
    detail += fmt::format("{}default value for column {} of table {} depends on sequence {}", detail.empty() ? "" : "\n",
                          column_name, table_name, name);
  }
  if (detail.empty()) return OkStatus();
  Error e = MakeError(sqlstate::kDependentObjectsStillExist,
                      fmt::format("cannot drop sequence {} because other objects depend on it", name));
  e.detail = detail;
  e.hint = "Use DROP ... CASCADE to drop the dependent objects too.";
  return e;
}

}  // namespace

Result<bool> DropSequenceWithCatalog(const std::filesystem::path& db_dir, std::string_view name) {
  if (Status s = LockDatabaseDdl(db_dir); !s.ok()) return s.error();
  Oid db = DatabaseOidOf(db_dir);
  auto existing = FindRelationRow(db, name);
  if (!existing.ok()) return existing.error();
  if (!existing->has_value()) return false;
  if (RelkindOf(**existing) != "S") return WrongRelationKind(name, "sequence", RelkindOf(**existing));
  if (Status s = CheckNoDependentDefaults(db, name); !s.ok()) return s.error();
  if (Status s = DropSequenceRow(db, **existing); !s.ok()) return s.error();
  return true;
}

Status DropOwnedSequences(const std::filesystem::path& db_dir, Oid table) {
  Oid db = DatabaseOidOf(db_dir);
  auto deps = CatalogScan(*FindSystemCatalog("pg_depend"), db);
  if (!deps.ok()) return deps.error();
  auto classes = CatalogScan(*FindSystemCatalog("pg_class"), db);
  if (!classes.ok()) return classes.error();
  for (const CatalogRow& d : *deps) {
    if (std::get<int64_t>(d.values[pg_depend::kRefobjid]) != table) continue;
    if (std::get<std::string>(d.values[pg_depend::kDeptype]) != "a") continue;
    int64_t seq = std::get<int64_t>(d.values[pg_depend::kObjid]);
    for (const CatalogRow& c : *classes) {
      if (std::get<int64_t>(c.values[pg_class::kOid]) != seq || RelkindOf(c) != "S") continue;
      if (Status s = DropSequenceRow(db, c); !s.ok()) return s;
    }
  }
  return OkStatus();
}

Result<std::optional<SequenceRow>> FindSequence(Oid db, Oid relid) {
  auto rows = CatalogScan(*FindSystemCatalog("pg_sequence"), db);
  if (!rows.ok()) return rows.error();
  namespace k = pg_sequence;
  for (const CatalogRow& r : *rows) {
    if (std::get<int64_t>(r.values[k::kSeqrelid]) != relid) continue;
    SequenceRow seq;
    seq.relid = relid;
    seq.type = static_cast<Oid>(std::get<int64_t>(r.values[k::kSeqtypid]));
    seq.start = std::get<int64_t>(r.values[k::kSeqstart]);
    seq.increment = std::get<int64_t>(r.values[k::kSeqincrement]);
    seq.max = std::get<int64_t>(r.values[k::kSeqmax]);
    seq.min = std::get<int64_t>(r.values[k::kSeqmin]);
    seq.cache = std::get<int64_t>(r.values[k::kSeqcache]);
    seq.cycle = std::get<bool>(r.values[k::kSeqcycle]);
    return std::optional<SequenceRow>(seq);
  }
  return std::optional<SequenceRow>();
}

Result<SequenceState> ReadSequenceState(Oid db, Oid relid) {
  auto p = LockSequencePage(db, relid, "");
  if (!p.ok()) return p.error();
  return p->state;
}

Result<int64_t> SequenceNextval(Oid db, Oid relid, std::string_view name) {
  auto seq = FindSequence(db, relid);
  if (!seq.ok()) return seq.error();
  if (!seq->has_value()) {
    return MakeError(sqlstate::kWrongObjectType, fmt::format("\"{}\" is not a sequence", name));
  }
  const SequenceRow& opt = **seq;
  auto p = LockSequencePage(db, relid, name);
  if (!p.ok()) return p.error();
  SequenceState st = p->state;
  // The value after `v`, or nullopt past the bound (wrapping with CYCLE).
  auto step = [&](int64_t v) -> Result<int64_t> {
    int64_t next = 0;
    bool over = __builtin_add_overflow(v, opt.increment, &next);
    if (opt.increment > 0 && (over || next > opt.max)) {
      if (!opt.cycle) {
        return MakeError(sqlstate::kSequenceGeneratorLimitExceeded,
                         fmt::format("nextval: reached maximum value of sequence \"{}\" ({})", name, opt.max));
      }
      return opt.min;
    }
    if (opt.increment < 0 && (over || next < opt.min)) {
      if (!opt.cycle) {
        return MakeError(sqlstate::kSequenceGeneratorLimitExceeded,
                         fmt::format("nextval: reached minimum value of sequence \"{}\" ({})", name, opt.min));
      }
      return opt.max;
    }
    return next;
  };
  int64_t value = st.last_value;
  if (st.is_called) {
    auto next = step(value);
    if (!next.ok()) return next.error();
    value = *next;
  }
  bool logit = st.log_cnt <= 0 || !st.is_called ||
               storage::PageGetLSN(p->buf.page()) <= storage::wal::GetRedoRecPtr();
  SequenceState now{value, st.log_cnt - 1, true};
  if (logit) {
    // The value 32 steps ahead (or the last before the bound) is logged.
    int64_t ahead = value;
    for (int64_t i = 0; i < kSeqLogVals; ++i) {
      auto next = step(ahead);
      if (!next.ok() || (*next < ahead) == (opt.increment > 0)) break;  // the bound, or a wrap
      ahead = *next;
    }
    now.log_cnt = kSeqLogVals;
    if (Status s = LogAndSet(*p, SequenceState{ahead, 0, true}, now); !s.ok()) return s.error();
    return value;
  }
  if (Status s = WriteState(*p, now); !s.ok()) return s.error();
  storage::MarkBufferDirty(p->buf.get());
  return value;
}

Status SequenceSetval(Oid db, Oid relid, std::string_view name, int64_t value, bool is_called) {
  auto seq = FindSequence(db, relid);
  if (!seq.ok()) return seq.error();
  if (!seq->has_value()) {
    return MakeError(sqlstate::kWrongObjectType, fmt::format("\"{}\" is not a sequence", name));
  }
  const SequenceRow& opt = **seq;
  if (value < opt.min || value > opt.max) {
    return MakeError(sqlstate::kNumericValueOutOfRange,
                     fmt::format("setval: value {} is out of bounds for sequence \"{}\" ({}..{})", value, name,
                                 opt.min, opt.max));
  }
  auto p = LockSequencePage(db, relid, name);
  if (!p.ok()) return p.error();
  SequenceState now{value, 0, is_called};
  return LogAndSet(*p, now, now);
}

}  // namespace minipg::catalog
