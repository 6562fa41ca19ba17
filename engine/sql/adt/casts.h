/*-------------------------------------------------------------------------
 * casts.h
 *   The casts between built-in types, as PostgreSQL 15's pg_cast lists
 *   them (source, target, context), and the conversions themselves.
 *
 *   types.h's CanCast and CastValue answer from here; the builtins registry
 *   turns the same list into its CastInfo entries, so the analyzer, the
 *   executor and pg_cast agree.
 *
 * NOTES
 *   Casts not in the list go through text (PostgreSQL's automatic I/O
 *   conversion casts): to a string type on assignment, from a string type
 *   only when written.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <span>

#include "engine/common/error.h"
#include "engine/sql/session.h"
#include "engine/storage/datum.h"

namespace minipg::sql::adt {

struct CastRule {
  TypeId source;
  TypeId target;
  char context;  // pg_cast.castcontext: 'i' implicit, 'a' assignment, 'e' explicit
};

std::span<const CastRule> CastRules();
/* The rule from source to target, or nullptr. */
const CastRule* FindCastRule(TypeId source, TypeId target);
/* text, varchar, bpchar, name: the types I/O conversion casts reach on assignment. */
bool IsStringType(TypeId t);

/* Converts a non-NULL value (no type modifier applied). */
Result<storage::Datum> ConvertValue(const storage::Datum& value, TypeId from, TypeId to);

}  // namespace minipg::sql::adt
