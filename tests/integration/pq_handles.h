/*-------------------------------------------------------------------------
 * pq_handles.h
 *   libpq's connection and result as owning handles, for the integration
 *   tests that drive a server through real libpq.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <libpq-fe.h>

#include <memory>

namespace minipg::testing {

struct PGconnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct PGresultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Conn = std::unique_ptr<PGconn, PGconnDeleter>;
using Res = std::unique_ptr<PGresult, PGresultDeleter>;

}  // namespace minipg::testing
