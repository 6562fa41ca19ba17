/*-------------------------------------------------------------------------
 * heap_file.cpp
 *   Appending to and scanning a table's heap file (format in heap_file.h).
 *
 * NOTES
 *   Each process remembers, per table file, how far it has already checked
 *   the records (ValidEndCache): the next append only checks what other
 *   processes appended since, instead of re-reading the whole file. Records
 *   are never removed, so a remembered boundary stays a record boundary; if
 *   the check from there fails anyway (the cache described an older file
 *   that had the same inode), the whole file is checked before anything is
 *   cut off.
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/storage/file_util.h"

namespace minipg::storage {

namespace {

constexpr std::string_view kHeapMagic = "MPGHEAP1";
constexpr uint32_t kHeapVersion = 1;

Error Corrupt(const TableDef& table, std::string_view why) {
  return MakeError(sqlstate::kDataCorrupted,
                   fmt::format("heap file of table \"{}\" is corrupted: {}", table.name, why));
}

/* Checks the record starting at `pos`; returns its total size, or 0 if it
 * is incomplete or its checksum does not match. */
size_t ValidRecordSize(std::string_view bytes, size_t pos) {
  if (bytes.size() - pos < kRecordHeaderSize) {
    return 0;
  }
  ByteReader r(bytes.substr(pos));
  uint32_t len = 0;
  uint32_t crc = 0;
  r.U32(len);
  r.U32(crc);
  if (len > kMaxRecordSize || bytes.size() - pos - kRecordHeaderSize < len) {
    return 0;
  }
  uint32_t actual = Crc32(bytes.substr(pos, 4));
  actual = Crc32(bytes.substr(pos + kRecordHeaderSize, len), actual);
  if (actual != crc) {
    return 0;
  }
  return kRecordHeaderSize + len;
}

Status CheckHeader(const TableDef& table, std::string_view bytes) {
  if (bytes.size() < kHeapHeaderSize || bytes.substr(0, kHeapMagic.size()) != kHeapMagic) {
    return Corrupt(table, "bad header");
  }
  ByteReader r(bytes.substr(kHeapMagic.size()));
  uint32_t version = 0;
  uint32_t oid = 0;
  r.U32(version);
  r.U32(oid);
  if (version != kHeapVersion || oid != table.oid) {
    return Corrupt(table, fmt::format("header says version {} oid {}", version, oid));
  }
  return OkStatus();
}

/* Where this process last saw the valid records of a file end, by path. */
struct ValidEnd {
  dev_t dev;
  ino_t ino;
  int64_t end;
};
std::map<std::string, ValidEnd>& ValidEndCache() {
  static std::map<std::string, ValidEnd> cache;
  return cache;
}

Result<UniqueFd> OpenTable(const std::filesystem::path& data_dir, const TableDef& table, int flags) {
  auto fd = OpenFile(TablePath(data_dir, table.oid), flags);
  if (!fd.ok() && fd.error().detail == "ENOENT") {
    // Dropped by another backend since our catalog snapshot.
    return MakeError("42P01", fmt::format("relation \"{}\" does not exist", table.name));
  }
  return fd;
}

/* Finds the end of the valid records, checking from `from` (a known
 * boundary) to the end of the file. */
Result<int64_t> FindValidEnd(int fd, const std::filesystem::path& path, const TableDef& table,
                             int64_t from, int64_t size) {
  std::string bytes(static_cast<size_t>(size - from), '\0');
  size_t got = 0;
  while (got < bytes.size()) {
    ssize_t n = pread(fd, bytes.data() + got, bytes.size() - got, from + static_cast<int64_t>(got));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return IoError("read", path, errno);
    }
    if (n == 0) {
      break;
    }
    got += static_cast<size_t>(n);
  }
  bytes.resize(got);
  size_t pos = 0;
  if (from == 0) {
    if (Status s = CheckHeader(table, bytes); !s.ok()) {
      return s.error();
    }
    pos = kHeapHeaderSize;
  }
  while (pos < bytes.size()) {
    size_t rec = ValidRecordSize(bytes, pos);
    if (rec == 0) {
      break;
    }
    pos += rec;
  }
  return from + static_cast<int64_t>(pos);
}

}  // namespace

std::string EncodeTuple(const std::vector<ColumnDef>& columns, const Tuple& tuple) {
  std::string out;
  size_t n = columns.size();
  PutU16(out, static_cast<uint16_t>(n));
  std::string bitmap((n + 7) / 8, '\0');
  for (size_t i = 0; i < n; ++i) {
    if (i >= tuple.size() || IsNull(tuple[i])) {
      bitmap[i / 8] = static_cast<char>(bitmap[i / 8] | (1 << (i % 8)));
    }
  }
  out += bitmap;
  for (size_t i = 0; i < n && i < tuple.size(); ++i) {
    const Datum& d = tuple[i];
    if (IsNull(d)) {
      continue;
    }
    switch (columns[i].type) {
      case ColumnType::kBool:
        PutU8(out, std::get<bool>(d) ? 1 : 0);
        break;
      case ColumnType::kInt4:
        PutU32(out, static_cast<uint32_t>(static_cast<int32_t>(std::get<int64_t>(d))));
        break;
      case ColumnType::kInt8:
        PutU64(out, static_cast<uint64_t>(std::get<int64_t>(d)));
        break;
      case ColumnType::kText: {
        const std::string& s = std::get<std::string>(d);
        PutU32(out, static_cast<uint32_t>(s.size()));
        out += s;
        break;
      }
      case ColumnType::kTimestampTz:
      case ColumnType::kInet:
        break;  // system views only: never stored
    }
  }
  return out;
}

Result<Tuple> DecodeTuple(const std::vector<ColumnDef>& columns, std::string_view payload) {
  ByteReader r(payload);
  uint16_t n = 0;
  auto bad = [](std::string_view why) {
    return MakeError(sqlstate::kDataCorrupted, fmt::format("invalid tuple: {}", why));
  };
  if (!r.U16(n) || n != columns.size()) {
    return bad("attribute count does not match the table");
  }
  std::string bitmap;
  if (!r.Bytes((n + 7) / 8, bitmap)) {
    return bad("truncated null bitmap");
  }
  Tuple tuple;
  tuple.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (bitmap[i / 8] & (1 << (i % 8))) {
      tuple.emplace_back(std::monostate{});
      continue;
    }
    bool ok = true;
    switch (columns[i].type) {
      case ColumnType::kBool: {
        uint8_t v = 0;
        ok = r.U8(v);
        tuple.emplace_back(v != 0);
        break;
      }
      case ColumnType::kInt4: {
        uint32_t v = 0;
        ok = r.U32(v);
        tuple.emplace_back(static_cast<int64_t>(static_cast<int32_t>(v)));
        break;
      }
      case ColumnType::kInt8: {
        uint64_t v = 0;
        ok = r.U64(v);
        tuple.emplace_back(static_cast<int64_t>(v));
        break;
      }
      case ColumnType::kText: {
        uint32_t len = 0;
        std::string s;
        ok = r.U32(len) && r.Bytes(len, s);
        tuple.emplace_back(std::move(s));
        break;
      }
      case ColumnType::kTimestampTz:
      case ColumnType::kInet:
        ok = false;  // system views only: never stored
        break;
    }
    if (!ok) {
      return bad("truncated value");
    }
  }
  if (r.remaining() != 0) {
    return bad("trailing bytes");
  }
  return tuple;
}

Status CreateHeapFile(const std::filesystem::path& path, uint32_t oid) {
  auto fd = OpenFile(path, O_WRONLY | O_CREAT | O_TRUNC);
  if (!fd.ok()) {
    return fd.error();
  }
  std::string header(kHeapMagic);
  PutU32(header, kHeapVersion);
  PutU32(header, oid);
  if (Status s = WriteAllAt(fd->get(), header, 0, path); !s.ok()) {
    return s;
  }
  if (fsync(fd->get()) != 0) {
    return IoError("fsync", path, errno);
  }
  return FsyncDir(path.parent_path());
}

Status HeapAppend(const std::filesystem::path& data_dir, const TableDef& table,
                  const std::vector<Tuple>& rows) {
  if (rows.empty()) {
    return OkStatus();
  }
  std::filesystem::path path = TablePath(data_dir, table.oid);
  std::string batch;
  for (const Tuple& row : rows) {
    std::string payload = EncodeTuple(table.columns, row);
    if (payload.size() > kMaxRecordSize) {
      return MakeError(sqlstate::kProgramLimitExceeded,
                       fmt::format("row is too big: size {}, maximum size {}", payload.size(),
                                   kMaxRecordSize));
    }
    std::string len;
    PutU32(len, static_cast<uint32_t>(payload.size()));
    uint32_t crc = Crc32(payload, Crc32(len));
    batch += len;
    PutU32(batch, crc);
    batch += payload;
  }

  auto fd = OpenTable(data_dir, table, O_RDWR);
  if (!fd.ok()) {
    return fd.error();
  }
  auto lock = FileLock::Acquire(fd->get(), LockMode::kExclusive, path, "table " + table.name);
  if (!lock.ok()) {
    return lock.error();
  }
  struct stat st {};
  if (fstat(fd->get(), &st) != 0) {
    return IoError("stat", path, errno);
  }
  int64_t from = 0;
  auto& cache = ValidEndCache();
  if (auto it = cache.find(path.string());
      it != cache.end() && it->second.dev == st.st_dev && it->second.ino == st.st_ino &&
      it->second.end <= st.st_size) {
    from = it->second.end;
  }
  auto valid_end = FindValidEnd(fd->get(), path, table, from, st.st_size);
  if (valid_end.ok() && from != 0 && *valid_end < st.st_size) {
    // Never truncate on the word of the cache alone (it could describe an
    // older file that had the same inode): check the whole file.
    valid_end = FindValidEnd(fd->get(), path, table, 0, st.st_size);
  }
  if (!valid_end.ok()) {
    return valid_end.error();
  }
  // A torn tail (a writer crashed mid-append) is cut off before we append.
  if (*valid_end < st.st_size && ftruncate(fd->get(), *valid_end) != 0) {
    return IoError("truncate", path, errno);
  }
  if (Status s = WriteAllAt(fd->get(), batch, *valid_end, path); !s.ok()) {
    // Leave no partial batch behind (readers would ignore it anyway).
    (void)!ftruncate(fd->get(), *valid_end);
    cache.erase(path.string());
    return s;
  }
  if (fdatasync(fd->get()) != 0) {
    cache.erase(path.string());
    return IoError("fdatasync", path, errno);
  }
  cache[path.string()] = ValidEnd{st.st_dev, st.st_ino, *valid_end + static_cast<int64_t>(batch.size())};
  return OkStatus();
}

HeapScan::HeapScan(std::filesystem::path data_dir, TableDef table)
    : data_dir_(std::move(data_dir)), table_(std::move(table)) {}

Status HeapScan::Open() {
  std::filesystem::path path = TablePath(data_dir_, table_.oid);
  auto fd = OpenTable(data_dir_, table_, O_RDONLY);
  if (!fd.ok()) {
    return fd.error();
  }
  auto lock = FileLock::Acquire(fd->get(), LockMode::kShared, path, "table " + table_.name);
  if (!lock.ok()) {
    return lock.error();
  }
  auto bytes = ReadAll(fd->get(), path);
  if (!bytes.ok()) {
    return bytes.error();
  }
  bytes_ = std::move(*bytes);
  if (Status s = CheckHeader(table_, bytes_); !s.ok()) {
    return s;
  }
  pos_ = kHeapHeaderSize;
  return OkStatus();
}

Result<std::optional<Tuple>> HeapScan::Next() {
  if (pos_ >= bytes_.size()) {
    return std::optional<Tuple>();
  }
  size_t rec = ValidRecordSize(bytes_, pos_);
  if (rec == 0) {
    pos_ = bytes_.size();  // a torn tail: the end of the table
    return std::optional<Tuple>();
  }
  auto tuple = DecodeTuple(table_.columns,
                           std::string_view(bytes_).substr(pos_ + kRecordHeaderSize, rec - kRecordHeaderSize));
  pos_ += rec;
  if (!tuple.ok()) {
    return tuple.error();
  }
  return std::optional<Tuple>(std::move(*tuple));
}

Result<std::vector<Tuple>> HeapReadAll(const std::filesystem::path& data_dir, const TableDef& table) {
  HeapScan scan(data_dir, table);
  if (Status s = scan.Open(); !s.ok()) {
    return s.error();
  }
  std::vector<Tuple> rows;
  for (;;) {
    auto row = scan.Next();
    if (!row.ok()) {
      return row.error();
    }
    if (!row->has_value()) {
      break;
    }
    rows.push_back(std::move(**row));
  }
  return rows;
}

}  // namespace minipg::storage
