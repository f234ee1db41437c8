"""Issue 6, point 10: random front matter and Markdown thrown at `check` and `build`.

The only outcomes allowed are exit 0, or exit 1 with `path:line: message` lines; never a
traceback, never a hang, never a file outside output/.
"""

from __future__ import annotations

import contextlib
import io
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

import yaml
from hostile.helpers import SITE_YAML, assert_located_errors, tree_state
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.__main__ import main

FIELDS = ["title", "date", "updated", "tags", "summary", "author", "authors", "publisher"]
FIELDS += ["original_url", "slug", "draft", "image", "lang", "categories", "description", "x"]
NASTY = ["]]>", "&", "<", "</title>", "{{ 1 }}", "{% include 'x' %}", "\x01", "\ufffe", "..", "/"]
NASTY += ["\\", "%2F", "C#", "C++", "javascript:alert(1)", "日本", "---", "\r\n", "\t", "#"]
text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(NASTY),
    st.lists(st.sampled_from(NASTY), max_size=4).map("".join),
)
scalars = st.one_of(
    text,
    st.integers(-(10**6), 10**12),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
    st.sampled_from(["2025-01-01", "2025-02-30", "2025-01-01T10:00:00+01:00", "9999-12-31"]),
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(text, children, max_size=3),
    max_leaves=6,
)
front_matter = st.dictionaries(st.sampled_from(FIELDS) | text, values, max_size=8)
markdown = st.lists(
    st.one_of(
        st.text(max_size=40),
        st.sampled_from(
            [
                "# heading",
                "* item",
                "1. one",
                "> quote",
                "```\ncode\n```",
                "[a](javascript:x)",
                "![i](data:x)",
                "<script>alert(1)</script>",
                "<img src=x onerror=y>",
                "| a | b |",
                "{{ config }}",
                "{% include 'base.html' %}",
                "[^1]",
                "*[HTML]: x",
                "---",
                "\x00",
                "<!--",
                "<![CDATA[",
                "&#0;",
                "&#xD800;",
                "\ud800",
                "{: #id }",
            ]
        ),
    ),
    max_size=8,
).map("\n\n".join)


def raw_yaml(fields: dict) -> str:
    try:
        return yaml.safe_dump(fields, allow_unicode=True, default_flow_style=False)
    except yaml.YAMLError:
        return "title: fallback\n"


# Mostly valid articles (a title with a letter, a real date), so rendering is reached too.
valid_front_matter = st.builds(
    lambda title, date, extra: {**extra, "title": "A " + title, "date": date},
    text,
    st.sampled_from(["2025-01-01", "2024-12-31T23:59:59-11:00", "2025-03-01T10:00:00"]),
    st.dictionaries(st.sampled_from(FIELDS[2:]), values, max_size=4),
)
documents = st.one_of(
    st.builds(lambda f, b: f"---\n{raw_yaml(f)}---\n\n{b}\n", valid_front_matter, markdown),
    st.builds(lambda f, b: f"---\n{raw_yaml(f)}---\n\n{b}\n", valid_front_matter, markdown),
    st.builds(lambda f, b: f"---\n{raw_yaml(f)}---\n\n{b}\n", front_matter, markdown),
    # Hand-typed YAML: random lines, some of them broken.
    st.builds(
        lambda lines, b: "---\n" + "\n".join(lines) + "\n---\n" + b,
        st.lists(
            st.one_of(
                st.sampled_from(
                    [
                        "title: T",
                        "date: 2025-01-01",
                        "tags: [a, b",
                        "x: &a 1",
                        "y: *a",
                        "slug: ../x",
                        "  bad: indent",
                        "title: 'unclosed",
                        "draft: yes",
                        "- list",
                        "? complex",
                        "!!python/object:os.system x",
                        ": :",
                        "date: 0",
                    ]
                ),
                text,
            ),
            max_size=8,
        ),
        markdown,
    ),
    st.builds(lambda b: b, markdown),  # no front matter at all
)


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """A hang fails the test instead of stalling the suite (hypothesis' deadline only
    measures examples that finish)."""

    def fail(signum: int, frame: object) -> None:
        raise TimeoutError(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run(*argv: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(list(argv))
    return status, err.getvalue()


def assert_clean_outcome(status: int, err: str) -> None:
    assert status in (0, 1), (status, err)
    if status == 1:
        assert_located_errors(err)
    else:
        assert "Traceback" not in err
        for line in err.splitlines():  # only "skipped <path>: <reason>" notes on success
            assert line.startswith("skipped "), line


COMMON = settings(
    max_examples=25,
    deadline=None,  # a loaded CI machine is slow, not broken; hangs are caught by time_limit
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@COMMON
@given(documents=st.lists(documents, min_size=1, max_size=3))
def test_check_answers_clearly(documents: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder, time_limit(20):
        root = Path(folder) / "site"
        (root / "content").mkdir(parents=True)
        (root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
        for n, document in enumerate(documents):
            (root / "content" / f"{n}.md").write_bytes(document.encode("utf-8", "surrogatepass"))
        before = tree_state(Path(folder))
        assert_clean_outcome(*run("check", "--root", str(root)))
        assert tree_state(Path(folder)) == before


@settings(COMMON, max_examples=20)
@given(documents=st.lists(documents, min_size=1, max_size=3))
def test_build_answers_clearly_and_stays_in_output(documents: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder, time_limit(20):
        root = Path(folder) / "site"
        (root / "content").mkdir(parents=True)
        (root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
        for n, document in enumerate(documents):
            (root / "content" / f"{n}.md").write_bytes(document.encode("utf-8", "surrogatepass"))
        before = set(tree_state(Path(folder)))
        status, err = run("build", "--root", str(root), "--jobs", "1", "--no-cache")
        assert_clean_outcome(status, err)
        created = set(tree_state(Path(folder))) - before
        allowed = ("site/output", "site/.output.lock")
        assert [name for name in created if not name.startswith(allowed)] == []
        if status == 0:
            assert (root / "output" / "index.html").is_file()


# Issue 18: typed YAML tags, huge numbers, extreme dates and deep nesting, in any field, and
# bodies nested deep; `build` runs with --future so that far-future dates are rendered.
TYPED_TAGS = ["!!timestamp", "!!int", "!!float", "!!bool", "!!str", "!!null", "!!binary"]
TYPED_TAGS += ["!!set", "!!omap", "!!pairs", "!!python/object:os.system", "!!python/name:os"]
TYPED_TAGS += ["!local", "!!map", "!!seq", "!<tag:yaml.org,2002:int>"]
TAG_VALUES = ["2025-02-30", "2025-01-01", "abc", "x", "1", "0x1f", "1:30", "''", "[a]", "{a: 1}"]
TAG_VALUES += ["aGVsbG8=", " @@@", "-.inf", ".nan", "yes", "~", "1e400"]
extreme_years = st.sampled_from([1, 2, 999, 1000, 1969, 2025, 9998, 9999])
offsets = st.sampled_from(["", "Z", "+14:00", "-12:00", "+23:59", "-23:59"])
extreme_dates = st.builds(
    lambda year, offset, time: f"{year:04d}-{'12-31' if year > 5000 else '01-01'}{time}{offset}",
    extreme_years,
    offsets,
    st.sampled_from(["T00:00:00", "T23:59:59", "T12:00:00"]),
)
huge_numbers = st.builds(
    lambda digits, form: {
        "decimal": "9" * digits,
        "negative": "-" + "1" * digits,
        "hex": "0x" + "f" * digits,
        "octal": "0o" + "7" * digits,
        "sexagesimal": ":".join(["59"] * max(1, digits // 3)),
        "float": "1" * digits + ".5e" + "9" * min(digits, 6),
        "underscored": "_".join(["999"] * max(1, digits // 3)),
    }[form],
    st.integers(1, 6000),
    st.sampled_from(["decimal", "negative", "hex", "octal", "sexagesimal", "float", "underscored"]),
)


def nested(depth: int, style: str) -> str:
    if style == "flow-list":
        return "[" * depth + "]" * depth
    if style == "flow-map":
        return "{a: " * depth + "1" + "}" * depth
    return "\n" + "".join("  " * level + "-\n" for level in range(depth)).rstrip("\n")


deep_values = st.builds(
    nested, st.integers(1, 400), st.sampled_from(["flow-list", "flow-map", "block-list"])
)
hostile_values = st.one_of(
    st.builds(
        lambda tag, value: f"{tag} {value}",
        st.sampled_from(TYPED_TAGS),
        st.sampled_from(TAG_VALUES),
    ),
    huge_numbers,
    extreme_dates,
    deep_values,
)
hostile_keys = st.sampled_from(["title", "date", "updated", "tags", "x", "also_reported_by"])
hostile_keys |= st.sampled_from(["summary", "slug", "draft", "original_url", "image", "lang"])
deep_bodies = st.builds(
    lambda depth, style: {
        "div": '<div markdown="1">\n' * depth + "x\n" + "</div>\n" * depth,
        "quote": "> " * depth + "x",
        "list": "* " * depth + "x",
        "indent": "".join("    " * level + "- x\n" for level in range(depth)),
        "html": "<div>" * depth * 20,
    }[style],
    st.integers(1, 1200),
    st.sampled_from(["div", "quote", "list", "indent", "html"]),
)
hostile_documents = st.builds(
    lambda pairs, date, body: (
        "---\n"
        + "".join(f"{key}: {value}\n" for key, value in pairs)
        + (f"date: {date}\n" if "date" not in dict(pairs) else "")
        + ("title: Hostile\n" if "title" not in dict(pairs) else "")
        + "---\n\n"
        + body
        + "\n"
    ),
    st.lists(st.tuples(hostile_keys, hostile_values), max_size=3, unique_by=lambda pair: pair[0]),
    st.one_of(extreme_dates, st.just("2025-01-01")),
    st.one_of(markdown, deep_bodies),
)


def write_site(folder: str, documents: list[str]) -> Path:
    root = Path(folder) / "site"
    (root / "content").mkdir(parents=True)
    (root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    for n, document in enumerate(documents):
        (root / "content" / f"{n}.md").write_bytes(document.encode("utf-8", "surrogatepass"))
    return root


@settings(COMMON, max_examples=40)
@given(documents=st.lists(hostile_documents, min_size=1, max_size=3))
def test_check_answers_clearly_on_typed_huge_extreme_and_deep_input(documents: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder, time_limit(60):
        root = write_site(folder, documents)
        assert_clean_outcome(*run("check", "--root", str(root), "--future"))


@settings(COMMON, max_examples=30)
@given(documents=st.lists(hostile_documents, min_size=1, max_size=3))
def test_build_answers_clearly_on_typed_huge_extreme_and_deep_input(documents: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder, time_limit(60):
        root = write_site(folder, documents)
        status, err = run("build", "--root", str(root), "--future", "--jobs", "1", "--no-cache")
        assert_clean_outcome(status, err)
        if status == 0:
            assert (root / "output" / "index.html").is_file()
