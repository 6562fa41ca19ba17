/*-------------------------------------------------------------------------
 * crc32c.h
 *   CRC-32C (Castagnoli polynomial 0x1EDC6F41, reflected), the checksum
 *   PostgreSQL puts on WAL records; minipg also folds it into the 16-bit
 *   checksum of a data page (engine/storage/page/page.h).
 *
 * NOTES
 *   Crc32c(data) is the finished CRC (initial value and final XOR
 *   0xFFFFFFFF applied). Pieces chain: Crc32c(b, Crc32c(a)) == Crc32c(a + b).
 *   On x86-64 processors with SSE4.2 (checked once, at run time) the crc32
 *   instruction does the work; elsewhere a slicing-by-8 table.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string_view>

namespace minipg {

uint32_t Crc32c(std::string_view data, uint32_t crc = 0);

/* The table version, on every processor (tests compare the two). */
uint32_t Crc32cPortable(std::string_view data, uint32_t crc = 0);

}  // namespace minipg
