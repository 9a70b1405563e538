#!/usr/bin/env python3
"""`make bench`: Ember vs its peers, side by side.

Runs each workload's Ember binary (`EmberBench --workload W`) and each peer's script in turn,
several repeats each; every process prints one JSON line per figure. The peers:

- torch 1.13: `bench/torch_bench.py` on Debian's python3-torch (--python), OMP_WAIT_POLICY=PASSIVE;
- torch 2: the same script on PyTorch 2 from PyPI in bench/.venv (`make bench-peers`), at its
  stock OpenMP wait policy (--torch2-wait-policy), where the venv exists;
- JAX: `bench/jax_bench.py` in the same venv, for the workloads it has (mlp).

Aggregates the median and the spread (min-max), prints a table, writes bench/results.json,
and with --write-results rewrites bench/RESULTS.md (a run with EMBER_ISA set goes to its own
section there).

The ratio column is Ember / the best peer's throughput (for times, best peer / Ember): above 1
means Ember is faster than every peer. The limit column is the physical limit measured inside
the Ember process (GEMM: cblas_sgemm on the same buffers; elementwise: copy bandwidth of the
same bytes).

Standard library only: where a peer is absent its column stays empty.
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
PEER_MISSING = 3  # torch_bench.py's and jax_bench.py's exit status when their framework cannot be imported
VENV_PYTHON = os.path.join(ROOT, "bench", ".venv", "bin", "python")
# Peer columns, in table order: key, heading.
PEERS = [("torch1", "torch 1.13"), ("torch2", "torch 2"), ("jax", "JAX")]
JAX_WORKLOADS = {"mlp"}
# Variables that would change the Ember side's threading: Ember runs with its defaults.
THREAD_VARS = ("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "MKL_NUM_THREADS")


def parse_args():
    p = argparse.ArgumentParser(description="Ember vs PyTorch benchmarks (make bench).")
    p.add_argument("--only", help="comma-separated workloads: " + ", ".join(WORKLOADS))
    p.add_argument("--quick", action="store_true", help="smaller shapes, shorter timings, 2 repeats")
    p.add_argument("--repeats", type=int, help="processes per side per workload (default 5, quick 2)")
    p.add_argument("--ember-bin", default=os.path.join(ROOT, ".build", "release", "EmberBench"))
    p.add_argument("--ember-commit", help="the commit --ember-bin was built from, when not the checkout's")
    p.add_argument("--python", default=sys.executable, help="interpreter with PyTorch 1.13 for torch_bench.py")
    p.add_argument("--venv-python", default=VENV_PYTHON,
                   help="interpreter with PyTorch 2 and JAX (make bench-peers); skipped when absent")
    p.add_argument("--torch2-wait-policy", default="stock", choices=["stock", "PASSIVE"],
                   help="OMP_WAIT_POLICY for PyTorch 2 (stock: unset, its better policy on an idle machine)")
    p.add_argument("--peers", default="torch1,torch2,jax", help="comma-separated peers: torch1, torch2, jax")
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
    args.peer_keys = [k.strip() for k in args.peers.split(",") if k.strip()]
    unknown = [k for k in args.peer_keys if k not in dict(PEERS)]
    if unknown:
        p.error(f"unknown peer(s) {', '.join(unknown)}; choose from {', '.join(k for k, _ in PEERS)}")
    if args.no_torch:
        args.peer_keys = []
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


def peer_commands(args, workload, flag):
    """(key, command) of each peer that has this workload, in table order."""
    bench = os.path.join(ROOT, "bench")
    commands = []
    for key in args.peer_keys:
        if key == "torch1":
            commands.append((key, [args.python, os.path.join(bench, "torch_bench.py"), "--workload", workload] + flag))
        elif key == "torch2":
            commands.append((key, [args.venv_python, os.path.join(bench, "torch_bench.py"), "--workload", workload,
                                   "--omp-wait-policy", args.torch2_wait_policy] + flag))
        elif key == "jax" and workload in JAX_WORKLOADS:
            commands.append((key, [args.venv_python, os.path.join(bench, "jax_bench.py"), "--workload", workload] + flag))
    return commands


def collect(args):
    """Runs every workload, rotating which side goes first; returns (cases, peer_meta, peer_notes)."""
    ember_env = {k: v for k, v in os.environ.items() if k not in THREAD_VARS}
    peer_env = {k: v for k, v in os.environ.items() if k not in THREAD_VARS}  # each script sets its own
    missing = {}  # peer key -> why it is not in the table
    if "torch2" in args.peer_keys or "jax" in args.peer_keys:
        if not os.access(args.venv_python, os.X_OK):
            for key in ("torch2", "jax"):
                if key in args.peer_keys:
                    missing[key] = f"no {args.venv_python} (run `make bench-peers`)"
    if args.no_torch:
        missing["all"] = "skipped (--no-torch)"
    peer_meta = {}
    failures = []  # peer repeats that failed or ran past --timeout
    cases = {}  # (workload, case) -> dict

    def add(records, side, order):
        for r in records:
            key = (r["workload"], r["case"])
            c = cases.setdefault(key, {"workload": r["workload"], "case": r["case"], "metric": r["metric"],
                                       "order": order + len(cases), "ember": [], "limit": [], "limit_source": None,
                                       **{k: [] for k, _ in PEERS}})
            if r.get("value") is None:
                continue
            column = side if side != "ember" or r["impl"] != "limit" else "limit"
            c[column].append(float(r["value"]))
            if column == "limit":
                c["limit_source"] = r.get("source")

    for wi, workload in enumerate(args.workloads):
        flag = ["--quick"] if args.quick else []
        sides = [("ember", [args.ember_bin, "--workload", workload] + flag)]
        sides += [(k, cmd) for k, cmd in peer_commands(args, workload, flag) if k not in missing]
        for rep in range(args.repeats):
            # Rotate which side goes first, so none always runs on a cooler machine.
            shift = rep % len(sides)
            for side, cmd in sides[shift:] + sides[:shift]:
                if side in missing:
                    continue
                env = ember_env if side == "ember" else peer_env
                print(f"  {workload:<12} repeat {rep + 1}/{args.repeats}  {side}", file=sys.stderr, flush=True)
                try:
                    status, records, meta, err = run_process(cmd, env, args.timeout)
                except BenchError as e:
                    if side == "ember":
                        raise
                    # A peer that hangs or runs past the limit leaves a gap, not a lost run.
                    failures.append(f"{workload} repeat {rep + 1}: {e}")
                    print(f"  {side}: {e}; this repeat left out", file=sys.stderr)
                    continue
                if side != "ember" and status == PEER_MISSING:
                    missing[side] = "not importable: " + (err.strip().splitlines() or ["?"])[-1]
                    print(f"  {side} {missing[side]}; leaving its column empty", file=sys.stderr)
                    continue
                if status != 0 and side != "ember":
                    failures.append(f"{workload} repeat {rep + 1}: exited with status {status}: {(err.strip().splitlines() or ['?'])[-1]}")
                    print(f"  {side} {failures[-1]}; this repeat left out", file=sys.stderr)
                    continue
                if status != 0:
                    raise BenchError(f"{shlex.join(cmd)} exited with status {status}:\n{err.strip()}")
                if not records:
                    raise BenchError(f"{shlex.join(cmd)} printed no results")
                if side != "ember":
                    peer_meta.setdefault(side, {}).update(meta)
                add(records, side, wi * 1000)
    if failures:
        missing["failed repeats"] = "; ".join(failures)
    return sorted(cases.values(), key=lambda c: c["order"]), peer_meta, missing


def finish(cases):
    rows = []
    for c in cases:
        e, l = summarize(c["ember"]), summarize(c["limit"])
        peers = {k: summarize(c[k]) for k, _ in PEERS}
        lower = lower_is_better(c["metric"])
        present = [(k, s["median"]) for k, s in peers.items() if s and s["median"] > 0]
        best = (min if lower else max)(present, key=lambda kv: kv[1]) if present else None
        ratio = None
        if e and best and e["median"] > 0:
            ratio = best[1] / e["median"] if lower else e["median"] / best[1]
        rows.append({"workload": c["workload"], "case": c["case"], "metric": c["metric"],
                     "lower_is_better": lower, "ember": e, **peers,
                     "best_peer": best[0] if best else None, "ratio": ratio,
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


HEADER = ["workload", "case", "unit", "Ember median (min-max)"] + [f"{h} median (min-max)" for _, h in PEERS] + \
    ["best peer", "Ember / best", "limit median (source)"]


def table(rows, markdown=False):
    header = HEADER
    names = dict(PEERS)
    body = []
    for r in rows:
        unit = r["metric"].replace("us/", "µs/")
        limit = f"{fmt(r['limit']['median'])} ({r['limit_source']})" if r["limit"] else ""
        body.append([r["workload"], r["case"], unit, cell(r["ember"])] + [cell(r[k]) for k, _ in PEERS] +
                    [names.get(r["best_peer"], ""), fmt(r["ratio"]), limit])
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i < 3 else "---:" for i in range(len(header))) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        return "\n".join(lines)
    widths = [max(len(h), *(len(row[i]) for row in body)) if body else len(h) for i, h in enumerate(header)]
    right = set(range(3, len(header)))
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


def peer_versions(peer_meta):
    """"torch 1.13.0a0 (2 threads, OMP_WAIT_POLICY=PASSIVE); torch 2.13.0+cpu (...); jax 0.10.2"."""
    parts = []
    for key, heading in PEERS:
        meta = peer_meta.get(key)
        if not meta:
            continue
        if key == "jax":
            parts.append(f"jax {meta.get('jax', '?')}")
        else:
            policy = meta.get("omp_wait_policy", "?")
            policy = "stock OMP_WAIT_POLICY" if policy == "stock" else f"OMP_WAIT_POLICY={policy}"
            parts.append(f"torch {meta.get('torch', '?')} ({meta.get('threads', '?')} threads, {policy})")
    return "; ".join(parts)


def main():
    args = parse_args()
    if not os.access(args.ember_bin, os.X_OK):
        sys.exit(f"run.py: no Ember benchmark binary at {args.ember_bin}; "
                 "build it with `swift build -c release --product EmberBench` or pass --ember-bin")
    invocation = "python3 bench/run.py " + shlex.join(sys.argv[1:]) if len(sys.argv) > 1 else "python3 bench/run.py"
    isa = os.environ.get("EMBER_ISA") or None
    if isa:
        invocation = f"EMBER_ISA={isa} " + invocation
    started = datetime.datetime.now(datetime.timezone.utc)
    commit = args.ember_commit or git_commit()  # before the run: the binary measured is the one built from it
    load_at_start = round(os.getloadavg()[0], 2)
    print(f"Ember vs peers: {', '.join(args.workloads)}, {args.repeats} repeats{' (quick)' if args.quick else ''}", file=sys.stderr)
    try:
        cases, peer_meta, missing = collect(args)
    except BenchError as e:
        sys.exit(f"run.py: {e}")
    rows = finish(cases)
    swift_line = (command_output(["swift", "--version"]) or "").splitlines()
    notes = [f"{dict(PEERS).get(k, k)}: {why}" for k, why in missing.items()]
    info = {
        "command": invocation,
        "date": started.isoformat(timespec="seconds"),
        "quick": args.quick,
        "repeats": args.repeats,
        "machine": machine_info(),
        "ember_isa": isa or "the CPU's best",
        "versions": {"swift": swift_line[0] if swift_line else None, "peers": peer_versions(peer_meta),
                     "python": platform.python_version()},
        "peer_meta": peer_meta,
        "git_commit": commit,
        "peer_notes": notes,
        "load_average": load_at_start,
        "load_average_end": round(os.getloadavg()[0], 2),
        "ratio": "Ember / the best peer's throughput (best peer / Ember for times): above 1 means Ember is faster than every peer",
        "results": rows,
    }
    text = table(rows)
    m, v = info["machine"], info["versions"]
    summary = (f"{m['cpu']}, {m['cores']} cores, Ember's kernels at EMBER_ISA={isa or 'unset (the CPU best)'}; "
               f"{v['swift'] or 'swift ?'}; {v['peers'] or 'no peers'}; "
               f"commit {info['git_commit'] or '?'}; {args.repeats} repeats{', quick' if args.quick else ''}; "
               f"load average {load_at_start} at the start, {info['load_average_end']} at the end")
    print()
    print(text)
    print()
    print("Ember / best = Ember / the best peer's throughput (for times: best peer / Ember); above 1 means Ember is faster.")
    print("mlp: every side gathers batches from one uint8 tensor and times two epochs after one warm-up epoch.")
    print(summary)
    for note in notes:
        print(f"Peer {note}")

    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    write_atomically(args.json, json.dumps(info, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {os.path.relpath(args.json)}")
    if args.write_results:
        path = os.path.join(ROOT, "bench", "RESULTS.md")
        write_atomically(path, results_markdown(path, args.workloads, rows, info, invocation))
        print(f"wrote {os.path.relpath(path)}")


RUN_PREFIX = "- Run of "
ACCURACY = "## Accuracy"


def run_line(workloads, info, invocation):
    load, end = info.get("load_average"), info.get("load_average_end")
    return (f"{RUN_PREFIX}{', '.join(workloads)}: `{invocation}`, {info['date']}, commit "
            f"{info['git_commit'] or '?'}, load average {load if load is not None else '?'} at the start, "
            f"{end if end is not None else '?'} at the end; {info['versions']['peers'] or 'no peers'}")


def widen(cells):
    """A row of the older 7-column table (Ember, PyTorch 1.13, ratio, limit) in today's columns."""
    w, case, unit, ember, torch1, ratio, limit = cells
    return [w, case, unit, ember, torch1, "", "", "torch 1.13" if ratio else "", ratio, limit]


def kept_lines(text, workloads):
    """The table rows and run lines of `text` for the workloads not run this time."""
    kept_rows, kept_runs = [], []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and cells[0] in WORKLOADS and cells[0] not in workloads and len(cells) in (7, len(HEADER)):
            kept_rows.append("| " + " | ".join(widen(cells) if len(cells) == 7 else cells) + " |")
        elif line.startswith(RUN_PREFIX):
            names, _, rest = line[len(RUN_PREFIX):].partition(": ")
            left = [n for n in names.split(", ") if n not in workloads]
            if left:
                kept_runs.append(RUN_PREFIX + ", ".join(left) + ": " + rest)
    return kept_rows, kept_runs


def merge_rows(kept_rows, new_rows):
    order = {w: i for i, w in enumerate(WORKLOADS)}
    return sorted(kept_rows + new_rows, key=lambda l: order.get(l.strip().strip("|").split("|")[0].strip(), len(order)))


def results_markdown(path, workloads, rows, info, invocation):
    """RESULTS.md with this run's rows replacing those of the same workloads; rows of the
    workloads not run this time, their run lines, and the sections from "## Accuracy" on
    are kept, so one workload can be re-measured without re-running them all. A run with
    EMBER_ISA set replaces (or adds) its own section instead, just before "## Accuracy"."""
    old = ""
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
    head = old[:old.index(ACCURACY)] if ACCURACY in old else old
    tail = old[old.index(ACCURACY):] if ACCURACY in old else ""
    table_lines = table(rows, markdown=True).splitlines()
    m = info["machine"]
    isa = os.environ.get("EMBER_ISA")
    if isa:
        title = f"## Ember's kernels at EMBER_ISA={isa}"
        marker = head.find(title)
        old_section = ""
        if marker >= 0:
            rest = head[marker + len(title):]
            nxt = rest.find("\n## ")
            old_section = rest[:nxt] if nxt >= 0 else rest
            head = head[:marker] + (rest[nxt + 1:] if nxt >= 0 else "")
        kept_rows, kept_runs = kept_lines(old_section, workloads)
        section = [title, "",
                   f"The same table with Ember's C kernels forced to their {isa} build (`EMBER_ISA={isa}`) on",
                   f"this {m['cpu']} ({m['cores']} cores): how Ember fares on a CPU without the instruction sets above it.",
                   "The peers are unchanged (they choose their own kernels).", ""]
        section += kept_runs + [run_line(workloads, info, invocation), ""]
        section += table_lines[:2] + merge_rows(kept_rows, table_lines[2:]) + ["", ""]
        return head.rstrip("\n") + "\n\n" + "\n".join(section) + tail
    main_end = head.find("\n## ")
    extra = head[main_end + 1:] if main_end >= 0 else ""  # the EMBER_ISA sections
    main = head[:main_end + 1] if main_end >= 0 else head
    kept_rows, kept_runs = kept_lines(main, workloads)
    all_rows = merge_rows(kept_rows, table_lines[2:])
    md = ["# Benchmark results", "",
          "Ember vs PyTorch 1.13 (Debian), PyTorch 2 (PyPI, `make bench-peers`) and JAX (the MLP) on CPU,",
          "produced by `make bench` (bench/run.py). Median over repeated processes, spread min-max;",
          "Ember / best = Ember / the best peer's throughput (for times: best peer / Ember), above 1 means",
          "Ember is faster than every peer; limit = cblas_sgemm called directly (GEMM), copy bandwidth of",
          "the same bytes (elementwise, optim), or the step's multiply-adds at the 1024^3 matmul rate (lstm,",
          "the input projection counted once per symbol); its source column says which. PyTorch 1.13 runs",
          "with OMP_WAIT_POLICY=PASSIVE, PyTorch 2 at its stock policy (each one's better policy on an idle",
          "machine; on a loaded one, stock spinning costs PyTorch 2 far more). The mlp row is measured alike",
          "on every side: batches gathered from one uint8 tensor by each epoch's permutation, samples/s",
          "over two epochs after an untimed warm-up epoch. Rows whose peer columns are empty but for",
          "torch 1.13 come from runs before the other peers were added. Each workload's rows come",
          "from the run listed for it below (`--write-results` replaces only the workloads it ran).", "",
          f"Machine: {m['cpu']}, {m['cores']} cores  ",
          f"Versions: {info['versions']['swift'] or 'swift ?'}", ""]
    md += kept_runs + [run_line(workloads, info, invocation), ""]
    for note in info.get("peer_notes") or []:
        md += [f"Peer {note}", ""]
    md += table_lines[:2] + all_rows + [""]
    text = "\n".join(md) + "\n"
    if extra:
        text += extra.rstrip("\n") + "\n\n"
    return text + tail


if __name__ == "__main__":
    main()
