"""Whole-parse CPU per article of two checkouts, alternating run by run, in one run.

The ratio (this checkout / baseline) is the figure a commit that speeds up parsing quotes:
each run is a fresh process that parses the same articles of a corpus (first ones warm the
converters and are not counted), so both sides meet the same machine load.

Usage: python bench/parse_ab.py --corpus /tmp/c10k/newsdigest --baseline /path/to/checkout
       [--articles 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_PARSE = r"""
import sys, time
from pathlib import Path
from generator.build.article import parse_article
from generator.build.config import load_config
root, count = Path(sys.argv[1]), int(sys.argv[2])
settings = load_config(root, None).parsing
files = sorted((root / "content").rglob("*.md"))[:count]
raws = [(path.read_bytes(), str(path)) for path in files]
for raw, shown in raws[:20]:
    parse_article(raw, shown, settings)
start = time.process_time()
for raw, shown in raws:
    parse_article(raw, shown, settings)
print((time.process_time() - start) / len(raws) * 1000)
"""


def cpu_ms(checkout: Path, corpus: Path, articles: int) -> float:
    """CPU milliseconds per article of one fresh process parsing with `checkout`'s code."""
    environment = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run(
        [sys.executable, "-c", _PARSE, str(corpus), str(articles)],
        cwd=checkout,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--baseline", type=Path, required=True)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    runs: dict[str, list[float]] = {"baseline": [], "this": []}
    for _ in range(options.runs):
        for name, checkout in (("baseline", options.baseline), ("this", REPO)):
            runs[name].append(cpu_ms(checkout, options.corpus, options.articles))
    base, this = statistics.median(runs["baseline"]), statistics.median(runs["this"])
    print(f"load average {os.getloadavg()[0]:.2f}, {options.runs} runs each, alternating")
    print(f"baseline {base:.3f} ms/article, this {this:.3f} ms/article, ratio {this / base:.3f}")


if __name__ == "__main__":
    main()
