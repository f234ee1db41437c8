"""`newsdigest init`: a new folder becomes a site that builds at once; nothing is ever
overwritten; the starter site.yaml shows every key, and its commented defaults are valid."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import yaml
from conftest import REPO, Run, parse_html, text_of, tree_digest

from generator.build.config import KNOWN_KEYS, load_config

STARTER = REPO / "generator" / "starter"


def test_init_makes_a_site_that_builds_and_checks(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    site = tmp_path / "digest"
    result = run_cli("init", site)
    assert result.status == 0, result.err
    assert "newsdigest build" in result.out
    assert (site / ".gitignore").read_text(encoding="utf-8").splitlines()[1:] == [
        "/output/",
        "/.output.*",
        "/.newsdigest-cache/",
        "/.newsdigest-fetch.lock",
        "/.newsdigest-run.lock",
        "# fetch-state.json is kept: it is what `newsdigest fetch` has already seen "
        "(docs/scheduling.md).",
    ]
    articles = sorted((site / "content").rglob("*.md"))
    assert len(articles) == 2
    for path in articles:
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        assert front["slug"] and front["id"].startswith("urn:uuid:")
    assert run_cli("check", "--root", site).status == 0
    assert run_cli("build", "--root", site).status == 0
    assert "Welcome to your digest" in text_of(parse_html(site / "output" / "index.html"))
    workflow = yaml.safe_load(
        (site / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8")
    )
    steps = workflow["jobs"]["build"]["steps"]
    assert any("newsdigest build" in step.get("run", "") for step in steps)


def test_init_never_overwrites_and_then_writes_nothing(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    site = tmp_path / "existing"
    site.mkdir()
    (site / "site.yaml").write_text(
        "title: Mine\nbase_url: https://mine.example/\n", encoding="utf-8"
    )
    before = tree_digest(site)
    result = run_cli("init", site)
    assert result.status == 1
    assert "Traceback" not in result.err
    assert any(
        line.endswith(
            "site.yaml: already exists; init writes nothing (run init in a new or empty folder)"
        )
        for line in result.err.splitlines()
    )
    assert tree_digest(site) == before  # not even the files that were free


def test_init_in_a_folder_with_other_files_keeps_them(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    site = tmp_path / "repo"
    site.mkdir()
    (site / "README.md").write_text("my notes\n", encoding="utf-8")
    assert run_cli("init", site).status == 0
    assert (site / "README.md").read_text(encoding="utf-8") == "my notes\n"


def test_the_starter_site_yaml_shows_every_key_and_its_defaults_are_valid(tmp_path: Path) -> None:
    text = (STARTER / "site.yaml").read_text(encoding="utf-8")
    shown = {line.lstrip("# ").split(":", 1)[0] for line in text.splitlines() if ":" in line}
    assert shown >= KNOWN_KEYS, KNOWN_KEYS - shown
    # Uncommenting every key (the comments after values stay comments) gives a valid file.
    key_line = re.compile(r"# ( *(- )?[a-z_]+:.*)")
    uncommented = [
        match.group(1) if (match := key_line.fullmatch(line)) else line
        for line in text.splitlines()
    ]
    (tmp_path / "site.yaml").write_text("\n".join(uncommented) + "\n", encoding="utf-8")
    config = load_config(tmp_path)
    assert config.title == "My News Digest"
    assert config.websub_hub.startswith("https://")
    assert config.menu and config.permalinks["tag"] == "/tags/{slug}/"


def test_every_starter_file_ships_in_the_package() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["generator.starter"]
    for path in STARTER.rglob("*"):
        if path.is_file() and path.suffix != ".py" and "__pycache__" not in path.parts:
            relative = path.relative_to(STARTER).as_posix()
            assert any(fnmatch.fnmatch(relative, pattern) for pattern in patterns), relative
