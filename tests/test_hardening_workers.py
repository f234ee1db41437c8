"""Issue 18, point 3: a killed build does not block later ones. Its worker processes die
with it, and the output lock is never held by a worker: the kernel releases it when the
build itself dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from conftest import REPO, Run, tree_digest
from hostile.helpers import make_site
from test_hardening_interrupt import write_articles

from generator.build.workers import MIN_ITEMS_PER_WORKER

HANG = 120  # seconds: only a hang gets anywhere near this


def _children(parent: int) -> list[int]:
    """Processes whose parent is `parent` (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == parent:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + HANG
    while not condition():
        assert time.monotonic() < deadline, f"still waiting after {HANG} s: {what}"
        time.sleep(0.01)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def test_killing_a_parallel_build_kills_its_workers_and_frees_the_lock(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    count = 3 * MIN_ITEMS_PER_WORKER  # enough pages for two render workers
    clean = make_site(tmp_path / "clean", {})
    write_articles(clean, count, "only")
    assert run_cli("build", "--root", clean, "--jobs", "1", "--no-cache").status == 0
    root = make_site(tmp_path / "site", {})
    write_articles(root, count, "only")
    staging = root / ".output.staging"
    build = subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "--root", str(root), "--jobs", "2"],
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Rendering has begun once workers stage pages (the first build stages every page).
        _wait_until(lambda: build.poll() is not None or any(staging.rglob("*.html")), "rendering")
        assert build.poll() is None, "the build ended before it could be killed"
        workers = _children(build.pid)
        assert len(workers) >= 2, workers
        build.send_signal(signal.SIGKILL)
        build.wait(timeout=HANG)
        _wait_until(lambda: not any(_alive(pid) for pid in workers), "workers to die")
    finally:
        if build.poll() is None:
            build.kill()
    result = run_cli("build", "--root", root, "--jobs", "2")
    assert result.status == 0, result.err
    assert tree_digest(root / "output") == tree_digest(clean / "output")


_HOLDER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from generator.build.output import output_lock
    with output_lock(Path(sys.argv[1])):
        child = os.fork()
        if child == 0:  # like a worker: forked while the lock is held, and outliving it
            time.sleep(600)
            os._exit(0)
        print(child, flush=True)
        time.sleep(600)
    """
)


def test_a_lock_is_released_when_its_holder_dies_whatever_it_forked(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(root / "output")],
        env=_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    child = 0
    try:
        assert holder.stdout is not None
        child = int(holder.stdout.readline())
        refused = run_cli("build", "--root", root)
        assert refused.status == 1
        assert f"process {holder.pid} holds its lock" in refused.err
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=HANG)
        assert _alive(child)  # the forked child lives on, as a stuck worker would
        result = run_cli("build", "--root", root)
        assert result.status == 0, result.err
    finally:
        holder.kill()
        if child:
            os.kill(child, signal.SIGKILL)
