-- What pgbench -T 2 sends to PostgreSQL 15.18 (log_statement=all), in order.
-- Literal numbers replaced by N where pgbench varies them.
select count(*) from pgbench_branches;

select o.n, p.partstrat, pg_catalog.count(i.inhparent) from pg_catalog.pg_class as c join pg_catalog.pg_namespace as n on (n.oid = c.relnamespace) cross join lateral (select pg_catalog.array_position(pg_catalog.current_schemas(true), n.nspname)) as o(n) left join pg_catalog.pg_partitioned_table as p on (p.partrelid = c.oid) left join pg_catalog.pg_inherits as i on (c.oid = i.inhparent) where c.relname = 'pgbench_accounts' and o.n is not null group by N, N order by N asc limit N;

vacuum pgbench_branches;

vacuum pgbench_tellers;

truncate pgbench_history;

BEGIN;

UPDATE pgbench_accounts SET abalance = abalance + N WHERE aid = N;

SELECT abalance FROM pgbench_accounts WHERE aid = N;

UPDATE pgbench_tellers SET tbalance = tbalance + N WHERE tid = N;

UPDATE pgbench_branches SET bbalance = bbalance + N WHERE bid = N;

INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (N, N, N, N, CURRENT_TIMESTAMP);

END;

