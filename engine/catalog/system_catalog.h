/*-------------------------------------------------------------------------
 * system_catalog.h
 *   The system catalogs minipg keeps as heap relations, with PostgreSQL 15's
 *   names, OIDs and the columns clients read, in its order: pg_class,
 *   pg_attribute, pg_type, pg_namespace, pg_index in each database
 *   (base/<db>/<oid>), and the shared ones in global/; and those only
 *   clients read (pg_proc, pg_am, pg_constraint, ...: client_catalogs.h).
 *
 *   A catalog's relfilenode is its OID (PostgreSQL keeps a relation mapper
 *   for the catalogs; minipg has none: a catalog is never rewritten).
 *
 * NOTES
 *   Columns of PostgreSQL types minipg does not have are left out:
 *   regproc in pg_type (typinput, typoutput, ...), anyarray
 *   (attmissingval), timestamptz (rolvaliduntil). pg_node_tree columns
 *   (relpartbound, indexprs) are text. Every other column is there,
 *   in PostgreSQL's order, with PostgreSQL's value for what minipg cannot
 *   fill (relallvisible 0, relreplident 'd', ...). The column positions
 *   below (pg_class::kRelname, ...) index a catalog row's Tuple.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "engine/storage/block.h"
#include "engine/storage/catalog.h"

namespace minipg::catalog {

using storage::Oid;

/* The catalogs' OIDs (= relfilenodes), PostgreSQL's. */
inline constexpr Oid kTypeRelationId = 1247;       // pg_type
inline constexpr Oid kAttributeRelationId = 1249;  // pg_attribute
inline constexpr Oid kRelationRelationId = 1259;   // pg_class
inline constexpr Oid kNamespaceRelationId = 2615;  // pg_namespace
inline constexpr Oid kIndexRelationId = 2610;      // pg_index
inline constexpr Oid kDatabaseRelationId = 1262;   // pg_database (shared)
inline constexpr Oid kAuthIdRelationId = 1260;     // pg_authid (shared)
inline constexpr Oid kAuthMemRelationId = 1261;    // pg_auth_members (shared)

/* Schemas (pg_namespace), PostgreSQL's OIDs. */
inline constexpr Oid kPgCatalogNamespace = 11;
inline constexpr Oid kPgToastNamespace = 99;
inline constexpr Oid kPublicNamespace = 2200;
/* pg_database_owner: owns the public schema, as in PostgreSQL 15. */
inline constexpr Oid kPgDatabaseOwnerOid = 6171;
/* The heap table access method (pg_am), relam of every table. */
inline constexpr Oid kHeapTableAmOid = 2;
/* The btree index access method (pg_am), relam of every index. */
inline constexpr Oid kBtreeAmOid = 403;
/* Collations: "default" (text columns) and "C" (name columns). */
inline constexpr Oid kDefaultCollationOid = 100;
inline constexpr Oid kCCollationOid = 950;

struct SystemCatalog {
  storage::Oid oid;            // its pg_class OID = its relfilenode (no relation mapper)
  std::string_view name;       // "pg_class"
  bool shared;                 // true: in global/ (tablespace 1664, database 0)
  std::vector<storage::ColumnDef> columns;  // PostgreSQL 15's columns clients read, in its order
  storage::Oid row_type = 0;   // its composite type in pg_type (pg_class.reltype), PostgreSQL's OID
};

/* The catalog called `name` (pg_class), nullptr if none. */
const SystemCatalog* FindSystemCatalog(std::string_view name);
/* The catalog with this OID, nullptr if none. */
const SystemCatalog* FindSystemCatalogByOid(Oid oid);
/* Every one, in bootstrap order. */
const std::vector<const SystemCatalog*>& SystemCatalogs();

/* The catalog as a table the SQL layer scans (name, OID, columns). */
storage::TableDef SystemCatalogTableDef(const SystemCatalog& cat);
/* The same, made once: the table called `name`, nullptr if no catalog is. */
const storage::TableDef* FindSystemCatalogTable(std::string_view name);

/* Column positions in a row of each catalog. */
namespace pg_class {
enum : size_t {
  kOid, kRelname, kRelnamespace, kReltype, kReloftype, kRelowner, kRelam, kRelfilenode,
  kReltablespace, kRelpages, kReltuples, kRelallvisible, kReltoastrelid, kRelhasindex,
  kRelisshared, kRelpersistence, kRelkind, kRelnatts, kRelchecks, kRelhasrules, kRelhastriggers,
  kRelhassubclass, kRelrowsecurity, kRelforcerowsecurity, kRelispopulated, kRelreplident,
  kRelispartition, kRelrewrite, kRelfrozenxid, kRelminmxid, kRelacl, kReloptions, kRelpartbound, kNumColumns
};
}  // namespace pg_class

namespace pg_attribute {
enum : size_t {
  kAttrelid, kAttname, kAtttypid, kAttstattarget, kAttlen, kAttnum, kAttndims, kAttcacheoff,
  kAtttypmod, kAttbyval, kAttalign, kAttstorage, kAttcompression, kAttnotnull, kAtthasdef,
  kAtthasmissing, kAttidentity, kAttgenerated, kAttisdropped, kAttislocal, kAttinhcount,
  kAttcollation, kAttacl, kAttoptions, kAttfdwoptions, kNumColumns
};
}  // namespace pg_attribute

namespace pg_type {
enum : size_t {
  kOid, kTypname, kTypnamespace, kTypowner, kTyplen, kTypbyval, kTyptype, kTypcategory,
  kTypispreferred, kTypisdefined, kTypdelim, kTyprelid, kTypelem, kTyparray, kTypalign,
  kTypstorage, kTypnotnull, kTypbasetype, kTyptypmod, kTypndims, kTypcollation, kNumColumns
};
}  // namespace pg_type

namespace pg_namespace {
enum : size_t { kOid, kNspname, kNspowner, kNspacl, kNumColumns };
}  // namespace pg_namespace

namespace pg_index {
enum : size_t {
  kIndexrelid, kIndrelid, kIndnatts, kIndnkeyatts, kIndisunique, kIndnullsnotdistinct,
  kIndisprimary, kIndisexclusion, kIndimmediate, kIndisclustered, kIndisvalid, kIndcheckxmin,
  kIndisready, kIndislive, kIndisreplident, kIndkey, kIndcollation, kIndclass, kIndoption, kIndexprs,
  kIndpred, kNumColumns
};
}  // namespace pg_index

namespace pg_database {
enum : size_t {
  kOid, kDatname, kDatdba, kEncoding, kDatlocprovider, kDatistemplate, kDatallowconn, kDatconnlimit,
  kDatfrozenxid, kDatminmxid, kDattablespace, kDatcollate, kDatctype, kDaticulocale, kDatcollversion,
  kDatacl, kNumColumns
};
}  // namespace pg_database

namespace pg_authid {
enum : size_t {
  kOid, kRolname, kRolsuper, kRolinherit, kRolcreaterole, kRolcreatedb, kRolcanlogin, kRolreplication,
  kRolbypassrls, kRolconnlimit, kRolpassword, kNumColumns
};
}  // namespace pg_authid

namespace pg_auth_members {
enum : size_t { kRoleid, kMember, kGrantor, kAdminOption, kNumColumns };
}  // namespace pg_auth_members

}  // namespace minipg::catalog
