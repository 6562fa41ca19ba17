/*-------------------------------------------------------------------------
 * sequence_ddl.h
 *   Sequences (PostgreSQL's sequence.c): CREATE / DROP SEQUENCE as catalog
 *   rows, and nextval / setval on the sequence's one-row relation.
 *
 *     create   DDL lock -> pg_type row type, pg_class row (relkind 'S'),
 *              pg_attribute (last_value, log_cnt, is_called), pg_sequence
 *              (the options) -> relation file with its one tuple -> an
 *              OWNED BY column: a pg_depend row (deptype 'a'), so DROP TABLE
 *              drops the sequence too
 *     nextval  block 0 exclusively locked -> the tuple's values changed in
 *              place (not transactional: a ROLLBACK keeps them) -> every 32
 *              values (or the first change after a checkpoint's redo point)
 *              an XLOG FPI record of the page as it would be 32 values
 *              ahead, flushed at once: after a crash redo restores that
 *              page, so nextval never goes backwards
 *     setval   the same, always logged
 *
 * NOTES
 *   PostgreSQL writes its own Sequence LOG record (the page's tuple); minipg
 *   writes a full page image, which redo already knows how to restore.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/catalog/catalog_rows.h"
#include "engine/catalog/system_catalog.h"
#include "engine/common/error.h"

namespace minipg::catalog {

/* The columns of a sequence's relation: last_value, log_cnt, is_called. */
const std::vector<storage::ColumnDef>& SequenceColumns();

/* What the relation holds. */
struct SequenceState {
  int64_t last_value = 1;
  int64_t log_cnt = 0;
  bool is_called = false;
};

/* Creates sequence `name` in public with options `seq` (its relid filled
 * in here); `owned_table` / `owned_attnum` (0: none) is OWNED BY. False if a
 * relation of that name exists. The new OID in `oid` if given. */
Result<bool> CreateSequenceWithCatalog(const std::filesystem::path& db_dir, std::string_view name, SequenceRow seq,
                                       Oid owner, Oid owned_table, int16_t owned_attnum, Oid* oid = nullptr);

/* Drops sequence `name`. False if there is none; 42809 `"x" is not a
 * sequence` for another kind of relation. */
Result<bool> DropSequenceWithCatalog(const std::filesystem::path& db_dir, std::string_view name);

/* Drops the sequences owned by a column of `table` (DROP TABLE). */
Status DropOwnedSequences(const std::filesystem::path& db_dir, Oid table);

/* The pg_sequence row of sequence `relid`, nullopt if it is not one. */
Result<std::optional<SequenceRow>> FindSequence(Oid db, Oid relid);

/* The relation's tuple now. */
Result<SequenceState> ReadSequenceState(Oid db, Oid relid);

/* nextval: the next value, or 2200H when the sequence has reached its
 * bound without CYCLE. */
Result<int64_t> SequenceNextval(Oid db, Oid relid, std::string_view name);

/* setval(value, is_called): 22003 for a value outside MINVALUE..MAXVALUE. */
Status SequenceSetval(Oid db, Oid relid, std::string_view name, int64_t value, bool is_called);

}  // namespace minipg::catalog
