/*-------------------------------------------------------------------------
 * postmaster.h
 *   The postmaster: the one process that listens, forks a backend for
 *   every connection, reaps children and runs shutdown.
 *
 *   Its states, changed only by SetPmState() (which logs and emits):
 *
 *     kRun --[a backend crashed: HandleChildCrash]--> kCrashRecovery
 *     kCrashRecovery --[all backends gone: MaybeFinishCrashRecovery]--> kRun
 *                    (or --> kStopImmediate when restart_after_crash is off)
 *     kRun --[SIGTERM: ProcessShutdownRequest]--> kStopSmart
 *     kRun / kStopSmart --[SIGINT: ProcessShutdownRequest]--> kStopFast
 *     any --[SIGQUIT: ProcessShutdownRequest]--> kStopImmediate
 *     kStopSmart / kStopFast --[last backend reaped: MaybeFinishShutdown]--> kShutdownCheckpoint
 *                               (SIGUSR2 to the checkpointer; straight to kExit if there is none)
 *     kShutdownCheckpoint --[checkpointer exited: MaybeFinishShutdown]--> kExit
 *     kStopImmediate --[children gone, or 5 s then SIGKILL: MaybeFinishShutdown]--> kExit
 *-------------------------------------------------------------------------
 */
#pragma once

#include "engine/postmaster/config.h"

namespace minipg {

/* Runs a server with `config` until it shuts down; returns the exit code
 * (0, or 1 when it stopped because restart_after_crash is off). */
int PostmasterMain(const Config& config);

}  // namespace minipg
