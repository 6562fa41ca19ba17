/*-------------------------------------------------------------------------
 * catalog_fixture.h
 *   A test with a new data directory whose catalogs are bootstrapped
 *   (shared ones with superuser "alice", template1's and postgres's), and
 *   this process set up to read and write them as a backend does.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <gtest/gtest.h>

#include "engine/catalog/bootstrap.h"
#include "engine/catalog/shared_catalogs.h"
#include "tests/engine/storage/heap/heap_test_util.h"

namespace minipg::catalog {

class BootstrappedCatalogTest : public storage::HeapTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(storage::InitStorage(dir_.path()).ok());
    ASSERT_TRUE(BootstrapSharedCatalogs(dir_.path(), "alice").ok());
    ASSERT_TRUE(BootstrapCatalogs(dir_.path()).ok());
    storage::HeapTest::SetUp();
  }
};

}  // namespace minipg::catalog
