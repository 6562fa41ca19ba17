/*-------------------------------------------------------------------------
 * runner_args.h
 *   What the file runners (minipg-slt, minipg-isolation) read from their
 *   command lines alike: `--target NAME=CONNINFO` and arguments that are
 *   files or folders holding them.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minipg::sim {

/* A server to run against: a name to report it by and a libpq connection string. */
struct Target {
  std::string name;
  std::string conninfo;
};

/* "NAME=CONNINFO", or nullopt when there is no '=' or no name. */
std::optional<Target> ParseTarget(std::string_view arg);

/* The arguments that are files, and in each folder argument the files below
 * it whose name ends in `extension` (".test"), sorted; in argument order. */
std::vector<std::filesystem::path> FilesFromArgs(const std::vector<std::string>& args, std::string_view extension);

/* A whole file's bytes, or nullopt if it cannot be read. */
std::optional<std::string> ReadWholeFile(const std::filesystem::path& path);

}  // namespace minipg::sim
