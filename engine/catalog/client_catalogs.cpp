/*-------------------------------------------------------------------------
 * client_catalogs.cpp
 *   The catalogs clients read and their columns (client_catalogs.h),
 *   PostgreSQL 15's (taken from its pg_attribute).
 *-------------------------------------------------------------------------
 */
#include "engine/catalog/client_catalogs.h"

namespace minipg::catalog {

namespace {

using CT = storage::ColumnType;
constexpr CT kOidT = CT::kOid;
constexpr CT kNameT = CT::kName;
constexpr CT kCharT = CT::kChar;
constexpr CT kBoolT = CT::kBool;
constexpr CT kInt2T = CT::kInt2;
constexpr CT kInt4T = CT::kInt4;
constexpr CT kTextT = CT::kText;

const SystemCatalog kPgTablespace{
    kTablespaceRelationId, "pg_tablespace", true,
    {{"oid", kOidT}, {"spcname", kNameT}, {"spcowner", kOidT},
     {"spcacl", CT::kAclItemArray}, {"spcoptions", CT::kTextArray}},
    10056};

const SystemCatalog kPgShdepend{
    kShdependRelationId, "pg_shdepend", true,
    {{"dbid", kOidT}, {"classid", kOidT}, {"objid", kOidT},
     {"objsubid", kInt4T}, {"refclassid", kOidT}, {"refobjid", kOidT},
     {"deptype", kCharT}},
    10060};

const SystemCatalog kPgProc{
    kProcRelationId, "pg_proc", false,
    {{"oid", kOidT}, {"proname", kNameT}, {"pronamespace", kOidT},
     {"proowner", kOidT}, {"prolang", kOidT}, {"procost", CT::kFloat4},
     {"prorows", CT::kFloat4}, {"provariadic", kOidT}, {"prosupport", CT::kRegproc},
     {"prokind", kCharT}, {"prosecdef", kBoolT}, {"proleakproof", kBoolT},
     {"proisstrict", kBoolT}, {"proretset", kBoolT}, {"provolatile", kCharT},
     {"proparallel", kCharT}, {"pronargs", kInt2T}, {"pronargdefaults", kInt2T},
     {"prorettype", kOidT}, {"proargtypes", CT::kOidVector}, {"proallargtypes", CT::kOidArray},
     {"proargmodes", CT::kCharArray}, {"proargnames", CT::kTextArray}, {"proargdefaults", kTextT},
     {"protrftypes", CT::kOidArray}, {"prosrc", kTextT}, {"probin", kTextT},
     {"prosqlbody", kTextT}, {"proconfig", CT::kTextArray}, {"proacl", CT::kAclItemArray}},
    81};

const SystemCatalog kPgSequence{
    kSequenceRelationId, "pg_sequence", false,
    {{"seqrelid", kOidT}, {"seqtypid", kOidT}, {"seqstart", CT::kInt8},
     {"seqincrement", CT::kInt8}, {"seqmax", CT::kInt8}, {"seqmin", CT::kInt8},
     {"seqcache", CT::kInt8}, {"seqcycle", kBoolT}},
    10105};

const SystemCatalog kPgShdescription{
    kShdescriptionRelationId, "pg_shdescription", true,
    {{"objoid", kOidT}, {"classoid", kOidT}, {"description", kTextT}},
    10062};

const SystemCatalog kPgAm{
    kAmRelationId, "pg_am", false,
    {{"oid", kOidT}, {"amname", kNameT}, {"amhandler", CT::kRegproc},
     {"amtype", kCharT}},
    10015};

const SystemCatalog kPgAttrdef{
    kAttrdefRelationId, "pg_attrdef", false,
    {{"oid", kOidT}, {"adrelid", kOidT}, {"adnum", kInt2T},
     {"adbin", kTextT}},
    10001};

const SystemCatalog kPgCast{
    kCastRelationId, "pg_cast", false,
    {{"oid", kOidT}, {"castsource", kOidT}, {"casttarget", kOidT},
     {"castfunc", kOidT}, {"castcontext", kCharT}, {"castmethod", kCharT}},
    10043};

const SystemCatalog kPgConstraint{
    kConstraintRelationId, "pg_constraint", false,
    {{"oid", kOidT}, {"conname", kNameT}, {"connamespace", kOidT},
     {"contype", kCharT}, {"condeferrable", kBoolT}, {"condeferred", kBoolT},
     {"convalidated", kBoolT}, {"conrelid", kOidT}, {"contypid", kOidT},
     {"conindid", kOidT}, {"conparentid", kOidT}, {"confrelid", kOidT},
     {"confupdtype", kCharT}, {"confdeltype", kCharT}, {"confmatchtype", kCharT},
     {"conislocal", kBoolT}, {"coninhcount", kInt4T}, {"connoinherit", kBoolT},
     {"conkey", CT::kInt2Array}, {"confkey", CT::kInt2Array}, {"conpfeqop", CT::kOidArray},
     {"conppeqop", CT::kOidArray}, {"conffeqop", CT::kOidArray}, {"confdelsetcols", CT::kInt2Array},
     {"conexclop", CT::kOidArray}, {"conbin", kTextT}},
    10003};

const SystemCatalog kPgDepend{
    kDependRelationId, "pg_depend", false,
    {{"classid", kOidT}, {"objid", kOidT}, {"objsubid", kInt4T},
     {"refclassid", kOidT}, {"refobjid", kOidT}, {"refobjsubid", kInt4T},
     {"deptype", kCharT}},
    10051};

const SystemCatalog kPgDescription{
    kDescriptionRelationId, "pg_description", false,
    {{"objoid", kOidT}, {"classoid", kOidT}, {"objsubid", kInt4T},
     {"description", kTextT}},
    10041};

const SystemCatalog kPgInherits{
    kInheritsRelationId, "pg_inherits", false,
    {{"inhrelid", kOidT}, {"inhparent", kOidT}, {"inhseqno", kInt4T},
     {"inhdetachpending", kBoolT}},
    10005};

const SystemCatalog kPgOperator{
    kOperatorRelationId, "pg_operator", false,
    {{"oid", kOidT}, {"oprname", kNameT}, {"oprnamespace", kOidT},
     {"oprowner", kOidT}, {"oprkind", kCharT}, {"oprcanmerge", kBoolT},
     {"oprcanhash", kBoolT}, {"oprleft", kOidT}, {"oprright", kOidT},
     {"oprresult", kOidT}, {"oprcom", kOidT}, {"oprnegate", kOidT},
     {"oprcode", CT::kRegproc}, {"oprrest", CT::kRegproc}, {"oprjoin", CT::kRegproc}},
    10009};

const SystemCatalog kPgRewrite{
    kRewriteRelationId, "pg_rewrite", false,
    {{"oid", kOidT}, {"rulename", kNameT}, {"ev_class", kOidT},
     {"ev_type", kCharT}, {"ev_enabled", kCharT}, {"is_instead", kBoolT},
     {"ev_qual", kTextT}, {"ev_action", kTextT}},
    10035};

const SystemCatalog kPgTrigger{
  // left out: tgargs (bytea)
    kTriggerRelationId, "pg_trigger", false,
    {{"oid", kOidT}, {"tgrelid", kOidT}, {"tgparentid", kOidT},
     {"tgname", kNameT}, {"tgfoid", kOidT}, {"tgtype", kInt2T},
     {"tgenabled", kCharT}, {"tgisinternal", kBoolT}, {"tgconstrrelid", kOidT},
     {"tgconstrindid", kOidT}, {"tgconstraint", kOidT}, {"tgdeferrable", kBoolT},
     {"tginitdeferred", kBoolT}, {"tgnargs", kInt2T}, {"tgattr", CT::kInt2Vector},
     {"tgqual", kTextT}, {"tgoldtable", kNameT}, {"tgnewtable", kNameT}},
    10037};

const SystemCatalog kPgExtension{
    kExtensionRelationId, "pg_extension", false,
    {{"oid", kOidT}, {"extname", kNameT}, {"extowner", kOidT},
     {"extnamespace", kOidT}, {"extrelocatable", kBoolT}, {"extversion", kTextT},
     {"extconfig", CT::kOidArray}, {"extcondition", CT::kTextArray}},
    10074};

/* stavalues (anyarray in PostgreSQL) is text[] here: each value's text
 * output, which prints as PostgreSQL prints the anyarray. */
const SystemCatalog kPgStatistic{
    kStatisticRelationId, "pg_statistic", false,
    {{"starelid", kOidT}, {"staattnum", kInt2T}, {"stainherit", kBoolT},
     {"stanullfrac", CT::kFloat4}, {"stawidth", kInt4T}, {"stadistinct", CT::kFloat4},
     {"stakind1", kInt2T}, {"stakind2", kInt2T}, {"stakind3", kInt2T}, {"stakind4", kInt2T}, {"stakind5", kInt2T},
     {"staop1", kOidT}, {"staop2", kOidT}, {"staop3", kOidT}, {"staop4", kOidT}, {"staop5", kOidT},
     {"stacoll1", kOidT}, {"stacoll2", kOidT}, {"stacoll3", kOidT}, {"stacoll4", kOidT}, {"stacoll5", kOidT},
     {"stanumbers1", CT::kFloat4Array}, {"stanumbers2", CT::kFloat4Array}, {"stanumbers3", CT::kFloat4Array},
     {"stanumbers4", CT::kFloat4Array}, {"stanumbers5", CT::kFloat4Array},
     {"stavalues1", CT::kTextArray}, {"stavalues2", CT::kTextArray}, {"stavalues3", CT::kTextArray},
     {"stavalues4", CT::kTextArray}, {"stavalues5", CT::kTextArray}},
    10029};

const SystemCatalog kPgPolicy{
    kPolicyRelationId, "pg_policy", false,
    {{"oid", kOidT}, {"polname", kNameT}, {"polrelid", kOidT},
     {"polcmd", kCharT}, {"polpermissive", kBoolT}, {"polroles", CT::kOidArray},
     {"polqual", kTextT}, {"polwithcheck", kTextT}},
    10084};

const SystemCatalog kPgPartitionedTable{
    kPartitionedTableRelationId, "pg_partitioned_table", false,
    {{"partrelid", kOidT}, {"partstrat", kCharT}, {"partnatts", kInt2T},
     {"partdefid", kOidT}, {"partattrs", CT::kInt2Vector}, {"partclass", CT::kOidVector},
     {"partcollation", CT::kOidVector}, {"partexprs", kTextT}},
    10099};

const SystemCatalog kPgStatisticExt{
    kStatisticExtRelationId, "pg_statistic_ext", false,
    {{"oid", kOidT}, {"stxrelid", kOidT}, {"stxname", kNameT},
     {"stxnamespace", kOidT}, {"stxowner", kOidT}, {"stxstattarget", kInt4T},
     {"stxkeys", CT::kInt2Vector}, {"stxkind", CT::kCharArray}, {"stxexprs", kTextT}},
    10031};

const SystemCatalog kPgCollation{
    kCollationRelationId, "pg_collation", false,
    {{"oid", kOidT}, {"collname", kNameT}, {"collnamespace", kOidT},
     {"collowner", kOidT}, {"collprovider", kCharT}, {"collisdeterministic", kBoolT},
     {"collencoding", kInt4T}, {"collcollate", kTextT}, {"collctype", kTextT},
     {"colliculocale", kTextT}, {"collversion", kTextT}},
    10095};

const SystemCatalog kPgPublication{
    kPublicationRelationId, "pg_publication", false,
    {{"oid", kOidT}, {"pubname", kNameT}, {"pubowner", kOidT},
     {"puballtables", kBoolT}, {"pubinsert", kBoolT}, {"pubupdate", kBoolT},
     {"pubdelete", kBoolT}, {"pubtruncate", kBoolT}, {"pubviaroot", kBoolT}},
    10107};

const SystemCatalog kPgPublicationRel{
    kPublicationRelRelationId, "pg_publication_rel", false,
    {{"oid", kOidT}, {"prpubid", kOidT}, {"prrelid", kOidT},
     {"prqual", kTextT}, {"prattrs", CT::kInt2Vector}},
    10111};

const SystemCatalog kPgPublicationNamespace{
    kPublicationNamespaceRelationId, "pg_publication_namespace", false,
    {{"oid", kOidT}, {"pnpubid", kOidT}, {"pnnspid", kOidT}},
    10109};

}  // namespace

const std::vector<const SystemCatalog*>& ClientCatalogs() {
  static const std::vector<const SystemCatalog*> all = {
      &kPgTablespace, &kPgShdepend, &kPgProc, &kPgSequence, &kPgShdescription, &kPgAm, &kPgAttrdef, &kPgCast, &kPgConstraint, &kPgDepend, &kPgDescription, &kPgInherits, &kPgOperator, &kPgRewrite, &kPgStatistic, &kPgTrigger, &kPgExtension, &kPgPolicy, &kPgPartitionedTable, &kPgStatisticExt, &kPgCollation, &kPgPublication, &kPgPublicationRel, &kPgPublicationNamespace};
  return all;
}

}  // namespace minipg::catalog
