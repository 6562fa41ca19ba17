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

/* Creates the storage layer's files and folders in an (already existing)
 * data directory if they are missing: global/ with the databases-and-roles
 * catalog (its bootstrap superuser named `superuser`, or the OS user if
 * empty), and base/ with the folders of template1 and postgres. Safe to
 * call on every start; existing data is left as it is (`superuser` then
 * has no effect). */
Status InitStorage(const std::filesystem::path& data_dir, std::string_view superuser = {});

}  // namespace minipg::storage
