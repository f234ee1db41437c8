"""The command line: exit codes, messages, and what each command writes (or does not)."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import REPO, Run, parse_html, tree_digest

import generator
from generator.build.config import load_config

SUMMARY = re.compile(
    r"^Built (\d+) pages.* from (\d+) articles?, (\d+) tags?, (\d+) editions? into (.+) in [\d.]+ s$"
)


def test_version(run_cli: Callable[..., Run]) -> None:
    result = run_cli("--version")
    assert result.status == 0
    assert result.out.strip() == f"newsdigest {generator.__version__}"


@pytest.mark.parametrize("command", [[], ["build"], ["check"], ["new"]])
def test_help_on_every_command(run_cli: Callable[..., Run], command: list[str]) -> None:
    result = run_cli(*command, "--help")
    assert result.status == 0
    assert result.out.startswith("usage: newsdigest")
    assert result.err == ""


def test_help_lists_the_options(run_cli: Callable[..., Run]) -> None:
    build_help = run_cli("build", "--help").out
    for option in ("--root", "--output", "--drafts", "--future", "--base-url"):
        assert option in build_help
    assert "--tags" in run_cli("new", "--help").out


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["build", "--no-such-option"],
        ["new"],
        ["build", "extra-argument"],
    ],
)
def test_usage_errors_exit_2(run_cli: Callable[..., Run], argv: list[str]) -> None:
    result = run_cli(*argv)
    assert result.status == 2
    assert "usage:" in result.err
    assert "Traceback" not in result.err


def test_build_prints_one_summary_line(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    result = run_cli("build", "--root", root)
    assert result.status == 0, result.err
    lines = result.out.splitlines()
    assert len(lines) == 1
    match = SUMMARY.match(lines[0])
    assert match, lines[0]
    pages, articles, tags, editions, output = match.groups()
    assert (int(articles), int(tags), int(editions)) == (5, 4, 4)
    html = list((root / "output").rglob("*.html"))
    assert int(pages) >= len(html)
    assert Path(output) == root / "output"


def test_build_says_which_articles_it_skipped(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    result = run_cli("build", "--root", root)
    skipped = [line for line in result.err.splitlines() if line.startswith("skipped")]
    assert len(skipped) == 2
    assert "draft.md: draft" in skipped[0] and "--drafts" in skipped[0]
    assert "future.md: dated in the future" in skipped[1] and "--future" in skipped[1]


def test_drafts_flag_includes_drafts(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    result = run_cli("build", "--root", root, "--drafts")
    assert result.status == 0
    assert "6 articles" in result.out
    assert "draft.md" not in result.err and "future.md" in result.err
    assert (root / "output/2025/03/02/unfinished-story-about-the-pier/index.html").is_file()


def test_future_flag_includes_future_articles(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    result = run_cli("build", "--root", root, "--future", "--drafts")
    assert result.status == 0
    assert "7 articles" in result.out
    assert "skipped" not in result.err
    assert (root / "output/2099/01/01/tomorrows-news-about-the-lighthouse/index.html").is_file()


def test_base_url_overrides_site_yaml(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    result = run_cli("build", "--root", root, "--base-url", "https://preview.example.net/pr-7")
    assert result.status == 0, result.err
    doc = parse_html(root / "output" / "index.html")
    canonical = doc.find(".//head/link[@rel='canonical']").get("href")
    assert canonical == "https://preview.example.net/pr-7/"
    assert doc.find(".//head/link[@rel='stylesheet']").get("href") == "/pr-7/style.css"
    assert "https://test.example.org" not in (root / "output/atom.xml").read_text("utf-8")
    assert "Sitemap: https://preview.example.net/pr-7/sitemap.xml" in (
        root / "output/robots.txt"
    ).read_text("utf-8")


def test_bad_base_url_is_a_user_error(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    result = run_cli("build", "--root", root, "--base-url", "not a url")
    assert result.status == 1
    assert "`base_url` must be an absolute http(s) URL" in result.err


def test_output_option(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run], tmp_path: Path
) -> None:
    root = site_copy("basic")
    dest = tmp_path / "elsewhere" / "public"
    result = run_cli("build", "--root", root, "--output", dest)
    assert result.status == 0, result.err
    assert (dest / "index.html").is_file()
    assert not (root / "output").exists()
    assert str(dest) in result.out


def test_output_that_would_destroy_the_project_is_refused(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    before = tree_digest(root)
    result = run_cli("build", "--root", root, "--output", root)
    assert result.status == 1
    assert "refusing to build into this folder" in result.err
    assert tree_digest(root) == before


def test_check_writes_nothing(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    result = run_cli("check", "--root", root)
    assert result.status == 0, result.err
    assert result.out.startswith("OK: 5 articles, 4 tags, 4 editions")
    assert "skipped" in result.err
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


def test_new_creates_a_dated_draft_and_never_overwrites(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("empty")
    with (root / "site.yaml").open("a", encoding="utf-8") as config:
        config.write("timezone: Pacific/Kiritimati\n")  # UTC+14: a date unlike the machine's
    zone = load_config(root).tzinfo
    today = dt.datetime.now(zone)
    result = run_cli("new", "--root", root, "Ferry strike ends", "--tags", "Transport, Labour ,")
    assert result.status == 0, result.err
    created = sorted((root / "content").rglob("*.md"))
    assert len(created) == 1
    path = created[0]
    assert path.relative_to(root).as_posix() in {
        f"content/{day:%Y}/{day:%m}/{day:%d}-ferry-strike-ends.md"
        for day in (today, dt.datetime.now(zone))
    }
    assert str(path.relative_to(root)) in result.out or str(path) in result.out
    text = path.read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["title"] == "Ferry strike ends"
    assert front["tags"] == ["Transport", "Labour"]
    assert front["draft"] is True
    assert front["slug"] == "ferry-strike-ends"  # a later title edit keeps the URL
    assert uuid.UUID(front["id"].removeprefix("urn:uuid:")).version == 4
    written = dt.datetime.fromisoformat(str(front["date"]))
    assert written.utcoffset() == dt.timedelta(hours=14)
    original = path.read_bytes()

    path.write_text(text + "\nEdited by hand.\n", encoding="utf-8")
    edited = path.read_bytes()
    again = run_cli("new", "--root", root, "Ferry strike ends")
    assert again.status == 1
    assert "file already exists; nothing was changed" in again.err
    assert path.read_bytes() == edited != original
    assert len(list((root / "content").rglob("*.md"))) == 1

    # The new article is valid: a build with --drafts publishes it.
    built = run_cli("build", "--root", root, "--drafts")
    assert built.status == 0, built.err
    assert "from 1 article, " in built.out


def test_new_refuses_a_title_without_letters(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("empty")
    result = run_cli("new", "--root", root, "!!!")
    assert result.status == 1
    assert "empty URL slug" in result.err
    assert list((root / "content").rglob("*.md")) == []


def test_real_subprocess(tmp_path: Path) -> None:
    """`python -m generator` as an editor runs it: exit codes and streams of a real process."""
    from conftest import SITES_INVALID, copy_site

    root = copy_site(SITES_INVALID / "several_errors", tmp_path / "site")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    bad = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--root", "."],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert bad.returncode == 1
    assert bad.stdout == ""
    assert bad.stderr.splitlines()[0].startswith("content/a-no-title.md:1: missing required field")
    assert "Traceback" not in bad.stderr
    (root / "content").joinpath("a-no-title.md").unlink()
    for name in ("b-bad-date.md", "c-broken.md", "d-two.md"):
        (root / "content" / name).unlink()
    good = subprocess.run(
        [sys.executable, "-m", "generator", "build"],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert good.returncode == 0, good.stderr
    assert SUMMARY.match(good.stdout.strip())
    assert (root / "output" / "index.html").is_file()
    usage = subprocess.run(
        [sys.executable, "-m", "generator"], capture_output=True, text=True, env=env, timeout=60
    )
    assert usage.returncode == 2


def test_an_unwritable_output_folder_is_a_clear_error(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run], tmp_path: Path
) -> None:
    root = site_copy("basic")
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where a folder should be\n", encoding="utf-8")
    result = run_cli("build", "--root", root, "--output", blocked / "site")
    assert result.status == 1
    assert "Traceback" not in result.err
    assert str(blocked) in result.err
    assert "permissions" in result.err
    with pytest.raises(OSError):  # -v is for finding out where: the traceback is kept
        run_cli("build", "--root", root, "--output", blocked / "site", "-v")
