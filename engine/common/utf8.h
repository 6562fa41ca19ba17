/*-------------------------------------------------------------------------
 * utf8.h
 *   Verifying that text from a client is UTF-8, the server encoding.
 *
 *   PostgreSQL checks every string that enters the server (pq_getmsgstring,
 *   Bind's text parameters, COPY FROM data) against the database encoding
 *   and refuses a bad one with ERROR 22021
 *     invalid byte sequence for encoding "UTF8": 0xe2 0x28 0xa1
 *   naming the bytes of the character that should have started there (as
 *   many as its first byte promises, at most what is left). minipg does the
 *   same at the same places, so nothing downstream (the SQL engine, the
 *   JSON event stream) ever sees invalid UTF-8 from a client.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "engine/common/error.h"

namespace minipg {

/* The length of the valid UTF-8 prefix of s (s.size() when all of it is valid). */
size_t ValidUtf8Prefix(std::string_view s);

/* OK, or ERROR 22021 naming the first bad byte sequence as PostgreSQL does. */
Status VerifyUtf8(std::string_view s);

/* The first `max_bytes` of s, or fewer so as not to end inside a UTF-8
 * character (s itself when it fits). */
std::string_view Utf8Prefix(std::string_view s, size_t max_bytes);

/* How long a value shown in a parse tree or a plan (for the event stream)
 * may be: a longer one is cut, so a 60 MB literal is not copied again
 * just to be shown. */
inline constexpr size_t kMaxShownValue = 1024;

/* s, or its Utf8Prefix of kMaxShownValue bytes followed by "...". */
std::string ShortenForDisplay(std::string_view s);

/* application_name as PostgreSQL 15 keeps it (pg_clean_ascii): every byte
 * that is not printable ASCII becomes '?', whether the name came in the
 * startup packet (which PostgreSQL does not check for UTF-8) or from SET. */
std::string CleanAscii(std::string_view s);

}  // namespace minipg
