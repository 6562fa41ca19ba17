/*-------------------------------------------------------------------------
 * wal_records.cpp
 *   Encoding and decoding of each rmgr's main data (wal_records.h lists
 *   the layouts): one writer and one reader walk each struct's Fields().
 *-------------------------------------------------------------------------
 */
#include "engine/storage/wal/wal_records.h"

#include <type_traits>

#include "engine/storage/wal/btree_records.h"
#include "engine/storage/wal/wal_bytes.h"

namespace minipg::storage::wal {

namespace {

struct FieldWriter {
  ByteWriter& w;
  template <typename V>
  void operator()(const V& v) {
    if constexpr (std::is_same_v<V, RelFileLocator>) {
      w.U32(v.spc_oid);
      w.U32(v.db_oid);
      w.U32(v.rel_number);
    } else if constexpr (std::is_enum_v<V> || std::is_same_v<V, bool>) {
      w.U8(static_cast<uint8_t>(v));
    } else {
      static_assert(std::is_integral_v<V>);
      uint64_t u = static_cast<uint64_t>(v);
      char b[sizeof(V)];
      StoreLe(b, u, sizeof(V));
      w.Bytes({b, sizeof(V)});
    }
  }
};

struct FieldReader {
  ByteReader& r;
  template <typename V>
  void operator()(V& v) {
    if constexpr (std::is_same_v<V, RelFileLocator>) {
      v.spc_oid = r.U32();
      v.db_oid = r.U32();
      v.rel_number = r.U32();
    } else if constexpr (std::is_same_v<V, bool>) {
      v = r.U8() != 0;
    } else if constexpr (std::is_enum_v<V>) {
      v = static_cast<V>(r.U8());
    } else {
      static_assert(std::is_integral_v<V>);
      std::string_view b = r.Bytes(sizeof(V));
      v = b.empty() ? V{} : static_cast<V>(LoadLe(b.data(), sizeof(V)));
    }
  }
};

}  // namespace

template <typename T>
std::string EncodePayload(const T& value) {
  ByteWriter w;
  T copy = value;  // Fields() is one non-const walk for reading and writing
  copy.Fields(FieldWriter{w});
  return std::move(w.str());
}

template <typename T>
std::optional<T> DecodePayload(std::string_view in) {
  ByteReader r(in);
  T value;
  value.Fields(FieldReader{r});
  if (!r.done()) return std::nullopt;
  return value;
}

template std::string EncodePayload(const CheckpointRecord&);
template std::optional<CheckpointRecord> DecodePayload(std::string_view);
template std::string EncodePayload(const NextOidRecord&);
template std::optional<NextOidRecord> DecodePayload(std::string_view);
template std::string EncodePayload(const XactRecord&);
template std::optional<XactRecord> DecodePayload(std::string_view);
template std::string EncodePayload(const SmgrCreateRecord&);
template std::optional<SmgrCreateRecord> DecodePayload(std::string_view);
template std::string EncodePayload(const SmgrTruncateRecord&);
template std::optional<SmgrTruncateRecord> DecodePayload(std::string_view);
template std::string EncodePayload(const HeapInsertRecord&);
template std::optional<HeapInsertRecord> DecodePayload(std::string_view);
template std::string EncodePayload(const HeapDeleteRecord&);
template std::optional<HeapDeleteRecord> DecodePayload(std::string_view);
template std::string EncodePayload(const HeapLockRecord&);
template std::optional<HeapLockRecord> DecodePayload(std::string_view);
template std::string EncodePayload(const HeapUpdateRecord&);
template std::optional<HeapUpdateRecord> DecodePayload(std::string_view);
template std::string EncodePayload(const HeapPruneRecord&);
template std::optional<HeapPruneRecord> DecodePayload(std::string_view);
template std::string EncodePayload(const HeapVacuumRecord&);
template std::optional<HeapVacuumRecord> DecodePayload(std::string_view);
template std::string EncodePayload(const HeapVisibleRecord&);
template std::optional<HeapVisibleRecord> DecodePayload(std::string_view);
template std::string EncodePayload(const BtreeVacuumRecord&);
template std::optional<BtreeVacuumRecord> DecodePayload(std::string_view);
template std::string EncodePayload(const DbaseCreateRecord&);
template std::optional<DbaseCreateRecord> DecodePayload(std::string_view);
template std::string EncodePayload(const DbaseRecord&);
template std::optional<DbaseRecord> DecodePayload(std::string_view);
template std::string EncodePayload(const BtreeInsertRecord&);
template std::optional<BtreeInsertRecord> DecodePayload(std::string_view);
template std::string EncodePayload(const BtreeSplitRecord&);
template std::optional<BtreeSplitRecord> DecodePayload(std::string_view);
template std::string EncodePayload(const BtreeNewrootRecord&);
template std::optional<BtreeNewrootRecord> DecodePayload(std::string_view);
template std::string EncodePayload(const BtreeMetaRecord&);
template std::optional<BtreeMetaRecord> DecodePayload(std::string_view);

template std::string EncodePayload(const HeapFreezePageRecord&);
template std::optional<HeapFreezePageRecord> DecodePayload(std::string_view);
template std::string EncodePayload(const FreezeTuplePlan&);
template std::optional<FreezeTuplePlan> DecodePayload(std::string_view);

namespace {
constexpr size_t kFreezePlanSize = 11;
}  // namespace

std::string EncodeFreezePlans(const std::vector<FreezeTuplePlan>& plans) {
  std::string out;
  for (const FreezeTuplePlan& p : plans) out += EncodePayload(p);
  return out;
}

std::optional<std::vector<FreezeTuplePlan>> DecodeFreezePlans(std::string_view data) {
  if (data.size() % kFreezePlanSize != 0) return std::nullopt;
  std::vector<FreezeTuplePlan> plans;
  for (size_t pos = 0; pos < data.size(); pos += kFreezePlanSize) {
    auto p = DecodePayload<FreezeTuplePlan>(data.substr(pos, kFreezePlanSize));
    if (!p) return std::nullopt;
    plans.push_back(*p);
  }
  return plans;
}

std::string EncodeOffsets(const std::vector<uint16_t>& offsets) {
  ByteWriter w;
  for (uint16_t off : offsets) w.U16(off);
  return std::move(w.str());
}

std::optional<std::vector<uint16_t>> DecodeOffsets(std::string_view data) {
  if (data.size() % 2 != 0) return std::nullopt;
  ByteReader r(data);
  std::vector<uint16_t> out;
  while (!r.done()) out.push_back(r.U16());
  return out;
}

std::string EncodeXactPayload(const XactPayload& x) {
  std::string out = EncodePayload(XactRecord{x.xact_time});
  if (x.rels.empty() && x.subxids.empty()) return out;
  ByteWriter w;
  w.U32(static_cast<uint32_t>(x.rels.size()));
  for (const RelFileLocator& r : x.rels) {
    w.U32(r.spc_oid);
    w.U32(r.db_oid);
    w.U32(r.rel_number);
  }
  if (!x.subxids.empty()) {
    w.U32(static_cast<uint32_t>(x.subxids.size()));
    for (TransactionId xid : x.subxids) w.U32(xid);
  }
  return out + w.str();
}

std::optional<XactPayload> DecodeXactPayload(std::string_view in) {
  constexpr size_t kFixed = 8;
  if (in.size() < kFixed) return std::nullopt;
  auto fixed = DecodePayload<XactRecord>(in.substr(0, kFixed));
  if (!fixed) return std::nullopt;
  XactPayload x{fixed->xact_time, {}, {}};
  if (in.size() == kFixed) return x;
  ByteReader r(in.substr(kFixed));
  uint32_t n = r.U32();
  if (n > (in.size() - kFixed) / 12) return std::nullopt;
  for (uint32_t i = 0; i < n; ++i) {
    RelFileLocator rel;
    rel.spc_oid = r.U32();
    rel.db_oid = r.U32();
    rel.rel_number = r.U32();
    x.rels.push_back(rel);
  }
  if (!r.done()) {
    uint32_t m = r.U32();
    if (m > (in.size() - kFixed) / 4) return std::nullopt;
    for (uint32_t i = 0; i < m; ++i) x.subxids.push_back(r.U32());
  }
  if (!r.done()) return std::nullopt;
  return x;
}

std::string EncodeHeapTupleData(const HeapTupleWalHeader& h, std::string_view tuple_body) {
  ByteWriter w;
  w.U16(h.infomask2);
  w.U16(h.infomask);
  w.U8(h.hoff);
  w.Bytes(tuple_body);
  return std::move(w.str());
}

std::optional<std::pair<HeapTupleWalHeader, std::string_view>> DecodeHeapTupleData(std::string_view data) {
  ByteReader r(data);
  HeapTupleWalHeader h;
  h.infomask2 = r.U16();
  h.infomask = r.U16();
  h.hoff = r.U8();
  if (!r.ok()) return std::nullopt;
  return std::make_pair(h, r.Rest());
}

}  // namespace minipg::storage::wal
