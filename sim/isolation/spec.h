/*-------------------------------------------------------------------------
 * spec.h
 *   The isolation test format: PostgreSQL's isolationtester spec files
 *   (src/test/isolation/README there), read by minipg-isolation
 *   (docs/testing.md, "Isolation tests"):
 *
 *     setup { CREATE TABLE t (id int); }      # any number, run in order
 *     teardown { DROP TABLE t; }              # at most one
 *     session s1                              # one connection each
 *     setup { BEGIN; }                        # optional
 *     step s1a { INSERT INTO t VALUES (1); }  # one or more
 *     teardown { COMMIT; }                    # optional
 *     permutation s1a s2a s1c s2c(s1c)        # none: every interleaving
 *
 *   Names are identifiers or "quoted strings"; `#` starts a comment. An
 *   SQL block keeps its text between the braces less the blanks right
 *   inside them (nested braces, as in '{1,2}', stay in it). A permutation
 *   step may carry blockers in parentheses: `(*)` reports it as waiting
 *   once even if it finished at once, `(s1a)` while step s1a has not
 *   completed, `(s1a notices 2)` until s1a's session sent two more notices.
 *
 *   This library reads and checks the format and normalizes what servers
 *   print (normalize.h); it needs no server and no libpq.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minipg::sim::isolation {

struct Step {
  std::string name;
  std::string sql;
};

struct Session {
  std::string name;
  std::optional<std::string> setup_sql;
  std::vector<Step> steps;
  std::optional<std::string> teardown_sql;
};

enum class BlockerKind {
  kOnce,       // (*): report "<waiting ...>" once, whatever happens
  kOtherStep,  // (s1a): not complete while step s1a is still running
  kNotices,    // (s1a notices N): not complete until s1a's session sent N more notices
};

struct Blocker {
  BlockerKind kind = BlockerKind::kOnce;
  std::string step;  // kOtherStep, kNotices
  int notices = 0;   // kNotices
};

struct PermutationStep {
  std::string name;
  std::vector<Blocker> blockers;
};

using Permutation = std::vector<PermutationStep>;

struct TestSpec {
  std::vector<std::string> setup_sqls;
  std::optional<std::string> teardown_sql;
  std::vector<Session> sessions;
  std::vector<Permutation> permutations;  // empty: every interleaving (AllPermutations)
};

/* Where a step is: its session and its place in that session. */
struct StepRef {
  size_t session = 0;
  size_t index = 0;
};

struct SpecParse {
  TestSpec spec;
  std::string error;  // empty when the text is a valid spec: "... at line N"
  bool ok() const { return error.empty(); }
};

/* Reads a spec and checks it: unique step names, permutations naming
 * existing steps, blockers naming existing steps. */
SpecParse ParseSpec(std::string_view text);

/* The step called `name`, if any. */
std::optional<StepRef> FindStep(const TestSpec& spec, std::string_view name);

/* The steps no permutation names (none when the spec has no permutations):
 * isolationtester warns about them. */
std::vector<std::string> UnusedSteps(const TestSpec& spec);

/* Every interleaving of the sessions' steps, each session's in order, as
 * isolationtester runs a spec without permutations. */
std::vector<Permutation> AllPermutations(const TestSpec& spec);

}  // namespace minipg::sim::isolation
