/*-------------------------------------------------------------------------
 * theme.h
 *   The visualizer's look: fonts, the colour of each process state and
 *   event type, and the legend that explains them. Chosen for a classroom
 *   projector: a light background, large text, saturated fills with dark
 *   text, red kept for crashes only.
 *
 *   A process is drawn in one DisplayState, derived from the model:
 *   its role (postmaster, collector), its session state (backends), or
 *   its end (exited cleanly / crashed).
 *-------------------------------------------------------------------------
 */
#pragma once

#include "viz/ui/text_fit.h"

#include <string>
#include <string_view>

#include <imgui.h>

#include "viz/model/model.h"
#include "viz/model/spans.h"
#include "viz/ui/view_state.h"

namespace minipg::viz::ui {

/* Fonts loaded by the app; nullptr means ImGui's default font. */
struct Fonts {
  ImFont* body = nullptr;   // most text
  ImFont* bold = nullptr;   // box titles, headings
  ImFont* mono = nullptr;   // queries, the event log
  ImFont* title = nullptr;  // the header's title
};

enum class DisplayState {
  kPostmaster,                // the server's parent process
  kCollector,                 // an auxiliary process: the event collector, the checkpointer
  kOtherProcess,              // a role we do not know
  kStarting,                  // backend reading the startup packet
  kAuthenticating,            // backend authenticating the client
  kIdle,                      // session waiting for a query
  kActive,                    // session running a query
  kWaiting,                   // running a query, but waiting for a lock another process holds
  kIdleInTransaction,         // inside BEGIN ... waiting
  kIdleInTransactionAborted,  // inside a failed transaction, waiting
  kTerminating,               // session ending (or disconnected, not yet reaped)
  kUnknownState,              // a backend in a state we do not know
  kExited,                    // reaped, clean exit
  kCrashed,                   // reaped after a signal or a non-zero exit code
  kCount_,                    // not a state: the number of states
};

DisplayState DisplayStateOf(const Process& p);
/* Fill colour of a process box / state badge. */
ImU32 StateFill(DisplayState s);
/* Text colour readable on StateFill(s). */
ImU32 StateText(DisplayState s);
std::string_view StateLabel(DisplayState s);
/* What a process box says for its state line: "idle", "exited (code 0)". */
std::string StateLine(const Process& p);
/* The same, abbreviated for narrow places ("idle in txn"). */
std::string ShortStateLine(const Process& p);

/* Timeline colours: a span's fill and the text readable on it (failed
 * queries, authentications and crashed processes are red), an arrow's
 * colour by what it means, a marker's colour. */
ImU32 SpanFill(const Span& s);
ImU32 SpanText(const Span& s);
ImU32 FlowColor(FlowKind kind);
ImU32 InstantColor(InstantKind kind);

/* Colour of an event type's name in the log, by the subsystem it belongs to. */
ImVec4 EventTypeColor(size_t type_slot);
/* The server's "now" on its event clock: the newest event (or where
 * playback stands); while following a live server, the wall clock mapped
 * through hello's wall_us, so a long stage's time grows between events and
 * a buffer's flash fades. The wall clock is believed only within 30 s of
 * the newest event: a replayed file is (almost always) older than that,
 * and a live server quieter than that is shown as of its last event. */
int64_t NowTs(const Model& model, const ViewState& view);
/* A buffer cell's colour (shared memory view, legend). */
ImU32 BufferFill(BufferShown s);

/* The colour legend: one swatch per state, wrapping to the available width. */
void DrawLegend();
/* Its width on one line (call inside a frame). */
float LegendWidth();
/* How many lines DrawLegend() takes when it starts a line `avail_width` wide. */
int LegendLineCount(float avail_width);
/* A small filled badge with text, inline. */
void StateBadge(DisplayState s, std::string_view text);

/* ImDrawList has no dashed lines: draws one as segments `dash` long, `dash` apart. */
void DashedLine(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 col, float thickness, float dash);

/* Text cut off at a rectangle's edges, glyph by glyph on the CPU. Unlike
 * PushClipRect it starts no new draw command: each command is a draw call,
 * and the software renderer pays for each (a thousand boxes each pushing
 * their own clip rectangle was a visible share of a frame). `font` null
 * and `size` 0 mean the current font and its size. */
void ClippedText(ImDrawList* dl, const ImFont* font, float size, ImVec2 pos, ImU32 col, std::string_view text,
                 ImVec2 clip_min, ImVec2 clip_max);

/* Applies the light, large-spaced style. */
void ApplyStyle();

/* Shortens text to at most `max_chars` characters, adding "..." */
std::string Ellipsize(std::string_view text, size_t max_chars);
/* EllipsizeMiddle (text_fit.h) to what fits in `width` pixels in the current font. */
std::string FitMiddle(std::string_view text, float width);

/* Relative time in seconds since the first event, "12.345678". */
std::string FormatRelTs(int64_t ts, int64_t first_ts);

}  // namespace minipg::viz::ui
