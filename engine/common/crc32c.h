/*-------------------------------------------------------------------------
 * crc32c.h
 *   CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected), the checksum of
 *   WAL records and of data pages, as PostgreSQL uses it.
 *
 * NOTES
 *   Crc32c(data) is the finished CRC of data (initial value and final XOR
 *   0xFFFFFFFF applied). To checksum pieces, pass the previous result as
 *   `crc`: Crc32c(b, Crc32c(a)) == Crc32c(a + b). On x86-64 with SSE4.2
 *   (checked once at run time) the crc32 instruction does the work; else a
 *   slicing-by-8 table.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string_view>

namespace minipg {

uint32_t Crc32c(std::string_view data, uint32_t crc = 0);

/* The portable table version, always available (tests compare the two). */
uint32_t Crc32cPortable(std::string_view data, uint32_t crc = 0);

}  // namespace minipg
