/*-------------------------------------------------------------------------
 * transaction_view.h
 *   Drawing what the model knows of transactions and locks
 *   (viz/model/transactions.h), for the panels that show processes:
 *     - the wait-for graph over the process boxes: an arrow from each
 *       waiting backend to each backend blocking it, labelled with the
 *       lock ("ShareLock on transaction 745"), in the brown of waiting,
 *       the labels laid out so that none covers another or a box
 *       (wait_layout.h); a cycle of waits, a deadlock, in the warning
 *       colour with its boxes outlined and a banner: from the moment the
 *       cycle closes (the waiters sleep until deadlock_timeout) saying
 *       that the detector will break it, and from the detector's deadlock
 *       event until the victim's error naming the victim;
 *     - a backend's transaction in its details: xid, subtransactions,
 *       snapshot (xmin:xmax:xip) and isolation level, the lock it waits
 *       for, the locks it holds;
 *     - one line for a box ("xid 745 · 745:747:745,746").
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <imgui.h>

#include "viz/model/model.h"
#include "viz/ui/theme.h"
#include "viz/ui/wait_layout.h"

namespace minipg::viz::ui {

/* Colours of the wait-for graph (the screenshot tests look for them). */
inline constexpr ImU32 kWaitArrow = IM_COL32(121, 85, 72, 255);     // as the "waiting" state
inline constexpr ImU32 kDeadlockArrow = IM_COL32(230, 81, 0, 255);  // warning orange, not crash red

/* Where a process box was drawn this frame (screen coordinates). */
struct BoxRect {
  ImVec2 min;
  ImVec2 max;
};

/* A label of the wait-for graph as drawn (for a headless run's transcript). */
struct DrawnWaitLabel {
  int64_t waiter = 0;
  int64_t holder = 0;
  std::string text;
  Rect rect;
};

/* The arrows waiter -> holder between the live boxes drawn this frame
 * (edges whose ends are not drawn are skipped), a deadlock's outlines and
 * banner. Labels keep clear of `obstacles` (every box drawn, and whatever
 * else must stay readable) and inside `bounds`; the banner goes at
 * `banner_at`, or lower, under the lowest label. Returns the labels drawn. */
std::vector<DrawnWaitLabel> DrawWaitForGraph(ImDrawList* dl, const Model& model,
                                             const std::unordered_map<int64_t, BoxRect>& boxes,
                                             const std::vector<Rect>& obstacles, const Rect& bounds, float scale,
                                             ImVec2 banner_at);

/* A box's line about the backend's transaction, or "" when it has none. */
std::string TransactionLine(const Model& model, int64_t pid);

/* The backend's transaction and locks as label/value rows (tooltips, the
 * Query view), `label_w` wide labels; nothing when nothing is known.
 * `wrap`: values wrap at the window's edge (a window of fixed width). */
void DrawTransactionDetails(const Model& model, int64_t pid, float label_w, bool wrap = false);

}  // namespace minipg::viz::ui
