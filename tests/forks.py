"""Counting the children a build forks (generator/build/forked.py), for the tests of the
output check's child and of the parse ahead."""

from __future__ import annotations

import os

import pytest

from generator.build import forked


def fork_as_if_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the build fork as in a run from the command line, where no other thread runs
    (in this test process, earlier tests may have left some idle)."""
    monkeypatch.setattr(forked.threading, "active_count", lambda: 1)


def counting_forks(monkeypatch: pytest.MonkeyPatch, alone: bool = True) -> list[int]:
    """Count the children forked; `alone`: see fork_as_if_alone."""
    if alone:
        fork_as_if_alone(monkeypatch)
    children: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        child = real_fork()
        if child:
            children.append(child)
        return child

    monkeypatch.setattr(os, "fork", fork)
    return children
