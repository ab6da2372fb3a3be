#!/usr/bin/env python3
"""Runs the benchmark of issue 6: turbopg-bench and libpq-bench, workload by workload, in each CPU
placement, REPS times; then prints the table of medians and writes results.json and ratios.svg.

Called by `scripts/dev bench` (which builds the release binaries and starts the cluster):

  run.py --bin DIR --out DIR --url URL [--pgdata DIR] [--pgbench PATH] [--workloads a,b]
         [--reps N] [--scale F] [--placements split,same,free] [--no-allocs]

pgbench, the server's own load generator, runs point-seq and pool-8 too, as ../shared/peers runs
it (`pgbench -n -M prepared`, 1 client or 8 clients on 2 threads, `SELECT :x::int4`): issue 6's
pool-8 target names it. It runs point-get too (1 client, the bench_rows row by primary key that
point-get reads): how much slower than its point-seq that is shows what reading a row costs the
server, a yardstick for orm-get against point-seq. It checks no values, so it is a reference
rather than a peer.

Placements (pinned with taskset, as ../shared/peers does: on a 2-vCPU VM an unpinned round trip
lands at random on one of two levels 10x apart):
  split  server (postmaster and every backend) on CPU 0, client on CPU 1
  same   server and client both on CPU 0
  free   no pinning
The server is pinned only when --pgdata names its data directory (the local cluster); without it
the default placement is free.
"""
import argparse
import datetime
import json
import os
import resource
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402  (next to this file)

PEERS = ("turbopg", "libpq")
# pgbench's workloads: clients, threads (-c, -j) and script (`{rows}`: the size of bench_rows);
# point-seq and pool-8 as ../shared/peers/pgbench runs them.
PGBENCH_POINT = "\\set x random(1, 1000000)\nSELECT :x::int4;\n"
PGBENCH_GET = ("\\set x random(1, {rows})\n"
               "SELECT id, name, score, created, flag FROM bench_rows WHERE id = :x;\n")
PGBENCH = {"point-seq": (1, 1, PGBENCH_POINT), "pool-8": (8, 2, PGBENCH_POINT),
           "point-get": (1, 1, PGBENCH_GET)}
PLACEMENTS = {"split": ("0", "1"), "same": ("0", "0"), "free": (None, None)}
RUN_TIMEOUT_S = 900
# The workloads that read bench_rows (load.sql); FULL_READERS read all of it.
FULL_READERS = ("rows", "orm-fetch", "orm-fetch-list")
ROWS_READERS = FULL_READERS + ("point-get", "orm-get", "orm-page")


def say(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def privileged(cmd):
    return cmd if os.geteuid() == 0 else ["sudo", "-n", "--"] + cmd


def clean_env():
    """The environment without PG* variables, so that only the URL decides where psql goes."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


def psql(url, *args, input_sql=None):
    cmd = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, *args]
    out = subprocess.run(cmd, input=input_sql, capture_output=True, text=True, env=clean_env())
    if out.returncode != 0:
        raise SystemExit(f"bench: psql failed: {out.stderr.strip()}")
    return out.stdout.strip()


# ---- data ------------------------------------------------------------------------------------

def ensure_data(url, rows, load_sql):
    """Loads bench_rows with `rows` rows (unless it already holds them); returns the checksum
    the rows workload must print."""
    have = ""
    if psql(url, "-c", "SELECT to_regclass('bench_meta') IS NOT NULL") == "t":
        have = psql(url, "-c", "SELECT rows || ' ' || rows_check FROM bench_meta")
    if have and int(have.split()[0]) == rows:
        return have.split()[1]
    say(f"loading {rows:,} rows into bench_rows (once per size)")
    psql(url, "-v", f"rows={rows}", "-f", load_sql)
    return psql(url, "-c", "SELECT rows_check FROM bench_meta")


def expected_bench_in(n):
    """What bench_in must hold after writing input rows 1..n (see bench/input_rows.hpp)."""
    s_id = n * (n + 1) // 2
    s_len = sum(5 + len(str(i)) for i in range(1, n + 1))
    return f"{n}:{s_id}:{s_len}:{n // 3}:{1577836800 * n + s_id}:{2 * s_id}"


def bench_in_checksum(url):
    return psql(url, "-c",
                "SELECT count(*) || ':' || sum(id) || ':' || sum(length(name)) || ':' || "
                "count(*) FILTER (WHERE flag) || ':' || "
                "sum(floor(extract(epoch FROM created)))::int8 || ':' || sum(score * 8)::int8 "
                "FROM bench_in")


# ---- placement -------------------------------------------------------------------------------

def postmaster_pid(pgdata):
    out = subprocess.run(privileged(["head", "-1", os.path.join(pgdata, "postmaster.pid")]),
                         capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def pin_server(pgdata, cpus):
    """Pins the postmaster and all its children; backends forked later inherit it."""
    pm = postmaster_pid(pgdata)
    children = subprocess.run(["pgrep", "-P", str(pm)], capture_output=True, text=True).stdout
    for pid in [pm] + [int(p) for p in children.split()]:
        subprocess.run(privileged(["taskset", "-a", "-p", "-c", cpus, str(pid)]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def all_cpus():
    return ",".join(str(c) for c in sorted(os.sched_getaffinity(0)))


# ---- runs ------------------------------------------------------------------------------------

def parse_line(stdout):
    lines = [ln for ln in stdout.splitlines() if ln.startswith("workload=")]
    if not lines:
        return None
    kv = dict(tok.split("=", 1) for tok in lines[-1].split())
    rec = {"ops": int(kv["ops"]), "seconds": float(kv["seconds"]),
           "ops_per_s": float(kv["ops_per_s"]), "cpu_s": float(kv["cpu_s"])}
    if "check" in kv:
        rec["check"] = kv["check"]
    if "allocs" in kv:
        rec["allocs"] = int(kv["allocs"])
        rec["allocs_per_op"] = float(kv["allocs_per_op"])
    return rec


def pinned(cmd, client_cpus):
    """`cmd` run on `client_cpus` (None: wherever the scheduler puts it)."""
    return cmd if client_cpus is None else ["taskset", "-c", client_cpus] + cmd


def run_one(binary, workload, url, ops, client_cpus):
    cmd = pinned([binary, workload, url, str(ops)], client_cpus)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {RUN_TIMEOUT_S} s"}
    rec = parse_line(p.stdout) if p.returncode == 0 else None
    if rec is None:
        return {"error": (p.stderr or p.stdout).strip()[-2000:] or f"exit status {p.returncode}"}
    return rec


def run_pgbench(pgbench, workload, url, ops, client_cpus, script):
    """pgbench's run of `workload` as a record like run_one's; its ops/s is pgbench's tps
    (without connection time) and its CPU that of the whole pgbench process."""
    clients, threads, _ = PGBENCH[workload]
    per_client = max(1, ops // clients)
    cmd = pinned([pgbench, "-n", "-M", "prepared", "-c", str(clients), "-j", str(threads),
                  "-t", str(per_client), "-f", script, url], client_cpus)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT_S,
                           env=clean_env())
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {RUN_TIMEOUT_S} s"}
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    tps = [ln.split()[2] for ln in p.stdout.splitlines()
           if ln.startswith("tps = ") and "without initial connection time" in ln]
    failed = [ln for ln in p.stdout.splitlines()
              if ln.startswith("number of failed transactions:") and ln.split()[4] != "0"]
    if p.returncode != 0 or not tps or failed:
        return {"error": (p.stderr + p.stdout).strip()[-2000:] or f"exit status {p.returncode}"}
    n = per_client * clients
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"ops": n, "seconds": n / float(tps[0]), "ops_per_s": float(tps[0]), "cpu_s": cpu}


def verify(rec, workload, url, rows_check):
    """Adds verify: ok / the mismatch, for the workloads whose result can be checked."""
    if "error" in rec:
        return
    if workload in FULL_READERS:
        got = rec.get("check")
        rec["verify"] = "ok" if got == rows_check else f"check {got} != {rows_check}"
    elif workload in ("copy-in", "insert-batch", "orm-bulk-create"):
        got, want = bench_in_checksum(url), expected_bench_in(rec["ops"])
        rec["verify"] = "ok" if got == want else f"bench_in {got} != {want}"


def listed_workloads(binary):
    """workload -> its default number of ops, as `<binary> --list` tells."""
    out = subprocess.run([binary, "--list"], capture_output=True, text=True, check=True).stdout
    return {name: int(ops) for name, ops in (line.split(" ") for line in out.splitlines())}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--bin", required=True, help="folder of turbopg-bench and libpq-bench")
    ap.add_argument("--out", required=True, help="folder for results.json and ratios.svg")
    ap.add_argument("--url", required=True)
    ap.add_argument("--pgdata", help="the server's data directory (to pin it)")
    ap.add_argument("--load-sql", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                       "bench", "load.sql"))
    ap.add_argument("--workloads", help="comma-separated (default: all)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies every workload's ops")
    ap.add_argument("--placements", help="comma-separated: split, same, free")
    ap.add_argument("--no-allocs", action="store_true", help="skip the allocation-count pass")
    ap.add_argument("--pgbench", default=shutil.which("pgbench"),
                    help="pgbench to run point-seq, point-get and pool-8 with (default: on PATH)")
    a = ap.parse_args()

    defaults = listed_workloads(os.path.join(a.bin, "turbopg-bench"))
    workloads = a.workloads.split(",") if a.workloads else list(defaults)
    for w in workloads:
        if w not in defaults:
            raise SystemExit(f"bench: unknown workload {w} (known: {', '.join(defaults)})")
    default_placements = "split,same" if a.pgdata else "free"
    placements = (a.placements or default_placements).split(",")
    for p in placements:
        if p not in PLACEMENTS:
            raise SystemExit(f"bench: unknown placement {p} (known: {', '.join(PLACEMENTS)})")
        if p == "split" and len(os.sched_getaffinity(0)) < 2:
            raise SystemExit("bench: split needs two CPUs")
        if p != "free" and not a.pgdata:
            say(f"{p}: the server is not ours to pin (no --pgdata): only the client is pinned")
    if a.reps < 1 or a.scale <= 0:
        raise SystemExit("bench: --reps must be >= 1 and --scale > 0")
    ops = {w: max(1, round(defaults[w] * a.scale)) for w in workloads}
    binaries = {"turbopg": os.path.join(a.bin, "turbopg-bench"),
                "libpq": os.path.join(a.bin, "libpq-bench")}
    peers = [p for p in PEERS if os.access(binaries[p], os.X_OK)]
    if "libpq" not in peers:
        say("libpq-bench was not built (libpq not found): turbopg only")
    # Workloads a peer does not have (the ORM ones for libpq) are run by turbopg alone.
    has = {p: set(listed_workloads(binaries[p])) for p in peers}
    if a.pgbench and os.access(a.pgbench, os.X_OK):
        peers.append("pgbench")
        has["pgbench"] = set(PGBENCH)
    else:
        say("pgbench not found (--pgbench): no pgbench reference")
    # Every workload needs load.sql's tables (copy-in and the INSERTs write into bench_in), so
    # the data is loaded whatever was picked; its size follows the workloads that read it.
    readers = [w for w in workloads if w in ROWS_READERS]
    sizes = {ops[w] for w in readers if w in FULL_READERS}
    if len(sizes) > 1:
        raise SystemExit("bench: " + ", ".join(FULL_READERS) + " must read the same number of rows")
    size = sizes.pop() if sizes else max(1, round(defaults["rows"] * a.scale))
    rows_check = ensure_data(a.url, size, a.load_sql)
    runs = []
    plan = [(rep, pl, w, peer) for rep in range(1, a.reps + 1) for pl in placements
            for w in workloads for peer in peers if w in has[peer]]
    width = len(str(len(plan)))
    pinned = None
    os.makedirs(a.out, exist_ok=True)
    scripts = {}
    for w, (_, _, text) in PGBENCH.items():
        scripts[w] = os.path.join(a.out, f"pgbench-{w}.sql")
        with open(scripts[w], "w") as f:
            f.write(text.format(rows=size))
    try:
        for k, (rep, pl, w, peer) in enumerate(plan, 1):
            server_cpus, client_cpus = PLACEMENTS[pl]
            if a.pgdata and pinned != pl:
                pin_server(a.pgdata, server_cpus or all_cpus())
                pinned = pl
            label = f"[{k:>{width}}/{len(plan)}] rep {rep} {pl:<5} {w:<12} {peer:<7}"
            print(f"bench: {label} ...", end="", file=sys.stderr, flush=True)
            if peer == "pgbench":
                rec = run_pgbench(a.pgbench, w, a.url, ops[w], client_cpus, scripts[w])
            else:
                rec = run_one(binaries[peer], w, a.url, ops[w], client_cpus)
            verify(rec, w, a.url, rows_check)
            rec.update({"rep": rep, "placement": pl, "workload": w, "peer": peer})
            runs.append(rec)
            if "error" in rec:
                print(f" failed: {rec['error'].splitlines()[-1]}", file=sys.stderr, flush=True)
            else:
                bad = "" if rec.get("verify", "ok") == "ok" else f"  VERIFY: {rec['verify']}"
                print(f" {rec['ops_per_s']:>12,.0f} ops/s  {rec['cpu_s'] / rec['ops'] * 1e6:7.2f}"
                      f" us/op{bad}", file=sys.stderr, flush=True)
        allocs = {}
        alloc_bin = os.path.join(a.bin, "turbopg-bench-allocs")
        if not a.no_allocs and os.access(alloc_bin, os.X_OK):
            for w in workloads:
                say(f"counting allocations: {w}")
                rec = run_one(alloc_bin, w, a.url, ops[w], None)
                allocs[w] = rec
    finally:
        if a.pgdata and pinned:
            pin_server(a.pgdata, all_cpus())

    meta = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "host": os.uname().nodename, "cpus": os.cpu_count(), "reps": a.reps,
            "scale": a.scale, "ops": ops, "placements": placements, "workloads": workloads,
            "server_pinned": bool(a.pgdata), "git": git_describe()}
    summary = report.summarize(runs, allocs, meta)
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump({"meta": meta, "summary": summary, "allocations": allocs, "runs": runs}, f,
                  indent=1)
    with open(os.path.join(a.out, "ratios.svg"), "w") as f:
        f.write(report.svg(summary, meta))
    print(report.table(summary, meta))
    say(f"results: {os.path.join(a.out, 'results.json')}  chart: {os.path.join(a.out, 'ratios.svg')}")
    failed = [r for r in runs if "error" in r or r.get("verify", "ok") != "ok"]
    if failed:
        say(f"{len(failed)} run(s) failed or did not verify (see results.json)")
        return 1
    return 0


def git_describe():
    if not shutil.which("git"):
        return None
    out = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "describe",
                          "--always", "--dirty"], capture_output=True, text=True)
    return out.stdout.strip() or None


if __name__ == "__main__":
    sys.exit(main())
