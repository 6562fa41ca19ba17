/*-------------------------------------------------------------------------
 * shared_memory_view.cpp
 *   Drawing the buffer pool grid, the WAL strip and the writers (see
 *   shared_memory_view.h).
 *
 * NOTES
 *   A pool bigger than the grid can show (shared_buffers = 128MB is 16384
 *   buffers) is drawn from buffer 0 as far as the cells fit, with a note of
 *   how many are not drawn: buffers are handed out from the start of the
 *   pool, so the first ones are those in use on a small lesson's server.
 *   Everything is drawn with one draw list and no clip rectangles of its
 *   own (each is a draw call for the software renderer).
 *-------------------------------------------------------------------------
 */
#include "viz/ui/shared_memory_view.h"

#include <fmt/format.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>

namespace minipg::viz::ui {
namespace {

constexpr float kPad = 6.0f;
constexpr float kWritersWidth = 172.0f;  // the writers' column, left of the grid: "checkpointer 12345" fits
constexpr float kStripHeight = 16.0f;    // the WAL strip's bar
constexpr float kMinCell = 5.0f;
constexpr float kMaxCell = 26.0f;
constexpr float kCellGap = 2.0f;
constexpr float kMaxHeight = 230.0f;

constexpr ImU32 kFrameFill = IM_COL32(150, 120, 200, 40);
constexpr ImU32 kFrameBorder = IM_COL32(120, 90, 180, 200);
constexpr ImU32 kTitle = IM_COL32(80, 50, 140, 255);
constexpr ImU32 kText = IM_COL32(60, 60, 70, 255);
constexpr ImU32 kFaint = IM_COL32(120, 120, 130, 255);
constexpr ImU32 kCellBorder = IM_COL32(90, 90, 110, 110);
constexpr ImU32 kPinOutline = IM_COL32(10, 40, 120, 255);
constexpr ImU32 kLostTint = IM_COL32(210, 60, 60, 110);
constexpr ImU32 kStripEmpty = IM_COL32(235, 235, 240, 255);
constexpr ImU32 kStripFlushed = IM_COL32(120, 175, 120, 255);   // on disk
constexpr ImU32 kStripUnflushed = IM_COL32(245, 170, 50, 255);  // only in the WAL buffers
constexpr ImU32 kRecordTick = IM_COL32(40, 60, 40, 150);
constexpr ImU32 kFpiTick = IM_COL32(60, 90, 60, 200);
constexpr ImU32 kInsertMark = IM_COL32(200, 110, 0, 255);
constexpr ImU32 kFlushMark = IM_COL32(30, 120, 40, 255);
constexpr ImU32 kRedoMark = IM_COL32(110, 60, 180, 255);
constexpr ImU32 kReplayMark = IM_COL32(200, 40, 40, 255);
constexpr ImU32 kChipFill = IM_COL32(255, 255, 255, 220);
constexpr ImU32 kArrow = IM_COL32(215, 40, 120, 230);  // as a cell being written

/* What a writer is called on its chip: "checkpointer 102", "bgwriter 103". */
std::string WriterName(const Model& model, int64_t pid, std::string_view by) {
  const Process* p = model.FindProcess(pid);
  std::string role = p == nullptr || p->role == ProcessRole::kOther ? std::string(by)
                     : p->role == ProcessRole::kBgWriter            ? std::string("bgwriter")
                                                         : std::string(RoleName(p->role));
  return fmt::format("{} {}", role, pid);
}

void Arrow(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 col, float w) {
  dl->AddLine(a, b, col, w);
  float dx = b.x - a.x, dy = b.y - a.y;
  float len = std::sqrt(dx * dx + dy * dy);
  if (len < 1.0f) return;
  dx /= len;
  dy /= len;
  float head = 7.0f;
  ImVec2 l(b.x - dx * head - dy * head * 0.5f, b.y - dy * head + dx * head * 0.5f);
  ImVec2 r(b.x - dx * head + dy * head * 0.5f, b.y - dy * head - dx * head * 0.5f);
  dl->AddTriangleFilled(b, l, r, col);
}

}  // namespace

float SharedMemoryView::PreferredHeight(const Model& model, float avail_h) const {
  const SharedMemory& shm = model.shared_memory();
  if (!shm.known()) return 0.0f;
  // What the content needs: the title, the grid at its largest cells (or
  // the writers' column, if taller), the WAL strip; within a share of the panel.
  float line_h = ImGui::GetTextLineHeight();
  float grid_w = std::max(100.0f, ImGui::GetContentRegionAvail().x - kWritersWidth - kPad);
  auto cols = std::max<size_t>(1, static_cast<size_t>((grid_w + kCellGap) / (kMaxCell + kCellGap)));
  size_t rows = (std::max<size_t>(shm.nbuffers(), 1) + cols - 1) / cols;
  float grid_h = static_cast<float>(rows) * (kMaxCell + kCellGap);
  float writers_h = line_h + 4.0f * (line_h + 4.0f);
  float want = 3.0f + line_h + 6.0f + std::max(grid_h, writers_h) + 6.0f + kStripHeight + line_h +
               2.0f + kPad;
  return std::floor(
      std::clamp(want, kMinHeight, std::max(kMinHeight, std::min(kMaxHeight, avail_h * 0.45f))));
}

ImVec2 SharedMemoryView::CellCenter(size_t i) const {
  float step = cell_ + kCellGap;
  return ImVec2(grid_min_.x + static_cast<float>(i % cols_) * step + cell_ * 0.5f,
                grid_min_.y + static_cast<float>(i / cols_) * step + cell_ * 0.5f);
}

void SharedMemoryView::Draw(const Model& model, float height) {
  const SharedMemory& shm = model.shared_memory();
  now_ = NowTs(model, view_state_);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImVec2 min = ImGui::GetCursorScreenPos();
  float width = std::max(200.0f, ImGui::GetContentRegionAvail().x);
  ImVec2 max(min.x + width, min.y + height);
  dl->AddRectFilled(min, max, kFrameFill, 4.0f);
  dl->AddRect(min, max, kFrameBorder, 4.0f, 0, 1.0f);

  // The title line: what the pool is and how it is used.
  float line_h = ImGui::GetTextLineHeight();
  ImVec2 at(min.x + kPad, min.y + 3.0f);
  std::string title = fmt::format("shared buffers: {} x 8 kB", shm.nbuffers());
  ImFont* bold = fonts_.bold != nullptr ? fonts_.bold : ImGui::GetFont();
  dl->AddText(bold, bold->FontSize, at, kTitle, title.c_str());
  float x = at.x + bold->CalcTextSizeA(bold->FontSize, FLT_MAX, 0.0f, title.c_str()).x + 14.0f;
  size_t dirty = 0, pinned = 0, used = 0;
  for (const BufferInfo& b : shm.buffers()) {
    used += b.Valid() ? 1 : 0;
    dirty += b.Valid() && b.dirty ? 1 : 0;
    pinned += b.pinned_by != 0 ? 1 : 0;
  }
  std::string stats =
      shm.lost() ? std::string("lost in the crash: the postmaster makes it anew")
                 : fmt::format("{} in use, {} dirty, {} pinned   reads {}, hits {}, evictions {}",
                               used, dirty, pinned, shm.reads(), shm.hits(), shm.evictions());
  dl->AddText(ImVec2(x, at.y), shm.lost() ? IM_COL32(190, 30, 30, 255) : kText, stats.c_str());
  // The legend, right-aligned when there is room.
  float lx = max.x - kPad;
  for (int s = static_cast<int>(BufferShown::kWriting); s >= 0; --s) {
    auto shown = static_cast<BufferShown>(s);
    std::string_view name = BufferShownName(shown);
    float tw = ImGui::CalcTextSize(name.data(), name.data() + name.size()).x;
    lx -= tw + line_h + 8.0f;
    if (lx < x + ImGui::CalcTextSize(stats.c_str()).x + 10.0f) break;
    float sw = line_h - 4.0f;
    dl->AddRectFilled(ImVec2(lx, at.y + 2.0f), ImVec2(lx + sw, at.y + 2.0f + sw), BufferFill(shown),
                      2.0f);
    dl->AddText(ImVec2(lx + sw + 3.0f, at.y), kFaint, name.data(), name.data() + name.size());
  }

  float strip_top = max.y - kPad - kStripHeight - line_h - 2.0f;
  ImVec2 grid_min(min.x + kWritersWidth, at.y + line_h + 6.0f);
  ImVec2 grid_max(max.x - kPad, strip_top - 6.0f);
  DrawGrid(model, grid_min, grid_max);
  DrawWalStrip(model, ImVec2(min.x + kWritersWidth, strip_top), ImVec2(max.x - kPad, max.y - kPad));
  DrawWriters(model, ImVec2(min.x + kPad, grid_min.y),
              ImVec2(min.x + kWritersWidth - 16.0f, max.y - kPad));
  ImGui::Dummy(ImVec2(width, height));
}

void SharedMemoryView::DrawGrid(const Model& model, ImVec2 min, ImVec2 max) {
  const SharedMemory& shm = model.shared_memory();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  size_t n = std::max<size_t>(shm.nbuffers(), 1);
  float w = std::max(1.0f, max.x - min.x), h = std::max(1.0f, max.y - min.y);
  // The largest cell that fits them all, within bounds.
  float cell = std::floor(std::sqrt(w * h / static_cast<float>(n))) - kCellGap;
  while (cell > kMinCell) {
    auto cols = static_cast<size_t>((w + kCellGap) / (cell + kCellGap));
    size_t rows = (n + std::max<size_t>(cols, 1) - 1) / std::max<size_t>(cols, 1);
    if (cols > 0 && static_cast<float>(rows) * (cell + kCellGap) - kCellGap <= h) break;
    cell -= 1.0f;
  }
  cell = std::clamp(cell, kMinCell, kMaxCell);
  cols_ = std::max<size_t>(1, static_cast<size_t>((w + kCellGap) / (cell + kCellGap)));
  size_t rows_fit = std::max<size_t>(1, static_cast<size_t>((h + kCellGap) / (cell + kCellGap)));
  drawn_ = std::min(n, cols_ * rows_fit);
  if (drawn_ < n && drawn_ > cols_) drawn_ -= cols_ / 2;  // room for the note on the last row
  cell_ = cell;
  grid_min_ = min;

  int64_t now = now_;
  int hovered = -1;
  ImVec2 mouse = ImGui::GetIO().MousePos;
  bool window_hovered = ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows);
  for (size_t i = 0; i < drawn_; ++i) {
    ImVec2 c = CellCenter(i);
    ImVec2 a(c.x - cell * 0.5f, c.y - cell * 0.5f), b(c.x + cell * 0.5f, c.y + cell * 0.5f);
    BufferShown s = shm.ShownAt(i, now);
    dl->AddRectFilled(a, b, BufferFill(s), cell >= 10.0f ? 2.0f : 0.0f);
    if (cell >= 8.0f) dl->AddRect(a, b, kCellBorder, cell >= 10.0f ? 2.0f : 0.0f);
    const BufferInfo* info = shm.Buffer(i);
    if (info != nullptr && info->pinned_by != 0 && s != BufferShown::kPinned) {
      dl->AddRect(a, b, kPinOutline, 2.0f, 0, 2.0f);  // pinned, and just read or written
    }
    if (info != nullptr && info->Valid() && info->dirty && s == BufferShown::kPinned &&
        cell >= 10.0f) {
      // Pinned and dirty: a corner of the dirty colour.
      dl->AddTriangleFilled(ImVec2(b.x - cell * 0.45f, a.y), ImVec2(b.x, a.y),
                            ImVec2(b.x, a.y + cell * 0.45f), BufferFill(BufferShown::kDirty));
    }
    if (shm.lost()) dl->AddRectFilled(a, b, kLostTint);
    if (window_hovered && mouse.x >= a.x && mouse.x < b.x + kCellGap && mouse.y >= a.y &&
        mouse.y < b.y + kCellGap) {
      hovered = static_cast<int>(i);
    }
  }
  if (drawn_ < n) {
    std::string more = fmt::format("+ {} more buffers", n - drawn_);
    ImVec2 c = CellCenter(drawn_);
    dl->AddText(ImVec2(c.x - cell * 0.5f + 2.0f, c.y - ImGui::GetTextLineHeight() * 0.5f), kFaint,
                more.c_str());
  }
  // The page a stepped backend stopped reading (the Query view's "page" stop).
  if (int64_t b = view_state_.step_buffer; b >= 0 && static_cast<size_t>(b) < drawn_) {
    ImVec2 c = CellCenter(static_cast<size_t>(b));
    float r = cell * 0.5f + 3.0f;
    dl->AddRect(ImVec2(c.x - r, c.y - r), ImVec2(c.x + r, c.y + r), IM_COL32(230, 120, 0, 255), 3.0f, 0, 3.0f);
  }
  if (hovered >= 0) {
    ImVec2 c = CellCenter(static_cast<size_t>(hovered));
    dl->AddRect(ImVec2(c.x - cell * 0.5f - 1, c.y - cell * 0.5f - 1),
                ImVec2(c.x + cell * 0.5f + 1, c.y + cell * 0.5f + 1), IM_COL32(0, 0, 0, 255), 2.0f,
                0, 2.0f);
    CellTooltip(model, static_cast<size_t>(hovered));
  }
}

void SharedMemoryView::CellTooltip(const Model& model, size_t i) const {
  const SharedMemory& shm = model.shared_memory();
  const BufferInfo* b = shm.Buffer(i);
  ImGui::BeginTooltip();
  ImGui::PushFont(fonts_.bold);
  ImGui::Text("buffer %zu", i);
  ImGui::PopFont();
  ImGui::SameLine();
  std::string_view state = BufferShownName(shm.ShownAt(i, now_));
  ImGui::TextDisabled("%.*s", static_cast<int>(state.size()), state.data());
  auto row = [](const char* key, const std::string& value) {
    ImGui::TextDisabled("%s", key);
    ImGui::SameLine(110.0f);
    ImGui::TextUnformatted(value.c_str());
  };
  if (b == nullptr || !b->Valid()) {
    ImGui::TextUnformatted("free: holds no page yet");
  } else {
    row("relation", shm.RelationLabel(b->rel));
    row("fork", std::string(ForkName(b->fork)));
    row("block", std::to_string(b->block));
    row("usage count", std::to_string(b->usage));
    row("dirty", b->dirty ? "yes: changed since it was read or written" : "no");
    row("pins", b->pinned_by != 0 ? fmt::format("1 (process {})", b->pinned_by) : std::string("0"));
    if (b->last_io != BufferIo::kNone) {
      row(b->last_io == BufferIo::kRead ? "read in" : "written",
          fmt::format("{} s by process {}", FormatRelTs(b->last_io_ts, model.first_ts()),
                      b->last_io_pid));
    }
    row("reads", std::to_string(b->reads));
  }
  if (shm.lost())
    ImGui::TextColored(ImVec4(0.75f, 0.1f, 0.1f, 1.0f), "lost: the server is in its crash cycle");
  ImGui::EndTooltip();
}

void SharedMemoryView::DrawWalStrip(const Model& model, ImVec2 min, ImVec2 max) {
  const SharedMemory& shm = model.shared_memory();
  const WalState& wal = shm.wal();
  const RecoveryInfo& rec = shm.recovery();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImVec2 bar_min(min.x + 34.0f, min.y), bar_max(max.x, min.y + kStripHeight);
  ImFont* bold = fonts_.bold != nullptr ? fonts_.bold : ImGui::GetFont();
  dl->AddText(bold, bold->FontSize, ImVec2(min.x, min.y), kTitle, "WAL");
  dl->AddRectFilled(bar_min, bar_max, kStripEmpty, 2.0f);
  flush_at_ = ImVec2(bar_min.x, bar_max.y);
  if (!wal.known) {
    dl->AddText(ImVec2(bar_min.x + 4.0f, bar_min.y), kFaint, "no WAL position seen yet");
    dl->AddRect(bar_min, bar_max, kCellBorder, 2.0f);
    return;
  }
  // The window: from the oldest position worth showing (the redo point,
  // the oldest record kept, replay's start) to a little past the insert position.
  uint64_t hi = std::max({wal.insert_lsn, wal.flush_lsn, rec.lsn});
  uint64_t lo = hi;
  if (wal.redo_lsn != 0) lo = std::min(lo, wal.redo_lsn);
  if (!wal.recent.empty()) lo = std::min(lo, wal.recent.front().lsn);
  if (rec.phase != RecoveryPhase::kNone) lo = std::min(lo, rec.redo_lsn);
  if (wal.flush_lsn != 0) lo = std::min(lo, wal.flush_lsn);
  uint64_t span = std::max<uint64_t>(hi - lo, 64);
  hi = lo + span + span / 12;
  float bw = bar_max.x - bar_min.x;
  auto xat = [&](uint64_t lsn) {
    double f = static_cast<double>(std::clamp(lsn, lo, hi) - lo) / static_cast<double>(hi - lo);
    return bar_min.x + static_cast<float>(f) * bw;
  };
  float fx = xat(wal.flush_lsn), ix = xat(wal.insert_lsn);
  dl->AddRectFilled(bar_min, ImVec2(fx, bar_max.y), kStripFlushed, 2.0f);
  if (ix > fx) dl->AddRectFilled(ImVec2(fx, bar_min.y), ImVec2(ix, bar_max.y), kStripUnflushed);
  for (const WalRecordInfo& r : wal.recent) {
    if (r.lsn < lo) continue;
    float rx = xat(r.lsn);
    if (r.fpi) {  // a full page image: most of the record's bytes, marked along the bottom
      dl->AddRectFilled(ImVec2(rx, bar_max.y - 4.0f),
                        ImVec2(std::max(rx + 2.0f, xat(r.end_lsn)), bar_max.y), kFpiTick);
    }
    dl->AddLine(ImVec2(rx, bar_min.y), ImVec2(rx, bar_max.y), kRecordTick, 1.0f);
  }
  dl->AddRect(bar_min, bar_max, kCellBorder, 2.0f);

  // Markers under the bar; their labels are placed right to left, each
  // ending before the next begins, so they never overlap.
  float label_y = bar_max.y + 6.0f;
  float next_start = bar_max.x + 8.0f;
  auto mark = [&](float mx, ImU32 col, const std::string& label) {
    dl->AddTriangleFilled(ImVec2(mx - 5, bar_max.y + 6), ImVec2(mx + 5, bar_max.y + 6),
                          ImVec2(mx, bar_max.y), col);
    dl->AddLine(ImVec2(mx, bar_min.y), ImVec2(mx, bar_max.y), col, 2.0f);
    float tw = ImGui::CalcTextSize(label.c_str()).x;
    float tx = std::max(min.x, std::min(mx - tw * 0.5f, next_start - 8.0f - tw));
    dl->AddText(ImVec2(tx, label_y), col, label.c_str());
    next_start = tx;
  };
  // Left to right: the redo point, replay, flush, insert.
  struct Marker {
    float x;
    ImU32 col;
    std::string label;
  };
  std::vector<Marker> marks;
  if (wal.redo_lsn != 0)
    marks.push_back({xat(wal.redo_lsn), kRedoMark, "redo " + FormatLsnValue(wal.redo_lsn)});
  if (rec.phase == RecoveryPhase::kRunning) {
    marks.push_back({xat(rec.lsn), kReplayMark,
                     fmt::format("replay {} ({} records)", FormatLsnValue(rec.lsn), rec.records)});
  }
  marks.push_back({fx, kFlushMark, "flush " + FormatLsnValue(wal.flush_lsn)});
  if (wal.insert_lsn != wal.flush_lsn)
    marks.push_back({ix, kInsertMark, "insert " + FormatLsnValue(wal.insert_lsn)});
  std::stable_sort(marks.begin(), marks.end(),
                   [](const Marker& a, const Marker& b) { return a.x < b.x; });
  for (auto it = marks.rbegin(); it != marks.rend(); ++it) mark(it->x, it->col, it->label);
  flush_at_ = ImVec2(fx, bar_min.y);

  if (ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows) &&
      ImGui::IsMouseHoveringRect(ImVec2(min.x, min.y), ImVec2(max.x, max.y))) {
    ImGui::BeginTooltip();
    ImGui::PushFont(fonts_.bold);
    ImGui::TextUnformatted("write-ahead log");
    ImGui::PopFont();
    ImGui::Text("insert %s   flush %s%s", FormatLsnValue(wal.insert_lsn).c_str(),
                FormatLsnValue(wal.flush_lsn).c_str(),
                wal.flush_synced ? "" : " (fsync off: not synced)");
    if (wal.flush_pid != 0)
      ImGui::TextDisabled("last flushed by %s",
                          WriterName(model, wal.flush_pid, wal.flush_by).c_str());
    if (wal.redo_lsn != 0)
      ImGui::Text("redo point %s (recovery would start here)",
                  FormatLsnValue(wal.redo_lsn).c_str());
    if (rec.phase != RecoveryPhase::kNone) {
      ImGui::Text("recovery (%s): %s, %lld records%s", rec.reason.c_str(),
                  rec.phase == RecoveryPhase::kRunning ? "replaying" : "done",
                  static_cast<long long>(rec.records),
                  rec.phase == RecoveryPhase::kDone
                      ? fmt::format(", ended at {}", FormatLsnValue(rec.end_lsn)).c_str()
                      : "");
    }
    ImGui::TextDisabled(
        "%lld records inserted, %lld flushes; green: on disk, amber: only in the WAL buffers",
        static_cast<long long>(wal.inserts), static_cast<long long>(wal.flushes));
    ImGui::Separator();
    ImGui::PushFont(fonts_.mono);
    size_t shown = 0;
    for (auto it = wal.recent.rbegin(); it != wal.recent.rend() && shown < 8; ++it, ++shown) {
      ImGui::Text("%-10s %-12s %-18s len %-5lld xid %lld%s", FormatLsnValue(it->lsn).c_str(),
                  it->rmgr.c_str(), it->record.c_str(), static_cast<long long>(it->len),
                  static_cast<long long>(it->xid), it->fpi ? "  FPW" : "");
    }
    ImGui::PopFont();
    ImGui::EndTooltip();
  }
}

void SharedMemoryView::DrawWriters(const Model& model, ImVec2 min, ImVec2 max) {
  const SharedMemory& shm = model.shared_memory();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float line_h = ImGui::GetTextLineHeight();
  int64_t now = now_;
  std::vector<WriterActivity> writers = shm.WritersAt(now);
  // The auxiliary writers always have a chip (so one can see who is idle);
  // a backend only while it writes.
  struct Chip {
    int64_t pid;
    std::string name;
    const WriterActivity* active;
  };
  std::vector<Chip> chips;
  for (const Process& p : model.processes()) {
    if (p.exited) continue;
    if (p.role == ProcessRole::kCheckpointer || p.role == ProcessRole::kBgWriter ||
        p.role == ProcessRole::kWalWriter || p.role == ProcessRole::kStartup) {
      chips.push_back({p.pid, WriterName(model, p.pid, ""), nullptr});
    }
  }
  for (const WriterActivity& w : writers) {
    auto it =
        std::find_if(chips.begin(), chips.end(), [&](const Chip& c) { return c.pid == w.pid; });
    if (it == chips.end()) {
      chips.push_back({w.pid, WriterName(model, w.pid, w.by), &w});
    } else {
      it->active = &w;
    }
  }
  dl->AddText(ImVec2(min.x, min.y - 2.0f), kFaint, "writers");
  float y = min.y + line_h + 2.0f;
  float chip_h = line_h + 2.0f;
  for (const Chip& c : chips) {
    if (y + chip_h > max.y) break;
    ImVec2 a(min.x, y), b(max.x, y + chip_h);
    bool active = c.active != nullptr;
    dl->AddRectFilled(a, b, active ? BufferFill(BufferShown::kWriting) : kChipFill, 4.0f);
    dl->AddRect(a, b, kFrameBorder, 4.0f);
    std::string label = c.name;
    if (active && c.active->buffers > 1) label += fmt::format(" x{}", c.active->buffers);
    ClippedText(dl, nullptr, 0.0f, ImVec2(a.x + 4.0f, a.y + 1.0f),
                active ? IM_COL32(255, 255, 255, 255) : kText, label, a, b);
    if (active) {
      ImVec2 from(b.x, (a.y + b.y) * 0.5f);
      if (c.active->wal) Arrow(dl, from, flush_at_, kArrow, 2.0f);
      if (c.active->buffers > 0) {
        // An arrow to each cell this process is writing now (a few at most).
        int arrows = 0;
        for (size_t i = 0; i < drawn_ && arrows < 6; ++i) {
          const BufferInfo* info = shm.Buffer(i);
          if (info == nullptr || info->last_io != BufferIo::kWrite || info->last_io_pid != c.pid)
            continue;
          if (shm.ShownAt(i, now) != BufferShown::kWriting) continue;
          ImVec2 to = CellCenter(i);
          to.x -= cell_ * 0.5f;
          Arrow(dl, from, to, kArrow, 2.0f);
          ++arrows;
        }
      }
    }
    y += chip_h + 3.0f;
  }
}

}  // namespace minipg::viz::ui
