/*-------------------------------------------------------------------------
 * output.cpp
 *   Printing rows, errors and notices as isolationtester does (output.h).
 *-------------------------------------------------------------------------
 */
#include "sim/isolation/output.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace minipg::sim::isolation {

std::string FormatRows(const PGresult* res, const std::vector<SessionPid>& pids) {
  // Normalized values in a copy, so that PQprint aligns what is shown.
  std::unique_ptr<PGresult, decltype(&PQclear)> copy(PQcopyResult(res, PG_COPYRES_ATTRS), &PQclear);
  for (int r = 0; r < PQntuples(res); ++r) {
    for (int c = 0; c < PQnfields(res); ++c) {
      if (PQgetisnull(res, r, c)) {
        PQsetvalue(copy.get(), r, c, nullptr, -1);
        continue;
      }
      std::string v = NormalizeCell(PQfname(res, c), PQgetvalue(res, r, c), pids);
      PQsetvalue(copy.get(), r, c, v.data(), static_cast<int>(v.size()));
    }
  }
  char* buf = nullptr;
  size_t len = 0;
  FILE* f = open_memstream(&buf, &len);
  if (f == nullptr) return "(out of memory printing a result)\n";
  PQprintOpt opt{};
  opt.header = 1;
  opt.align = 1;
  char sep[] = "|";
  opt.fieldSep = sep;
  PQprint(f, copy.get(), &opt);
  std::fclose(f);
  std::string out(buf, len);
  std::free(buf);
  return out;
}

std::string FormatError(std::string_view severity, std::string_view primary, std::string_view detail,
                        std::string_view hint, const std::vector<SessionPid>& pids) {
  std::string out = fmt::format("{}:  {}\n", severity, NormalizeMessage(primary, pids));
  if (!detail.empty()) out += fmt::format("DETAIL:  {}\n", NormalizeMessage(detail, pids));
  if (!hint.empty()) out += fmt::format("HINT:  {}\n", NormalizeMessage(hint, pids));
  return out;
}

std::string FormatNotice(std::string_view session, std::string_view message, const std::vector<SessionPid>& pids) {
  std::string text = NormalizeMessage(message, pids);
  std::string out = fmt::format("{}: ", session);
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string::npos ? text.size() : nl + 1;
    std::string_view line(text.data() + start, end - start);
    if (!IsTimingLine(line)) out += line;
    start = end;
  }
  return out;
}

}  // namespace minipg::sim::isolation
