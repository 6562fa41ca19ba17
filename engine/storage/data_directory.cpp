/*-------------------------------------------------------------------------
 * data_directory.cpp
 *   Creates the storage layer's part of a data directory:
 *
 *     global/minipg_catalog       the catalog (catalog.h)
 *     global/minipg_catalog.lock  the file whose flock() guards it
 *     base/<OID>                  one heap file per table (heap_file.h)
 *-------------------------------------------------------------------------
 */
#include "engine/storage/data_directory.h"

#include <fcntl.h>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/storage/catalog.h"
#include "engine/storage/file_util.h"

namespace minipg::storage {

Status InitStorage(const std::filesystem::path& data_dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(data_dir, ec)) {
    return MakeError(sqlstate::kIoError,
                     fmt::format("data directory \"{}\" does not exist", data_dir.string()));
  }
  for (const char* sub : {"global", "base"}) {
    std::filesystem::create_directory(data_dir / sub, ec);
    if (ec) {
      return MakeError(sqlstate::kIoError, fmt::format("could not create directory \"{}\": {}",
                                                       (data_dir / sub).string(), ec.message()));
    }
  }
  // The lock file; the catalog file itself appears with the first CREATE
  // TABLE (a missing catalog reads as an empty one).
  auto fd = OpenFile(CatalogLockPath(data_dir), O_RDWR | O_CREAT);
  if (!fd.ok()) {
    return fd.error();
  }
  return OkStatus();
}

}  // namespace minipg::storage
