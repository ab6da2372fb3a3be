// The turbopg side of each workload of issue 6. Each one connects, prepares, runs its timed
// section and returns what it measured; it throws (turbopg::wire::error, check_failed) when a
// query fails or a value read back is wrong.
#pragma once

#include "harness.hpp"

namespace turbopg::bench {

// 20,000 sequential round trips of the prepared `SELECT $1::int4`.
measurement point_seq(const workload_args& a);
// The same query on one connection from 256 coroutines: up to 256 in flight, each query its own
// request with its own Sync.
measurement point_pipe(const workload_args& a);
// The same query in batches of 32 under one Sync, 8 batches (256 queries) in flight.
measurement point_batch(const workload_args& a);
// `SELECT id, name, score, created, flag FROM bench_rows` streamed into a struct, every value
// decoded (binary) and summed into the checksum load.sql prints.
measurement rows(const workload_args& a);
// 20,000 sequential reads of one bench_rows row by primary key (query_one into a struct with
// an owned name), the raw wire counterpart of orm-get.
measurement point_get(const workload_args& a);
// Rows into bench_in through binary COPY (copy_in_rows), in one COPY.
measurement copy_in(const workload_args& a);
// Point selects run on a pool of 8 connections by 8 workers (one query in flight on each).
measurement pool_8(const workload_args& a);
// Single-row parameterized INSERTs into bench_in inside one transaction, in batches of 32 per
// Sync, 8 batches in flight.
measurement insert_batch(const workload_args& a);

// The ORM (querysets on one connection, over bench_rows as a model struct):
// `get(id == k)` by primary key, sequentially (compare with point-get).
measurement orm_get(const workload_args& a);
// Every row of bench_rows decoded into a model struct and summed into the checksum of rows
// (compare with rows): streamed through for_each, or collected by fetch() into one vector.
measurement orm_fetch(const workload_args& a);
measurement orm_fetch_list(const workload_args& a);
// count() of a filtered queryset plus one ordered page of 20 of it (two statements per op).
measurement orm_page(const workload_args& a);
// Objects into bench_in with bulk_create's binary COPY, to compare with copy-in.
measurement orm_bulk_create(const workload_args& a);

} // namespace turbopg::bench
