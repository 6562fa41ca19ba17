/*-------------------------------------------------------------------------
 * data_dir.cpp
 *   Data directory set-up and the postmaster.pid lock file.
 *
 * NOTES
 *   The lock file is created with O_EXCL. If one exists, its pid is
 *   checked with kill(pid, 0): a live process means another server owns
 *   the directory; a dead one means a stale file from a crash, which is
 *   removed (as PostgreSQL's CreateLockFile does).
 *-------------------------------------------------------------------------
 */
#include "engine/postmaster/data_dir.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "engine/common/sqlstate.h"
#include "engine/auth/hba.h"
#include "engine/postmaster/hba_load.h"
#include "engine/postmaster/storage_init.h"
#include "engine/sql/adt/builtin_catalog_rows.h"
#include "engine/catalog/bootstrap.h"
#include "engine/catalog/shared_catalogs.h"
#include "engine/storage/data_directory.h"

namespace fs = std::filesystem;

namespace minipg {
namespace {

constexpr const char* kLockFileName = "postmaster.pid";

Error IoError(std::string message) {
  return MakeError(sqlstate::kIoError, std::move(message), Severity::kFatal);
}

Status WriteNewFile(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) return IoError(fmt::format("could not write file \"{}\": {}", path.string(), std::strerror(errno)));
  return OkStatus();
}

}  // namespace

Status PrepareDataDirectory(const fs::path& dir, bool& created, std::string_view superuser) {
  created = false;
  std::error_code ec;
  bool exists = fs::exists(dir, ec);
  if (exists && !fs::is_directory(dir, ec)) {
    return IoError(fmt::format("\"{}\" is not a directory", dir.string()));
  }
  if (exists && fs::exists(dir / "PG_VERSION", ec)) {
    if (Status s = catalog::CheckCatalogFormat(dir); !s.ok()) return s;
    return storage::InitStorage(dir);  // an existing data directory
  }
  if (exists && !fs::is_empty(dir, ec)) {
    return IoError(fmt::format(
        "directory \"{}\" exists but is not empty and is not a minipg data directory", dir.string()));
  }
  fs::create_directories(dir, ec);
  if (ec) return IoError(fmt::format("could not create directory \"{}\": {}", dir.string(), ec.message()));
  fs::permissions(dir, fs::perms::owner_all, ec);
  if (Status s = WriteNewFile(dir / kConfigFileName, SampleConfigFile()); !s.ok()) return s;
  if (Status s = WriteNewFile(dir / kHbaFileName, auth::DefaultHbaFile()); !s.ok()) return s;
  if (Status s = storage::InitStorage(dir); !s.ok()) return s;
  if (Status s = catalog::BootstrapSharedCatalogs(dir, superuser); !s.ok()) return s;
  if (Status s = catalog::BootstrapCatalogs(dir, sql::BuiltinCatalogRows(sql::Builtins())); !s.ok()) return s;
  if (Status s = BootstrapWal(dir, true); !s.ok()) return s;
  // PG_VERSION last: its presence means initialization finished.
  if (Status s = WriteNewFile(dir / "PG_VERSION", "15\n"); !s.ok()) return s;
  created = true;
  return OkStatus();
}

Status CreateLockFile(const Config& config) {
  fs::path path = config.data_directory / kLockFileName;
  for (int attempt = 0; attempt < 2; ++attempt) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd >= 0) {
      std::string text = fmt::format("{}\n{}\n{}\n{}\n{}\n{}\n", getpid(),
                                     fs::absolute(config.data_directory).string(), time(nullptr),
                                     config.Int("port"), config.String("unix_socket_directories"),
                                     config.String("listen_addresses"));
      ssize_t n = write(fd, text.data(), text.size());
      close(fd);
      if (n != static_cast<ssize_t>(text.size())) {
        return IoError(fmt::format("could not write lock file \"{}\"", path.string()));
      }
      return OkStatus();
    }
    if (errno != EEXIST) {
      return IoError(fmt::format("could not create lock file \"{}\": {}", path.string(), std::strerror(errno)));
    }
    std::ifstream in(path);
    long other = 0;
    in >> other;
    if (other > 0 && other != getpid() && (kill(static_cast<pid_t>(other), 0) == 0 || errno == EPERM)) {
      Error e = IoError(fmt::format("lock file \"{}\" already exists", path.string()));
      e.hint = fmt::format("Is another postmaster (PID {}) running in data directory \"{}\"?", other,
                           config.data_directory.string());
      return e;
    }
    unlink(path.c_str());  // stale: its server is gone
  }
  return IoError(fmt::format("could not create lock file \"{}\"", path.string()));
}

void RemoveLockFile(const Config& config) {
  unlink((config.data_directory / kLockFileName).c_str());
}

Status AddInterlockToLockFile(const Config& config, long key, int id) {
  fs::path path = config.data_directory / kLockFileName;
  int fd = open(path.c_str(), O_WRONLY | O_APPEND);
  if (fd < 0) return IoError(fmt::format("could not open file \"{}\": {}", path.string(), std::strerror(errno)));
  std::string line = fmt::format("{:9} {:9}\n", key, id);
  ssize_t n = write(fd, line.data(), line.size());
  close(fd);
  if (n != static_cast<ssize_t>(line.size())) {
    return IoError(fmt::format("could not write lock file \"{}\"", path.string()));
  }
  return OkStatus();
}

}  // namespace minipg
