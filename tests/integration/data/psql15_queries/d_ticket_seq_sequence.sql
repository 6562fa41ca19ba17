-- What \d ticket_seq (sequence) sends to PostgreSQL 15.18 (log_statement=all), in order.
SELECT pg_catalog.format_type(seqtypid, NULL) AS "Type",
	       seqstart AS "Start",
	       seqmin AS "Minimum",
	       seqmax AS "Maximum",
	       seqincrement AS "Increment",
	       CASE WHEN seqcycle THEN 'yes' ELSE 'no' END AS "Cycles?",
	       seqcache AS "Cache"
	FROM pg_catalog.pg_sequence
	WHERE seqrelid = '16414';

