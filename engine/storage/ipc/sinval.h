/*-------------------------------------------------------------------------
 * sinval.h
 *   Shared cache invalidation (PostgreSQL's inval.c, sinval.c and
 *   sinvaladt.c, in spirit): how a backend that changed the catalogs tells
 *   every other process to forget what it cached of them.
 *
 *     a catalog change     CacheInvalidateRelcache / CacheInvalidateCatalog:
 *                          the message is queued in the transaction, and
 *                          this process's own callbacks run at once
 *     commit               AtEOXactInval(true), after pg_xact says committed:
 *                          the queued messages go into the shared ring
 *     abort                AtEOXactInval(false): nothing is sent; the own
 *                          callbacks run again (caches built from the
 *                          rolled-back rows are dropped)
 *     a file removed       CacheInvalidateSmgr: sent at once (the file is
 *                          gone whatever happens), as in PostgreSQL
 *     every statement      AcceptInvalidationMessages: the messages this
 *                          process has not read yet -> its callbacks
 *
 *   The ring, one shared memory area "sinval" (SinvalShmemRequests):
 *
 *     SInvalWrite lock
 *     max_msg               messages ever written (only grows)
 *     ring[kSinvalQueueSize] message number n is in ring[n % size]
 *     procs[N]              per process slot: pid, next_msg (the number of
 *                           the next message it reads), its database
 *
 *   A writer puts its messages at max_msg and moves it on (exclusive lock);
 *   it never waits for readers. A reader (shared lock) copies the messages
 *   from its next_msg to max_msg. A reader that fell more than the ring's
 *   size behind lost messages that were overwritten: it gets one kResetAll
 *   instead (every callback drops everything it cached) and goes on from
 *   max_msg. PostgreSQL's writer resets the laggards itself and signals the
 *   slowest to catch up; the outcome for the reader is the same.
 *
 * NOTES
 *   Callbacks run outside the lock; a callback that reads catalogs may call
 *   AcceptInvalidationMessages again, which is safe (each message is read
 *   once). kRelcache and kCatcache messages for another database are not
 *   given to a backend's callbacks; kSmgr and kResetAll always are. This
 *   module itself closes the files of a kSmgr message's relation (smgr) and
 *   every file on kResetAll, so a dropped table's file is really released
 *   by every process that had it open, at its next statement.
 *   Without the area (a unit test without a server) messages are only
 *   applied locally.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "engine/shmem/shmem.h"
#include "engine/storage/block.h"

namespace minipg::storage {

inline constexpr const char* kSinvalShmemAreaName = "sinval";
inline constexpr uint32_t kSinvalQueueSize = 4096;  // PostgreSQL's MAXNUMMESSAGES

struct SharedInvalMessage {
  enum class Kind : uint8_t {
    kRelcache,  // the relation `id` of database `db` changed (0: a shared one)
    kCatcache,  // rows of catalog `id` changed (a syscache over it is stale)
    kSmgr,      // the files of `rel` are gone: close them (rel_number 0: every
                // relation of database rel.db_oid)
    kResetAll,  // this process missed messages: drop every cache
  };
  Kind kind = Kind::kResetAll;
  Oid db = 0;
  Oid id = 0;
  RelFileLocator rel;
  friend bool operator==(const SharedInvalMessage&, const SharedInvalMessage&) = default;
};

/* The area for the postmaster's CreateSharedMemory: a ring and one read
 * position for each of `max_procs` process slots. */
std::vector<shmem::ShmemRequest> SinvalShmemRequests(int max_procs);

/* After fork, before the first catalog read: this process reads the queue
 * as process slot `slot` from the newest message on (its caches are
 * empty), for database `db` (0: every database, the auxiliary
 * processes). Forgets messages a parent queued, keeps its callbacks and
 * gives them a kResetAll: nothing cached before is known to be valid. */
void SharedInvalBackendInit(int slot, Oid db);

/* The backend's database, once authentication found it: kRelcache and
 * kCatcache messages of other databases are not given to its callbacks. */
void SharedInvalSetDatabase(Oid db);

/* Queued in the current transaction (and applied to this process now). */
void CacheInvalidateRelcache(Oid db, Oid relid);
void CacheInvalidateCatalog(Oid db, Oid catalog_oid);
/* Sent to every process at once: close the relation's files. */
void CacheInvalidateSmgr(const RelFileLocator& rel);

/* The end of the transaction (xact.cpp): on commit the queued messages
 * are sent, on abort they are applied here again; either way forgotten. */
void AtEOXactInval(bool commit);

/* A subtransaction aborted (ROLLBACK TO): the messages queued so far are
 * applied here again (caches built from its rolled-back rows are dropped);
 * they stay queued for the commit, where the extra ones cost others a
 * re-read. PostgreSQL keeps them per subtransaction. */
void AtSubAbortInval();

/* Every message this process has not read yet -> its callbacks. */
void AcceptInvalidationMessages();

/* `fn` is called for every message this process reads or queues. */
void RegisterInvalidationCallback(std::function<void(const SharedInvalMessage&)> fn);

/* What the ring holds (tests, and whoever shows it). */
struct SinvalState {
  uint64_t max_msg = 0;  // messages ever written
  uint64_t my_next = 0;  // the next one this process reads
};
SinvalState GetSinvalState();

}  // namespace minipg::storage
