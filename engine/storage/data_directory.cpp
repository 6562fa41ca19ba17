/*-------------------------------------------------------------------------
 * data_directory.cpp
 *   Creates the storage layer's part of a data directory:
 *
 *     global/minipg_global             databases and roles (global_catalog.h)
 *     global/minipg_global.lock        the file whose flock() guards it
 *     base/<dboid>/                    one folder per database:
 *       1259, 1249, ...                its system catalogs (engine/catalog/)
 *       <OID>                          one relation file per table (storage/heap)
 *-------------------------------------------------------------------------
 */
#include "engine/storage/data_directory.h"

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/storage/global_catalog.h"

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
  // The catalogs' rows are written by engine/catalog's bootstrap
  // (BootstrapSharedCatalogs, BootstrapCatalogs).
  return OkStatus();
}

}  // namespace minipg::storage
