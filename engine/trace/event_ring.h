/*-------------------------------------------------------------------------
 * event_ring.h
 *   The event rings: one ring buffer in shared memory per server process,
 *   written by that process alone and drained by the event collector. A
 *   process puts an event into the stream with a memcpy and an atomic
 *   store, without a system call or a memory fence.
 *
 *        postmaster --ring 0--\
 *        backend    --ring 1---+--> collector (drains every ring)
 *        checkpointer -ring 2-/         ^
 *                                       | eventfd: written only to wake a
 *                                       | collector that sleeps
 *
 *   Layout (one anonymous MAP_SHARED mapping, made by the postmaster before
 *   it forks anything, never remade, so the collector and every child,
 *   also those forked after a crash cycle, see the same rings):
 *
 *     OFFSET  SIZE                    DESCRIPTION
 *          0  64                      EventRings: magic, number of rings,
 *                                     ring size, the eventfd, the wake flags
 *         64  N * sizeof(EventRing)   the rings; each starts with its head
 *                                     (bytes ever written) and tail (bytes
 *                                     ever read) on their own cache lines,
 *                                     a count of dropped events, then its
 *                                     data (kEventRingBytes)
 *
 *   A record in a ring's data, at offset (position % kEventRingBytes), and
 *   wrapping around the end of the data like the bytes of a stream:
 *
 *     OFFSET  SIZE  DESCRIPTION
 *          0     4  length L of the event's JSON text (1 .. kMaxEventRecord)
 *          4     L  the JSON text, no newline
 *
 * NOTES
 *   Single writer, single reader, no locks. The writer copies a record in
 *   beyond head and then publishes it by storing the new head (release);
 *   the reader reads up to the head it loaded (acquire) and then frees the
 *   space by storing the new tail (release). So a writer that dies half way
 *   through a record (killed, crashed) leaves nothing the reader can see;
 *   the next process given that ring writes over its bytes. A reader that
 *   dies (the collector crashed) loses only the records it had taken and
 *   not yet sent: its successor goes on from the tail in shared memory.
 *   The postmaster gives each child a ring when it forks it and takes it
 *   back when it reaps the child, so a ring never has two live writers.
 *   A ring that is full refuses the record: the writer counts it as
 *   dropped and never waits. The reader checks every length it reads; a
 *   ring whose bytes make no sense (a wild write) is skipped to its head.
 *
 *   Waking the collector (the reader of all rings). It sets `sleeping`
 *   and looks at every ring once more before it sleeps in poll() on the
 *   eventfd; a writer that finds `sleeping` set after publishing writes
 *   the eventfd, one write per sleep (`wake_pending`). The writer does not
 *   fence between its store of the head and its load of the flag (a full
 *   fence there, waiting for the record's cache lines, was most of an
 *   event's cost): in the nanoseconds in which both could miss each other
 *   a record waits for the collector's next timed wake, kIdleWakeMs at
 *   most, or for the next record's wake. A collector that is awake drains
 *   the rings on its own timer, a few milliseconds apart; a writer whose
 *   ring is more than half full wakes it at once.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "engine/common/error.h"

namespace minipg::trace {

/* Each ring's data. A busy backend writes some 2 kB of events per query
 * and the collector drains every few milliseconds, but on a loaded machine
 * (a viewer drawing at 60 fps beside pgbench) it may not run for tens of
 * them: 64 kB rings dropped events there. Only the pages a process writes
 * take memory, so a ring costs little until its process is busy. */
inline constexpr size_t kEventRingBytes = 256u << 10;
/* The longest event a ring takes (as the pipe's: one atomic pipe write). */
inline constexpr size_t kMaxEventRecord = 4096;
/* The longest a collector with nothing to do sleeps: how late a record that
 * missed its wake (NOTES) can be. */
inline constexpr int kIdleWakeMs = 100;

struct EventRing {
  alignas(64) std::atomic<uint64_t> head;  // bytes ever written (the writer stores it)
  alignas(64) std::atomic<uint64_t> tail;  // bytes ever read (the reader stores it)
  std::atomic<uint64_t> dropped;           // events refused because the ring was full, ever
  std::atomic<uint64_t> skipped;           // bytes the reader skipped as corrupt, ever
  alignas(64) char data[kEventRingBytes];
};

struct EventRings {
  alignas(64) uint64_t magic;
  uint32_t num_rings;
  int32_t wake_fd;                   // an eventfd every process inherited
  std::atomic<uint32_t> sleeping;    // the collector is in (or about to enter) its poll()
  std::atomic<uint32_t> wake_pending;  // a writer has written the eventfd since it last woke
  // num_rings EventRing follow, from the next 64-byte boundary: RingAt()
};

/* Ring `index` (0 .. num_rings - 1). */
EventRing* RingAt(EventRings* rings, int index);

/* Makes the rings (a new shared mapping and eventfd) for `num_rings`
 * processes; the postmaster does this once, before it forks. */
Result<EventRings*> CreateEventRings(int num_rings);
/* Unmaps them (tests). */
void DestroyEventRings(EventRings* rings);

/* The writer's side: appends one record to ring `index`, waking the
 * collector if it sleeps. False (and the ring's dropped count grows) when
 * the ring has no room. `text` must be 1 .. kMaxEventRecord bytes. */
bool RingAppend(EventRings* rings, int index, std::string_view text);

/* The reader's side: hands every record published in ring `index` to
 * `take`, in order, and frees their space. Returns how many it took. */
size_t RingDrain(EventRings* rings, int index, const std::function<void(std::string_view)>& take);

/* The reader, before sleeping: sets `sleeping`, then drains every ring
 * once more, handing each record to `take` with its ring's index. If that
 * found records it clears `sleeping` again and returns their number: do
 * not sleep. 0: sleep (poll the eventfd). */
size_t RingPrepareToSleep(EventRings* rings, const std::function<void(int, std::string_view)>& take);
/* The reader, after poll() returned: clears the wake flags and the
 * eventfd's counter. */
void RingAwake(EventRings* rings);

}  // namespace minipg::trace
