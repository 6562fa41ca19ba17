/*-------------------------------------------------------------------------
 * session.h
 *   The SQL path as a backend sees it: text in, rows out, through explicit
 *   stages.
 *
 *     Parse(text)   lexer + parser: the whole Query message's text becomes a
 *                   list of parse trees (a syntax error anywhere means no
 *                   statement runs, as in PostgreSQL). Emits "parse".
 *     Execute(stmt) analyzer (names -> catalog objects, types checked),
 *                   planner (a tree of plan nodes), executor (iterator nodes
 *                   pulled by the root, rows pushed to a ResultSink). Emits
 *                   "analyze", "plan", "execute".
 *
 *   For the extended query protocol (prepared statements with $n):
 *
 *     Prepare(stmt, types)        analyzer only: checks the statement and
 *                                 returns its parameter types (given or
 *                                 inferred) and result columns, without
 *                                 running it. Emits nothing.
 *     Execute(stmt, sink, params) as Execute, with the parameters' values
 *                                 (checked beforehand, see params.h)
 *                                 substituted before planning.
 *
 * NOTES
 *   Parse() and Execute() call CheckForInterrupts() all along (per token,
 *   operand, list entry, statement and row; pg_sleep sleeps interruptibly),
 *   so a cancel ends a statement with 57014 and a terminate with a FATAL
 *   57P01 error that the backend acts on.
 *   Several backends (processes) may use the same data directory at once;
 *   the storage layer serializes their file access with file locks.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/error.h"
#include "engine/common/guc.h"

namespace minipg::sql {

/* The SQL types minipg knows, with PostgreSQL's type OIDs on the wire. */
enum class TypeId {
  kBool,     // boolean, OID 16
  kInt4,     // integer, OID 23
  kInt8,     // bigint, OID 20
  kText,     // text, OID 25
  kUnknown,  // an untyped NULL literal; sent as text (OID 25)
  kVoid,     // what pg_sleep() returns, OID 2278; prints as an empty string
  kNumeric,  // numeric, OID 1700: storage::Numeric (exact decimal)
  kTimestampTz,  // timestamp with time zone, OID 1184: microseconds since the Unix epoch (system views, now())
  kInet,         // inet, OID 869: an address as text (system views)
  // The types of the system catalogs' columns (pg_class, pg_attribute, ...):
  kOid,     // oid, OID 26: an unsigned 32-bit number, held as int64_t
  kName,    // name, OID 19: an identifier (at most 63 bytes), a std::string
  kChar,    // "char", OID 18: one byte (relkind), a std::string of 0 or 1 bytes
  kInt2,    // smallint, OID 21: held as int64_t within int16 range
  kFloat4,  // real, OID 700: held as a double rounded to float
  kXid,     // xid, OID 28: a transaction id, held as int64_t
  // Arrays and reg* types of the catalogs (engine/sql/adt/catalog_types.h):
  // an array is a storage::ArrayValue, a reg* value an OID as int64_t.
  kInt2Vector,    // int2vector, OID 22 (pg_index.indkey): '1 2', subscripts from 0
  kOidVector,     // oidvector, OID 30 (pg_proc.proargtypes)
  kInt2Array,     // smallint[], OID 1005
  kInt4Array,     // integer[], OID 1007
  kTextArray,     // text[], OID 1009 (reloptions)
  kOidArray,      // oid[], OID 1028 (pg_policy.polroles)
  kCharArray,     // "char"[], OID 1002 (pg_statistic_ext.stxkind)
  kNameArray,     // name[], OID 1003
  kAclItemArray,  // aclitem[], OID 1034 (relacl, datacl): items kept as text
  kRegproc,       // regproc, OID 24: a function's OID, printed as its name
  kRegclass,      // regclass, OID 2205: a relation's OID, printed as its name
  kRegtype,       // regtype, OID 2206: a type's OID, printed as format_type does
  kRegnamespace,  // regnamespace, OID 4089: a schema's OID, printed as its name
  kAnyArray,      // anyarray, OID 2277: a pseudo-type, an argument that is any array (array_to_string)
  kAnyElement,    // anyelement, OID 2283: a pseudo-type, matched with an anyarray's elements
  // The SQL data types of engine/sql/adt/ (storage/datum.h says how each is held):
  kFloat8,     // double precision, OID 701: a double
  kDate,       // date, OID 1082: int64_t days since 1970-01-01
  kTimestamp,  // timestamp without time zone, OID 1114: int64_t microseconds since 1970-01-01
  kInterval,   // interval, OID 1186: storage::Interval
  kVarchar,    // character varying, OID 1043: std::string
  kBpchar,     // character (blank-padded), OID 1042: std::string
  kAny,        // "any", OID 2276: a pseudo-type for arguments of any type (concat)
  // Arrays in SQL (adt/catalog_types.h): aclitem, the other polymorphic
  // pseudo-types, and arrays of the SQL data types above.
  kAclItem,             // aclitem, OID 1033: one privilege item ("=Tc/postgres"), a std::string
  kAnyNonArray,         // anynonarray, OID 2776: as anyelement, but never an array
  kAnyCompatible,       // anycompatible, OID 5077: the common type of its arguments
  kAnyCompatibleArray,  // anycompatiblearray, OID 5078: an array of that common type
  kBoolArray,           // boolean[], OID 1000
  kInt8Array,           // bigint[], OID 1016
  kFloat4Array,         // real[], OID 1021
  kFloat8Array,         // double precision[], OID 1022
  kNumericArray,        // numeric[], OID 1231
  kVarcharArray,        // character varying[], OID 1015
  kBpcharArray,         // character[], OID 1014
  kDateArray,           // date[], OID 1182
  kTimestampArray,      // timestamp without time zone[], OID 1115
  kTimestampTzArray,    // timestamp with time zone[], OID 1185
  kIntervalArray,       // interval[], OID 1187
  kRecord,              // record, OID 2249: a row value (ROW(a, b), t.*), held as record_out's text "(1,abc)"
  // Transactions (engine/storage/heap/snapshot.h): system columns and txid functions.
  kXid8,         // xid8, OID 5069: a 64-bit transaction id, held as int64_t
  kCid,          // cid, OID 29: a command id (cmin, cmax), held as int64_t
  kTid,          // tid, OID 27: a tuple's place "(block,offset)" (ctid), held as that text
  kPgSnapshot,   // pg_snapshot, OID 5038: "xmin:xmax:xip,..." held as that text
  kTxidSnapshot, // txid_snapshot, OID 2970: the same for txid_current_snapshot()
};

/* PostgreSQL's pg_type OID for a type. */
uint32_t TypeOid(TypeId type);
/* The wire size PostgreSQL reports in RowDescription (-1 = variable). */
int16_t TypeLen(TypeId type);
/* SQL name: "integer", "bigint", "text", "boolean". */
const char* TypeName(TypeId type);

struct ColumnDesc {
  std::string name;  // as PostgreSQL names it: column name, function name, or "?column?"
  TypeId type;
};

class CopyChannel;  // copy_channel.h

/* Where a statement's output goes. The backend turns these calls into
 * RowDescription and DataRow messages. */
class ResultSink {
 public:
  /* The client's end of COPY FROM STDIN / TO STDOUT, or nullptr where there
   * is none (then those COPYs fail; COPY with a server-side file works). */
  virtual CopyChannel* Copy() { return nullptr; }
  virtual ~ResultSink() = default;
  /* Called once, before any Row, for statements that return rows (even zero rows). */
  virtual void Describe(const std::vector<ColumnDesc>& columns) = 0;
  /* One row, each value in PostgreSQL's text format; nullopt is SQL NULL. */
  virtual void Row(const std::vector<std::optional<std::string>>& values) = 0;
};

/* What Prepare learns about a statement with parameters. */
struct PreparedDescription {
  std::vector<TypeId> param_types;  // one per $n, every one decided
  std::vector<ColumnDesc> columns;  // the result columns (empty for none)
  bool returns_rows = false;        // SELECT, SHOW: a RowDescription, else NoData
};

/* Bound parameters: types as Prepare returned them, values as canonical
 * text (nullopt = NULL), one per type. */
struct BoundParams {
  std::vector<TypeId> types;
  std::vector<std::optional<std::string>> values;
};

struct StatementResult {
  std::string command_tag;  // "SELECT 3", "INSERT 0 2", "CREATE TABLE"
  int64_t rows = 0;         // rows returned or affected
};

/* Who is running SQL, and where the data lives. */
struct SessionContext {
  std::filesystem::path data_dir;     // the database's folder, base/<dboid>: its tables and their catalog
  std::filesystem::path cluster_dir;  // the data directory (global/ catalog of databases and roles); may be empty in tests
  std::string user;
  std::string database;
  int backend_pid = 0;
  std::string server_version;  // what version() reports
  /* Sends a WARNING or NOTICE to the client (a NoticeResponse); may be empty. */
  std::function<void(const Error&)> notice;
  /* The server's settings a new session starts from (the postmaster's
   * Config); nullptr: every setting at its boot value (unit tests). */
  const guc::Settings* server_settings = nullptr;
  /* The session's own settings (SHOW, current_setting(), set_config(),
   * pg_settings); the Session fills it in. */
  guc::Settings* settings = nullptr;
};

/* DROP ... IF EXISTS of objects that are not there: PostgreSQL's NOTICE
 * `<what> "<name>" does not exist, skipping` for each. */
void NoticeSkipping(const SessionContext& ctx, std::string_view what, const std::vector<std::string>& names);

/* A parse tree of one statement (defined in ast.h). */
struct Statement;
}  // namespace minipg::sql

/* Deleting a parse tree is defined in ast.cpp, so code that only holds
 * StatementPtrs (the backend) need not include ast.h. */
template <>
struct std::default_delete<minipg::sql::Statement> {
  void operator()(minipg::sql::Statement* stmt) const;
};

namespace minipg::sql {
using StatementPtr = std::unique_ptr<Statement>;

/* What kind of statement a parse tree is, so the backend can track
 * transaction blocks and settings without looking inside it. */
enum class StatementKind {
  kSelect,       // SELECT
  kInsert,       // INSERT
  kCreateTable,  // CREATE TABLE
  kDropTable,    // DROP TABLE
  kBegin,        // BEGIN, START TRANSACTION
  kCommit,       // COMMIT, END
  kRollback,     // ROLLBACK, ABORT
  kSet,          // SET name = value, SET name TO value, RESET name
  kShow,         // SHOW name
  kCopy,         // COPY ... FROM / TO
  kOther,        // anything else (recognised but unsupported, e.g. UPDATE)
  kCheckpoint,   // CHECKPOINT
  kCatalogDdl,   // CREATE / ALTER / DROP ROLE, CREATE / DROP DATABASE, GRANT / REVOKE role
  kExtension,    // CREATE / DROP EXTENSION
  kUpdate,          // UPDATE
  kDelete,          // DELETE
  kTruncate,        // TRUNCATE
  kCreateIndex,     // CREATE [UNIQUE] INDEX
  kDropIndex,       // DROP INDEX
  kExplain,         // EXPLAIN
  kVacuum,          // VACUUM
  kAnalyze,         // ANALYZE
  kCreateSequence,  // CREATE SEQUENCE
  kDropSequence,    // DROP SEQUENCE
  kCreateView,      // CREATE VIEW
  kDropView,        // DROP VIEW
  kAlterTable,      // ALTER TABLE
  kCreateTableAs,   // CREATE TABLE ... AS, SELECT ... INTO
  kSavepoint,       // SAVEPOINT name
  kRelease,         // RELEASE [SAVEPOINT] name
  kRollbackTo,      // ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT] name
  kLock,            // LOCK TABLE
};

StatementKind GetStatementKind(const Statement& stmt);

/* COMMIT, ROLLBACK, ROLLBACK TO: what a failed transaction block still
 * accepts (PostgreSQL's IsTransactionExitStmt). */
bool IsTransactionExitKind(StatementKind kind);

/* Where the session's transaction is, as ReadyForQuery reports it. */
enum class TransactionBlockState {
  kIdle,     // 'I': no block (an implicit transaction ends with its Query message)
  kInBlock,  // 'T': inside BEGIN ... COMMIT
  kFailed,   // 'E': a statement of the block failed; only ROLLBACK [TO] is accepted
};

/* The statement's name as PostgreSQL's command tags and process titles
 * write it: "SELECT", "CREATE TABLE", ... ("" for kOther). */
const char* StatementKindName(StatementKind kind);

/* For a kSet statement: the parameter's name (lower-cased) and the value as
 * text; nullopt for SET name TO DEFAULT and RESET name. Empty / nullopt for
 * other kinds. */
std::string GetSetName(const Statement& stmt);
std::optional<std::string> GetSetValue(const Statement& stmt);

/* For a kShow statement: the parameter's name (lower-cased). */
std::string GetShowName(const Statement& stmt);

/* The text (without the ';') of a statement the main grammar does not run
 * (an UnsupportedStmt, such as CREATE ROLE); empty for the others. */
const std::string& GetStatementText(const Statement& stmt);

class Session {
 public:
  explicit Session(SessionContext ctx);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /* Stage 1. An empty list means an empty query (EmptyQueryResponse). */
  Result<std::vector<StatementPtr>> Parse(std::string_view text);

  /* Stages 2-4 for one statement; rows go to `sink`. */
  Result<StatementResult> Execute(const Statement& stmt, ResultSink& sink);

  /* Stage 2 only, for a prepared statement: `param_types` as the Parse
   * message gave them (kUnknown = infer). */
  Result<PreparedDescription> Prepare(const Statement& stmt, std::vector<TypeId> param_types);

  /* Stages 2-4 with parameter values. */
  Result<StatementResult> Execute(const Statement& stmt, ResultSink& sink, const BoundParams& params);

  /* A run-time parameter's current value (what SHOW prints), by name in any
   * case; nullopt if there is no such parameter. */
  std::optional<std::string> GetSetting(std::string_view name) const;

  /* Sets a parameter as the StartupMessage's options do (application_name):
   * as SET, but the value is also what RESET returns to. 42704 for an
   * unknown name. */
  Status SetSetting(std::string_view name, std::string_view value);

  /* Transactions (see session.cpp):
   *   BlockState            'I', 'T' or 'E' for ReadyForQuery.
   *   AbortCurrentTransaction  after any error (PostgreSQL's
   *                         AbortCurrentTransaction): inside a savepoint the
   *                         innermost subtransaction is rolled back, else
   *                         the whole transaction; a block becomes failed.
   *                         Idempotent. Returns true unless only a
   *                         subtransaction was rolled back (xact_rollback).
   *   Begin/EndImplicitTransactionBlock  around each statement of a Query
   *                         message of several: they run as one
   *                         transaction, committed at the end (unless an
   *                         error rolled it back, or BEGIN made it a block). */
  TransactionBlockState BlockState() const;
  bool AbortCurrentTransaction();
  void BeginImplicitTransactionBlock();
  Status EndImplicitTransactionBlock();

  /* The session's settings: typed values for the backend
   * (Int("statement_timeout")) and the reported ones that changed. */
  guc::Settings& settings();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace minipg::sql
