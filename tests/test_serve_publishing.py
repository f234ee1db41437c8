"""The publishing and editors' workflow files: pre-commit hook, sample workflows, docs."""

from __future__ import annotations

import re
import tomllib

import yaml
from conftest import REPO

DOCS = REPO / "docs"
STARTER = REPO / "generator" / "starter"  # the CI samples `newsdigest init` writes


def test_pre_commit_hook_runs_check_on_site_files() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["id"] == "newsdigest-check"
    assert hook["entry"] == "newsdigest check"
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    for path in (
        "content/2026/01/a.md",
        "site.yaml",
        "themes/x/templates/base.html",
        "templates/tag.html",
    ):
        assert files.search(path), path
    for path in ("README.md", "generator/build.py", "site.yaml.bak", "output/index.html"):
        assert not files.search(path), path
    # The entry is the console script the package installs.
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["newsdigest"] == "generator.__main__:run"


def test_sample_workflows_are_valid_and_run_newsdigest() -> None:
    pages = yaml.safe_load((STARTER / "github-pages.yml").read_text(encoding="utf-8"))
    steps = pages["jobs"]["build"]["steps"]
    assert any("newsdigest build --base-url" in step.get("run", "") for step in steps)
    assert any(step.get("with", {}).get("path") == "output" for step in steps)
    check = yaml.safe_load((STARTER / "check-pull-request.yml").read_text(encoding="utf-8"))
    assert "pull_request" in check[True]  # YAML 1.1 reads the key `on` as true
    assert any(
        "newsdigest check" in step.get("run", "") for step in check["jobs"]["check"]["steps"]
    )
    netlify = tomllib.loads((STARTER / "netlify.toml").read_text(encoding="utf-8"))
    assert netlify["build"]["publish"] == "output"
    assert "newsdigest build" in netlify["build"]["command"]


def test_publishing_doc_links_resolve() -> None:
    text = (DOCS / "publishing.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)\)", text):
        if not target.startswith("http"):
            assert (DOCS / target).is_file(), target
    for topic in (
        "GitHub Pages",
        "Netlify",
        "aws s3 sync output/ s3://",
        "--base-url",
        "pre-commit",
    ):
        assert topic in text
