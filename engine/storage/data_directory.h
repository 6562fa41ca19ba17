/*-------------------------------------------------------------------------
 * data_directory.h
 *   What the storage layer keeps in a data directory, and its set-up.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <filesystem>
#include <string_view>

#include "engine/common/error.h"

namespace minipg::storage {

/* Creates global/ and base/ in an (already existing) data directory if
 * they are missing. Safe to call on every start. The catalogs' rows come
 * from engine/catalog's bootstrap (BootstrapSharedCatalogs,
 * BootstrapCatalogs). */
Status InitStorage(const std::filesystem::path& data_dir);

}  // namespace minipg::storage
