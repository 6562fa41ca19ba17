/*-------------------------------------------------------------------------
 * stepping.h
 *   The scenario language's live-stepping keywords (docs/scenarios.md,
 *   "Stepping a query"), kept apart from the rest of the parser:
 *
 *     step alice attach node              minipg_step_attach(alice's pid, 'node')
 *     step alice next 3                   minipg_step_next(alice's pid, 3)
 *     step alice detach                   minipg_step_detach(alice's pid)
 *     expect alice stopped at first row Seq Scan on accounts
 *
 *   The parser (parser.cpp) calls these with a line's words; the runner
 *   (runner_step.cpp) runs the steps through a connection of its own, as
 *   a teacher's second psql would (docs/stepping.md).
 *
 * NOTES
 *   Errors carry only the message; the parser adds "FILE:LINE: ".
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string>
#include <vector>

#include "sim/scenario/scenario.h"

namespace minipg::sim {

/* The step points' names, as minipg_step_state.stage gives them. */
const std::vector<std::string>& StepPointNames();

/* "step NAME attach [stage|node|row|page]", "step NAME next [N]",
 * "step NAME detach": `w` is the whole line's words; the caller checks
 * that w[1] is a declared client (a single one, not a group). */
Result<Step> ParseStepLine(const std::vector<std::string>& w);

/* The condition after "NAME stopped" (w[at] is "stopped"): nothing, or
 * "at POINT [NODE]", NODE being how the node's title begins, quoted or
 * not. Fills c.kind, c.text (the point) and c.node. */
Status ParseStoppedCondition(const std::vector<std::string>& w, size_t at, Condition& c);

}  // namespace minipg::sim
