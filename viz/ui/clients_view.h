/*-------------------------------------------------------------------------
 * clients_view.h
 *   The "clients" view of the Processes panel: PostgreSQL is client/server,
 *   and this draws it so. One row per connection: on the left the client
 *   (a minipg-sim client by its name, an outside one such as psql by its
 *   application_name), on the right the backend the postmaster forked for
 *   it, and between them the connection, labelled with its transport (a
 *   Unix socket, or TCP with the client's address and port). A dashed line
 *   splits the two sides: the clients' processes, perhaps on other
 *   machines, and the server's. Above the rows, the postmaster and the
 *   sockets it listens on.
 *
 *     ClientsView clients(fonts, view_state);
 *     clients.Draw(model, show_exited);  // inside the Processes window
 *-------------------------------------------------------------------------
 */
#pragma once

#include <vector>

#include "viz/model/model.h"
#include "viz/ui/theme.h"
#include "viz/ui/view_state.h"

namespace minipg::viz::ui {

class ClientsView {
 public:
  ClientsView(const Fonts& fonts, ViewState& view) : fonts_(fonts), view_state_(view) {}

  /* Draws the rows in a scrolling child filling the rest of the window. */
  void Draw(const Model& model, bool show_exited);

 private:
  void DrawRow(const Model& model, const Process& p, ImVec2 min, float width);

  const Fonts& fonts_;
  ViewState& view_state_;
  std::vector<const Process*> rows_;  // per-frame scratch
};

}  // namespace minipg::viz::ui
