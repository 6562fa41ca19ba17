/*-------------------------------------------------------------------------
 * parse_special_func.cpp
 *   The SQL standard's function calls with keywords between their
 *   arguments, rewritten to the ordinary calls PostgreSQL's grammar makes
 *   of them:
 *
 *     extract(field FROM x)            -> extract('field', x)
 *     substring(s FROM a [FOR b])      -> substring(s, a [, b])
 *     substring(s FOR b)               -> substring(s, 1, b)
 *     position(a IN b)                 -> position(b, a)
 *     trim([BOTH|LEADING|TRAILING] [chars] FROM s)
 *                                      -> btrim / ltrim / rtrim(s [, chars])
 *
 *   Called at a function name followed by "(": nullopt for other names;
 *   position(b, a) and substring(s, 2) are parsed here as ordinary calls.
 *-------------------------------------------------------------------------
 */
#include <algorithm>

#include "engine/sql/parser_impl.h"

namespace minipg::sql::parser_internal {

std::optional<Result<RawExprPtr>> Parser::ParseSpecialFunction(const std::string& name, int location) {
  // pos_ is at the "(" after the name.
  RawExprPtr call = NewExpr(RawExprKind::kFuncCall, location);
  call->text = name;
  auto arg = [&](Result<RawExprPtr> parsed) -> Status {
    if (!parsed.ok()) return parsed.error();
    call->args.push_back(std::move(*parsed));
    return OkStatus();
  };
  auto close = [&]() -> std::optional<Result<RawExprPtr>> {
    if (Status s = ExpectPunct(")"); !s.ok()) return Result<RawExprPtr>(s.error());
    return Result<RawExprPtr>(std::move(call));
  };
  auto fail = [](const Status& s) { return std::optional<Result<RawExprPtr>>(Result<RawExprPtr>(s.error())); };

  if (name == "extract" && Peek(1).kind != TokenKind::kPunct && IsKeyword("from", 2)) {
    ++pos_;
    std::string field = Peek().text;
    std::transform(field.begin(), field.end(), field.begin(), ::tolower);
    RawExprPtr field_arg = NewExpr(RawExprKind::kStringLiteral, Peek().position);
    field_arg->text = std::move(field);
    call->args.push_back(std::move(field_arg));
    pos_ += 2;  // the field and FROM
    if (Status s = arg(ParseExpr()); !s.ok()) return fail(s);
    return close();
  }
  if (name == "position" || name == "substring") {
    // The first argument is parsed once (a string literal's text is taken
    // from its token, so the parser never goes back over it); without the
    // keyword the call goes on as an ordinary one.
    ++pos_;
    auto first = name == "position" ? ParseConcat() : ParseExpr();  // position's is a b_expr: IN is the keyword
    if (!first.ok()) return Result<RawExprPtr>(first.error());
    if (name == "position" && AcceptKeyword("in")) {
      if (Status s = arg(ParseConcat()); !s.ok()) return fail(s);
      call->args.push_back(std::move(*first));
      return close();
    }
    call->args.push_back(std::move(*first));
    if (name == "substring" && (IsKeyword("from") || IsKeyword("for"))) {
      if (AcceptKeyword("from")) {
        if (Status s = arg(ParseExpr()); !s.ok()) return fail(s);
      } else {
        RawExprPtr one = NewExpr(RawExprKind::kIntLiteral, Peek().position);
        one->text = "1";
        call->args.push_back(std::move(one));
      }
      if (AcceptKeyword("for")) {
        if (Status s = arg(ParseExpr()); !s.ok()) return fail(s);
      }
      return close();
    }
    while (AcceptPunct(",")) {
      if (Status s = arg(ParseExpr()); !s.ok()) return fail(s);
    }
    return close();
  }
  if (name == "trim") {
    ++pos_;
    call->text = AcceptKeyword("leading") ? "ltrim" : AcceptKeyword("trailing") ? "rtrim" : "btrim";
    AcceptKeyword("both");
    RawExprPtr chars;
    if (!AcceptKeyword("from")) {
      auto first = ParseExpr();
      if (!first.ok()) return Result<RawExprPtr>(first.error());
      if (AcceptKeyword("from")) {
        chars = std::move(*first);
      } else {
        call->args.push_back(std::move(*first));  // trim(s) / trim(s, chars)
      }
    }
    if (call->args.empty() || AcceptPunct(",")) {
      if (Status s = arg(ParseExpr()); !s.ok()) return fail(s);
    }
    if (chars) call->args.push_back(std::move(chars));
    return close();
  }
  return std::nullopt;
}

}  // namespace minipg::sql::parser_internal
