"""Pages per second of a folder import, this tree against a baseline tree, in the same run.

    python bench/import_speed.py --baseline /work/main [--runs 3] [--only html|text]

The pages are the dev split of bench/blind/ (HTML and its three flattenings, 160 pages) and
bench/clean_fixtures/ (40), copied into a fresh folder. Each run is a fresh
`python -m generator import PAGES --no-cache --root EMPTY` in a child process, this tree and
the baseline interleaved so that load on the (shared) machine hits both alike. Prints the
median pages per second (wall, and per CPU second of the import process) of each and
their ratios. `--only` keeps the HTML pages or the text pages alone, for the issue's separate
targets per format (pages per CPU second is the per-core figure). The hold-out split is never
read.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def collect(folder: Path, only: str | None = None) -> int:
    """Copy the pages into `folder` (only HTML or only text when `only` says so); returns how
    many."""
    manifest = json.loads((HERE / "blind" / "MANIFEST.json").read_text(encoding="utf-8"))
    count = 0
    for case in manifest["cases"]:
        if case["split"] != "dev":
            continue
        for kind in ("html", "lynx", "w3m", "plain"):
            if only and (kind == "html") != (only == "html"):
                continue
            name = case["files"][kind]
            target = name if kind == "html" else name.replace(f".{kind}.txt", f"-{kind}.txt")
            shutil.copyfile(HERE / "blind" / name, folder / target)
            count += 1
    for page in sorted((HERE / "clean_fixtures").iterdir()):
        if page.suffix in (".txt", ".html") and only in (None, page.suffix[1:]):
            shutil.copyfile(page, folder / f"fixture-{page.name}")
            count += 1
    return count


def run(tree: Path, pages: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one import of `pages` with the code of `tree` into an empty
    project (CPU: the child's user and system time, less hit by other load)."""
    with tempfile.TemporaryDirectory() as root:
        env = {**os.environ, "PYTHONPATH": str(tree)}
        command = [sys.executable, "-m", "generator", "import", str(pages), "--no-cache"]
        started = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            [*command, "--root", root], env=env, capture_output=True, text=True, check=False
        )
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        if done.returncode not in (0, 1):
            raise SystemExit(f"{tree}: import failed ({done.returncode}): {done.stderr[-500:]}")
        return seconds, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="another checkout")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("html", "text"), help="one format of page alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        pages = Path(folder)
        count = collect(pages, args.only)
        times: dict[str, list[tuple[float, float]]] = {"this tree": [], "baseline": []}
        for _ in range(args.runs):
            times["this tree"].append(run(REPO, pages))
            times["baseline"].append(run(args.baseline.resolve(), pages))
    print(f"pages: {count}, runs: {args.runs}, load average: {os.getloadavg()[0]:.2f}")
    speed: dict[str, tuple[float, float]] = {}
    for name, values in times.items():
        wall = count / statistics.median(value[0] for value in values)
        cpu = count / statistics.median(value[1] for value in values)
        speed[name] = (wall, cpu)
        print(f"{name:<10} {wall:6.1f} pages/s wall, {cpu:6.1f} per CPU second (medians)")
    for number, what in enumerate(("wall", "CPU")):
        ratio = speed["this tree"][number] / speed["baseline"][number]
        print(f"ratio this/baseline ({what}): {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
