"""Pages per second of `newsdigest import` on a generated WARC for 1, 2 and 4 local Dask
workers, and the peak memory of the coordinator at other input sizes (it must stay flat).

    python bench/import_scale.py                      # 20,000 pages; memory also at 5,000
    python bench/import_scale.py --small 5000 40000   # memory at 5,000 and 40,000 too
    python bench/import_scale.py --pages 2000 --small 500 --workers 1 2   # a quick look

Each run is a fresh `python -m generator import WARC --workers N --no-cache` into an empty
content/ folder, timed from start to exit (cluster start-up included). Resident memory is
sampled every 50 ms with psutil: the coordinator (the import process), the Dask scheduler
(its own child process) and the workers (summed). Prints a Markdown table and the load
average (the machine may be shared).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_warc import write_warc  # noqa: E402


def run(warc: Path, pages: int, workers: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "content").mkdir()
        command = [
            sys.executable,
            "-m",
            "generator",
            "import",
            str(warc),
            "--root",
            str(root),
            "--workers",
            str(workers),
            "--no-cache",
        ]
        log = (root / "import.log").open("w+", encoding="utf-8")
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.DEVNULL)
        watched = psutil.Process(process.pid)
        coordinator = workers_peak = scheduler_peak = 0
        while process.poll() is None:
            try:
                coordinator = max(coordinator, watched.memory_info().rss)
                children = watched.children(recursive=True)
                schedulers = [child for child in children if _is_scheduler(child)]
                scheduler_peak = max(scheduler_peak, sum(_rss(child) for child in schedulers))
                workers_peak = max(
                    workers_peak,
                    sum(_rss(child) for child in children if child not in schedulers),
                )
            except psutil.NoSuchProcess:
                pass
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        log.seek(0)
        output = log.read()
        log.close()
        if process.returncode != 0:
            raise SystemExit(f"import failed ({process.returncode}):\n{output[-2000:]}")
        summary = output.strip().splitlines()[-1]
        written = len(list((root / "content").rglob("*.md")))
    return {
        "pages": pages,
        "workers": workers,
        "seconds": seconds,
        "rate": pages / seconds,
        "coordinator": coordinator / 2**20,
        "scheduler": scheduler_peak / 2**20,
        "workers_mb": workers_peak / 2**20,
        "load": os.getloadavg()[0],
        "written": written,
        "summary": summary,
    }


def _is_scheduler(process: psutil.Process) -> bool:
    try:
        return "distributed.Scheduler" in " ".join(process.cmdline())
    except psutil.Error:
        return False


def _rss(process: psutil.Process) -> int:
    try:
        return process.memory_info().rss
    except psutil.NoSuchProcess:
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument(
        "--small",
        type=int,
        nargs="+",
        default=[5_000],
        help="other input sizes for the coordinator's memory (2 workers)",
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--keep", type=Path, help="folder to keep the generated WARC files in")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="newsdigest-warc-"))
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        sizes = {count: folder / f"news-{count}.warc.gz" for count in [args.pages, *args.small]}
        for count, path in sizes.items():
            if not path.exists():
                write_warc(path, count)
        for workers in args.workers:
            results.append(run(sizes[args.pages], args.pages, workers))
            print(f"  {results[-1]}", file=sys.stderr, flush=True)
        for count in args.small:
            results.append(run(sizes[count], count, 2))
            print(f"  {results[-1]}", file=sys.stderr, flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"`python bench/import_scale.py {' '.join(sys.argv[1:])}`".replace(" `", "`"))
    print(
        f"on {platform.system()} {platform.machine()}, {os.cpu_count()} CPU cores, "
        f"Python {platform.python_version()}\n"
    )
    print(
        "| pages | workers | seconds | pages/s | coordinator peak RSS | scheduler peak RSS "
        "| workers' peak RSS (sum) | load average at the end |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for item in results:
        print(
            f"| {item['pages']:,} | {item['workers']} | {item['seconds']:.1f} | "
            f"{item['rate']:.1f} | {item['coordinator']:.0f} MB | {item['scheduler']:.0f} MB | "
            f"{item['workers_mb']:.0f} MB | {item['load']:.1f} |"
        )
    print()
    for item in results:
        print(f"- {item['pages']:,} pages, {item['workers']} workers: {item['summary']}")


if __name__ == "__main__":
    main()
