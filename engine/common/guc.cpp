/*-------------------------------------------------------------------------
 * guc.cpp
 *   Parsing and showing setting values, and a process's Settings (see
 *   guc.h). Values with units follow PostgreSQL 15's parse_int and
 *   convert_to_base_unit: an integer in any C base or a decimal fraction,
 *   then an optional unit (case matters), converted to the base unit and
 *   rounded.
 *-------------------------------------------------------------------------
 */
#include "engine/common/guc.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "engine/common/sqlstate.h"
#include "engine/common/stack_depth.h"

namespace minipg::guc {
namespace {

/* a < b, ignoring ASCII case, without a copy: Find() runs for every
 * setting a statement reads. */
bool LessNoCase(std::string_view a, std::string_view b) {
  auto fold = [](char c) { return static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c); };
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [&](char x, char y) { return fold(x) < fold(y); });
}

bool SettingLessNoCase(const Setting& a, const Setting& b) { return LessNoCase(a.name, b.name); }

Error InvalidValue(std::string_view name, std::string_view text, std::string hint = "") {
  Error e = MakeError(sqlstate::kInvalidParameterValue,
                      fmt::format("invalid value for parameter \"{}\": \"{}\"", name, text));
  e.hint = std::move(hint);
  return e;
}

/* A unit's size, largest first within its family (memory, then time). */
struct UnitSize {
  const char* name;
  double size;  // bytes, or milliseconds
};
constexpr UnitSize kMemoryUnits[] = {
    {"TB", 1024.0 * 1024 * 1024 * 1024}, {"GB", 1024.0 * 1024 * 1024}, {"MB", 1024.0 * 1024}, {"kB", 1024},
    {"B", 1}};
constexpr UnitSize kTimeUnits[] = {{"d", 86400000}, {"h", 3600000}, {"min", 60000}, {"s", 1000}, {"ms", 1},
                                   {"us", 0.001}};
constexpr const char* kMemoryHint = "Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\".";
constexpr const char* kTimeHint =
    "Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\".";

bool IsMemory(Unit u) {
  return u == Unit::kBytes || u == Unit::kKb || u == Unit::kMb || u == Unit::kBlocks || u == Unit::kWalBlocks;
}

/* The size of one base unit, in bytes or milliseconds. */
double BaseSize(Unit u) {
  switch (u) {
    case Unit::kBytes: return 1;
    case Unit::kKb: return 1024;
    case Unit::kMb: return 1024.0 * 1024;
    case Unit::kBlocks:
    case Unit::kWalBlocks: return 8192;
    case Unit::kMs: return 1;
    case Unit::kS: return 1000;
    case Unit::kMin: return 60000;
    case Unit::kNone: break;
  }
  return 1;
}

std::pair<const UnitSize*, size_t> Family(Unit u) {
  if (IsMemory(u)) return {kMemoryUnits, std::size(kMemoryUnits)};
  return {kTimeUnits, std::size(kTimeUnits)};
}

/* `value` followed by unit text `unit` in base units, or nullopt for a
 * unit that is not one of the family's (as convert_to_base_unit). */
std::optional<double> ToBaseUnit(double value, std::string_view unit, Unit base) {
  size_t len = 0;
  while (len < unit.size() && !std::isspace(static_cast<unsigned char>(unit[len])) && len < 3) ++len;
  std::string_view name = unit.substr(0, len);
  for (char c : unit.substr(len)) {
    if (!std::isspace(static_cast<unsigned char>(c))) return std::nullopt;  // too long, or garbage after it
  }
  auto [units, n] = Family(base);
  for (size_t i = 0; i < n; ++i) {
    if (name != units[i].name) continue;
    double multiplier = units[i].size / BaseSize(base);
    double converted = value * multiplier;
    // A fraction ("1.5GB") is rounded to a whole number of the next smaller unit.
    if (i + 1 < n) {
      double next = units[i + 1].size / BaseSize(base);
      converted = std::rint(converted / next) * next;
    }
    return converted;
  }
  return std::nullopt;
}

std::string FormatReal(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

/* As PostgreSQL's parse_bool: true, false, yes, no, on, off, 1, 0, or a
 * unique prefix of one, in any case. */
std::optional<bool> ParseBool(std::string_view text) {
  std::string t = FoldCase(text);
  auto prefix_of = [&](std::string_view word, size_t min_len) {
    return t.size() >= min_len && t.size() <= word.size() && word.substr(0, t.size()) == t;
  };
  if (prefix_of("true", 1) || prefix_of("yes", 1) || prefix_of("on", 2) || t == "1") return true;
  if (prefix_of("false", 1) || prefix_of("no", 1) || prefix_of("off", 2) || t == "0") return false;
  return std::nullopt;
}

/* The value's type and range, without the check hook. */
Result<std::string> ParseTyped(const Definition& def, std::string_view name, std::string_view text) {
  switch (def.type) {
    case VarType::kBool: {
      auto b = ParseBool(text);
      if (!b) {
        return MakeError(sqlstate::kInvalidParameterValue,
                         fmt::format("parameter \"{}\" requires a Boolean value", name));
      }
      return std::string(*b ? "on" : "off");
    }
    case VarType::kInteger: {
      auto v = ParseInteger(name, text, def.unit);
      if (!v.ok()) return v.error();
      if (*v < def.min || *v > def.max) {
        const char* unit = UnitName(def.unit);
        return MakeError(sqlstate::kInvalidParameterValue,
                         fmt::format("{}{}{} is outside the valid range for parameter \"{}\" ({} .. {})", *v,
                                     *unit ? " " : "", unit, name, static_cast<int64_t>(def.min),
                                     static_cast<int64_t>(def.max)));
      }
      return std::to_string(*v);
    }
    case VarType::kReal: {
      std::string t(text);
      char* end = nullptr;
      errno = 0;
      double v = std::strtod(t.c_str(), &end);
      if (end == t.c_str() || errno == ERANGE || std::isnan(v)) return InvalidValue(name, text);
      while (std::isspace(static_cast<unsigned char>(*end))) ++end;
      if (*end != '\0') return InvalidValue(name, text);  // no real setting has a unit yet
      if (v < def.min || v > def.max) {
        return MakeError(sqlstate::kInvalidParameterValue,
                         fmt::format("{} is outside the valid range for parameter \"{}\" ({} .. {})", FormatReal(v),
                                     name, FormatReal(def.min), FormatReal(def.max)));
      }
      return FormatReal(v);
    }
    case VarType::kEnum: {
      std::string t = FoldCase(text);
      std::vector<std::string> visible;
      for (const EnumOption& o : def.options) {
        if (FoldCase(o.name) == t) return std::string(o.means != nullptr ? o.means : o.name);
        if (o.means == nullptr) visible.emplace_back(o.name);
      }
      return InvalidValue(name, text, fmt::format("Available values: {}.", fmt::join(visible, ", ")));
    }
    case VarType::kString:
      break;
  }
  return std::string(text);
}

[[noreturn]] void Bug(std::string_view what, std::string_view name) {
  std::fprintf(stderr, "guc: %.*s \"%.*s\"\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(name.size()), name.data());
  std::abort();
}

Error CannotChange(std::string_view name, const char* when) {
  return MakeError(sqlstate::kCantChangeRuntimeParam, fmt::format("parameter \"{}\" cannot be changed{}", name, when));
}

Error Unrecognized(std::string_view name) {
  return MakeError(sqlstate::kUndefinedObject, fmt::format("unrecognized configuration parameter \"{}\"", name));
}

}  // namespace

std::string FoldCase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const char* VarTypeName(VarType t) {
  switch (t) {
    case VarType::kBool: return "bool";
    case VarType::kInteger: return "integer";
    case VarType::kReal: return "real";
    case VarType::kString: return "string";
    case VarType::kEnum: return "enum";
  }
  return "";
}

const char* UnitName(Unit u) {
  switch (u) {
    case Unit::kNone: return "";
    case Unit::kBytes: return "B";
    case Unit::kKb: return "kB";
    case Unit::kMb: return "MB";
    case Unit::kBlocks:
    case Unit::kWalBlocks: return "8kB";
    case Unit::kMs: return "ms";
    case Unit::kS: return "s";
    case Unit::kMin: return "min";
  }
  return "";
}

const char* ContextName(Context c) {
  switch (c) {
    case Context::kInternal: return "internal";
    case Context::kPostmaster: return "postmaster";
    case Context::kSighup: return "sighup";
    case Context::kSuperuser: return "superuser";
    case Context::kUser: return "user";
  }
  return "";
}

const char* SourceName(Source s) {
  switch (s) {
    case Source::kDefault: return "default";
    case Source::kConfigFile: return "configuration file";
    case Source::kCommandLine: return "command line";
    case Source::kClient: return "client";
    case Source::kSession: return "session";
    case Source::kOverride: return "override";
  }
  return "";
}

Result<int64_t> ParseInteger(std::string_view name, std::string_view text, Unit base) {
  std::string t(text);
  const char* begin = t.c_str();
  char* end = nullptr;
  errno = 0;
  double value = static_cast<double>(std::strtol(begin, &end, 0));
  if (*end == '.' || *end == 'e' || *end == 'E' || errno == ERANGE) {
    errno = 0;
    value = std::strtod(begin, &end);
  }
  if (end == begin || errno == ERANGE || std::isnan(value)) return InvalidValue(name, text);
  while (std::isspace(static_cast<unsigned char>(*end))) ++end;
  if (*end != '\0') {
    if (base == Unit::kNone) return InvalidValue(name, text);
    auto converted = ToBaseUnit(value, end, base);
    if (!converted) return InvalidValue(name, text, IsMemory(base) ? kMemoryHint : kTimeHint);
    value = *converted;
  }
  value = std::rint(value);
  if (value > INT_MAX || value < INT_MIN) return InvalidValue(name, text, "Value exceeds integer range.");
  return static_cast<int64_t>(value);
}

std::string FormatInteger(int64_t value, Unit base) {
  if (value <= 0 || base == Unit::kNone) return std::to_string(value);
  auto [units, n] = Family(base);
  for (size_t i = 0; i < n; ++i) {
    double multiplier = units[i].size / BaseSize(base);
    if (multiplier <= 1.0 || value % static_cast<int64_t>(multiplier) == 0) {
      return fmt::format("{}{}", static_cast<int64_t>(std::rint(value / multiplier)), units[i].name);
    }
  }
  return std::to_string(value);
}

Result<std::string> ParseValue(const Definition& def, std::string_view name, std::string_view text) {
  auto value = ParseTyped(def, name, text);
  if (value.ok() && def.check != nullptr) {
    if (Status s = def.check(name, *value); !s.ok()) return s.error();
  }
  return value;
}

std::string ShowValue(const Definition& def, const std::string& canonical) {
  if (def.type == VarType::kInteger) return FormatInteger(std::stoll(canonical), def.unit);
  return canonical;
}

Settings::Settings() {
  for (const Definition& def : Table()) {
    auto boot = ParseTyped(def, def.name, def.boot);
    if (!boot.ok()) Bug("boot value does not parse for", def.name);
    Setting s;
    s.def = &def;
    s.name = def.name;
    s.value = s.reset_value = s.boot_value = *boot;
    settings_.push_back(std::move(s));
  }
  std::sort(settings_.begin(), settings_.end(), SettingLessNoCase);
  ResolveServerDefaults();
}

const Setting* Settings::Find(std::string_view name) const {
  auto it = std::lower_bound(settings_.begin(), settings_.end(), name,
                             [](const Setting& s, std::string_view key) { return LessNoCase(s.name, key); });
  if (it == settings_.end() || LessNoCase(name, it->name)) return nullptr;
  return &*it;
}

Setting* Settings::FindMutable(std::string_view name) {
  return const_cast<Setting*>(static_cast<const Settings*>(this)->Find(name));
}

void Settings::Assign(Setting& s, std::string value) {
  if (s.def != nullptr && (s.def->flags & kReport) != 0 && s.value != value &&
      std::find(changed_reports_.begin(), changed_reports_.end(), s.name) == changed_reports_.end()) {
    changed_reports_.push_back(s.name);
  }
  s.value = std::move(value);
  if (s.def != nullptr && s.def->assign != nullptr) s.def->assign(s.value);
}

Status Settings::SetServer(std::string_view name, std::string_view value, Source source, std::string sourcefile,
                           int sourceline) {
  Setting* s = FindMutable(name);
  if (s == nullptr) {
    if (name.find('.') == std::string_view::npos) return Unrecognized(name);
    settings_.push_back(Setting{nullptr, FoldCase(name), "", "", "", Source::kDefault, Source::kDefault, "", 0});
    std::sort(settings_.begin(), settings_.end(), SettingLessNoCase);
    s = FindMutable(name);
  }
  std::string canonical(value);
  if (s->def != nullptr) {
    if (s->def->context == Context::kInternal) return CannotChange(name, "");
    auto parsed = ParseValue(*s->def, name, value);
    if (!parsed.ok()) return parsed.error();
    canonical = std::move(*parsed);
  }
  Assign(*s, canonical);
  s->reset_value = std::move(canonical);
  s->source = s->reset_source = source;
  s->sourcefile = std::move(sourcefile);
  s->sourceline = sourceline;
  return OkStatus();
}

Status Settings::Set(std::string_view name, const std::optional<std::string>& value, Source source, bool local) {
  Setting* s = FindMutable(name);
  if (s == nullptr) {
    if (name.find('.') == std::string_view::npos) return Unrecognized(name);
    if (local) return OkStatus();  // nothing to keep: the placeholder would vanish with the transaction
    settings_.push_back(Setting{nullptr, FoldCase(name), "", "", "", Source::kDefault, Source::kDefault, "", 0});
    std::sort(settings_.begin(), settings_.end(), SettingLessNoCase);
    s = FindMutable(name);
  }
  std::string canonical = s->reset_value;
  Source new_source = value ? source : s->reset_source;
  if (s->def != nullptr) {
    switch (s->def->context) {
      case Context::kInternal: return CannotChange(name, "");
      case Context::kPostmaster: return CannotChange(name, " without restarting the server");
      case Context::kSighup: return CannotChange(name, " now");
      case Context::kSuperuser:
        if (!Bool("is_superuser")) {
          return MakeError(sqlstate::kInsufficientPrivilege,
                           fmt::format("permission denied to set parameter \"{}\"", name));
        }
        break;
      case Context::kUser: break;
    }
    if (value) {
      auto parsed = ParseValue(*s->def, name, *value);
      if (!parsed.ok()) return parsed.error();
      canonical = std::move(*parsed);
    }
  } else if (value) {
    canonical = *value;
  }
  if (local) return OkStatus();
  Assign(*s, canonical);
  s->source = new_source;
  if (source == Source::kClient) {
    s->reset_value = std::move(canonical);
    s->reset_source = Source::kClient;
  }
  return OkStatus();
}

std::vector<std::string> Settings::Reload(const std::vector<FileValue>& lines, const std::string& file) {
  std::vector<std::string> log;
  // First check every line: a file with any error changes nothing.
  std::vector<std::string> values;
  for (const FileValue& l : lines) {
    const Definition* def = FindDefinition(l.name);
    Result<std::string> value = std::string(l.value);
    if (def == nullptr && l.name.find('.') == std::string::npos) {
      value = Unrecognized(l.name);
    } else if (def != nullptr && def->context == Context::kInternal) {
      value = CannotChange(l.name, "");
    } else if (def != nullptr) {
      value = ParseValue(*def, l.name, l.value);
    }
    if (!value.ok()) {
      log.push_back(fmt::format("{} in file \"{}\" line {}", value.error().message, file, l.line));
    }
    values.push_back(value.ok() ? *value : "");
  }
  if (!log.empty()) {
    log.push_back(fmt::format("configuration file \"{}\" contains errors; no changes were applied", file));
    return log;
  }
  auto in_file = [&](const std::string& name) {
    return std::any_of(lines.begin(), lines.end(), [&](const FileValue& l) { return FoldCase(l.name) == FoldCase(name); });
  };
  // Apply a value at the file's level: below the command line, the
  // client and SET, which keep theirs.
  auto apply = [&](Setting& s, const std::string& value, Source source, const std::string& sourcefile, int line) {
    if (s.reset_source > Source::kConfigFile) return;
    if (s.source <= Source::kConfigFile) {
      Assign(s, value);
      s.source = source;
    }
    s.reset_value = value;
    s.reset_source = source;
    s.sourcefile = sourcefile;
    s.sourceline = line;
  };
  for (Setting& s : settings_) {
    if (s.def == nullptr || s.reset_source != Source::kConfigFile || in_file(s.name)) continue;
    if (s.def->context == Context::kPostmaster) {
      s.pending_restart = s.reset_value != s.boot_value;
      if (s.pending_restart) log.push_back(fmt::format("parameter \"{}\" cannot be changed without restarting the server", s.name));
      continue;
    }
    apply(s, s.boot_value, Source::kDefault, "", 0);
    log.push_back(fmt::format("parameter \"{}\" removed from configuration file, reset to default", s.name));
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    Setting* s = FindMutable(lines[i].name);
    if (s == nullptr) {  // a new custom setting
      (void)SetServer(lines[i].name, values[i], Source::kConfigFile, file, lines[i].line);
      continue;
    }
    if (s->def != nullptr && s->def->context == Context::kPostmaster) {
      s->pending_restart = s->reset_source <= Source::kConfigFile && s->reset_value != values[i];
      if (s->pending_restart) {
        log.push_back(fmt::format("parameter \"{}\" cannot be changed without restarting the server", s->name));
      }
      continue;
    }
    bool changed = s->reset_source <= Source::kConfigFile && s->reset_value != values[i];
    apply(*s, values[i], Source::kConfigFile, file, lines[i].line);
    if (changed) log.push_back(fmt::format("parameter \"{}\" changed to \"{}\"", s->name, lines[i].value));
  }
  ResolveServerDefaults();
  return log;
}

void Settings::ResetAll() {
  for (Setting& s : settings_) {
    if (s.def == nullptr || s.def->context == Context::kUser || s.def->context == Context::kSuperuser) {
      Assign(s, s.reset_value);
      s.source = s.reset_source;
    }
  }
}

void Settings::Override(std::string_view name, std::string value) {
  Setting* s = FindMutable(name);
  if (s == nullptr) Bug("override of an unknown setting", name);
  Assign(*s, value);
  s->reset_value = std::move(value);
  s->source = s->reset_source = Source::kOverride;
}

void Settings::ResolveServerDefaults() {
  // A setting left at its default takes the value computed from the others
  // (pg_settings still shows the boot value and source "default").
  Setting* wal_buffers = FindMutable("wal_buffers");
  if (wal_buffers->value == "-1" || (wal_buffers->source == Source::kDefault && wal_buffers->boot_value == "-1")) {
    // As PostgreSQL's XLOGChooseNumBuffers: 1/32 of shared_buffers, at
    // least 8 pages (64kB), at most one segment's worth.
    int64_t pages = Int("shared_buffers") / 32;
    pages = std::min<int64_t>(pages, Int("wal_segment_size") / Int("wal_block_size"));
    pages = std::max<int64_t>(pages, 8);
    wal_buffers->value = wal_buffers->reset_value = std::to_string(pages);
  }
  Setting* depth = FindMutable("max_stack_depth");
  if (depth->source == Source::kDefault) {
    // As PostgreSQL's InitializeGUCOptions: 2MB, or less if the platform's
    // stack is smaller (an unknown limit: 2MB, the guard's own default).
    int64_t limit = MaxStackDepthLimitKb();
    // The guard starts at this default itself (stack_depth.h), so the
    // assign hook is not run: making a Settings never changes the guard.
    int64_t kb = limit > 100 ? std::min(limit, kDefaultMaxStackDepthKb) : kDefaultMaxStackDepthKb;
    depth->value = depth->reset_value = std::to_string(kb);
  }
}

Result<std::string> Settings::Show(std::string_view name) const {
  const Setting* s = Find(name);
  if (s == nullptr) return Unrecognized(name);
  return s->def != nullptr ? ShowValue(*s->def, s->value) : s->value;
}

const Setting& Settings::Get(std::string_view name, VarType type) const {
  const Setting* s = Find(name);
  if (s == nullptr || s->def == nullptr) Bug("no such setting", name);
  if (s->def->type != type) Bug("wrong type asked of setting", name);
  return *s;
}

int64_t Settings::Int(std::string_view name) const {
  return std::stoll(Get(name, VarType::kInteger).value);
}

bool Settings::Bool(std::string_view name) const {
  return Get(name, VarType::kBool).value == "on";
}

double Settings::Real(std::string_view name) const {
  return std::stod(Get(name, VarType::kReal).value);
}

const std::string& Settings::String(std::string_view name) const {
  const Setting* s = Find(name);
  if (s == nullptr) Bug("no such setting", name);
  if (s->def != nullptr && s->def->type != VarType::kString && s->def->type != VarType::kEnum) {
    Bug("wrong type asked of setting", name);
  }
  return s->value;
}

std::vector<std::pair<std::string, std::string>> Settings::TakeReportChanges() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& name : changed_reports_) {
    out.emplace_back(name, *Show(name));
  }
  changed_reports_.clear();
  return out;
}

}  // namespace minipg::guc
