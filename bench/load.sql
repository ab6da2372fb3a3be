-- The data of the benchmark (the same as ../shared/peers/sql/load.sql, sized by :rows):
--   bench_rows  :rows deterministic rows read by the rows workload
--   bench_in    the empty target of copy-in and insert-batch (each run truncates it)
--   bench_meta  how many rows bench_rows holds and the checksum rows must print, so that
--               scripts/bench/run.py loads again only when the size changes
-- Scores are multiples of 1/8 (exact in float8); created has microsecond fractions (i % 1000 µs,
-- so some values have no fraction at all); names are 9 to 33 characters.
-- usage: psql -v rows=1000000 -f bench/load.sql
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

DROP TABLE IF EXISTS bench_meta, bench_rows, bench_in;
CREATE TABLE bench_rows (
  id      int8 PRIMARY KEY,
  name    text,
  score   float8,
  created timestamptz,
  flag    bool
);
INSERT INTO bench_rows
SELECT i,
       'user_' || substr(md5(i::text), 1, 4 + (i % 25)),
       i * 0.25 + (i % 7) * 0.125,
       timestamptz '2020-01-01 00:00:00+00' + i * interval '1 second' + (i % 1000) * interval '1 microsecond',
       i % 3 = 0
FROM generate_series(1, :rows) AS i;
VACUUM (ANALYZE, FREEZE) bench_rows;

CREATE UNLOGGED TABLE bench_in (
  id      int8,
  name    text,
  score   float8,
  created timestamptz,
  flag    bool
) WITH (autovacuum_enabled = false);

-- rows_check: sum(id):sum(length(name)):count(flag):sum(floor(epoch(created))):sum(score*8)
CREATE TABLE bench_meta AS
SELECT count(*) AS rows,
       sum(id) || ':' || sum(length(name)) || ':' || count(*) FILTER (WHERE flag) || ':' ||
       sum(floor(extract(epoch FROM created)))::int8 || ':' || sum(score * 8)::int8 AS rows_check
FROM bench_rows;
