"""Benchmark newsdigest builds against Hugo and Pelican on one synthetic corpus, in one run.

Machines are noisy, so every figure is a median of several runs and every comparison is a ratio
to a peer measured in the same invocation, interleaved run by run, never an absolute target.

Scenarios, per tool and run: a cold full build (output and caches deleted), a rebuild with no
change, a rebuild after appending a sentence to one article, a rebuild after adding one article.
Each build is its own child process; its wall time, CPU time and peak memory (the largest sum of
RSS over the child's process tree, sampled, or the largest single process's max RSS from
`wait4`, whichever is larger) are recorded. A failing build is reported, not fatal.

Usage: python bench/build_bench.py [--sizes 1000,10000] [--runs 3] [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import hashlib
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import make_corpus

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
SCENARIOS = {
    "cold": "cold full build",
    "nochange": "no-change rebuild",
    "edit": "edit one article",
    "add": "add one article",
}
OURS = "newsdigest"
# Markdown engines newsdigest can be measured with; each but the default gets its own copy of the
# corpus whose site.yaml selects it (the engine is a site setting, never a silent swap).
ENGINES = {"python-markdown": OURS, "cmark": f"{OURS}+cmark"}
SAMPLE_SECONDS = 0.05


@dataclass
class Measurement:
    """One build: how long, how much CPU and memory, and whether it worked."""

    wall: float
    cpu: float
    peak_memory: int  # bytes: the larger of the tree's sampled PSS and one process's max RSS
    returncode: int
    output: str
    load: float  # the machine's 1-minute load average as the build started: how noisy it was


@dataclass
class Tool:
    """A site generator under test: how to build its flavour of the corpus, how to clean it."""

    name: str
    root: Path
    command: list[str]
    clean: list[str]  # paths relative to root, deleted before a cold build
    flavour: str  # which of make_corpus's flavours it builds (the edited and added files)
    version: str = ""
    ours: bool = False
    scenarios: tuple[str, ...] = tuple(SCENARIOS)
    results: dict[str, list[Measurement]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def clean_outputs(self) -> None:
        for pattern in self.clean:
            for path in self.root.glob(pattern):
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()


def _tree_memory(pid: int) -> int:
    """Proportional set size (PSS) of `pid` and all its descendants now, in bytes (0 once gone).

    PSS, not RSS: forked pool workers share the parent's pages, and summing their RSS would
    count those pages once per worker.
    """
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup", encoding="ascii", errors="replace") as smaps:
                for line in smaps:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as children:
                    pending.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def _own_memory() -> int:
    """This process's peak resident size so far, in bytes (0 where /proc cannot tell): what
    a child's max RSS starts from."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


# Builds run with Python's bytecode cache on, as an installed newsdigest has it (pip writes
# the .pyc files): an environment with PYTHONDONTWRITEBYTECODE (some CI and sandboxes set it)
# would make every build compile the generator's modules again, about 50 ms of each
# no-change build measured here. The cache is kept outside the checkout.
BUILD_ENVIRONMENT = {
    **{name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"},
    "PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir()) / "newsdigest-bench-pycache"),
}


def measure(command: Sequence[str], cwd: Path, timeout: float) -> Measurement:
    """Run one build in its own session, sampling its tree's memory until `wait4` reaps it.

    `wait4` gives this child's own rusage (CPU time, max RSS including its waited-for
    descendants), which `getrusage(RUSAGE_CHILDREN)` cannot: that one only ever grows. Its
    max RSS starts at this process's peak size when it forks (Linux keeps the high-water
    mark across `fork` and `exec`): at 100,000 articles this process has held ~860 MB of
    corpus, which every build then reported as its peak. So it counts only when it is above
    that peak (its current size, which the first fix compared with, can be lower).
    """
    load = os.getloadavg()[0]
    inherited = _own_memory()
    started = time.perf_counter()
    with subprocess.Popen(
        command,
        cwd=cwd,
        env=BUILD_ENVIRONMENT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    ) as process:
        peak = 0
        done = threading.Event()
        chunks: list[bytes] = []

        def sample() -> None:
            nonlocal peak
            deadline = started + timeout
            while not done.wait(SAMPLE_SECONDS):
                peak = max(peak, _tree_memory(process.pid))
                if time.perf_counter() > deadline:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    chunks.append(f"\n[killed after {timeout:.0f} s]\n".encode())
                    return

        def drain() -> None:
            assert process.stdout is not None
            chunks.append(process.stdout.read())

        threads = [threading.Thread(target=sample), threading.Thread(target=drain)]
        for thread in threads:
            thread.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        for thread in threads:
            thread.join()
    return Measurement(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_memory=max(peak, usage.ru_maxrss * 1024 if usage.ru_maxrss * 1024 > inherited else 0),
        returncode=process.returncode,
        output=b"".join(chunks).decode("utf-8", "replace"),
        load=load,
    )


def _version(command: Sequence[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    except OSError as error:
        return f"unavailable ({error})"
    return (done.stdout or done.stderr).strip().splitlines()[0] if done.returncode == 0 else ""


def find_pelican(explicit: str | None) -> list[str] | None:
    """Pelican as given, else on PATH, else importable by this Python."""
    if explicit:
        return [explicit]
    found = shutil.which("pelican")
    if found:
        return [found]
    with contextlib.suppress(ImportError):
        import pelican  # noqa: F401

        return [sys.executable, "-m", "pelican"]
    return None


def make_tools(corpus: Path, args: argparse.Namespace) -> tuple[list[Tool], list[str]]:
    """The tools to compare on `corpus`, ours first; the second item says which were left out."""
    skipped = []
    base = [args.python, "-m", "generator", "build"]
    help_text = subprocess.run(
        [*base, "--help"], cwd=REPO, capture_output=True, text=True, check=False
    ).stdout
    options = ["--timings"] if "--timings" in help_text else []
    tools = []
    for engine in args.engines:
        root = corpus / ENGINES[engine]
        if engine != "python-markdown":
            if not _importable(args.python, "cmarkgfm"):
                skipped.append(f"{ENGINES[engine]}: cmarkgfm not installed (`pip install .[fast]`)")
                continue
            _copy_with_engine(corpus / OURS, root, engine)
        tools.append(
            Tool(
                name=ENGINES[engine],
                root=root,
                command=[*base, "--root", str(root), *options],
                clean=["output", ".newsdigest-cache", ".output.staging-*"],
                flavour=OURS,
                version=f"{_git_describe()}, source {source_fingerprint()}",
                ours=True,
            )
        )
    hugo = args.hugo or shutil.which("hugo")
    if args.no_peers:
        skipped.append("peers left out (--no-peers)")
    elif hugo:
        root = corpus / "hugo"
        tools.append(
            Tool(
                name="hugo",
                root=root,
                command=[
                    hugo,
                    "--source",
                    str(root),
                    "--destination",
                    "public",
                    "--cacheDir",
                    str(root / ".hugo-cache"),
                    "--quiet",
                ],
                clean=["public", "resources", ".hugo-cache", ".hugo_build.lock"],
                flavour="hugo",
                version=_version([hugo, "version"]),
            )
        )
    else:
        skipped.append("hugo: not found (install with `apt-get install hugo`, or pass --hugo)")
    pelican = None if args.no_peers else find_pelican(args.pelican)
    if pelican:
        root = corpus / "pelican"
        tools.append(
            Tool(
                name="pelican",
                root=root,
                command=[
                    *pelican,
                    str(root / "content"),
                    "--settings",
                    str(root / "pelicanconf.py"),
                    "--output",
                    str(root / "output"),
                    "--quiet",
                ],
                clean=["output", "cache", "__pycache__"],
                flavour="pelican",
                version=_version([*pelican, "--version"]),
            )
        )
    elif not args.no_peers:
        skipped.append("pelican: not found (see bench/README.md, or pass --pelican)")
    return tools, skipped


def _importable(python: str, module: str) -> bool:
    found = subprocess.run([python, "-c", f"import {module}"], capture_output=True, check=False)
    return found.returncode == 0


def _copy_with_engine(source: Path, dest: Path, engine: str) -> None:
    """The newsdigest corpus again, with site.yaml choosing another Markdown engine.

    The articles are hard links to the source's (copying 100,000 of them took 38 s of
    every run; linking takes 2): nothing writes into a corpus file in place, see
    `_replace_file`. site.yaml, which differs, is a file of its own.
    """
    if dest.exists():
        shutil.rmtree(dest)

    def link(from_path: str, to_path: str) -> None:
        try:
            os.link(from_path, to_path)
        except OSError:  # another file system, or one without hard links
            shutil.copy2(from_path, to_path)

    shutil.copytree(
        source,
        dest,
        ignore=shutil.ignore_patterns("output", ".newsdigest-cache"),
        copy_function=link,
    )
    config = (source / "site.yaml").read_text(encoding="utf-8")
    _replace_file(dest / "site.yaml", f"{config}markdown_engine: {engine}\n".encode())


def _replace_file(path: Path, data: bytes) -> None:
    """Write `path` as a new file (a new inode), as most editors save: a corpus file may be
    a hard link shared with another tool's copy, which writing in place would change too."""
    temporary = path.with_name(f".{path.name}.bench-tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def source_fingerprint() -> str:
    """Hash of the generator's code and themes: others edit this checkout while we measure, so a
    report says when the code under test changed in the middle of a size's runs."""
    digest = hashlib.sha256()
    for folder in ("generator", "themes"):
        for path in sorted((REPO / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(REPO).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _git_describe() -> str:
    done = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip()


def run_scenarios(
    tool: Tool,
    run: int,
    edited: make_corpus.Article,
    added: make_corpus.Article,
    sentence: str,
    timeout: float,
) -> None:
    """Cold, no-change, edit and add builds for one tool, then put the corpus back as it was.

    A failed build stops this tool's run: what follows would not measure what it says.
    """
    edited_path = tool.root / make_corpus.article_file(edited, tool.flavour)[0]
    added_relative, added_text = make_corpus.article_file(added, tool.flavour)
    added_path = tool.root / added_relative
    original = edited_path.read_bytes()
    try:
        for scenario in SCENARIOS:
            if scenario == "cold":
                tool.clean_outputs()
            elif scenario == "edit":
                _replace_file(
                    edited_path, original + f"{sentence} Updated in run {run}.\n".encode()
                )
            elif scenario == "add":
                added_path.parent.mkdir(parents=True, exist_ok=True)
                added_path.write_text(added_text, encoding="utf-8", newline="\n")
            if scenario not in tool.scenarios:
                continue
            result = measure(tool.command, REPO, timeout)
            tool.results.setdefault(scenario, []).append(result)
            if result.returncode != 0:
                tail = "\n".join(result.output.strip().splitlines()[-15:])
                tool.errors.append(
                    f"run {run}, {SCENARIOS[scenario]}: exit {result.returncode}\n{tail}"
                )
                return
    finally:
        _replace_file(edited_path, original)
        added_path.unlink(missing_ok=True)


CORPUS_KEY = ".bench-corpus-key"


def reuse_or_make_corpus(count: int, seed: int, corpus: Path) -> list[make_corpus.Article]:
    """The corpus of `count` articles from `seed`, written only if `corpus` does not hold it yet.

    Writing 100,000 articles in three flavours takes minutes and gigabytes of writes; a
    corpus written by the same make_corpus.py with the same count and seed is the same
    files, so it is kept (its key file says what made it). The articles are generated again
    in memory (deterministic, seconds), and what an interrupted run may have left is undone:
    an added article is deleted, the edited one written back.
    """
    generator = hashlib.sha256((BENCH_DIR / "make_corpus.py").read_bytes()).hexdigest()[:16]
    key = f"{count} {seed} {','.join(make_corpus.FLAVOURS)} {generator}\n"
    stamp = corpus / CORPUS_KEY
    if stamp.exists() and stamp.read_text(encoding="utf-8") == key:
        articles = make_corpus.CorpusMaker(seed).articles(count)
        edited = articles[len(articles) // 2]
        for flavour in make_corpus.FLAVOURS:
            root = corpus / flavour
            for added in root.glob("content/**/*added-in-run-*"):
                added.unlink()
            relative, text = make_corpus.article_file(edited, flavour)
            _replace_file(root / relative, text.encode("utf-8"))
        print(f"reusing the corpus in {corpus} ({CORPUS_KEY} matches)", file=sys.stderr)
        return articles
    stamp.unlink(missing_ok=True)
    articles = make_corpus.make_corpus(count, seed, corpus, make_corpus.FLAVOURS)
    stamp.write_text(key, encoding="utf-8")
    return articles


def _ok(results: list[Measurement]) -> list[Measurement]:
    return [result for result in results if result.returncode == 0]


def median_wall(tool: Tool, scenario: str) -> float | None:
    good = _ok(tool.results.get(scenario, []))
    return statistics.median(result.wall for result in good) if good else None


def peak_memory(tool: Tool) -> int | None:
    peaks = [result.peak_memory for results in tool.results.values() for result in _ok(results)]
    return max(peaks) if peaks else None


def _seconds(value: float | None) -> str:
    if value is None:
        return "failed"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def _ratio(
    ours: float | None, theirs: float | None, better: str = "faster", worse: str = "slower"
) -> str:
    """Ours divided by theirs; below 1 we are better, and the cell says by how much in words."""
    if not ours or not theirs:
        return "–"
    ratio = ours / theirs
    if ratio < 1:
        return f"{ratio:.2f} ({1 / ratio:.1f}x {better})"
    return f"{ratio:.2f} ({ratio:.1f}x {worse})"


def size_table(count: int, tools: list[Tool], runs: int) -> list[str]:
    """The Markdown table for one corpus size: medians per scenario, memory, cost per article."""
    pairs = [(us, peer) for us in tools if us.ours for peer in tools if not peer.ours]
    header = [
        "scenario",
        *(tool.name for tool in tools),
        *(f"{us.name}/{peer.name}" for us, peer in pairs),
    ]
    lines = [
        f"### N = {count:,} articles ({runs} run{'s' if runs > 1 else ''}, medians of wall time)",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for scenario, label in SCENARIOS.items():
        cells = [
            _seconds(median_wall(tool, scenario)) if scenario in tool.scenarios else "not run"
            for tool in tools
        ]
        ratios = [
            _ratio(median_wall(us, scenario), median_wall(peer, scenario)) for us, peer in pairs
        ]
        lines.append("| " + " | ".join([label, *cells, *ratios]) + " |")
    cells = [
        f"{peak / 2**20:.0f} MB" if (peak := peak_memory(tool)) else "failed" for tool in tools
    ]
    ratios = [_ratio(peak_memory(us), peak_memory(peer), "smaller", "larger") for us, peer in pairs]
    lines.append("| " + " | ".join(["peak memory", *cells, *ratios]) + " |")
    cold = [median_wall(tool, "cold") for tool in tools]
    cells = [f"{value / count * 1000:.2f} ms" if value else "failed" for value in cold]
    lines.append("| " + " | ".join(["cold cost per article", *cells, *(["–"] * len(pairs))]) + " |")
    cpu = [_ok(tool.results.get("cold", [])) for tool in tools]
    cells = [_seconds(statistics.median(m.cpu for m in good)) if good else "failed" for good in cpu]
    lines.append("| " + " | ".join(["cold CPU time", *cells, *(["–"] * len(pairs))]) + " |")
    return [*lines, ""]


def details(count: int, tools: list[Tool]) -> list[str]:
    """Every run's figures, errors, and our last build's own output (its `--timings`, if any)."""
    lines = [f"<details><summary>N = {count:,}: every run, errors, build output</summary>", ""]
    for tool in tools:
        lines.append(
            f"**{tool.name}** ({tool.version or 'version unknown'}): `{shlex.join(tool.command)}`"
        )
        lines.append("")
        for scenario, results in tool.results.items():
            runs = ", ".join(
                f"{_seconds(r.wall)} / {r.cpu:.1f} s CPU / {r.peak_memory / 2**20:.0f} MB"
                f" / load {r.load:.1f}" + ("" if r.returncode == 0 else f" (exit {r.returncode})")
                for r in results
            )
            lines.append(f"- {SCENARIOS[scenario]}: {runs}")
        for error in tool.errors:
            lines.extend(["", "```", error, "```"])
        lines.append("")
    for ours, scenario in ((tool, name) for tool in tools if tool.ours for name in SCENARIOS):
        good = _ok(ours.results.get(scenario, []))
        if good and good[-1].output.strip():
            lines.extend(
                [
                    f"{ours.name} output, {SCENARIOS[scenario]}:",
                    "",
                    "```",
                    good[-1].output.strip(),
                    "```",
                    "",
                ]
            )
    return [*lines, "</details>", ""]


def scaling(per_article: dict[int, float]) -> list[str]:
    """Our cold cost per article at the largest size over that at the smallest: ~1 means linear."""
    if len(per_article) < 2:
        return []
    small, large = min(per_article), max(per_article)
    ratio = per_article[large] / per_article[small]
    return [
        f"newsdigest cold cost per article at N = {large:,} / at N = {small:,}: {ratio:.2f} "
        "(1.0 is linear; the target is at most 1.3)",
        "",
    ]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as info:
        cpu = next((line.split(":", 1)[1].strip() for line in info if "model name" in line), cpu)
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, {platform.platform()}"
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated article counts")
    parser.add_argument("--runs", type=int, default=3, help="runs per scenario (median reported)")
    parser.add_argument("--quick", action="store_true", help="smoke test: N=200, one run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--corpus-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "newsdigest-bench-corpus",
        help="where corpora are written once and kept for later runs (default: in /tmp)",
    )
    parser.add_argument("--results-dir", type=Path, default=BENCH_DIR / "results")
    parser.add_argument("--python", default=sys.executable, help="Python that runs newsdigest")
    parser.add_argument("--hugo", help="hugo executable (default: on PATH)")
    parser.add_argument("--pelican", help="pelican executable (default: on PATH or importable)")
    parser.add_argument("--no-peers", action="store_true", help="measure newsdigest only")
    parser.add_argument(
        "--engines",
        default=",".join(ENGINES),
        help="Markdown engines to measure newsdigest with (comma-separated; default: all of "
        f"{', '.join(ENGINES)}); a build with each counts as its own tool",
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per build")
    parser.add_argument(
        "--scenarios",
        action="append",
        default=[],
        metavar="TOOL=LIST",
        help="measure only these scenarios for one tool, e.g. pelican=cold,nochange "
        f"(repeatable; scenarios: {', '.join(SCENARIOS)})",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.runs = "200", 1
    try:
        args.sizes = [int(size.replace("_", "")) for size in args.sizes.split(",")]
    except ValueError:
        parser.error(f"--sizes must be comma-separated integers, not {args.sizes!r}")
    if args.runs < 1 or min(args.sizes) < 1:
        parser.error("--runs and every size must be at least 1")
    args.engines = [engine for engine in args.engines.split(",") if engine]
    if not args.engines or not set(args.engines) <= set(ENGINES):
        parser.error(f"--engines: choose from {', '.join(ENGINES)}")
    selected: dict[str, tuple[str, ...]] = {}
    for spec in args.scenarios:
        tool, _, names = spec.partition("=")
        chosen = tuple(name for name in names.split(",") if name)
        if not chosen or not set(chosen) <= set(SCENARIOS):
            parser.error(
                f"--scenarios {spec!r}: use TOOL=LIST with LIST from {', '.join(SCENARIOS)}"
            )
        selected[tool] = chosen
    args.scenarios = selected
    return args


def _elapsed(started: float) -> str:
    seconds = round(time.perf_counter() - started)
    return f"{seconds // 60} min {seconds % 60:02d} s"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    command = shlex.join(
        ["python", "bench/build_bench.py", *(sys.argv[1:] if argv is None else argv)]
    )
    report = [
        "# newsdigest build benchmark",
        "",
        f"Command: `{command}`  ",
        f"Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC  ",
        f"Machine: {machine()}  ",
        f"Corpus: `bench/make_corpus.py N --seed {args.seed}`; ratios are ours/theirs "
        "(below 1: we are faster or smaller)",
        "",
    ]
    args.results_dir.mkdir(parents=True, exist_ok=True)
    path = args.results_dir / f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.md"
    print("\n".join(report))
    per_article: dict[int, float] = {}
    for count in args.sizes:
        done = len(report)
        corpus = args.corpus_dir / f"n{count}-seed{args.seed}"
        print(f"N = {count:,}: corpus in {corpus}", file=sys.stderr)
        articles = reuse_or_make_corpus(count, args.seed, corpus)
        tools, skipped = make_tools(corpus, args)
        for tool in tools:
            tool.scenarios = args.scenarios.get(tool.name, tool.scenarios)
        fingerprint = source_fingerprint()
        extra = make_corpus.CorpusMaker(args.seed + 1)
        edited = articles[len(articles) // 2]
        for run in range(1, args.runs + 1):
            added = extra.article(make_corpus.LAST_DAY)
            added = dataclasses.replace(added, slug=f"added-in-run-{run}-{added.slug}")
            sentence = extra.extra_sentence()
            for tool in tools:
                print(
                    f"N = {count:,}, run {run}/{args.runs}: {tool.name} "
                    f"({_elapsed(started)} into the run)",
                    file=sys.stderr,
                )
                run_scenarios(tool, run, edited, added, sentence, args.timeout)
        report.extend(size_table(count, tools, args.runs))
        if source_fingerprint() != fingerprint:
            report.extend(["**Warning: generator/ or themes/ changed during these runs.**", ""])
        report.extend(f"- {note}" for note in skipped)
        if skipped:
            report.append("")
        report.extend(details(count, tools))
        cold = median_wall(tools[0], "cold")
        if cold:
            per_article[count] = cold / count
        # Each size is printed and saved as soon as it is done: a 100,000-article run is long.
        print("\n".join(report[done:]), flush=True)
        path.write_text("\n".join(report), encoding="utf-8")
    # The whole run, corpus checks, copies and clean-ups included: a 100,000-article run
    # must stay short enough to be run (issue #17: under 20 minutes).
    ending = [*scaling(per_article), "", f"The whole run took {_elapsed(started)}."]
    report.extend(ending)
    print("\n".join(ending))
    path.write_text("\n".join(report), encoding="utf-8")
    print(f"written to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
