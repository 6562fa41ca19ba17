/*-------------------------------------------------------------------------
 * row_versions_panel.cpp
 *   The Row versions window (row_versions_panel.h): asking the server for
 *   a page's items through the viewer's own connection, and drawing each
 *   version with which backend's snapshot sees it.
 *-------------------------------------------------------------------------
 */
#include "viz/ui/row_versions_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

namespace minipg::viz::ui {
namespace {

const ImVec4 kSeenCol(0.11f, 0.50f, 0.20f, 1.0f);
const ImVec4 kHiddenCol(0.55f, 0.55f, 0.55f, 1.0f);
const ImVec4 kCommittedCol(0.11f, 0.45f, 0.20f, 1.0f);
const ImVec4 kAbortedCol(0.78f, 0.16f, 0.16f, 1.0f);
const ImVec4 kRunningCol(0.70f, 0.45f, 0.00f, 1.0f);
const ImVec4 kMutedCol(0.45f, 0.45f, 0.45f, 1.0f);

/* `text` as a SQL string literal. */
std::string Literal(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

/* The live backends whose snapshots are compared, in fork order (not our own). */
std::vector<const Process*> Backends(const Model& model, int64_t own_pid) {
  std::vector<const Process*> out;
  for (const Process& p : model.processes()) {
    if (!p.exited && p.role == ProcessRole::kBackend && p.cancel_target == 0 && p.pid != own_pid &&
        !p.user.empty()) {
      out.push_back(&p);
    }
  }
  return out;
}

/* What is known of a header's xid: "745 committed" (its colour in *col). */
std::string XidText(int64_t xid, bool hint_committed, const Transactions& txns, ImVec4* col) {
  if (xid == 0) {
    *col = kMutedCol;
    return "0";
  }
  XidStatus s = txns.Status(xid);
  if (s == XidStatus::kUnknown && (hint_committed || xid < 3)) s = XidStatus::kCommitted;
  *col = s == XidStatus::kCommitted  ? kCommittedCol
         : s == XidStatus::kAborted  ? kAbortedCol
         : s == XidStatus::kInProgress ? kRunningCol
                                       : kMutedCol;
  return fmt::format("{} {}", xid, XidStatusName(s));
}

/* The t_xmax cell: a MultiXactId is no xid: its lockers, and its updater
 * if it has one; a locker's xid is marked as a lock, not a delete. */
std::string XmaxText(const RowVersion& v, const Transactions& txns, ImVec4* col) {
  if (v.xmax != 0 && (v.infomask & kHeapXmaxIsMulti) != 0) {
    *col = kRunningCol;
    if (v.update_xid == 0) return fmt::format("multi {} (lockers)", v.xmax);
    ImVec4 ignored;
    return fmt::format("multi {} (lockers; updater {})", v.xmax, XidText(v.update_xid, false, txns, &ignored));
  }
  std::string text = XidText(v.xmax, (v.infomask & kHeapXmaxCommitted) != 0, txns, col);
  if (v.xmax != 0 && (v.infomask & kHeapXmaxLockOnly) != 0) text += " (lock)";
  return text;
}

std::string_view SeenWord(Seen s) {
  switch (s) {
    case Seen::kVisible: return "sees it";
    case Seen::kInvisible: return "no";
    case Seen::kNoSnapshot: return "-";
    case Seen::kNoTuple: return "";
  }
  return "";
}

}  // namespace

void RowVersionsPanel::Show(const std::string& table) {
  open_ = true;
  std::snprintf(table_, sizeof table_, "%s", table.c_str());
}

bool RowVersionsPanel::Busy() const {
  return open_ && live_ && (waiting_ || (session_ != nullptr && session_->state() == ConsoleState::kConnecting));
}

std::string RowVersionsPanel::Table(const Model& model) const {
  if (table_[0] != '\0') return table_;
  int64_t own = session_ != nullptr ? session_->backend_pid() : 0;
  std::string table;
  int64_t newest = -1;
  for (const auto& [pid, b] : model.transactions().backends()) {
    if (pid != own && !b.last_table.empty() && b.last_table_ts > newest) {
      newest = b.last_table_ts;
      table = b.last_table;
    }
  }
  return table;
}

void RowVersionsPanel::Ask(const Model& model, const std::string& table) {
  if (session_ == nullptr || session_->state() == ConsoleState::kClosed ||
      session_->state() == ConsoleState::kFailed) {
    session_ = std::make_unique<ConsoleSession>(consoles_.DefaultOptions(model));
  }
  // A MultiXact xmax's updater (pg_get_multixact_members' nokeyupd / upd
  // member) decides which snapshots see the version.
  session_->Submit(fmt::format(
      "SELECT p.*, CASE WHEN (p.t_infomask & 4096) <> 0 AND (p.t_infomask & 128) = 0 THEN "
      "(SELECT m.xid FROM pg_get_multixact_members(p.t_xmax) m WHERE m.mode IN ('nokeyupd', 'upd')) "
      "END AS update_xid FROM minipg_page_items({}, {}) p",
      Literal(table), block_));
  waiting_ = true;
  shown_table_ = table;
  shown_block_ = block_;
}

void RowVersionsPanel::Collect() {
  if (session_ == nullptr) return;
  for (ConsoleOutput& out : session_->TakeOutput()) {
    if (out.kind == ConsoleOutput::Kind::kResult && !out.columns.empty()) {
      items_ = ParsePageItems(out.columns, out.rows);
      message_ = items_.error;
      waiting_ = false;
    } else if (out.kind == ConsoleOutput::Kind::kError) {
      items_ = PageItems{};
      message_ = out.sqlstate == "42883"
                     ? std::string("This server has no minipg_page_items(relation, block) yet, so its row "
                                   "versions cannot be read.")
                     : out.text;
      waiting_ = false;
    }
  }
  if (session_->state() == ConsoleState::kFailed || session_->state() == ConsoleState::kClosed) waiting_ = false;
}

void RowVersionsPanel::Draw(const Model& model) {
  if (!open_) return;
  // At first in the lower left, over the Timeline: the processes, whose
  // snapshots its columns compare, stay in sight above it.
  ImVec2 size(ImGui::GetFontSize() * 48.0f, ImGui::GetFontSize() * 16.0f);
  const ImGuiViewport* view = ImGui::GetMainViewport();
  ImGui::SetNextWindowSize(size, ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowPos(ImVec2(view->WorkPos.x + 8.0f, view->WorkPos.y + view->WorkSize.y - size.y - 8.0f),
                          ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Row versions", &open_)) {
    ImGui::End();
    return;
  }
  Collect();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12.0f);
  ImGui::InputTextWithHint("table", "the last one a query touched", table_, sizeof table_);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6.0f);
  if (ImGui::InputInt("block", &block_)) block_ = std::max(0, block_);
  ImGui::SameLine();
  bool refresh = ImGui::Button("refresh");

  std::string table = Table(model);
  int64_t own = session_ != nullptr ? session_->backend_pid() : 0;
  int64_t others = 0;
  for (const Process& p : model.processes()) {
    if (p.pid != own && p.role == ProcessRole::kBackend) others += p.queries_done;
  }
  bool stale = table != shown_table_ || block_ != shown_block_ || others != others_done_ || refresh;
  // Only once the stream has said where the server listens (its port).
  if (live_ && model.server().port != 0 && !table.empty() && stale && !waiting_) {
    others_done_ = others;
    Ask(model, table);
  }
  ImGui::PushTextWrapPos(0.0f);
  if (!live_) {
    ImGui::TextColored(kMutedCol,
                       "Row versions are read from the server being watched (minipg_page_items); a replayed "
                       "trace has none to read.");
  } else if (table.empty()) {
    ImGui::TextColored(kMutedCol, "No table yet: name one, or run a query on one.");
  } else if (!message_.empty()) {
    ImGui::TextColored(kMutedCol, "%s", message_.c_str());
  } else {
    ImGui::TextColored(kMutedCol, "%s, block %d: %zu line pointers%s", shown_table_.c_str(), shown_block_,
                       items_.versions.size(), waiting_ ? " (reading...)" : "");
  }
  ImGui::PopTextWrapPos();
  if (live_ && message_.empty()) DrawTable(model);
  ImGui::End();
}

void RowVersionsPanel::DrawTable(const Model& model) {
  const Transactions& txns = model.transactions();
  int64_t own = session_ != nullptr ? session_->backend_pid() : 0;
  std::vector<const Process*> backends = Backends(model, own);
  int columns = 5 + static_cast<int>(std::min<size_t>(backends.size(), 32));
  ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit |
                          ImGuiTableFlags_ScrollX | ImGuiTableFlags_ScrollY;
  if (!ImGui::BeginTable("row versions", columns, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  for (const char* name : {"lp", "t_ctid", "t_xmin", "t_xmax", "t_row"}) ImGui::TableSetupColumn(name);
  std::vector<std::string> heads;
  for (int i = 5; i < columns; ++i) {
    const Process* p = backends[static_cast<size_t>(i - 5)];
    const BackendTxn* b = model.transactions().Backend(p->pid);
    heads.push_back(b != nullptr && b->xid != 0 ? fmt::format("{} (xid {})", p->pid, b->xid)
                                                : fmt::format("{} {}", p->pid, p->user));
    ImGui::TableSetupColumn(heads.back().c_str());
  }
  ImGui::TableHeadersRow();
  for (const RowVersion& v : items_.versions) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::Text("%lld", static_cast<long long>(v.lp));
    ImGui::TableNextColumn();
    if (!v.HasTuple()) {
      ImGui::TextColored(kMutedCol, "%s", v.lp_flags == kLpDead       ? "dead"
                                          : v.lp_flags == kLpRedirect ? "redirect"
                                                                      : "unused");
      continue;
    }
    ImGui::PushFont(fonts_.mono);
    ImGui::TextUnformatted(v.ctid.c_str());
    ImVec4 col;
    ImGui::TableNextColumn();
    std::string xmin = XidText(v.xmin, (v.infomask & kHeapXminCommitted) != 0, txns, &col);
    ImGui::TextColored(col, "%s", xmin.c_str());
    ImGui::TableNextColumn();
    std::string xmax = XmaxText(v, txns, &col);
    ImGui::TextColored(col, "%s", xmax.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(v.row.value_or("").c_str());
    ImGui::PopFont();
    for (int i = 5; i < columns; ++i) {
      ImGui::TableNextColumn();
      const BackendTxn* b = txns.Backend(backends[static_cast<size_t>(i - 5)]->pid);
      Visibility vis = VisibleTo(v, b != nullptr ? *b : no_txn_, txns);
      ImGui::TextColored(vis.seen == Seen::kVisible ? kSeenCol : kHiddenCol, "%s",
                         std::string(SeenWord(vis.seen)).c_str());
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", vis.why.c_str());
    }
  }
  ImGui::EndTable();
}

std::string RowVersionsPanel::Transcript(const Model& model) const {
  if (!open_) return "";
  std::string out;
  std::string table = Table(model);
  if (!live_) return "row versions| not watching a server\n";
  if (table.empty()) return "row versions| no table\n";
  if (!message_.empty()) return fmt::format("row versions| {}: {}\n", table, message_);
  out += fmt::format("row versions| {} block {}: {} line pointers\n", shown_table_, shown_block_,
                     items_.versions.size());
  const Transactions& txns = model.transactions();
  std::vector<const Process*> backends = Backends(model, session_ != nullptr ? session_->backend_pid() : 0);
  for (const RowVersion& v : items_.versions) {
    ImVec4 unused;
    out += fmt::format("row versions| {} xmin {} xmax {} {}", v.ctid, v.xmin, XmaxText(v, txns, &unused),
                       v.row.value_or("-"));
    for (const Process* p : backends) {
      const BackendTxn* b = txns.Backend(p->pid);
      out += fmt::format(" {}:{}", p->pid, SeenWord(VisibleTo(v, b != nullptr ? *b : no_txn_, txns).seen));
    }
    out += "\n";
  }
  return out;
}

}  // namespace minipg::viz::ui
