/*-------------------------------------------------------------------------
 * scenario_fuzz.cpp
 *   Fuzz target: the scenario language's parser (sim/scenario/parser.cpp).
 *   Lessons are files a teacher may take from anywhere; a malformed one
 *   must be an error naming its line, never a crash or an exception.
 *-------------------------------------------------------------------------
 */
#include <string_view>

#include "sim/scenario/scenario.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)minipg::sim::ParseScenario(text, "fuzz.scn");
  return 0;
}
