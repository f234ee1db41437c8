"""Builds of two checkouts of newsdigest, alternating run by run, in one run: the ratios a
commit that changes build speed or memory quotes.

Each checkout builds its own copy of the corpus (a cache file written by one generator version
is deleted as stale by another, so one copy would make every build of both a cold one). Per
run and checkout, the scenarios asked for, in this order: a cold build (output and cache
deleted), a no-change build, an edit build (one sentence appended to one article, the same
one in every run and checkout). Without `cold`, each checkout builds once cold first,
unmeasured, so that the other scenarios have a previous build to start from. Recorded:
wall time, CPU time of the build and its workers (wait4), peak memory of the process tree (PSS
sampled, see build_bench.py), and each stage's time from `--timings`. Output of the two cold
builds is compared file by file. Bytecode caches are on, outside the checkouts.

With `--one-copy`, both checkouts build DIR itself, in turns, which must have been built
once (by either): each build runs through pinned_build.py, which pins the generator
fingerprint to the one DIR's cache holds, so that neither rebuilds it cold (at 100,000
articles, 390 s per checkout here). Sound only for two checkouts that read and write the
cache alike, which is what it checks: after the runs, the same edit is built by each from the
same state, and the files each wrote must be the same files with the same bytes. DIR's
edited article keeps the sentences the edit runs append.

Usage: python bench/build_ab.py --corpus DIR --baseline CHECKOUT [--runs 3] [--work /tmp/ab]
           [--scenarios cold,no-change,edit] [--one-copy]
(DIR is a newsdigest project such as `make_corpus.py`'s `newsdigest` folder; it is copied,
unless --one-copy.)
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from build_bench import BUILD_ENVIRONMENT, SAMPLE_SECONDS, _tree_memory

REPO = Path(__file__).resolve().parent.parent
_STAGE = re.compile(r"^\s+(\w+)\s+([\d.]+) ms$", re.MULTILINE)
SCENARIOS = ("cold", "no-change", "edit")
# How often a build is looked at to see whether it has ended: the wall time's resolution.
# Memory is sampled less often (SAMPLE_SECONDS); polling at that pace made every wall time a
# multiple of 50 ms, coarser than what a change to a 0.3 s build moves.
POLL_SECONDS = 0.002


@dataclass
class Arm:
    """One checkout and its copy of the corpus, with what its builds measured."""

    name: str
    checkout: Path
    root: Path
    measured: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    pinned: bool = False  # built through pinned_build.py (see --one-copy)


def build(arm: Arm, output: Path) -> dict[str, float]:
    """One build of `arm`'s corpus into `output`: its figures, stages included."""
    environment = {**BUILD_ENVIRONMENT, "PYTHONPATH": str(arm.checkout)}
    environment["PYTHONPYCACHEPREFIX"] += f"-{arm.name}"
    runner = [str(REPO / "bench" / "pinned_build.py")] if arm.pinned else ["-m", "generator"]
    command = [sys.executable, *runner, "build", "--timings", "--root", str(arm.root)]
    load = os.getloadavg()[0]
    started = time.perf_counter()
    process = subprocess.Popen(
        [*command, "--output", str(output)],
        cwd=arm.checkout,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    peak = 0
    next_sample = started
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        now = time.perf_counter()
        if now >= next_sample:
            peak = max(peak, _tree_memory(process.pid))
            next_sample = now + SAMPLE_SECONDS
        time.sleep(POLL_SECONDS)
    wall = time.perf_counter() - started
    assert process.stdout is not None
    text = process.stdout.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{arm.name}: build failed\n{text}")
    figures = {
        "wall s": wall,
        "CPU s": usage.ru_utime + usage.ru_stime,
        "peak MiB": max(peak, usage.ru_maxrss * 1024) / 2**20,
        "load": load,
    }
    figures.update((f"{stage} ms", float(ms)) for stage, ms in _STAGE.findall(text))
    return figures


def edited_article(root: Path) -> Path:
    """The article every edit appends to: the middle one of the sorted list (the same in
    every run and checkout)."""
    articles = sorted((root / "content").rglob("*.md"))
    return articles[len(articles) // 2]


def edit(root: Path, text: str) -> None:
    """Append `text` to the edited article."""
    with edited_article(root).open("a", encoding="utf-8") as edited:
        edited.write(text)


def written_since(output: Path, started_ns: int) -> dict[str, str]:
    """The files of `output` written since `started_ns`, by path, with a digest of each."""
    found = {}
    for folder, _folders, files in os.walk(output):
        for name in files:
            path = Path(folder, name)
            if path.stat().st_mtime_ns >= started_ns:
                digest = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
                found[str(path.relative_to(output))] = digest
    return found


def same_edit_output(arms: list[Arm]) -> bool:
    """Whether each arm, from the same state of the one copy, writes the same files with the
    same bytes for the same edit (each edit built, then undone and built again)."""
    written = []
    for arm in arms:
        article = edited_article(arm.root)
        before = article.read_bytes()
        edit(arm.root, "\nOne sentence added to compare the two checkouts.\n")
        started = time.time_ns()
        build(arm, arm.root / "output")
        written.append(written_since(arm.root / "output", started))
        article.write_bytes(before)
        build(arm, arm.root / "output")
    return written[0] == written[1] and bool(written[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--baseline", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/newsdigest-build-ab"))
    parser.add_argument("--scenarios", default="cold,no-change", help=",".join(SCENARIOS))
    parser.add_argument("--one-copy", action="store_true", help="build the built DIR in turns")
    options = parser.parse_args()
    scenarios = [name for name in SCENARIOS if name in options.scenarios.split(",")]
    if options.one_copy and "cold" in scenarios:
        raise SystemExit("--one-copy measures builds of a built copy: no cold scenario")
    arms = []
    if not options.one_copy:
        shutil.rmtree(options.work, ignore_errors=True)
    for name, checkout in (("baseline", options.baseline), ("this", REPO)):
        if options.one_copy:
            arms.append(Arm(name, checkout.resolve(), options.corpus.resolve(), pinned=True))
            continue
        root = options.work / name
        shutil.copytree(options.corpus, root, ignore=shutil.ignore_patterns("output", ".*"))
        arms.append(Arm(name, checkout.resolve(), root))
    if options.one_copy:
        for (
            arm
        ) in arms:  # unmeasured: compiles each checkout's bytecode (a cold build does otherwise)
            build(arm, arm.root / "output")
    for run in range(options.runs):
        # Which arm builds first alternates, so that neither always follows the other.
        for arm in arms[::-1] if options.one_copy and run % 2 else arms:
            output = arm.root / "output"
            if not options.one_copy and ("cold" in scenarios or run == 0):
                shutil.rmtree(output, ignore_errors=True)
                shutil.rmtree(arm.root / ".newsdigest-cache", ignore_errors=True)
                cold = build(arm, output)
                if "cold" in scenarios:
                    arm.measured.setdefault("cold", []).append(cold)
            if "no-change" in scenarios:
                arm.measured.setdefault("no-change", []).append(build(arm, output))
            if "edit" in scenarios:
                edit(arm.root, f"\nA sentence added in run {run + 1}.\n")
                arm.measured.setdefault("edit", []).append(build(arm, output))
    loads = [run["load"] for arm in arms for runs in arm.measured.values() for run in runs]
    if options.one_copy:
        same = same_edit_output(arms)
        compared = "files written for the same edit from the same state"
    else:
        first, second = (arm.root / "output" for arm in arms)
        same = subprocess.run(["diff", "-rq", first, second], capture_output=True).returncode == 0
        compared = "output of the last builds"
    print(f"{options.runs} runs each, alternating; load average {min(loads):.1f}-{max(loads):.1f}")
    print(f"{compared} of the two identical: {same}")
    print("| scenario | figure | baseline median | this median | ratio |\n|---|---|---|---|---|")
    for scenario in scenarios:
        names = [key for key in arms[1].measured[scenario][0] if key != "load"]
        for key in names:
            values = [
                statistics.median(run.get(key, 0.0) for run in arm.measured[scenario])
                for arm in arms
            ]
            ratio = f"{values[1] / values[0]:.2f}" if values[0] else "-"
            shown = [f"{value:.3f}" if key == "wall s" else f"{value:.1f}" for value in values]
            print(f"| {scenario} | {key} | {shown[0]} | {shown[1]} | {ratio} |")


if __name__ == "__main__":
    main()
