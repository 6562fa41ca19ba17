/*-------------------------------------------------------------------------
 * parse_over.cpp
 *   The grammar of windows (PostgreSQL's gram.y over_clause / window_clause):
 *
 *     f(...) OVER name
 *     f(...) OVER ([name] [PARTITION BY e, ...] [ORDER BY k, ...] [frame])
 *     SELECT ... WINDOW name AS (spec) [, name AS (spec) ...]
 *     frame:  {RANGE | ROWS | GROUPS} {start | BETWEEN start AND end}
 *             [EXCLUDE {CURRENT ROW | GROUP | TIES | NO OTHERS}]
 *     start, end:  UNBOUNDED {PRECEDING | FOLLOWING} | CURRENT ROW
 *                  | e {PRECEDING | FOLLOWING}
 *
 *   The frame's shape errors PostgreSQL's grammar raises (42P20: "frame
 *   start cannot be UNBOUNDED FOLLOWING", ...) are raised here too; names
 *   are resolved by the analyzer (parser/parse_window.cpp).
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/sql/parser_impl.h"

namespace minipg::sql::parser_internal {

namespace {

Error WindowError(std::string message, int position) {
  Error err = MakeError(sqlstate::kWindowingError, std::move(message));
  err.position = position;
  return err;
}

}  // namespace

Status Parser::ParseOver(RawExpr& call) {
  auto def = std::make_shared<WindowDef>();
  def->location = Peek().position;
  if (!IsPunct("(")) {
    auto name = ParseName();
    if (!name.ok()) return name.error();
    def->refname = *name;
    def->bare_ref = true;
  } else if (Status s = ParseWindowSpec(*def); !s.ok()) {
    return s;
  }
  call.over = std::move(def);
  return OkStatus();
}

Status Parser::ParseWindowClause(std::vector<WindowDef>& windows) {
  do {
    WindowDef def;
    auto name = ParseName();
    if (!name.ok()) return name.error();
    def.name = *name;
    if (Status s = ExpectKeyword("as"); !s.ok()) return s;
    def.location = Peek().position;  // the window's "(", as PostgreSQL places its errors
    if (Status s = ParseWindowSpec(def); !s.ok()) return s;
    windows.push_back(std::move(def));
  } while (AcceptPunct(","));
  return OkStatus();
}

Status Parser::ParseWindowSpec(WindowDef& def) {
  if (Status s = ExpectPunct("("); !s.ok()) return s;
  bool keyword_next = IsKeyword("partition") || IsKeyword("order") || IsKeyword("range") || IsKeyword("rows") ||
                      IsKeyword("groups");
  if (Peek().kind == TokenKind::kIdent && !keyword_next) {
    auto name = ParseName();
    if (!name.ok()) return name.error();
    def.refname = *name;
  }
  if (IsKeyword("partition") && IsKeyword("by", 1)) {
    pos_ += 2;
    do {
      auto e = ParseExpr();
      if (!e.ok()) return e.error();
      def.partition_by.push_back(std::move(*e));
    } while (AcceptPunct(","));
  }
  if (AcceptKeyword("order")) {
    if (Status s = ParseOrderBy(def.order_by); !s.ok()) return s;
  }
  if (AcceptKeyword("range") || AcceptKeyword("rows") || AcceptKeyword("groups")) {
    const std::string& word = tokens_[pos_ - 1].text;
    def.has_frame = true;
    def.mode = word == "rows" ? FrameMode::kRows : word == "groups" ? FrameMode::kGroups : FrameMode::kRange;
    if (AcceptKeyword("between")) {
      if (Status s = ParseFrameBound(def, true); !s.ok()) return s;
      if (Status s = ExpectKeyword("and"); !s.ok()) return s;
      if (Status s = ParseFrameBound(def, false); !s.ok()) return s;
    } else {
      if (Status s = ParseFrameBound(def, true); !s.ok()) return s;
      def.end = FrameBound::kCurrentRow;
      def.end_location = def.start_location;
    }
    if (AcceptKeyword("exclude")) {
      if (AcceptKeyword("current")) {
        if (Status s = ExpectKeyword("row"); !s.ok()) return s;
        def.exclude = FrameExclude::kCurrentRow;
      } else if (AcceptKeyword("group")) {
        def.exclude = FrameExclude::kGroup;
      } else if (AcceptKeyword("ties")) {
        def.exclude = FrameExclude::kTies;
      } else if (AcceptKeyword("no")) {
        if (Status s = ExpectKeyword("others"); !s.ok()) return s;
      } else {
        return SyntaxError();
      }
    }
    // The shapes PostgreSQL's grammar refuses (gram.y's frame_extent).
    if (def.start == FrameBound::kUnboundedFollowing) {
      return WindowError("frame start cannot be UNBOUNDED FOLLOWING", def.start_location);
    }
    if (def.end == FrameBound::kUnboundedPreceding) {
      return WindowError("frame end cannot be UNBOUNDED PRECEDING", def.end_location);
    }
    if (def.start == FrameBound::kCurrentRow && def.end == FrameBound::kOffsetPreceding) {
      return WindowError("frame starting from current row cannot have preceding rows", def.end_location);
    }
    if (def.start == FrameBound::kOffsetFollowing &&
        (def.end == FrameBound::kOffsetPreceding || def.end == FrameBound::kCurrentRow)) {
      return WindowError("frame starting from following row cannot have preceding rows", def.end_location);
    }
  }
  return ExpectPunct(")");
}

Status Parser::ParseFrameBound(WindowDef& def, bool start) {
  int location = Peek().position;
  FrameBound bound = FrameBound::kCurrentRow;
  RawExprPtr offset;
  if (IsKeyword("unbounded") && (IsKeyword("preceding", 1) || IsKeyword("following", 1))) {
    ++pos_;
    bound = AcceptKeyword("preceding") ? FrameBound::kUnboundedPreceding : FrameBound::kUnboundedFollowing;
    if (bound == FrameBound::kUnboundedFollowing) ++pos_;
  } else if (IsKeyword("current") && IsKeyword("row", 1)) {
    pos_ += 2;
  } else {
    auto e = ParseExpr();
    if (!e.ok()) return e.error();
    offset = std::move(*e);
    if (AcceptKeyword("preceding")) {
      bound = FrameBound::kOffsetPreceding;
    } else if (AcceptKeyword("following")) {
      bound = FrameBound::kOffsetFollowing;
    } else {
      return SyntaxError();
    }
  }
  (start ? def.start : def.end) = bound;
  (start ? def.start_offset : def.end_offset) = std::move(offset);
  (start ? def.start_location : def.end_location) = location;
  return OkStatus();
}

}  // namespace minipg::sql::parser_internal
