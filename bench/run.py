#!/usr/bin/env python3
"""`make bench`: Ember vs PyTorch 1.13, side by side.

Runs each workload's Ember binary (`EmberBench --workload W`) and PyTorch script
(`bench/torch_bench.py --workload W`) alternately, several repeats each; every process
prints one JSON line per figure. Aggregates the median and the spread (min-max), prints a
table, writes bench/results.json, and with --write-results rewrites bench/RESULTS.md.

The ratio column is Ember / PyTorch throughput (for times, PyTorch / Ember): above 1 means
Ember is faster. The limit column is the physical limit measured inside the Ember process
(GEMM: cblas_sgemm on the same buffers; elementwise: copy bandwidth of the same bytes).

Standard library only: where torch is absent the table shows Ember alone.
Builds nothing: run `swift build -c release --product EmberBench` first (`make bench` does).
"""
import argparse
import datetime
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKLOADS = ["gemm", "elementwise", "overhead", "optim", "mlp", "cnn", "nnops", "conv", "lstm", "gpt", "data"]
TORCH_MISSING = 3  # torch_bench.py's exit status when torch cannot be imported
# Variables that would change the Ember side's threading: Ember runs with its defaults.
THREAD_VARS = ("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "MKL_NUM_THREADS")


def parse_args():
    p = argparse.ArgumentParser(description="Ember vs PyTorch benchmarks (make bench).")
    p.add_argument("--only", help="comma-separated workloads: " + ", ".join(WORKLOADS))
    p.add_argument("--quick", action="store_true", help="smaller shapes, shorter timings, 2 repeats")
    p.add_argument("--repeats", type=int, help="processes per side per workload (default 5, quick 2)")
    p.add_argument("--ember-bin", default=os.path.join(ROOT, ".build", "release", "EmberBench"))
    p.add_argument("--python", default=sys.executable, help="interpreter for torch_bench.py")
    p.add_argument("--no-torch", action="store_true", help="run the Ember side only")
    p.add_argument("--json", default=os.path.join(ROOT, "bench", "results.json"), help="where to write every figure")
    p.add_argument("--write-results", action="store_true", help="rewrite bench/RESULTS.md with this run's table")
    p.add_argument("--timeout", type=float, default=600, help="seconds allowed per process")
    args = p.parse_args()
    if args.only:
        names = [w.strip() for w in args.only.split(",") if w.strip()]
        unknown = [w for w in names if w not in WORKLOADS]
        if unknown:
            p.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
        args.workloads = names
    else:
        args.workloads = list(WORKLOADS)
    if args.repeats is None:
        args.repeats = 2 if args.quick else 5
    if args.repeats < 1:
        p.error("--repeats must be at least 1")
    return args


class BenchError(Exception):
    pass


def run_process(cmd, env, timeout):
    """Runs one benchmark process; returns (exit status, records, meta, stderr)."""
    try:
        proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        raise BenchError(f"cannot run {cmd[0]}: not found")
    except subprocess.TimeoutExpired:
        raise BenchError(f"{shlex.join(cmd)} ran past {timeout:.0f} s")
    records, meta = [], {}
    for line in proc.stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            raise BenchError(f"{shlex.join(cmd)} printed a malformed line: {line!r}")
        if "meta" in obj:
            meta.update(obj["meta"])
        else:
            records.append(obj)
    return proc.returncode, records, meta, proc.stderr


def lower_is_better(metric):
    return metric.startswith("us/") or metric.startswith("ms/") or metric == "s" or metric.startswith("MiB") or metric.endswith("(lower)")


def summarize(values):
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "values": values}


def collect(args):
    """Runs every workload, alternating sides; returns (cases, torch_meta, torch_note)."""
    ember_env = {k: v for k, v in os.environ.items() if k not in THREAD_VARS}
    use_torch = not args.no_torch
    torch_note = "skipped (--no-torch)" if args.no_torch else None
    torch_meta = {}
    cases = {}  # (workload, case) -> dict

    def add(records, order):
        for r in records:
            key = (r["workload"], r["case"])
            c = cases.setdefault(key, {"workload": r["workload"], "case": r["case"], "metric": r["metric"],
                                       "order": order + len(cases), "ember": [], "torch": [], "limit": [], "limit_source": None})
            if r.get("value") is None:
                continue
            c[r["impl"]].append(float(r["value"]))
            if r["impl"] == "limit":
                c["limit_source"] = r.get("source")

    for wi, workload in enumerate(args.workloads):
        flag = ["--quick"] if args.quick else []
        ember_cmd = [args.ember_bin, "--workload", workload] + flag
        torch_cmd = [args.python, os.path.join(ROOT, "bench", "torch_bench.py"), "--workload", workload] + flag
        for rep in range(args.repeats):
            # Alternate which side goes first, so neither always runs on a cooler machine.
            sides = ["ember", "torch"] if rep % 2 == 0 else ["torch", "ember"]
            for side in sides:
                if side == "torch" and not use_torch:
                    continue
                cmd, env = (ember_cmd, ember_env) if side == "ember" else (torch_cmd, dict(os.environ))
                print(f"  {workload:<12} repeat {rep + 1}/{args.repeats}  {side}", file=sys.stderr, flush=True)
                status, records, meta, err = run_process(cmd, env, args.timeout)
                if side == "torch" and status == TORCH_MISSING:
                    use_torch = False
                    torch_note = "torch not importable: " + (err.strip().splitlines() or ["?"])[-1]
                    print(f"  {torch_note}; reporting Ember only", file=sys.stderr)
                    continue
                if status != 0:
                    raise BenchError(f"{shlex.join(cmd)} exited with status {status}:\n{err.strip()}")
                if not records:
                    raise BenchError(f"{shlex.join(cmd)} printed no results")
                torch_meta.update(meta)
                add(records, wi * 1000)
    return sorted(cases.values(), key=lambda c: c["order"]), torch_meta, torch_note


def finish(cases):
    rows = []
    for c in cases:
        e, t, l = summarize(c["ember"]), summarize(c["torch"]), summarize(c["limit"])
        ratio = None
        if e and t and e["median"] > 0 and t["median"] > 0:
            ratio = t["median"] / e["median"] if lower_is_better(c["metric"]) else e["median"] / t["median"]
        rows.append({"workload": c["workload"], "case": c["case"], "metric": c["metric"],
                     "lower_is_better": lower_is_better(c["metric"]),
                     "ember": e, "torch": t, "ratio": ratio,
                     "limit": l, "limit_source": c["limit_source"]})
    return rows


def fmt(x):
    if x is None:
        return ""
    a = abs(x)
    if a >= 100:
        return f"{x:.0f}"
    if a >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def cell(s):
    return f"{fmt(s['median'])} ({fmt(s['min'])}-{fmt(s['max'])})" if s else ""


def table(rows, markdown=False):
    header = ["workload", "case", "unit", "Ember median (min-max)", "PyTorch median (min-max)", "ratio", "limit median (source)"]
    body = []
    for r in rows:
        unit = r["metric"].replace("us/", "µs/")
        limit = f"{fmt(r['limit']['median'])} ({r['limit_source']})" if r["limit"] else ""
        body.append([r["workload"], r["case"], unit, cell(r["ember"]), cell(r["torch"]), fmt(r["ratio"]), limit])
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i < 3 else "---:" for i in range(len(header))) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        return "\n".join(lines)
    widths = [max(len(h), *(len(row[i]) for row in body)) if body else len(h) for i, h in enumerate(header)]
    right = {3, 4, 5, 6}
    def line(row):
        return "  ".join(v.rjust(widths[i]) if i in right else v.ljust(widths[i]) for i, v in enumerate(row)).rstrip()
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(row) for row in body])


def command_output(cmd):
    try:
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
        return out.stdout.strip() if out.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired):
        return None


def machine_info():
    model = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": model or platform.processor() or "unknown", "cores": os.cpu_count(),
            "os": platform.platform()}


def git_commit():
    commit = command_output(["git", "rev-parse", "HEAD"])
    if commit and command_output(["git", "status", "--porcelain", "--untracked-files=no"]):
        commit += "-dirty"
    return commit


def write_atomically(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    args = parse_args()
    if not os.access(args.ember_bin, os.X_OK):
        sys.exit(f"run.py: no Ember benchmark binary at {args.ember_bin}; "
                 "build it with `swift build -c release --product EmberBench` or pass --ember-bin")
    invocation = "python3 bench/run.py " + shlex.join(sys.argv[1:]) if len(sys.argv) > 1 else "python3 bench/run.py"
    started = datetime.datetime.now(datetime.timezone.utc)
    load_at_start = round(os.getloadavg()[0], 2)
    print(f"Ember vs PyTorch: {', '.join(args.workloads)}, {args.repeats} repeats{' (quick)' if args.quick else ''}", file=sys.stderr)
    try:
        cases, torch_meta, torch_note = collect(args)
    except BenchError as e:
        sys.exit(f"run.py: {e}")
    rows = finish(cases)
    swift_line = (command_output(["swift", "--version"]) or "").splitlines()
    info = {
        "command": invocation,
        "date": started.isoformat(timespec="seconds"),
        "quick": args.quick,
        "repeats": args.repeats,
        "machine": machine_info(),
        "versions": {"swift": swift_line[0] if swift_line else None, "torch": torch_meta.get("torch"),
                     "torch_threads": torch_meta.get("threads"), "python": platform.python_version()},
        "git_commit": git_commit(),
        "torch_note": torch_note,
        "load_average": load_at_start,
        "ratio": "Ember / PyTorch throughput (PyTorch / Ember for times): above 1 means Ember is faster",
        "results": rows,
    }
    text = table(rows)
    m, v = info["machine"], info["versions"]
    summary = (f"{m['cpu']}, {m['cores']} cores; {v['swift'] or 'swift ?'}; torch {v['torch'] or 'absent'}; "
               f"commit {info['git_commit'] or '?'}; {args.repeats} repeats{', quick' if args.quick else ''}")
    print()
    print(text)
    print()
    print("ratio = Ember / PyTorch throughput (for µs: PyTorch / Ember); above 1 means Ember is faster.")
    print(summary)
    if torch_note:
        print(f"PyTorch: {torch_note}")

    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    write_atomically(args.json, json.dumps(info, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {os.path.relpath(args.json)}")
    if args.write_results:
        path = os.path.join(ROOT, "bench", "RESULTS.md")
        write_atomically(path, results_markdown(path, args.workloads, rows, info, invocation))
        print(f"wrote {os.path.relpath(path)}")


RUN_PREFIX = "- Run of "


def results_markdown(path, workloads, rows, info, invocation):
    """RESULTS.md with this run's rows replacing those of the same workloads; rows of the
    workloads not run this time, their run lines, and the sections from "## Accuracy" on
    are kept, so one workload can be re-measured without re-running them all."""
    old = ""
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
    kept_tail = "\n" + old[old.index("## Accuracy"):] if "## Accuracy" in old else ""
    head = old[:old.index("## Accuracy")] if "## Accuracy" in old else old
    kept_rows, kept_runs = [], []
    for line in head.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 7 and cells[0] in WORKLOADS and cells[0] not in workloads:
            kept_rows.append(line)
        elif line.startswith(RUN_PREFIX):
            names, _, rest = line[len(RUN_PREFIX):].partition(": ")
            left = [n for n in names.split(", ") if n not in workloads]
            if left:
                kept_runs.append(RUN_PREFIX + ", ".join(left) + ": " + rest)
    m, v = info["machine"], info["versions"]
    load = info.get("load_average")
    run_line = (f"{RUN_PREFIX}{', '.join(workloads)}: `{invocation}`, {info['date']}, commit "
                f"{info['git_commit'] or '?'}, load average {load if load is not None else '?'} at the start")
    table_lines = table(rows, markdown=True).splitlines()
    order = {w: i for i, w in enumerate(WORKLOADS)}
    all_rows = sorted(kept_rows + table_lines[2:], key=lambda l: order.get(l.strip().strip("|").split("|")[0].strip(), len(order)))
    md = ["# Benchmark results", "",
          "Ember vs PyTorch 1.13 on CPU, produced by `make bench` (bench/run.py). Median over",
          "repeated processes, spread min-max; ratio = Ember / PyTorch throughput (for µs:",
          "PyTorch / Ember), above 1 means Ember is faster; limit = cblas_sgemm called directly",
          "(GEMM), copy bandwidth of the same bytes (elementwise), or the step's multiply-adds at",
          "the 1024^3 matmul rate (lstm, the input projection counted once per symbol); its source column says which. Each workload's rows come",
          "from the run listed for it below (`--write-results` replaces only the workloads it ran).", "",
          f"Machine: {m['cpu']}, {m['cores']} cores  ",
          f"Versions: {v['swift'] or 'swift ?'}; torch {v['torch'] or 'absent'} ({v['torch_threads'] or '?'} threads)", ""]
    md += kept_runs + [run_line, ""]
    if info.get("torch_note"):
        md += [f"PyTorch: {info['torch_note']}", ""]
    md += table_lines[:2] + all_rows + [""]
    return "\n".join(md) + kept_tail

if __name__ == "__main__":
    main()
