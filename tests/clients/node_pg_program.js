// node_pg_program.js: a small shop's program written against node-postgres
// (Debian's node-pg), as Node programs use it: a pool, parameterized queries
// (the extended protocol), a join with aggregates, a transaction rolled back
// and one committed, an error read by its SQLSTATE.
//
// Usage: node node_pg_program.js "postgresql://user@host:port/dbname"
// It prints what it sees; driver_programs_test compares that with what it
// printed against PostgreSQL 15 (node_pg_program.out).
'use strict';
const { Client } = require('pg');

async function main(url) {
  const client = new Client({ connectionString: url });
  await client.connect();
  const show = (label, res) => console.log(label, res.command, res.rowCount, JSON.stringify(res.rows));
  await client.query('DROP TABLE IF EXISTS visits');
  await client.query('DROP TABLE IF EXISTS pages');
  await client.query('CREATE TABLE pages (id int PRIMARY KEY, path text UNIQUE NOT NULL, owner text)');
  await client.query('CREATE TABLE visits (page_id int NOT NULL, visitor text, seconds int CHECK (seconds >= 0))');
  for (const [id, path, owner] of [[1, '/', 'ann'], [2, '/about', 'ann'], [3, '/blog', 'bo'], [4, '/empty', null]]) {
    await client.query('INSERT INTO pages VALUES ($1, $2, $3)', [id, path, owner]);
  }
  const visits = [[1, 'x', 10], [1, 'y', 5], [1, 'x', 7], [2, 'y', 30], [3, 'z', 1], [3, 'x', 0]];
  for (const v of visits) await client.query('INSERT INTO visits VALUES ($1, $2, $3)', v);

  show('per page', await client.query(
    `SELECT p.path, count(v.page_id) AS visits, count(DISTINCT v.visitor) AS visitors, coalesce(sum(v.seconds), 0) AS seconds
       FROM pages p LEFT JOIN visits v ON v.page_id = p.id
      GROUP BY p.path ORDER BY seconds DESC, p.path`));
  show('owners', await client.query(
    `SELECT owner, count(*) FROM pages WHERE owner IS NOT NULL GROUP BY owner HAVING count(*) >= $1 ORDER BY owner`, [1]));
  show('top visitor', await client.query(
    `SELECT visitor FROM visits GROUP BY visitor ORDER BY sum(seconds) DESC LIMIT 1`));

  await client.query('BEGIN');
  show('delete', await client.query('DELETE FROM visits WHERE page_id = $1 RETURNING visitor, seconds', [1]));
  await client.query('ROLLBACK');
  show('after rollback', await client.query('SELECT count(*)::int AS n FROM visits'));

  await client.query('BEGIN');
  show('update', await client.query('UPDATE pages SET owner = $1 WHERE owner IS NULL RETURNING id, owner', ['cy']));
  await client.query('COMMIT');
  try {
    await client.query('INSERT INTO pages VALUES ($1, $2, $3)', [5, '/blog', 'dd']);
  } catch (e) {
    console.log('error', e.code, e.message, '/', e.detail);
  }
  try {
    await client.query('INSERT INTO visits VALUES ($1, $2, $3)', [2, 'q', -5]);
  } catch (e) {
    console.log('error', e.code, e.message);
  }
  show('types', await client.query('SELECT $1::int + 1 AS i, $2::text AS t, $3::numeric * 2 AS n, $4::bool AS b, NULL AS z',
                                   [41, 'hi', '1.5', true]));
  await client.end();
}

main(process.argv[2]).catch((e) => { console.error('node_pg_program:', e.message); process.exit(1); });
