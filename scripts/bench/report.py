"""Medians, the terminal table and the SVG chart of a benchmark run (see run.py)."""
import html
import statistics

PLACEMENT_TEXT = {"split": "server on CPU 0, client on CPU 1",
                  "same": "server and client on CPU 0",
                  "free": "no pinning"}
COLORS = {"split": "#3b75af", "same": "#ef8636", "free": "#519e3e"}


def _good(r):
    return "error" not in r and r.get("verify", "ok") == "ok"


# Each ORM workload against the raw wire workload doing the same work, in the same run.
WIRE_COUNTERPART = {
    "orm-get": "point-get",
    "orm-fetch": "rows",
    "orm-fetch-list": "rows",
    "orm-bulk-create": "copy-in",
}


def summarize(runs, allocs, meta):
    """One entry per (placement, workload): per peer the median ops/s and client CPU µs/op over
    the good runs, turbopg/libpq, and turbopg/pgbench where pgbench ran the workload."""
    out = []
    for pl in meta["placements"]:
        for w in meta["workloads"]:
            entry = {"placement": pl, "workload": w, "ops": meta["ops"][w]}
            for peer in ("turbopg", "libpq", "pgbench"):
                mine = [r for r in runs if r["placement"] == pl and r["workload"] == w
                        and r["peer"] == peer]
                good = [r for r in mine if _good(r)]
                entry[peer] = {
                    "runs": len(mine), "good": len(good),
                    "ops_per_s": statistics.median(r["ops_per_s"] for r in good) if good else None,
                    "cpu_us_per_op": statistics.median(r["cpu_s"] / r["ops"] * 1e6 for r in good)
                    if good else None}
            t, lq = entry["turbopg"]["ops_per_s"], entry["libpq"]["ops_per_s"]
            entry["ratio"] = t / lq if t and lq else None
            pgb = entry["pgbench"]["ops_per_s"]
            entry["ratio_pgbench"] = t / pgb if t and pgb else None
            a = allocs.get(w, {})
            entry["turbopg"]["allocs_per_op"] = a.get("allocs_per_op")
            out.append(entry)
    by_key = {(e["placement"], e["workload"]): e for e in out}
    for e in out:
        raw = by_key.get((e["placement"], WIRE_COUNTERPART.get(e["workload"])))
        orm_ops = e["turbopg"]["ops_per_s"]
        raw_ops = raw["turbopg"]["ops_per_s"] if raw else None
        if orm_ops and raw_ops:
            e["vs_wire"] = {"workload": raw["workload"], "ratio": orm_ops / raw_ops}
    return out


def _num(v, fmt):
    return "-" if v is None else format(v, fmt)


def table(summary, meta):
    lines = []
    for pl in meta["placements"]:
        lines.append("")
        lines.append(f"{pl}: {PLACEMENT_TEXT[pl]}"
                     f"{'' if meta['server_pinned'] or pl == 'free' else ' (client only)'}; "
                     f"medians of {meta['reps']} run(s), scale {meta['scale']:g}")
        head = ("workload", "ops", "turbopg ops/s", "libpq ops/s", "ratio",
                "turbopg CPU us/op", "libpq CPU us/op", "turbopg allocs/op")
        rows = []
        for e in summary:
            if e["placement"] != pl:
                continue
            t, lq = e["turbopg"], e["libpq"]
            tcell = _num(t["ops_per_s"], ",.0f")
            ratio = "-" if e["ratio"] is None else f"{e['ratio']:.2f}x"
            tcpu = _num(t["cpu_us_per_op"], ".2f")
            allocs = _num(t["allocs_per_op"], ".2f")
            lq_ops, lq_cpu = _num(lq["ops_per_s"], ",.0f"), _num(lq["cpu_us_per_op"], ".2f")
            if lq["runs"] == 0:  # a workload libpq-bench does not have (the ORM ones)
                lq_ops = lq_cpu = ratio = "n/a"
                if "vs_wire" in e:
                    ratio = f"{e['vs_wire']['ratio']:.2f}x of {e['vs_wire']['workload']}"
            rows.append((e["workload"], f"{e['ops']:,}", tcell, lq_ops, ratio, tcpu, lq_cpu,
                         allocs))
        widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
        fmt = "  ".join(["{:<%d}" % widths[0]] + ["{:>%d}" % w for w in widths[1:]])
        lines.append(fmt.format(*head))
        lines.append(fmt.format(*("-" * w for w in widths)))
        lines.extend(fmt.format(*r) for r in rows)
        lines.extend(_pgbench_lines(summary, pl))
    return "\n".join(lines)


def _pgbench_lines(summary, pl):
    """The pgbench reference under a placement's table, one line per workload it ran."""
    out = []
    for e in summary:
        g = e["pgbench"]
        if e["placement"] != pl or g["runs"] == 0:
            continue
        ratio = "-" if e["ratio_pgbench"] is None else f"{e['ratio_pgbench']:.2f}x"
        out.append(f"pgbench -n -M prepared, {e['workload']}: {_num(g['ops_per_s'], ',.0f')} ops/s,"
                   f" {_num(g['cpu_us_per_op'], '.2f')} CPU us/op; turbopg/pgbench {ratio}")
    # Reading a row costs the server more than SELECT $1: pgbench's point-get against its
    # point-seq shows how much, a yardstick for orm-get's ratio to turbopg's point-seq.
    def ops(workload, peer):
        e = next((e for e in summary if e["placement"] == pl and e["workload"] == workload), None)
        return e[peer]["ops_per_s"] if e else None
    g_get, g_seq = ops("point-get", "pgbench"), ops("point-seq", "pgbench")
    if g_get and g_seq:
        line = f"point-get / point-seq: pgbench {g_get / g_seq:.2f}x"
        for w in ("point-get", "orm-get"):
            t_get, t_seq = ops(w, "turbopg"), ops("point-seq", "turbopg")
            if t_get and t_seq:
                line += f", turbopg {w} {t_get / t_seq:.2f}x"
        out.append(line)
    return out


def svg(summary, meta):
    """Horizontal bars of turbopg/libpq throughput per workload, one bar per placement."""
    workloads = meta["workloads"]
    placements = meta["placements"]
    ratios = [e["ratio"] for e in summary if e["ratio"] is not None]
    top = max([2.0] + [r * 1.1 for r in ratios])
    left, width, bar, gap, head = 110, 460, 14, 10, 46
    group = bar * len(placements) + gap
    height = head + group * len(workloads) + 40
    x = lambda r: left + r / top * width  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 60}" '
           f'height="{height}" font-family="sans-serif" font-size="12">',
           f'<text x="{left}" y="18" font-size="14">turbopg / libpq throughput '
           f'(median of {meta["reps"]}, scale {meta["scale"]:g}, {html.escape(meta["date"])})</text>']
    for k, pl in enumerate(placements):
        out.append(f'<rect x="{left + k * 150}" y="28" width="10" height="10" '
                   f'fill="{COLORS[pl]}"/><text x="{left + k * 150 + 14}" y="37">'
                   f'{pl}: {html.escape(PLACEMENT_TEXT[pl])}</text>')
    for i, w in enumerate(workloads):
        y0 = head + i * group
        out.append(f'<text x="{left - 6}" y="{y0 + group / 2}" text-anchor="end">{w}</text>')
        for k, pl in enumerate(placements):
            e = next(e for e in summary if e["workload"] == w and e["placement"] == pl)
            y = y0 + k * bar
            if e["ratio"] is None:
                why = "turbopg only" if e["libpq"]["runs"] == 0 else "no result"
                out.append(f'<text x="{left + 4}" y="{y + bar - 3}">{why}</text>')
                continue
            out.append(f'<rect x="{left}" y="{y}" width="{x(e["ratio"]) - left:.1f}" '
                       f'height="{bar - 2}" fill="{COLORS[pl]}"/>')
            out.append(f'<text x="{x(e["ratio"]) + 4:.1f}" y="{y + bar - 4}">'
                       f'{e["ratio"]:.2f}x</text>')
    bottom = head + group * len(workloads)
    out.append(f'<line x1="{x(1):.1f}" y1="{head - 4}" x2="{x(1):.1f}" y2="{bottom}" '
               f'stroke="#444" stroke-dasharray="4 3"/>')
    out.append(f'<text x="{x(1):.1f}" y="{bottom + 14}" text-anchor="middle">1.0x = libpq</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
