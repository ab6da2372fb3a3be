/*
 * libpq-bench <workload> <url> [ops]: the libpq baseline of issue 6, each workload done the
 * fastest way libpq can (adapted from ../shared/peers/libpq/peer_libpq.c, the team's peer):
 *   point-seq     PQexecPrepared, one in flight
 *   point-pipe    pipeline mode, a PQpipelineSync after every query, <= 256 in flight
 *   point-batch   pipeline mode, a PQpipelineSync every 32 queries, <= 256 in flight
 *   rows          PQexec, text results decoded with strtoll/strtod and a timestamp parser
 *   copy-in       binary COPY encoded by hand, PQputCopyData in 64 KiB chunks
 *   insert-batch  pipelined prepared INSERTs (text parameters), a Sync every 32, in BEGIN/COMMIT
 *   pool-8        8 threads, one connection each, sequential prepared selects
 * Prints the line of turbopg-bench (peer=libpq); exit status 1 on any failure, 2 on usage.
 * `libpq-bench --list` prints each workload with its default ops (the ORM workloads of
 * turbopg-bench have no libpq counterpart).
 */
#define _GNU_SOURCE
#include <libpq-fe.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static const char* url;

static double wall_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_now(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void die(PGconn* c, const char* what) {
    fprintf(stderr, "libpq-bench: %s failed: %s\n", what, c ? PQerrorMessage(c) : "?");
    exit(1);
}

static PGconn* connect_db(void) {
    PGconn* c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) die(c, "connect");
    return c;
}

static void exec_ok(PGconn* c, const char* sql) {
    PGresult* r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) die(c, sql);
    PQclear(r);
}

typedef struct {
    double wall0, cpu0;
} timed_section;

static timed_section start_timing(void) {
    timed_section t = {wall_now(), cpu_now()};
    return t;
}

static void report(const char* workload, long ops, timed_section t, const char* check) {
    double seconds = wall_now() - t.wall0, cpu = cpu_now() - t.cpu0;
    printf("workload=%s peer=libpq ops=%ld seconds=%.6f ops_per_s=%.1f cpu_s=%.3f%s%s\n", workload,
           ops, seconds, (double)ops / seconds, cpu, check ? " check=" : "", check ? check : "");
    fflush(stdout);
}

/* The argument of the i-th point query (turbopg-bench uses the same). */
static int32_t param_of(long i) {
    return (int32_t)(i * 7919L % 1000003L);
}

static void check_point(const char* got, long i) {
    if (atoi(got) != param_of(i)) {
        fprintf(stderr, "libpq-bench: query %ld returned %s instead of %d\n", i, got, param_of(i));
        exit(1);
    }
}

/* ---- point-seq (and each thread of pool-8) ---- */

static void prepare_point(PGconn* c) {
    PGresult* r = PQprepare(c, "pt", "SELECT $1::int4", 1, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) die(c, "prepare");
    PQclear(r);
}

static void point_loop(PGconn* c, long from, long to) {
    char buf[16];
    const char* vals[1] = {buf};
    for (long i = from; i < to; i++) {
        snprintf(buf, sizeof buf, "%d", param_of(i));
        PGresult* r = PQexecPrepared(c, "pt", 1, vals, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) die(c, "execPrepared");
        check_point(PQgetvalue(r, 0, 0), i);
        PQclear(r);
    }
}

static void w_point_seq(long n) {
    PGconn* c = connect_db();
    prepare_point(c);
    timed_section t = start_timing();
    point_loop(c, 0, n);
    report("point-seq", n, t, NULL);
    PQfinish(c);
}

/* ---- pipeline mode: up to `window` statements in flight, a Sync every `chunk` ---- */

enum { WINDOW = 256 };
typedef void (*send_fn)(PGconn*, long i, void*);
typedef void (*recv_fn)(PGconn*, PGresult*, long i, void*);

static void pipeline_run(PGconn* c, long n, long chunk, send_fn send, recv_fn recv, void* arg) {
    if (!PQenterPipelineMode(c)) die(c, "enterPipelineMode");
    long sent = 0, received = 0;
    while (received < n) {
        while (sent < n && sent - received + chunk <= WINDOW) {
            long end = sent + chunk < n ? sent + chunk : n;
            for (; sent < end; sent++)
                send(c, sent, arg);
            if (!PQpipelineSync(c)) die(c, "pipelineSync");
        }
        /* collect one chunk, up to its Sync */
        long end = received + chunk < n ? received + chunk : n;
        for (; received < end; received++) {
            PGresult* r = PQgetResult(c);
            if (!r) die(c, "getResult (null)");
            recv(c, r, received, arg);
            PQclear(r);
            if (PQgetResult(c)) die(c, "getResult (expected the end of a statement)");
        }
        PGresult* r = PQgetResult(c);
        if (!r || PQresultStatus(r) != PGRES_PIPELINE_SYNC) die(c, "expected PIPELINE_SYNC");
        PQclear(r);
    }
    if (!PQexitPipelineMode(c)) die(c, "exitPipelineMode");
}

static void point_send(PGconn* c, long i, void* arg) {
    (void)arg;
    char buf[16];
    const char* vals[1] = {buf};
    snprintf(buf, sizeof buf, "%d", param_of(i));
    if (!PQsendQueryPrepared(c, "pt", 1, vals, NULL, NULL, 0)) die(c, "sendQueryPrepared");
}

static void point_recv(PGconn* c, PGresult* r, long i, void* arg) {
    (void)arg;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) die(c, "pipelined select");
    check_point(PQgetvalue(r, 0, 0), i);
}

static void w_point_pipelined(const char* name, long n, long chunk) {
    PGconn* c = connect_db();
    prepare_point(c);
    timed_section t = start_timing();
    pipeline_run(c, n, chunk, point_send, point_recv, NULL);
    report(name, n, t, NULL);
    PQfinish(c);
}

/* ---- timestamps: text -> epoch microseconds (UTC) ---- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static unsigned digits(const char* p, int n) {
    unsigned v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (unsigned)(p[i] - '0');
    return v;
}

/* "YYYY-MM-DD HH:MM:SS[.ffffff](+|-)HH[:MM]" -> epoch microseconds */
static int64_t parse_timestamptz(const char* s) {
    int64_t days = days_from_civil(digits(s, 4), digits(s + 5, 2), digits(s + 8, 2));
    int64_t secs =
        days * 86400 + digits(s + 11, 2) * 3600 + digits(s + 14, 2) * 60 + digits(s + 17, 2);
    const char* p = s + 19;
    int64_t us = 0;
    if (*p == '.') {
        int n = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, n++)
            us = us * 10 + (*p - '0');
        for (; n < 6; n++)
            us *= 10;
    }
    if (*p == '+' || *p == '-') {
        int64_t off = digits(p + 1, 2) * 3600;
        if (p[3] == ':') off += digits(p + 4, 2) * 60;
        secs -= *p == '-' ? -off : off;
    }
    return secs * 1000000 + us;
}

/* ---- rows ---- */

static void w_rows(long expected) {
    PGconn* c = connect_db();
    timed_section t = start_timing();
    PGresult* r = PQexec(c, "SELECT id, name, score, created, flag FROM bench_rows");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) die(c, "select rows");
    int n = PQntuples(r);
    int64_t sum_id = 0, sum_len = 0, n_true = 0, sum_epoch = 0;
    double sum_score = 0;
    for (int i = 0; i < n; i++) {
        sum_id += strtoll(PQgetvalue(r, i, 0), NULL, 10);
        const char* name = PQgetvalue(r, i, 1);
        sum_len += PQgetlength(r, i, 1) + (name[0] == 0); /* touch the string */
        sum_score += strtod(PQgetvalue(r, i, 2), NULL);
        sum_epoch += parse_timestamptz(PQgetvalue(r, i, 3)) / 1000000;
        n_true += PQgetvalue(r, i, 4)[0] == 't';
    }
    PQclear(r);
    char check[200];
    snprintf(check, sizeof check, "%lld:%lld:%lld:%lld:%lld", (long long)sum_id, (long long)sum_len,
             (long long)n_true, (long long)sum_epoch, (long long)(sum_score * 8));
    report("rows", n, t, check);
    PQfinish(c);
    if (n != expected) {
        fprintf(stderr, "libpq-bench: bench_rows has %d rows, expected %ld\n", n, expected);
        exit(1);
    }
}

/* ---- point-get: one bench_rows row by primary key, every value decoded ---- */

static void w_point_get(long n) {
    PGconn* c = connect_db();
    PGresult* meta = PQexec(c, "SELECT rows FROM bench_meta");
    if (PQresultStatus(meta) != PGRES_TUPLES_OK || PQntuples(meta) != 1) die(c, "bench_meta");
    long long rows = strtoll(PQgetvalue(meta, 0, 0), NULL, 10);
    PQclear(meta);
    PGresult* p = PQprepare(
        c, "get", "SELECT id, name, score, created, flag FROM bench_rows WHERE id = $1", 1, NULL);
    if (PQresultStatus(p) != PGRES_COMMAND_OK) die(c, "prepare");
    PQclear(p);
    char buf[24];
    const char* vals[1] = {buf};
    int64_t sum_len = 0, sum_epoch = 0;
    double sum_score = 0;
    timed_section t = start_timing();
    for (long i = 0; i < n; i++) {
        long long id = 1 + param_of(i) % rows;
        snprintf(buf, sizeof buf, "%lld", id);
        PGresult* r = PQexecPrepared(c, "get", 1, vals, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) die(c, "get");
        if (strtoll(PQgetvalue(r, 0, 0), NULL, 10) != id ||
            (PQgetvalue(r, 0, 4)[0] == 't') != (id % 3 == 0)) {
            fprintf(stderr, "libpq-bench: the row of id %lld read another row\n", id);
            exit(1);
        }
        sum_len += PQgetlength(r, 0, 1) + (PQgetvalue(r, 0, 1)[0] == 0); /* touch the string */
        sum_score += strtod(PQgetvalue(r, 0, 2), NULL);
        sum_epoch += parse_timestamptz(PQgetvalue(r, 0, 3));
        PQclear(r);
    }
    char check[100];
    snprintf(check, sizeof check, "%lld:%lld:%lld", (long long)sum_len, (long long)sum_epoch,
             (long long)(sum_score * 8));
    report("point-get", n, t, check);
    PQfinish(c);
}

/* ---- the rows written by copy-in and insert-batch (generated before the timed section) ---- */

typedef struct {
    int64_t* id;
    char** name;
    double* score;
    int64_t* created; /* epoch microseconds */
    char* flag;
} input_rows;

static const int64_t ts_base_us = 1577836800LL * 1000000; /* 2020-01-01T00:00:00Z */

static input_rows generate_input_rows(long n) {
    size_t count = (size_t)n;
    input_rows r = {malloc(count * sizeof(int64_t)), malloc(count * sizeof(char*)),
                    malloc(count * sizeof(double)), malloc(count * sizeof(int64_t)), malloc(count)};
    if (!r.id || !r.name || !r.score || !r.created || !r.flag) die(NULL, "malloc");
    for (long k = 0; k < n; k++) {
        long i = k + 1;
        char tmp[32];
        snprintf(tmp, sizeof tmp, "user_%ld", i);
        r.id[k] = i;
        r.name[k] = strdup(tmp);
        r.score[k] = (double)i * 0.25;
        r.created[k] = ts_base_us + i * 1000000LL + i % 1000;
        r.flag[k] = i % 3 == 0;
    }
    return r;
}

/* ---- copy-in: binary COPY, encoded by hand ("Binary Format" of the COPY docs) ---- */

static char* put16(char* p, uint16_t v) {
    v = __builtin_bswap16(v);
    memcpy(p, &v, 2);
    return p + 2;
}
static char* put32(char* p, uint32_t v) {
    v = __builtin_bswap32(v);
    memcpy(p, &v, 4);
    return p + 4;
}
static char* put64(char* p, uint64_t v) {
    v = __builtin_bswap64(v);
    memcpy(p, &v, 8);
    return p + 8;
}

static void w_copy_in(long n) {
    const int64_t pg_epoch_us = 946684800LL * 1000000; /* 2000-01-01 */
    input_rows rows = generate_input_rows(n);
    PGconn* c = connect_db();
    exec_ok(c, "TRUNCATE bench_in");
    timed_section t = start_timing();
    PGresult* r =
        PQexec(c, "COPY bench_in (id, name, score, created, flag) FROM STDIN (FORMAT binary)");
    if (PQresultStatus(r) != PGRES_COPY_IN) die(c, "COPY binary");
    PQclear(r);
    enum { CHUNK = 1 << 16 };
    char* buf = malloc(CHUNK + 512);
    if (!buf) die(NULL, "malloc");
    char* p = buf;
    memcpy(p, "PGCOPY\n\377\r\n", 11); /* signature, its final NUL included */
    p = put32(p + 11, 0);              /* flags */
    p = put32(p, 0);                   /* header extension length */
    for (long k = 0; k < n; k++) {
        size_t name_len = strlen(rows.name[k]);
        uint64_t score;
        memcpy(&score, &rows.score[k], 8);
        p = put16(p, 5);
        p = put64(put32(p, 8), (uint64_t)rows.id[k]);
        p = put32(p, (uint32_t)name_len);
        memcpy(p, rows.name[k], name_len);
        p += name_len;
        p = put64(put32(p, 8), score);
        p = put64(put32(p, 8), (uint64_t)(rows.created[k] - pg_epoch_us));
        p = put32(p, 1);
        *p++ = rows.flag[k];
        if (p - buf >= CHUNK) {
            if (PQputCopyData(c, buf, (int)(p - buf)) != 1) die(c, "putCopyData");
            p = buf;
        }
    }
    p = put16(p, 0xffff); /* file trailer */
    if (PQputCopyData(c, buf, (int)(p - buf)) != 1) die(c, "putCopyData");
    if (PQputCopyEnd(c, NULL) != 1) die(c, "putCopyEnd");
    r = PQgetResult(c);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) die(c, "COPY end");
    PQclear(r);
    report("copy-in", n, t, NULL);
    PQfinish(c);
}

/* ---- insert-batch: pipelined prepared INSERTs inside one transaction ---- */

static int format_timestamptz(char* out, int64_t us_epoch) { /* "YYYY-MM-DD HH:MM:SS.ffffff+00" */
    int64_t secs = us_epoch / 1000000, us = us_epoch % 1000000;
    int64_t z = secs / 86400 + 719468, sod = secs % 86400;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    const int y = (int)((int64_t)yoe + era * 400 + (m <= 2));
    return sprintf(out, "%04d-%02u-%02u %02d:%02d:%02d.%06d+00", y, m, d, (int)(sod / 3600),
                   (int)(sod / 60 % 60), (int)(sod % 60), (int)us);
}

static void insert_send(PGconn* c, long k, void* arg) {
    input_rows* rows = arg;
    char id[24], score[32], created[64];
    const char* vals[5] = {id, rows->name[k], score, created, rows->flag[k] ? "t" : "f"};
    snprintf(id, sizeof id, "%lld", (long long)rows->id[k]);
    snprintf(score, sizeof score, "%.17g", rows->score[k]);
    format_timestamptz(created, rows->created[k]);
    if (!PQsendQueryPrepared(c, "ins", 5, vals, NULL, NULL, 0)) die(c, "sendQueryPrepared (ins)");
}

static void insert_recv(PGconn* c, PGresult* r, long k, void* arg) {
    (void)k;
    (void)arg;
    if (PQresultStatus(r) != PGRES_COMMAND_OK || strcmp(PQcmdTuples(r), "1") != 0)
        die(c, "pipelined insert");
}

static void w_insert_batch(long n) {
    input_rows rows = generate_input_rows(n);
    PGconn* c = connect_db();
    exec_ok(c, "TRUNCATE bench_in");
    PGresult* r = PQprepare(
        c, "ins",
        "INSERT INTO bench_in (id, name, score, created, flag) VALUES ($1, $2, $3, $4, $5)", 0,
        NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) die(c, "prepare ins");
    PQclear(r);
    timed_section t = start_timing();
    exec_ok(c, "BEGIN");
    pipeline_run(c, n, 32, insert_send, insert_recv, &rows);
    exec_ok(c, "COMMIT");
    report("insert-batch", n, t, NULL);
    PQfinish(c);
}

/* ---- pool-8: 8 threads, one connection each ---- */

enum { POOL_CONNECTIONS = 8 };

typedef struct {
    PGconn* c;
    long from, to;
    pthread_barrier_t* start;
} pool_worker;

static void* pool_thread(void* p) {
    pool_worker* w = p;
    pthread_barrier_wait(w->start);
    point_loop(w->c, w->from, w->to);
    return NULL;
}

static void w_pool8(long n) {
    pthread_t threads[POOL_CONNECTIONS];
    pool_worker workers[POOL_CONNECTIONS];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, POOL_CONNECTIONS + 1);
    for (int k = 0; k < POOL_CONNECTIONS; k++) {
        workers[k].c = connect_db();
        prepare_point(workers[k].c);
        workers[k].from = n * k / POOL_CONNECTIONS;
        workers[k].to = n * (k + 1) / POOL_CONNECTIONS;
        workers[k].start = &start;
        if (pthread_create(&threads[k], NULL, pool_thread, &workers[k]) != 0)
            die(NULL, "pthread_create");
    }
    timed_section t = start_timing();
    pthread_barrier_wait(&start);
    for (int k = 0; k < POOL_CONNECTIONS; k++)
        pthread_join(threads[k], NULL);
    report("pool-8", n, t, NULL);
    for (int k = 0; k < POOL_CONNECTIONS; k++)
        PQfinish(workers[k].c);
}

static const struct {
    const char* name;
    long default_ops;
} workloads[] = {
    {"point-seq", 20000}, {"point-pipe", 200000}, {"point-batch", 200000},  {"rows", 1000000},
    {"point-get", 20000}, {"copy-in", 1000000},   {"insert-batch", 100000}, {"pool-8", 200000},
};

static int usage(void) {
    fputs("usage: libpq-bench <workload> <url> [ops]\n"
          "       libpq-bench --list\n",
          stderr);
    return 2;
}

int main(int argc, char** argv) {
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t k = 0; k < sizeof workloads / sizeof workloads[0]; k++)
            printf("%s %ld\n", workloads[k].name, workloads[k].default_ops);
        return 0;
    }
    if (argc < 3 || argc > 4) return usage();
    const char* w = argv[1];
    url = argv[2];
    long n = 0;
    for (size_t k = 0; k < sizeof workloads / sizeof workloads[0]; k++)
        if (strcmp(w, workloads[k].name) == 0) n = workloads[k].default_ops;
    if (n == 0) {
        fprintf(stderr, "libpq-bench: unknown workload %s\n", w);
        return usage();
    }
    if (argc == 4) {
        char* end;
        n = strtol(argv[3], &end, 10);
        if (*end != '\0' || n <= 0) return usage();
    }
    if (strcmp(w, "point-seq") == 0)
        w_point_seq(n);
    else if (strcmp(w, "point-pipe") == 0)
        w_point_pipelined(w, n, 1);
    else if (strcmp(w, "point-batch") == 0)
        w_point_pipelined(w, n, 32);
    else if (strcmp(w, "rows") == 0)
        w_rows(n);
    else if (strcmp(w, "point-get") == 0)
        w_point_get(n);
    else if (strcmp(w, "copy-in") == 0)
        w_copy_in(n);
    else if (strcmp(w, "insert-batch") == 0)
        w_insert_batch(n);
    else
        w_pool8(n);
    return 0;
}
