/*-------------------------------------------------------------------------
 * console_window.h
 *   The GUI client: "new connection" asks for user, database and transport
 *   (the Unix socket or TCP), opens a real connection (ConsoleSession) and
 *   gives it a SQL console window, like a small pgAdmin query tool. Its
 *   backend appears in the Processes panel like any other; closing the
 *   window disconnects.
 *
 *     new connection -> [user][database][unix socket dir | tcp host][port] -> connect
 *     console: output (as psql prints it) / input (Enter runs, Ctrl+Enter new line)
 *              run | cancel | select its backend | disconnect
 *-------------------------------------------------------------------------
 */
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "viz/client/console_session.h"
#include "viz/model/model.h"
#include "viz/ui/theme.h"
#include "viz/ui/view_state.h"

namespace minipg::viz::ui {

class Consoles {
 public:
  static constexpr size_t kMaxOutputEntries = 2000;

  Consoles(const Fonts& fonts, ViewState& view);
  ~Consoles();

  /* The "new connection" button and its dialog (inside a window). */
  void DrawNewConnectionButton(const Model& model);
  /* Every open console window; closed ones are disconnected and dropped. */
  void DrawWindows();
  /* Opens a console on these options at once (no dialog): tests, --console. */
  void Open(client::ConnectOptions options, std::string sql = "");
  /* The dialog's defaults for this server: where a new connection goes. */
  client::ConnectOptions DefaultOptions(const Model& model);
  /* Opens a console with the dialog's defaults for this server, running `sql`. */
  void OpenDefault(const Model& model, std::string sql);
  /* The role new connections use (--user): the dialog's default, and
   * --console's, instead of a guess from the server's backends. */
  void set_user(std::string user) { preferred_user_ = std::move(user); }
  size_t count() const { return consoles_.size(); }
  /* Whether a console is still connecting or running SQL (a screenshot waits for it). */
  bool Busy();
  /* What every console shows, as text ("console 1| ..." lines): printed by
   * headless runs so a script can see what the GUI client got. */
  std::string Transcript() const;

 private:
  struct Console;
  void FillDefaults(const Model& model);
  void DrawConsole(Console& c);
  /* Moves what the session produced into the console's output. */
  static void Collect(Console& c);

  const Fonts& fonts_;
  ViewState& view_;
  std::vector<std::unique_ptr<Console>> consoles_;
  int next_id_ = 1;
  // The dialog's fields.
  char user_[64] = {};
  char database_[64] = {};
  char socket_dir_[256] = {};
  char tcp_host_[256] = {};
  int port_ = 5432;
  int transport_ = 0;  // 0: Unix socket, 1: TCP
  char password_[128] = {};
  std::string preferred_user_;  // --user ("": the OS user, or the last backend's)
};

}  // namespace minipg::viz::ui
