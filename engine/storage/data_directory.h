/*-------------------------------------------------------------------------
 * data_directory.h
 *   What the storage layer keeps in a data directory, and its set-up.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <filesystem>

#include "engine/common/error.h"

namespace minipg::storage {

/* Creates the storage layer's files and folders in an (already existing)
 * data directory if they are missing: the catalog and the folder for table
 * files. Safe to call on every start; existing data is left as it is. */
Status InitStorage(const std::filesystem::path& data_dir);

}  // namespace minipg::storage
