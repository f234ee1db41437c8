"""What the data-only cache (issue 18) costs against the pickled one, measured in one run.

    python bench/make_corpus.py 10000 --out /tmp/c10k --flavour newsdigest
    git archive BASELINE_COMMIT | tar -x -C /tmp/nd-base
    python bench/cache_bench.py --corpus /tmp/c10k/newsdigest --baseline /tmp/nd-base --runs 5

Both checkouts build their own copy of the corpus once (cold), then, alternating run by run
so that machine load falls on both alike: the article cache loaded and saved in full (in a
fresh process, as a build does), a no-change build and a one-article edit (wall time of the
whole command). This checkout's no-change build is also timed with the Jinja bytecode cache
unusable (a cache home others can write), which is what turning it off would cost. Prints
medians and ratios (this checkout / baseline), and the same for the best run of each,
which a shared machine disturbs least; lower is better.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

# Run in a fresh process with PYTHONPATH at one checkout: times a full load and save of the
# article cache through BuildCache, the same calls a build makes.
_CACHE_PROBE = """
import sys, time, tempfile
from pathlib import Path
from generator.build.cache import BuildCache
root = Path(sys.argv[1])
cache = BuildCache(root, root / "output")
started = time.perf_counter()
articles = cache.load_articles()
loaded = time.perf_counter() - started
assert len(articles) > 0, "no cached articles"
other = BuildCache(Path(tempfile.mkdtemp()), root / "output")
started = time.perf_counter()
other.save_articles(articles)
print(len(articles), loaded, time.perf_counter() - started)
"""


def _run(checkout: Path, *argv: str, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, *argv],
        check=True,
        cwd=checkout,  # `-m` puts the working directory first on sys.path: make it the checkout
        env={**os.environ, **(env or {}), "PYTHONPATH": str(checkout)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    return time.perf_counter() - started


def _build(checkout: Path, root: Path, env: dict[str, str] | None = None) -> float:
    return _run(checkout, "-m", "generator", "build", "--root", str(root), "--quiet", env=env)


def _probe(checkout: Path, root: Path) -> tuple[float, float]:
    done = subprocess.run(
        [sys.executable, "-c", _CACHE_PROBE, str(root)],
        check=True,
        capture_output=True,
        text=True,
        cwd=checkout,
        env={**os.environ, "PYTHONPATH": str(checkout)},
    )
    _count, load, save = done.stdout.split()
    return float(load), float(save)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, required=True, help="a project (site.yaml, content/)"
    )
    parser.add_argument("--baseline", type=Path, required=True, help="checkout to compare with")
    parser.add_argument(
        "--checkout", type=Path, default=HERE, help="checkout measured (default: this one)"
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cache-bench-"))
    checkouts = {"baseline": args.baseline.resolve(), "this": args.checkout.resolve()}
    roots = {}
    results: dict[str, dict[str, list[float]]] = {name: {} for name in checkouts}
    unsafe_home = work / "shared-cache-home"
    unsafe_home.mkdir()
    (unsafe_home / "newsdigest").mkdir(mode=0o777)
    os.chmod(unsafe_home / "newsdigest", 0o777)  # open to others: the bytecode cache is refused
    try:
        for name, checkout in checkouts.items():
            roots[name] = work / name
            shutil.copytree(args.corpus, roots[name])
            results[name]["cold build"] = [_build(checkout, roots[name])]
        edited = sorted((roots["this"] / "content").rglob("*.md"))[len(roots) * 1000]
        relative = edited.relative_to(roots["this"])
        for run in range(args.runs):
            for name, checkout in checkouts.items():
                load, save = _probe(checkout, roots[name])
                results[name].setdefault("article cache load", []).append(load)
                results[name].setdefault("article cache save (all)", []).append(save)
                results[name].setdefault("no-change build", []).append(
                    _build(checkout, roots[name])
                )
                with open(roots[name] / relative, "a", encoding="utf-8") as handle:
                    handle.write(f"\nEdit number {run}.\n")
                results[name].setdefault("one-edit build", []).append(_build(checkout, roots[name]))
            results["this"].setdefault("no-change build, no bytecode cache", []).append(
                _build(checkouts["this"], roots["this"], env={"XDG_CACHE_HOME": str(unsafe_home)})
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"runs: {args.runs}, load average: {os.getloadavg()[0]:.2f}")
    print("| measure | baseline median | this median | ratio | baseline best | this best | ratio |")
    print("|---|---|---|---|---|---|---|")
    for measure, values in results["this"].items():
        ours, our_best = statistics.median(values), min(values)
        theirs = results["baseline"].get(measure)
        if theirs is None:
            print(f"| {measure} | | {ours:.3f} s | | | {our_best:.3f} s | |")
            continue
        base, best = statistics.median(theirs), min(theirs)
        print(
            f"| {measure} | {base:.3f} s | {ours:.3f} s | {ours / base:.2f} "
            f"| {best:.3f} s | {our_best:.3f} s | {our_best / best:.2f} |"
        )
    off = results["this"]["no-change build, no bytecode cache"]
    on = results["this"]["no-change build"]
    print(
        "no-change build without / with the bytecode cache: "
        f"{statistics.median(off) / statistics.median(on):.2f} (median), "
        f"{min(off) / min(on):.2f} (best)"
    )


if __name__ == "__main__":
    main()
