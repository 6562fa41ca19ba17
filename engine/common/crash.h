/*-------------------------------------------------------------------------
 * crash.h
 *   A deliberate crash, for teaching: SELECT minipg_crash() ends its own
 *   backend with SIGSEGV so students can watch the postmaster's crash
 *   cycle (terminate every other backend, reinitialize, accept again)
 *   without shell access.
 *-------------------------------------------------------------------------
 */
#pragma once

namespace minipg {

/* Kills this process with SIGSEGV, bypassing any handler (a sanitizer's too). */
[[noreturn]] void CrashThisProcess();

}  // namespace minipg
