/*-------------------------------------------------------------------------
 * row_versions_panel.h
 *   The "Row versions" window: for a small table (the one the user names,
 *   or the one the last query touched), the row versions on one of its
 *   pages with their headers, and for each live backend whether its
 *   snapshot sees each version.
 *
 *     [table ____] [block _] [x follow the last table touched] refresh
 *     lp  ctid   t_xmin          t_xmax          t_row     | 200 alice | 201 bob
 *     1   (0,3)  740 committed   745 committed   (1,90)    |  sees     |  -
 *
 *   It asks the server through a connection of its own (a ConsoleSession,
 *   the viewer's client): `SELECT * FROM minipg_page_items('t', 0)`, and
 *   again whenever another backend has finished a query. Which backend
 *   sees what is computed in the model (viz/model/row_versions.h) from the
 *   snapshots and transaction outcomes in the event stream. A server
 *   without minipg_page_items (42883) is said to lack it.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "viz/client/console_session.h"
#include "viz/model/model.h"
#include "viz/model/row_versions.h"
#include "viz/ui/console_window.h"
#include "viz/ui/theme.h"

namespace minipg::viz::ui {

class RowVersionsPanel {
 public:
  RowVersionsPanel(const Fonts& fonts, Consoles& consoles) : fonts_(fonts), consoles_(consoles) {}

  void Toggle() { open_ = !open_; }
  bool open() const { return open_; }
  /* Opens the window on this table ("" : the one the last query touched). */
  void Show(const std::string& table);
  /* Whether a server is being watched (a live source): only then it asks. */
  void SetLive(bool live) { live_ = live; }
  /* Whether its query is still on its way (a screenshot waits for it). */
  bool Busy() const;
  /* What the window shows, as text ("row versions| ..." lines) for headless runs. */
  std::string Transcript(const Model& model) const;

  void Draw(const Model& model);

 private:
  /* The table to show now: the one named, or the last one a backend locked. */
  std::string Table(const Model& model) const;
  void Ask(const Model& model, const std::string& table);
  void Collect();
  void DrawTable(const Model& model);

  const Fonts& fonts_;
  Consoles& consoles_;
  bool open_ = false;
  bool live_ = false;
  bool follow_ = true;  // show the table the last query touched
  char table_[128] = {};
  int block_ = 0;
  std::unique_ptr<ConsoleSession> session_;
  bool waiting_ = false;          // a query is out
  std::string shown_table_;       // what the rows below are of
  int shown_block_ = 0;
  PageItems items_;
  std::string message_;           // why there are no rows ("" if there are)
  int64_t others_done_ = -1;      // queries finished by other backends at the last ask
  const BackendTxn no_txn_{};     // a backend of which no transaction is known
};

}  // namespace minipg::viz::ui
