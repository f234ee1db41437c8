"""Issue 6, point 5: YAML is loaded safely; code tags, alias bombs, huge or deeply nested
documents and wrong types are clear `path:line:` errors, in bounded time and memory."""

from __future__ import annotations

import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, Run, tree_digest
from hostile.helpers import (
    SITE_YAML,
    article,
    assert_located_errors,
    make_site,
    previous_output,
)

CODE_TAGS = [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/new:os.system ['touch {marker}']",
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/object/apply:subprocess.check_output [['touch', '{marker}']]",
]


def run_in_project(
    root: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch, *args: str
) -> list[str]:
    output = previous_output(root)
    digest = tree_digest(output)
    monkeypatch.chdir(root)
    result = run_cli(*(args or ("build",)), "--root", ".")
    assert result.status == 1, result.out
    assert tree_digest(output) == digest
    return assert_located_errors(result.err)


@pytest.mark.parametrize("tag", CODE_TAGS)
@pytest.mark.parametrize("where", ["front matter", "site.yaml"])
def test_python_tags_never_run(
    tag: str,
    where: str,
    tmp_path: Path,
    run_cli: Callable[..., Run],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    marker = tmp_path / "PWNED"
    value = tag.format(marker=marker)
    if where == "front matter":
        root = make_site(tmp_path / "site", {"a.md": article(f"title: {value}\ndate: 2025-01-01")})
        shown, line = "content/a.md", 2
    else:
        root = make_site(tmp_path / "site", {}, SITE_YAML + f"description: {value}\n")
        shown, line = "site.yaml", 4
    [message] = run_in_project(root, run_cli, monkeypatch)
    assert message.startswith(f"{shown}:{line}: the YAML tag `!!python/")
    assert "is not allowed in front matter (remove the tag;" in message
    assert not marker.exists()


def test_alias_bomb_is_refused_quickly_and_small(
    tmp_path: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nine levels of ten aliases would be 10**9 strings once expanded."""
    levels = ['a0: &a0 "lol"']
    for n in range(1, 10):
        refs = ", ".join([f"*a{n - 1}"] * 10)
        levels.append(f"a{n}: &a{n} [{refs}]")
    root = make_site(
        tmp_path / "site",
        {"bomb.md": article("title: Bomb\ndate: 2025-01-01\n" + "\n".join(levels))},
    )
    tracemalloc.start()
    started = time.perf_counter()
    try:
        [message] = run_in_project(root, run_cli, monkeypatch)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 30  # an expanded bomb would take minutes
    assert peak < 50 * 2**20
    assert message == (
        "content/bomb.md:4: YAML anchors and aliases (&name, *name) are not allowed in front "
        "matter (write the value out in full)"
    )


def test_huge_front_matter_is_refused(
    tmp_path: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    filler = "\n".join(f"k{n}: {'x' * 90}" for n in range(3000))  # about 280 KiB
    root = make_site(
        tmp_path / "site", {"big.md": article(f"title: Big\ndate: 2025-01-01\n{filler}")}
    )
    started = time.perf_counter()
    [message] = run_in_project(root, run_cli, monkeypatch)
    assert time.perf_counter() - started < 30  # refused before parsing, not after
    assert message == "content/big.md:1: front matter is larger than 256 KiB"


def test_huge_file_is_refused(
    tmp_path: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    body = ("word " * 200 + "\n\n") * 6000  # about 6 MiB
    root = make_site(tmp_path / "site", {"big.md": article("title: Big\ndate: 2025-01-01", body)})
    [message] = run_in_project(root, run_cli, monkeypatch)
    assert message == "content/big.md: file is larger than 5 MiB"


@pytest.mark.parametrize(
    "value",
    ["[" * 50_000 + "]" * 50_000, "{a: " * 30_000 + "1" + "}" * 30_000],
    ids=["brackets-50k", "braces-30k"],
)
def test_deeply_nested_yaml_is_refused_in_a_real_process(tmp_path: Path, value: str) -> None:
    """libyaml composes recursively in C: 50,000 brackets used to crash Python (SIGSEGV).
    Run as a real process, so a regression fails this test instead of killing pytest."""
    root = make_site(
        tmp_path / "site", {"deep.md": article(f"title: Deep\ndate: 2025-01-01\nx: {value}")}
    )
    result = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--root", "."],
        cwd=root,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, (result.returncode, result.stderr[-500:])
    [message] = assert_located_errors(result.stderr)
    assert message == (
        "content/deep.md:4: YAML nested more than 64 levels deep "
        "(front matter needs only a few levels)"
    )


def test_nesting_just_past_the_limit_is_refused(
    tmp_path: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    nested = "[" * 65 + "]" * 65
    root = make_site(
        tmp_path / "site", {"a.md": article(f"title: T\ndate: 2025-01-01\nx: {nested}")}
    )
    [message] = run_in_project(root, run_cli, monkeypatch, "check")
    assert message.startswith("content/a.md:4: YAML nested more than 64 levels deep")


def test_ordinary_nesting_is_fine(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    nested = "[" * 10 + "1" + "]" * 10
    root = make_site(
        tmp_path / "site",
        {"a.md": article(f"title: Nested\ndate: 2025-01-01\nx: {nested}\ny: {{a: {{b: [1, 2]}}}}")},
    )
    assert run_cli("check", "--root", root).status == 0


WRONG_TYPES = [
    ("title: [1, 2]", 2, "`title` must be text, but YAML read list [1, 2]"),
    ("title: 12", 2, "`title` must be text, but YAML read int 12"),
    ("title: no", 2, "`title` must be text, but YAML read the boolean false"),
    ("title: ~", 2, "missing required field `title`"),
    ("title: {a: 1}", 2, "`title` must be text, but YAML read dict {'a': 1}"),
    ("date: 20250101", 3, "date must be an ISO 8601 date, but YAML read int 20250101"),
    ("date: [2025]", 3, "date must be an ISO 8601 date, but YAML read list [2025]"),
    ("date: 2025-13-45", 3, "invalid date '2025-13-45'"),
    ("tags: 5", 4, "`tags` must be a list such as `[Economy, Climate]`, not int 5"),
    ("draft: 'yes'", 4, "`draft` must be true or false, not 'yes'"),
    ("summary: [a]", 4, "`summary` must be text, but YAML read list ['a']"),
    ("author: {name: x}", 4, "`author` must be a name or a list of names"),
    (
        "original_url: 'javascript:alert(1)'",
        4,
        "`original_url` 'javascript:alert(1)' cannot be used: the scheme `javascript:` is not allowed",
    ),
    ("original_url: 5", 4, "`original_url` must be text, but YAML read int 5"),
    ("slug: 7", 4, "`slug` 7 cannot be used in a URL"),
    ("updated: 2024-01-01", 4, "`updated` is before `date`"),
    ("1: one", 1, "front-matter keys must be text, not 1"),
    ("[a, b]: c", 4, "invalid YAML"),
]


@pytest.mark.parametrize(("line", "where", "message"), WRONG_TYPES)
def test_wrong_types_are_located(
    line: str,
    where: int,
    message: str,
    tmp_path: Path,
    run_cli: Callable[..., Run],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fields = {"title": "title: Fine", "date": "date: 2025-01-01"}
    key = line.split(":", 1)[0]
    fields.pop(key, None)
    front = "\n".join([*fields.values(), line]) if key not in {"title", "date"} else ""
    if key == "title":
        front = f"{line}\ndate: 2025-01-01"
    elif key == "date":
        front = f"title: Fine\n{line}"
    root = make_site(tmp_path / "site", {"a.md": article(front)})
    lines = run_in_project(root, run_cli, monkeypatch)
    expected_line = where if key not in {"title", "date"} else (2 if key == "title" else 3)
    assert any(entry.startswith(f"content/a.md:{expected_line}: {message}") for entry in lines), (
        lines
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("per_page: ten", "site.yaml:3: `per_page` must be a whole number above 0, not 'ten'"),
        ("per_page: -1", "site.yaml:3: `per_page` must be a whole number above 0, not -1"),
        ("feed_limit: 1.5", "site.yaml:3: `feed_limit` must be a whole number above 0, not 1.5"),
        ("menu: 3", "site.yaml:3: `menu` must be a list of `{title: ..., url: ...}` entries"),
        ("permalinks: [a]", "site.yaml:3: `permalinks` must be a mapping"),
        ("timezone: '../../etc/passwd'", "site.yaml:3: unknown timezone '../../etc/passwd'"),
        ("theme: ../../etc", "site.yaml:3: theme '../../etc' not found in themes/"),
        ("x: &a [*a]", "site.yaml:3: YAML anchors and aliases"),
        ("title: Second", "site.yaml:3: key `title` appears twice (first on line 1)"),
    ],
)
def test_wrong_types_in_site_yaml_are_located(
    line: str,
    message: str,
    tmp_path: Path,
    run_cli: Callable[..., Run],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site_yaml = "title: Hostile Digest\nbase_url: https://h.example.org/\n" + line + "\n"
    root = make_site(tmp_path / "site", {}, site_yaml)
    lines = run_in_project(root, run_cli, monkeypatch)
    assert any(entry.startswith(message) for entry in lines), lines


# Issue 18, item 6: typed tags, huge numbers, extreme dates, wrong shapes and deep nesting
# were tracebacks in both `check` and `build`.
TRACEBACKS_BEFORE = [
    ("date: !!timestamp 2025-02-30", 3, "invalid date '2025-02-30': day is out of range for month"),
    ("x: !!int abc", 4, "`abc` is not a valid integer (tagged `!!int`)"),
    ("x: !!float x", 4, "`x` is not a valid number (tagged `!!float`)"),
    ("x: !!bool maybe", 4, "`maybe` is not a valid true/false value (tagged `!!bool`)"),
    ("x: !!binary aGVsbG8=", 4, "the YAML tag `!!binary` is not allowed in front matter"),
    ("x: !!set {a, b}", 4, "the YAML tag `!!set` is not allowed in front matter"),
    ("x: !local thing", 4, "the YAML tag `!local` is not allowed in front matter"),
    ("x: " + "9" * 5000, 4, "a number of 5,000 characters is too long (at most 100)"),
    ("tags: [" + "1" * 5000 + "]", 4, "a number of 5,000 characters is too long"),
    ("x: 0x" + "f" * 5000, 4, "a number of 5,002 characters is too long"),
    (
        "date: 0001-01-01T00:00:00+14:00",
        3,
        "invalid date '0001-01-01T00:00:00+14:00': the year must be from 1000 to 9998",
    ),
    (
        "date: 9999-12-31T23:59:59-14:00",
        3,
        "invalid date '9999-12-31T23:59:59-14:00': the year must be from 1000 to 9998",
    ),
    ("updated: 9999-12-31", 4, "invalid date '9999-12-31': the year must be from 1000 to 9998"),
    ("also_reported_by: 5", 4, "`also_reported_by` must be a list of"),
    ("x: " + "[" * 300 + "]" * 300, 4, "YAML nested more than 64 levels deep"),
]


@pytest.mark.parametrize(("line", "where", "message"), TRACEBACKS_BEFORE)
@pytest.mark.parametrize("command", ["check", "build"])
def test_what_raised_tracebacks_is_a_located_error(
    line: str,
    where: int,
    message: str,
    command: str,
    tmp_path: Path,
    run_cli: Callable[..., Run],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = line.split(":", 1)[0]
    front = {"title": "title: Fine", "date": "date: 2025-01-01"}
    front[key] = line
    text = (
        "\n".join(front.values())
        if key in {"title", "date"}
        else f"{front['title']}\n{front['date']}\n{line}"
    )
    root = make_site(tmp_path / "site", {"a.md": article(text)})
    lines = run_in_project(root, run_cli, monkeypatch, command, "--future")
    assert [entry for entry in lines if entry.startswith(f"content/a.md:{where}: {message}")], lines
