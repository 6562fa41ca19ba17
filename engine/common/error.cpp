/*-------------------------------------------------------------------------
 * error.cpp
 *   Names of error severities as they appear on the wire and in the log.
 *-------------------------------------------------------------------------
 */
#include "engine/common/error.h"

namespace minipg {

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kError:
      return "ERROR";
    case Severity::kFatal:
      return "FATAL";
    case Severity::kPanic:
      return "PANIC";
    case Severity::kWarning:
      return "WARNING";
    case Severity::kNotice:
      return "NOTICE";
    case Severity::kInfo:
      return "INFO";
  }
  return "ERROR";
}

}  // namespace minipg
