/*-------------------------------------------------------------------------
 * copy_channel.h
 *   The client's end of COPY FROM STDIN and COPY TO STDOUT, as the SQL
 *   layer sees it. The backend implements it with the protocol's copy
 *   sub-protocol (engine/backend/copy.cpp); tests implement it in memory.
 *
 *     COPY ... TO STDOUT:   BeginOut(n) Send(row)... EndOut()
 *                           (CopyOutResponse, CopyData..., CopyDone)
 *     COPY ... FROM STDIN:  BeginIn(n) Receive()... until nullopt
 *                           (CopyInResponse; CopyData... CopyDone)
 *
 * NOTES
 *   Receive() fails with the error the COPY must end with: 57014 "COPY
 *   from stdin failed: ..." for a CopyFail, 08P01 for a message that does
 *   not belong in a copy, 57014 for a cancel. The SQL layer adds its
 *   CONTEXT line and stores nothing.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/common/error.h"

namespace minipg::sql {

class CopyChannel {
 public:
  virtual ~CopyChannel() = default;
  /* COPY TO STDOUT: announce `columns` text columns. */
  virtual Status BeginOut(int columns) = 0;
  /* One chunk of data (minipg sends one row per call, as PostgreSQL does). */
  virtual Status Send(std::string_view data) = 0;
  virtual Status EndOut() = 0;

  /* COPY FROM STDIN: ask the client for data for `columns` columns. */
  virtual Status BeginIn(int columns) = 0;
  /* The next chunk of data, or nullopt at the end (CopyDone). */
  virtual Result<std::optional<std::string>> Receive() = 0;
};

}  // namespace minipg::sql
