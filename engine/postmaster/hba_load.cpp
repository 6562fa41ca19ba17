/*-------------------------------------------------------------------------
 * hba_load.cpp
 *   Loading pg_hba.conf in the postmaster (see hba_load.h).
 *-------------------------------------------------------------------------
 */
#include "engine/postmaster/hba_load.h"

#include <fmt/format.h>

#include <filesystem>

#include "engine/postmaster/server_log.h"
#include "engine/trace/emitter.h"

namespace minipg {

bool LoadHbaRules(const Config& config, std::vector<auth::HbaLine>& rules, bool reload) {
  std::filesystem::path path = std::filesystem::absolute(config.data_directory / kHbaFileName);
  auth::HbaFile file = auth::LoadHbaFile(path);
  for (const auth::HbaProblem& w : file.warnings) {
    LogLine("LOG", w.message);
    LogLine("CONTEXT",
            fmt::format("line {} of configuration file \"{}\"", w.line_number, path.string()));
  }
  for (const auth::HbaProblem& e : file.errors) {
    LogLine("LOG", e.message);
    if (e.line_number > 0) {
      LogLine("CONTEXT",
              fmt::format("line {} of configuration file \"{}\"", e.line_number, path.string()));
    }
  }
  bool ok = file.errors.empty();
  if (ok) rules = std::move(file.lines);
  if (reload) {
    if (!ok) LogLine("LOG", "pg_hba.conf was not reloaded");
    trace::Event(trace::EventType::kHbaReload)
        .Bool("ok", ok)
        .Int("lines", static_cast<int64_t>(rules.size()))
        .Str("error",
             ok ? std::string()
                : fmt::format("line {}: {}", file.errors[0].line_number, file.errors[0].message))
        .Emit();
  }
  return ok;
}

}  // namespace minipg
