/*-------------------------------------------------------------------------
 * sinval_test.cpp
 *   Shared invalidation across real processes (fork): a catalog change's
 *   message reaches another process only once its transaction commits,
 *   never after an abort; a process in another database is not given it;
 *   a process that fell more than the ring behind gets one reset instead;
 *   a dropped relation's file, held open by another process, is closed by
 *   that process when it reads the kSmgr message.
 *-------------------------------------------------------------------------
 */
#include "engine/storage/ipc/sinval.h"

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/engine/shmem/child_process.h"
#include "tests/engine/storage/heap/heap_test_util.h"

namespace minipg::storage {
namespace {

using Kind = SharedInvalMessage::Kind;

/* Two pipes between the test and one child: each side waits for the
 * other's step number. */
class Steps {
 public:
  Steps() {
    EXPECT_EQ(pipe(to_child_), 0);
    EXPECT_EQ(pipe(to_parent_), 0);
  }
  ~Steps() {
    for (int fd : {to_child_[0], to_child_[1], to_parent_[0], to_parent_[1]}) close(fd);
  }
  void TellChild(char step) { (void)!write(to_child_[1], &step, 1); }
  void TellParent(char step) { (void)!write(to_parent_[1], &step, 1); }
  /* The step the other side said; 0 if it went away. */
  char FromParent() { return Read(to_child_[0]); }
  char FromChild() { return Read(to_parent_[0]); }

 private:
  static char Read(int fd) {
    char c = 0;
    return read(fd, &c, 1) == 1 ? c : 0;
  }
  int to_child_[2];
  int to_parent_[2];
};

class SinvalTest : public HeapTest {};

/* What a process's callbacks were given, in order. */
std::vector<SharedInvalMessage>& Seen() {
  static std::vector<SharedInvalMessage> seen;
  return seen;
}
/* Registers the recording callback (once per process image) and starts afresh. */
void Record() {
  static bool registered = false;
  if (!registered) RegisterInvalidationCallback([](const SharedInvalMessage& m) { Seen().push_back(m); });
  registered = true;
  Seen().clear();
}

// Scenario: a backend of database 5 queues two relcache messages (one of
// database 7) and its own callbacks see them at once. Another backend of
// database 5 sees nothing while the transaction is open, and after the
// commit exactly the database-5 message; reading again gives nothing new.
TEST_F(SinvalTest, MessagesReachOthersAtCommitForTheirDatabase) {
  Steps steps;
  pid_t child = test_util::SpawnChild([&steps] {
    SharedInvalBackendInit(1, 5);
    Record();
    steps.TellParent('r');
    if (steps.FromParent() != 'q') return 10;
    AcceptInvalidationMessages();
    if (!Seen().empty()) return 11;  // not committed yet
    steps.TellParent('a');
    if (steps.FromParent() != 'c') return 12;
    AcceptInvalidationMessages();
    if (Seen() != std::vector<SharedInvalMessage>{{Kind::kRelcache, 5, 16384, {}}}) return 13;
    AcceptInvalidationMessages();
    return Seen().size() == 1 ? 0 : 14;
  });
  ASSERT_EQ(steps.FromChild(), 'r');
  Record();
  (void)GetCurrentTransactionId();
  CacheInvalidateRelcache(5, 16384);
  CacheInvalidateRelcache(7, 99);
  EXPECT_EQ(Seen().size(), 2u) << "own changes apply at once";
  steps.TellChild('q');
  ASSERT_EQ(steps.FromChild(), 'a');
  ASSERT_TRUE(CommitTransaction().ok());
  EXPECT_EQ(GetSinvalState().max_msg, 2u);
  steps.TellChild('c');
  EXPECT_EQ(test_util::ChildExitCode(child), 0);
}

// Scenario: a transaction that queued a catalog message rolls back: the
// ring gets nothing, and its own callbacks see the message again (a cache
// built from the rolled-back rows is dropped).
TEST_F(SinvalTest, AbortSendsNothingAndInvalidatesLocally) {
  Record();
  CacheInvalidateCatalog(5, 1259);
  ASSERT_EQ(Seen().size(), 1u);
  ASSERT_TRUE(AbortTransaction().ok());
  EXPECT_EQ(Seen(), (std::vector<SharedInvalMessage>(2, {Kind::kCatcache, 5, 1259, {}})));
  EXPECT_EQ(GetSinvalState().max_msg, 0u);
  ASSERT_TRUE(CommitTransaction().ok());
  EXPECT_EQ(GetSinvalState().max_msg, 0u) << "the queue was emptied by the abort";
}

// Scenario: a backend sleeps while 4097 messages (more than the ring) are
// committed: it lost some, so it gets a single kResetAll and none of them;
// the next message after that reaches it normally.
TEST_F(SinvalTest, LaggardGetsOneReset) {
  Steps steps;
  pid_t child = test_util::SpawnChild([&steps] {
    SharedInvalBackendInit(2, 0);
    Record();
    steps.TellParent('r');
    if (steps.FromParent() != 'f') return 10;
    AcceptInvalidationMessages();
    if (Seen() != std::vector<SharedInvalMessage>{{Kind::kResetAll, 0, 0, {}}}) return 11;
    steps.TellParent('a');
    if (steps.FromParent() != 'n') return 12;
    AcceptInvalidationMessages();
    return Seen().size() == 2 && Seen()[1] == SharedInvalMessage{Kind::kRelcache, 5, 1, {}} ? 0 : 13;
  });
  ASSERT_EQ(steps.FromChild(), 'r');
  for (uint32_t i = 0; i <= kSinvalQueueSize; ++i) CacheInvalidateRelcache(5, 20000 + i);
  ASSERT_TRUE(CommitTransaction().ok());
  steps.TellChild('f');
  ASSERT_EQ(steps.FromChild(), 'a');
  CacheInvalidateRelcache(5, 1);
  ASSERT_TRUE(CommitTransaction().ok());
  steps.TellChild('n');
  EXPECT_EQ(test_util::ChildExitCode(child), 0);
  EXPECT_EQ(GetSinvalState().max_msg, kSinvalQueueSize + 2);
}

/* How many of this process's descriptors point at the removed table file. */
int DeletedFilesOpen() {
  int n = 0;
  std::error_code ec;
  for (const auto& fd : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    std::string target = std::filesystem::read_symlink(fd.path(), ec).string();
    if (!ec && target.find("base/5/16384 (deleted)") != std::string::npos) ++n;
  }
  return n;
}

// Scenario: another backend has the table's file open when the table is
// dropped and the drop commits: the file is removed, but that backend
// still holds it (the disk space is not free) until it reads the kSmgr
// message; then it holds no descriptor of a removed file.
TEST_F(SinvalTest, DroppedRelationFileReleasedByOtherProcess) {
  ASSERT_TRUE(HeapCreateRelation(kRel).ok());
  InsertIds(0, 10);
  ASSERT_TRUE(CommitTransaction().ok());
  ASSERT_TRUE(FlushAllDirty().ok());
  Steps steps;
  pid_t child = test_util::SpawnChild([&steps] {
    SmgrCloseAll();
    SharedInvalBackendInit(1, 5);
    auto n = SmgrNBlocks(kRel, ForkNumber::kMain);  // opens the file
    if (!n.ok() || *n == 0 || SmgrOpenFileCount() == 0) return 10;
    steps.TellParent('o');
    if (steps.FromParent() != 'd') return 11;
    if (DeletedFilesOpen() == 0) return 12;  // removed, still held
    AcceptInvalidationMessages();
    if (SmgrOpenFileCount() != 0) return 13;
    return DeletedFilesOpen() == 0 ? 0 : 14;
  });
  ASSERT_EQ(steps.FromChild(), 'o');
  HeapDropRelation(kRel);
  ASSERT_TRUE(CommitTransaction().ok());
  EXPECT_FALSE(SmgrExists(kRel, ForkNumber::kMain));
  steps.TellChild('d');
  EXPECT_EQ(test_util::ChildExitCode(child), 0);
}

}  // namespace
}  // namespace minipg::storage
