/*-------------------------------------------------------------------------
 * client_catalogs.h
 *   The system catalogs clients read besides the ones minipg's own objects
 *   live in (system_catalog.h): what psql 15's \d family and pgbench query
 *   (pg_proc, pg_operator, pg_am, pg_constraint, pg_description, ...), with
 *   PostgreSQL 15's names, OIDs and columns. Most are empty, as in a
 *   PostgreSQL database without such objects (no triggers, policies,
 *   publications, partitions); pg_am, pg_collation, pg_tablespace hold
 *   PostgreSQL's rows for what minipg has, pg_proc / pg_operator / pg_cast
 *   the built-in functions (bootstrap writes them from engine/sql's
 *   registry, see bootstrap.h).
 *
 * NOTES
 *   pg_node_tree columns (adbin, conbin, polqual, ...) are text here: minipg
 *   keeps an expression as the SQL text PostgreSQL's pg_get_expr would
 *   print. A column of a type minipg has not (bytea tgargs) is left out.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstddef>
#include <vector>

#include "engine/catalog/system_catalog.h"

namespace minipg::catalog {

/* The catalogs' OIDs (= relfilenodes), PostgreSQL's. */
inline constexpr Oid kTablespaceRelationId = 1213;  // pg_tablespace (shared)
inline constexpr Oid kShdependRelationId = 1214;  // pg_shdepend (shared)
inline constexpr Oid kProcRelationId = 1255;  // pg_proc
inline constexpr Oid kSequenceRelationId = 2224;  // pg_sequence
inline constexpr Oid kShdescriptionRelationId = 2396;  // pg_shdescription (shared)
inline constexpr Oid kAmRelationId = 2601;  // pg_am
inline constexpr Oid kAttrdefRelationId = 2604;  // pg_attrdef
inline constexpr Oid kCastRelationId = 2605;  // pg_cast
inline constexpr Oid kConstraintRelationId = 2606;  // pg_constraint
inline constexpr Oid kDependRelationId = 2608;  // pg_depend
inline constexpr Oid kDescriptionRelationId = 2609;  // pg_description
inline constexpr Oid kInheritsRelationId = 2611;  // pg_inherits
inline constexpr Oid kOperatorRelationId = 2617;  // pg_operator
inline constexpr Oid kRewriteRelationId = 2618;  // pg_rewrite
inline constexpr Oid kStatisticRelationId = 2619;  // pg_statistic
inline constexpr Oid kTriggerRelationId = 2620;  // pg_trigger
inline constexpr Oid kExtensionRelationId = 3079;  // pg_extension
inline constexpr Oid kPolicyRelationId = 3256;  // pg_policy
inline constexpr Oid kPartitionedTableRelationId = 3350;  // pg_partitioned_table
inline constexpr Oid kStatisticExtRelationId = 3381;  // pg_statistic_ext
inline constexpr Oid kCollationRelationId = 3456;  // pg_collation
inline constexpr Oid kPublicationRelationId = 6104;  // pg_publication
inline constexpr Oid kPublicationRelRelationId = 6106;  // pg_publication_rel
inline constexpr Oid kPublicationNamespaceRelationId = 6237;  // pg_publication_namespace

/* The access methods (pg_am), PostgreSQL's OIDs. */
inline constexpr Oid kHashAmOid = 405;  // btree: kBtreeAmOid, system_catalog.h

/* These catalogs, in OID order (SystemCatalogs() lists them after the
 * others). */
const std::vector<const SystemCatalog*>& ClientCatalogs();

/* Column positions in a row of each. */
namespace pg_tablespace {
enum : size_t {
  kOid, kSpcname, kSpcowner, kSpcacl, kSpcoptions, kNumColumns
};
}  // namespace pg_tablespace

namespace pg_shdepend {
enum : size_t {
  kDbid, kClassid, kObjid, kObjsubid, kRefclassid, kRefobjid, kDeptype, kNumColumns
};
}  // namespace pg_shdepend

namespace pg_proc {
enum : size_t {
  kOid, kProname, kPronamespace, kProowner, kProlang, kProcost, kProrows, kProvariadic, kProsupport, kProkind, kProsecdef, kProleakproof, kProisstrict, kProretset, kProvolatile, kProparallel, kPronargs, kPronargdefaults, kProrettype, kProargtypes, kProallargtypes, kProargmodes, kProargnames, kProargdefaults, kProtrftypes, kProsrc, kProbin, kProsqlbody, kProconfig, kProacl, kNumColumns
};
}  // namespace pg_proc

namespace pg_sequence {
enum : size_t {
  kSeqrelid, kSeqtypid, kSeqstart, kSeqincrement, kSeqmax, kSeqmin, kSeqcache, kSeqcycle, kNumColumns
};
}  // namespace pg_sequence

namespace pg_shdescription {
enum : size_t {
  kObjoid, kClassoid, kDescription, kNumColumns
};
}  // namespace pg_shdescription

namespace pg_am {
enum : size_t {
  kOid, kAmname, kAmhandler, kAmtype, kNumColumns
};
}  // namespace pg_am

namespace pg_attrdef {
enum : size_t {
  kOid, kAdrelid, kAdnum, kAdbin, kNumColumns
};
}  // namespace pg_attrdef

namespace pg_cast {
enum : size_t {
  kOid, kCastsource, kCasttarget, kCastfunc, kCastcontext, kCastmethod, kNumColumns
};
}  // namespace pg_cast

namespace pg_constraint {
enum : size_t {
  kOid, kConname, kConnamespace, kContype, kCondeferrable, kCondeferred, kConvalidated, kConrelid, kContypid, kConindid, kConparentid, kConfrelid, kConfupdtype, kConfdeltype, kConfmatchtype, kConislocal, kConinhcount, kConnoinherit, kConkey, kConfkey, kConpfeqop, kConppeqop, kConffeqop, kConfdelsetcols, kConexclop, kConbin, kNumColumns
};
}  // namespace pg_constraint

namespace pg_depend {
enum : size_t {
  kClassid, kObjid, kObjsubid, kRefclassid, kRefobjid, kRefobjsubid, kDeptype, kNumColumns
};
}  // namespace pg_depend

namespace pg_description {
enum : size_t {
  kObjoid, kClassoid, kObjsubid, kDescription, kNumColumns
};
}  // namespace pg_description

namespace pg_inherits {
enum : size_t {
  kInhrelid, kInhparent, kInhseqno, kInhdetachpending, kNumColumns
};
}  // namespace pg_inherits

namespace pg_operator {
enum : size_t {
  kOid, kOprname, kOprnamespace, kOprowner, kOprkind, kOprcanmerge, kOprcanhash, kOprleft, kOprright, kOprresult, kOprcom, kOprnegate, kOprcode, kOprrest, kOprjoin, kNumColumns
};
}  // namespace pg_operator

namespace pg_rewrite {
enum : size_t {
  kOid, kRulename, kEvClass, kEvType, kEvEnabled, kIsInstead, kEvQual, kEvAction, kNumColumns
};
}  // namespace pg_rewrite

namespace pg_statistic {
enum : size_t {
  kStarelid, kStaattnum, kStainherit, kStanullfrac, kStawidth, kStadistinct, kStakind1,
  kStaop1 = kStakind1 + 5, kStacoll1 = kStaop1 + 5, kStanumbers1 = kStacoll1 + 5, kStavalues1 = kStanumbers1 + 5,
  kNumColumns = kStavalues1 + 5
};
inline constexpr int kNumSlots = 5;
/* stakind values (PostgreSQL's pg_statistic.h). */
inline constexpr int kKindMcv = 1;
inline constexpr int kKindHistogram = 2;
inline constexpr int kKindCorrelation = 3;
}  // namespace pg_statistic

namespace pg_trigger {
enum : size_t {
  kOid, kTgrelid, kTgparentid, kTgname, kTgfoid, kTgtype, kTgenabled, kTgisinternal, kTgconstrrelid, kTgconstrindid, kTgconstraint, kTgdeferrable, kTginitdeferred, kTgnargs, kTgattr, kTgqual, kTgoldtable, kTgnewtable, kNumColumns
};
}  // namespace pg_trigger

namespace pg_extension {
enum : size_t {
  kOid, kExtname, kExtowner, kExtnamespace, kExtrelocatable, kExtversion, kExtconfig, kExtcondition, kNumColumns
};
}  // namespace pg_extension

namespace pg_policy {
enum : size_t {
  kOid, kPolname, kPolrelid, kPolcmd, kPolpermissive, kPolroles, kPolqual, kPolwithcheck, kNumColumns
};
}  // namespace pg_policy

namespace pg_partitioned_table {
enum : size_t {
  kPartrelid, kPartstrat, kPartnatts, kPartdefid, kPartattrs, kPartclass, kPartcollation, kPartexprs, kNumColumns
};
}  // namespace pg_partitioned_table

namespace pg_statistic_ext {
enum : size_t {
  kOid, kStxrelid, kStxname, kStxnamespace, kStxowner, kStxstattarget, kStxkeys, kStxkind, kStxexprs, kNumColumns
};
}  // namespace pg_statistic_ext

namespace pg_collation {
enum : size_t {
  kOid, kCollname, kCollnamespace, kCollowner, kCollprovider, kCollisdeterministic, kCollencoding, kCollcollate, kCollctype, kColliculocale, kCollversion, kNumColumns
};
}  // namespace pg_collation

namespace pg_publication {
enum : size_t {
  kOid, kPubname, kPubowner, kPuballtables, kPubinsert, kPubupdate, kPubdelete, kPubtruncate, kPubviaroot, kNumColumns
};
}  // namespace pg_publication

namespace pg_publication_rel {
enum : size_t {
  kOid, kPrpubid, kPrrelid, kPrqual, kPrattrs, kNumColumns
};
}  // namespace pg_publication_rel

namespace pg_publication_namespace {
enum : size_t {
  kOid, kPnpubid, kPnnspid, kNumColumns
};
}  // namespace pg_publication_namespace

}  // namespace minipg::catalog
