/*-------------------------------------------------------------------------
 * copy_command.cpp
 *   COPY FROM and COPY TO, with a server-side file or the client (see
 *   copy_command.h). The formats are in copy_format.cpp, the protocol side
 *   in engine/backend/copy.cpp.
 *
 *     COPY t FROM ...   analyze (table, columns) -> plan "Copy"
 *                       -> copy_start -> read, split, convert every row
 *                       -> ExecInsertRow of each -> execute -> copy_done
 *     COPY t TO ...     the rows come from a SELECT of the columns (or the
 *     COPY (q) TO ...   query), planned and executed as usual; the plan
 *                       event shows a Copy node above it
 *-------------------------------------------------------------------------
 */
#include "engine/sql/copy_command.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/system_catalog.h"
#include "engine/common/interrupts.h"
#include "engine/sql/role_ddl.h"
#include "engine/common/sqlstate.h"
#include "engine/sql/analyzer.h"
#include "engine/sql/copy_channel.h"
#include "engine/sql/copy_format.h"
#include "engine/sql/executor.h"
#include "engine/sql/executor/exec_expr.h"
#include "engine/sql/executor/exec_modify.h"
#include "engine/sql/optimizer/planner.h"
#include "engine/sql/types.h"
#include "engine/storage/heap/heapam.h"
#include "engine/trace/emitter.h"

namespace minipg::sql {

using trace::EventType;

namespace {

constexpr size_t kChunk = 64u << 10;

/* PostgreSQL's errcode_for_file_access(). */
const char* FileErrorCode(int err) {
  switch (err) {
    case ENOENT:
      return sqlstate::kUndefinedFile;
    case EPERM:
    case EACCES:
    case EROFS:
      return sqlstate::kInsufficientPrivilege;
    case ENOTDIR:
    case EISDIR:
      return sqlstate::kWrongObjectType;
    case ENOSPC:
      return "53100";  // disk_full
    default:
      return sqlstate::kIoError;
  }
}

Error OpenError(const std::string& filename, bool for_reading, int err) {
  Error e = MakeError(FileErrorCode(err),
                      fmt::format("could not open file \"{}\" for {}: {}", filename,
                                  for_reading ? "reading" : "writing", std::strerror(err)));
  if (err == ENOENT || err == EACCES) {
    // The teaching point: the server, not the client, opens this file.
    e.hint =
        for_reading
            ? "COPY FROM instructs the PostgreSQL server process to read a file. You may want a "
              "client-side facility such as psql's \\copy."
            : "COPY TO instructs the PostgreSQL server process to write a file. You may want a "
              "client-side facility such as psql's \\copy.";
  }
  return e;
}

/* Closes a file descriptor when it goes out of scope. */
struct FileCloser {
  int fd = -1;
  ~FileCloser() {
    if (fd >= 0) {
      close(fd);
    }
  }
};

void EmitAnalyze(const std::vector<std::string>& tables) {
  trace::Event(EventType::kAnalyze)
      .Str("statement", "COPY")
      .Raw("tables", trace::JsonStringArray(tables))
      .Raw("columns", "[]")
      .Emit();
}

/* The plan event: a Copy node, above the plan that produces the rows (TO). */
void EmitPlan(std::string detail, PlannedStmt* source) {
  PlannedStmt plan;
  plan.root = std::make_unique<Plan>();
  plan.root->kind = PlanKind::kCopy;
  plan.root->detail = std::move(detail);
  if (source != nullptr) {
    plan.qualify = source->qualify;
    plan.root->lefttree = std::move(source->root);
  }
  plan.Number();
  EmitPlanEvent(plan);
  if (source != nullptr) {
    source->root = std::move(plan.root->lefttree);
    source->Number();
  }
}

void EmitCopyStart(bool is_from, const CopyStmt& copy, const CopyOptions& opts) {
  trace::Event(EventType::kCopyStart)
      .Str("direction", is_from ? "in" : "out")
      .Str("source", copy.filename ? "server" : "client")
      .Str("path", copy.filename.value_or(is_from ? "STDIN" : "STDOUT"))
      .Str("format", opts.FormatName())
      .Str("table", copy.query ? "" : copy.table.name)
      .Emit();
}

std::string WhereText(const CopyStmt& copy, bool is_from) {
  return copy.filename ? "'" + *copy.filename + "'" : is_from ? "STDIN" : "STDOUT";
}

/* Which table columns the statement names (all, in order, if none). */
Result<std::vector<int>> ResolveColumns(const CopyStmt& copy, const storage::TableDef& table) {
  std::vector<int> cols;
  if (copy.columns.empty()) {
    for (size_t i = 0; i < table.columns.size(); ++i) {
      cols.push_back(static_cast<int>(i));
    }
    return cols;
  }
  for (const InsertColumn& c : copy.columns) {
    int index = -1;
    for (size_t i = 0; i < table.columns.size(); ++i) {
      if (table.columns[i].name == c.name) {
        index = static_cast<int>(i);
      }
    }
    if (index < 0) {
      Error e = MakeError(
          sqlstate::kUndefinedColumn,
          fmt::format("column \"{}\" of relation \"{}\" does not exist", c.name, table.name));
      return e;
    }
    if (std::find(cols.begin(), cols.end(), index) != cols.end()) {
      return MakeError(sqlstate::kDuplicateColumn,
                       fmt::format("column \"{}\" specified more than once", c.name));
    }
    cols.push_back(index);
  }
  return cols;
}

/* ---------------- COPY FROM ---------------- */

class CopyFromRun {
 public:
  CopyFromRun(const storage::TableDef& table, std::vector<int> cols, CopyOptions opts, const SessionContext& ctx)
      : table_(table), cols_(std::move(cols)), opts_(opts), parser_(opts, table.name), ctx_(ctx) {
    // A column not listed gets its DEFAULT, as in PostgreSQL's COPY.
    for (size_t i = 0; i < table.columns.size(); ++i) {
      if (table.columns[i].default_expr.empty()) continue;
      if (std::find(cols_.begin(), cols_.end(), static_cast<int>(i)) != cols_.end()) continue;
      defaults_.emplace_back(i, ColumnDefault(table, static_cast<int>(i)));
    }
  }

  /* Takes every complete record the parser has. */
  Status Drain() {
    for (;;) {
      auto rec = parser_.Next();
      if (!rec.ok()) {
        return rec.error();
      }
      if (!rec->has_value()) {
        return OkStatus();
      }
      if (Status s = AddRecord(**rec); !s.ok()) {
        return s;
      }
      // Once per row, as PostgreSQL's CopyFrom does: a cancel that came
      // while we waited for the client's data acts here, on its line.
      if (Status s = CheckForInterrupts(); !s.ok()) {
        Error e = s.error();
        if (e.severity == Severity::kError) {
          e.context = CopyContextLine(table_.name, (*rec)->line, (*rec)->text);
        }
        return e;
      }
    }
  }

  Status Feed(std::string_view data) {
    if (parser_.saw_end_marker()) {
      return OkStatus();  // data after "\." is ignored, as in PostgreSQL
    }
    parser_.Feed(data);
    return Drain();
  }

  Status Finish() {
    parser_.Finish();
    if (Status s = Drain(); !s.ok()) {
      return s;
    }
    // A cancel still pending at the end (the client sent CopyDone with no
    // row after it) fails the COPY too, as in PostgreSQL.
    if (Status s = CheckForInterrupts(); !s.ok()) {
      return WithContext(s.error());
    }
    return OkStatus();
  }

  /* An error while reading (CopyFail, a cancel) gets the line we were on. */
  Error WithContext(Error e) const {
    if (e.context.empty() && e.severity == Severity::kError) {
      e.context = CopyContext(table_.name, parser_.lines() + 1);
    }
    return e;
  }

  std::vector<storage::Tuple>& rows() { return rows_; }

 private:
  Status AddRecord(const CopyRecord& rec) {
    if (opts_.header && !header_skipped_) {
      header_skipped_ = true;
      return OkStatus();
    }
    if (rec.fields.size() < cols_.size() && !(cols_.empty() && rec.text.empty())) {
      Error e = MakeError(sqlstate::kBadCopyFileFormat,
                          fmt::format("missing data for column \"{}\"",
                                      table_.columns[cols_[rec.fields.size()]].name));
      e.context = CopyContextLine(table_.name, rec.line, rec.text);
      return e;
    }
    if (rec.fields.size() > cols_.size() && !(cols_.empty() && rec.text.empty())) {
      Error e = MakeError(sqlstate::kBadCopyFileFormat, "extra data after last expected column");
      e.context = CopyContextLine(table_.name, rec.line, rec.text);
      return e;
    }
    storage::Tuple tuple(table_.columns.size());  // columns not listed: their DEFAULT, else NULL
    ExprContext ectx;
    ectx.session = &ctx_;
    for (const auto& [col, expr] : defaults_) {
      auto value = Evaluate(*expr, ectx);
      if (!value.ok()) return value.error();
      tuple[col] = std::move(*value);
    }
    for (size_t i = 0; i < cols_.size(); ++i) {
      const auto& field = rec.fields[i];
      if (!field) {
        continue;
      }
      const storage::ColumnDef& col = table_.columns[cols_[i]];
      auto value = InputText(*field, FromColumnType(col.type));
      if (!value.ok()) {
        Error e = value.error();
        e.position = 0;
        e.context = CopyContextColumn(table_.name, rec.line, col.name, *field);
        return e;
      }
      tuple[cols_[i]] = std::move(*value);
    }
    rows_.push_back(std::move(tuple));
    return OkStatus();
  }

  const storage::TableDef& table_;
  std::vector<int> cols_;
  CopyOptions opts_;
  CopyParser parser_;
  bool header_skipped_ = false;
  std::vector<storage::Tuple> rows_;
  const SessionContext& ctx_;
  std::vector<std::pair<size_t, ExprPtr>> defaults_;  // (column, its DEFAULT) of the columns not listed
};

/* FREEZE: PostgreSQL writes the rows frozen, which is safe only if an
 * abort throws the whole relation file away. minipg checks the same
 * condition and writes ordinary rows (its TRUNCATE keeps the file). */
Status CheckFreeze(const CopyOptions& opts, const storage::TableDef& table) {
  if (!opts.freeze || TableIsNewInTransaction(table.oid)) return OkStatus();
  return MakeError(sqlstate::kObjectNotInPrerequisiteState,
                   "cannot perform COPY FREEZE because the table was not created or truncated in the current "
                   "subtransaction");
}

/* COPY of a view or a sequence: 42809, as PostgreSQL's copyfrom.c / copyto.c
 * word it (`into`: COPY ... FROM, which writes the relation). */
Status CheckCopyRelkind(const storage::TableDef& table, bool into) {
  if (table.kind == 'r') return OkStatus();
  const char* what = table.kind == 'v' ? "view" : "sequence";
  Error e = MakeError(sqlstate::kWrongObjectType,
                      fmt::format("cannot copy {} {} \"{}\"", into ? "to" : "from", what, table.name));
  if (table.kind == 'v') {
    e.hint = into ? "To enable copying to a view, provide an INSTEAD OF INSERT trigger."
                  : "Try the COPY (SELECT ...) TO variant.";
  }
  return e;
}

Result<StatementResult> CopyFrom(const CopyStmt& copy, const SessionContext& ctx,
                                 const storage::CatalogSnapshot& catalog, const CopyOptions& opts,
                                 ResultSink& sink) {
  const storage::TableDef* table = catalog.Find(copy.table.name);
  if (table == nullptr) {
    Error e = MakeError(sqlstate::kUndefinedTable,
                        fmt::format("relation \"{}\" does not exist", copy.table.name));
    e.position = copy.table.location;
    return e;
  }
  if (Status s = CheckCopyRelkind(*table, true); !s.ok()) return s.error();
  auto cols = ResolveColumns(copy, *table);
  if (!cols.ok()) {
    return cols.error();
  }
  EmitAnalyze({table->name});
  EmitPlan(
      fmt::format("from {} ({}) into {}", WhereText(copy, true), opts.FormatName(), table->name),
      nullptr);

  CopyFromRun run(*table, std::move(*cols), opts, ctx);
  if (copy.filename) {
    std::filesystem::path path(*copy.filename);
    if (path.is_relative()) {
      // PostgreSQL's backends run in the data directory (not the database's folder).
      path = (ctx.cluster_dir.empty() ? ctx.data_dir : ctx.cluster_dir) / path;
    }
    FileCloser file{open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (file.fd < 0) {
      return OpenError(*copy.filename, true, errno);
    }
    struct stat st {};
    if (fstat(file.fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      return MakeError(sqlstate::kWrongObjectType,
                       fmt::format("\"{}\" is a directory", *copy.filename));
    }
    if (Status s = CheckFreeze(opts, *table); !s.ok()) return s.error();
    EmitCopyStart(true, copy, opts);
    std::string buf(kChunk, '\0');
    for (;;) {
      ssize_t n = read(file.fd, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) {
        if (Status s = CheckForInterrupts(); !s.ok()) {
          return run.WithContext(s.error());
        }
        continue;
      }
      if (n < 0) {
        return MakeError(FileErrorCode(errno),
                         fmt::format("could not read from COPY file: {}", std::strerror(errno)));
      }
      if (n == 0) {
        break;
      }
      if (Status s = run.Feed(std::string_view(buf.data(), static_cast<size_t>(n))); !s.ok()) {
        return s.error();
      }
    }
  } else {
    CopyChannel* channel = sink.Copy();
    if (channel == nullptr) {
      return MakeError(sqlstate::kFeatureNotSupported,
                       "COPY FROM STDIN needs a client to send the data");
    }
    EmitCopyStart(true, copy, opts);
    if (Status s = channel->BeginIn(static_cast<int>(table->columns.size())); !s.ok()) {
      return s.error();
    }
    // After CopyInResponse, as PostgreSQL checks it (the client's data is then discarded).
    if (Status s = CheckFreeze(opts, *table); !s.ok()) return s.error();
    for (;;) {
      auto chunk = channel->Receive();
      if (!chunk.ok()) {
        return run.WithContext(chunk.error());
      }
      if (!chunk->has_value()) {
        break;
      }
      if (Status s = run.Feed(**chunk); !s.ok()) {
        return s.error();
      }
    }
  }
  if (Status s = run.Finish(); !s.ok()) {
    return s.error();
  }
  // Every row converted: now store them, page after page.
  ModifyContext modify(ctx, *table);
  if (Status s = InsertRows(modify, run.rows()); !s.ok()) {
    return s.error();
  }
  auto n = static_cast<int64_t>(run.rows().size());
  EmitExecuteEvent(n, std::array{n});  // the COPY node alone
  trace::Event(EventType::kCopyDone).Int("rows", n).Emit();
  return StatementResult{"COPY " + std::to_string(n), n};
}

/* ---------------- COPY TO ---------------- */

/* Formats each row the executor produces and sends it on. */
class CopyOutSink : public ResultSink {
 public:
  CopyOutSink(const CopyOptions& opts, CopyChannel* channel, int fd)
      : opts_(opts), channel_(channel), fd_(fd) {}

  void Describe(const std::vector<ColumnDesc>&) override {}
  void Row(const std::vector<std::optional<std::string>>& values) override {
    Put(FormatCopyRow(values, opts_));
  }

  void Put(const std::string& line) {
    if (!status_.ok()) {
      return;
    }
    if (channel_ != nullptr) {
      status_ = channel_->Send(line);
      return;
    }
    buf_ += line;
    if (buf_.size() >= kChunk) {
      FlushFile();
    }
  }

  Status Finish() {
    if (channel_ == nullptr) {
      FlushFile();
    }
    return status_;
  }

 private:
  void FlushFile() {
    size_t done = 0;
    while (status_.ok() && done < buf_.size()) {
      ssize_t n = write(fd_, buf_.data() + done, buf_.size() - done);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n < 0) {
        status_ = MakeError(FileErrorCode(errno),
                            fmt::format("could not write to COPY file: {}", std::strerror(errno)));
        break;
      }
      done += static_cast<size_t>(n);
    }
    buf_.clear();
  }

  const CopyOptions& opts_;
  CopyChannel* channel_;
  int fd_;
  std::string buf_;
  Status status_ = OkStatus();
};

Result<StatementResult> CopyTo(const CopyStmt& copy, const SessionContext& ctx,
                               const storage::CatalogSnapshot& catalog, const CopyOptions& opts,
                               ResultSink& sink) {
  // The rows come from a query: the one given, or SELECT cols FROM t.
  Query query;
  std::vector<std::string> names;
  if (copy.query) {
    auto analyzed = Analyze(*copy.query, catalog);
    if (!analyzed.ok()) {
      return analyzed.error();
    }
    query = std::move(*analyzed);
  } else {
    const storage::TableDef* table = copy.table.schema != "public"
                                         ? catalog::FindSystemCatalogTable(copy.table.name)
                                         : nullptr;  // pg_catalog first, as on the search_path
    if (table == nullptr) table = catalog.Find(copy.table.name);
    if (table == nullptr) {
      Error e = MakeError(sqlstate::kUndefinedTable,
                          fmt::format("relation \"{}\" does not exist", copy.table.name));
      e.position = copy.table.location;
      return e;
    }
    if (Status s = CheckCopyRelkind(*table, false); !s.ok()) return s.error();
    auto cols = ResolveColumns(copy, *table);
    if (!cols.ok()) {
      return cols.error();
    }
    query.kind = StatementKind::kSelect;
    query.statement = "SELECT";
    RangeTblEntry rte;
    rte.kind = RteKind::kRelation;
    rte.table = *table;
    rte.refname = table->name;
    for (const storage::ColumnDef& c : table->columns) {
      rte.colnames.push_back(c.name);
      rte.coltypes.push_back(FromColumnType(c.type));
    }
    query.rtable.push_back(std::move(rte));
    query.jointree.fromlist.push_back(std::make_unique<JoinTreeNode>());
    query.jointree.fromlist.back()->rtindex = 1;
    query.tables.push_back(table->name);
    for (int c : *cols) {
      TargetEntry t;
      t.expr = MakeVar(1, c, FromColumnType(table->columns[c].type), table->name, table->columns[c].name);
      t.name = table->columns[c].name;
      query.targets.push_back(std::move(t));
    }
  }
  for (const TargetEntry& t : query.targets) {
    if (!t.resjunk) names.push_back(t.name);
  }
  EmitAnalyze(query.tables);
  auto plan = PlanQuery(query);
  if (!plan.ok()) {
    return plan.error();
  }
  EmitPlan(fmt::format("to {} ({})", WhereText(copy, false), opts.FormatName()), &*plan);

  FileCloser file;
  CopyChannel* channel = nullptr;
  if (copy.filename) {
    if (!std::filesystem::path(*copy.filename).is_absolute()) {
      return MakeError(sqlstate::kInvalidName, "relative path not allowed for COPY to file");
    }
    file.fd = open(copy.filename->c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (file.fd < 0) {
      return OpenError(*copy.filename, false, errno);
    }
    EmitCopyStart(false, copy, opts);
  } else {
    channel = sink.Copy();
    if (channel == nullptr) {
      return MakeError(sqlstate::kFeatureNotSupported,
                       "COPY TO STDOUT needs a client to receive the data");
    }
    EmitCopyStart(false, copy, opts);
    if (Status s = channel->BeginOut(static_cast<int>(names.size())); !s.ok()) {
      return s.error();
    }
  }
  CopyOutSink out(opts, channel, file.fd);
  if (opts.header) {
    out.Put(FormatCopyHeader(names, opts));
  }
  auto result = ExecutePlan(*plan, ctx, out);
  if (!result.ok()) {
    return result.error();
  }
  if (Status s = out.Finish(); !s.ok()) {
    return s.error();
  }
  if (channel != nullptr) {
    if (Status s = channel->EndOut(); !s.ok()) {
      return s.error();
    }
  }
  // Node 0 is the COPY, the query's nodes follow it (as in its plan event).
  std::vector<int64_t> node_rows{result->rows};
  node_rows.insert(node_rows.end(), result->node_rows.begin(), result->node_rows.end());
  EmitExecuteEvent(result->rows, node_rows);
  trace::Event(EventType::kCopyDone).Int("rows", result->rows).Emit();
  return StatementResult{"COPY " + std::to_string(result->rows), result->rows};
}

}  // namespace

bool MayUseServerFiles(const SessionContext& ctx, bool /*is_from*/) {
  // minipg has no pg_read_server_files / pg_write_server_files roles, so
  // only superusers may (as a member of either would in PostgreSQL).
  return SessionUserIsSuperuser(ctx);
}

Result<StatementResult> ExecuteCopy(const CopyStmt& copy, const SessionContext& ctx,
                                    const storage::CatalogSnapshot& catalog, ResultSink& sink) {
  auto opts = MakeCopyOptions(copy.options);
  if (!opts.ok()) {
    return opts.error();
  }
  if (copy.filename && !MayUseServerFiles(ctx, copy.is_from)) {
    Error e = MakeError(
        sqlstate::kInsufficientPrivilege,
        copy.is_from ? "must be superuser or have privileges of the pg_read_server_files role to COPY "
                       "from a file"
                     : "must be superuser or have privileges of the pg_write_server_files role to COPY "
                       "to a file");
    e.hint =
        "Anyone can COPY to stdout or from stdin. psql's \\copy command also works for anyone.";
    return e;
  }
  return copy.is_from ? CopyFrom(copy, ctx, catalog, *opts, sink)
                      : CopyTo(copy, ctx, catalog, *opts, sink);
}

}  // namespace minipg::sql
