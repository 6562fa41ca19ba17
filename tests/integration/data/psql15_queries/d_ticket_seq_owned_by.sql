-- What \d ticket_seq (owned by) sends to PostgreSQL 15.18 (log_statement=all), in order.
SELECT pg_catalog.quote_ident(nspname) || '.' ||
	   pg_catalog.quote_ident(relname) || '.' ||
	   pg_catalog.quote_ident(attname),
	   d.deptype
	FROM pg_catalog.pg_class c
	INNER JOIN pg_catalog.pg_depend d ON c.oid=d.refobjid
	INNER JOIN pg_catalog.pg_namespace n ON n.oid=c.relnamespace
	INNER JOIN pg_catalog.pg_attribute a ON (
	 a.attrelid=c.oid AND
	 a.attnum=d.refobjsubid)
	WHERE d.classid='pg_catalog.pg_class'::pg_catalog.regclass
	 AND d.refclassid='pg_catalog.pg_class'::pg_catalog.regclass
	 AND d.objid='16414'
	 AND d.deptype IN ('a', 'i');

