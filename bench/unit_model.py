"""Does a learned line scorer beat the text cleaner's rules? Cross-validated on the dev split.

    python bench/unit_model.py [--folds 5] [--kinds lynx,w3m,plain,html_text,...]

The text cleaner scores each unit (prose +words, headline -3, furniture -8, link box -10 ...)
and keeps the best-scoring run of units between barriers (`textclean.main_block`). The
alternative tried here keeps everything else (normalisation, the rule kinds, link boxes,
barriers, rendering) and swaps only those scores for a logistic regression's: the chance
that a unit is story, from its shape (words, full stop, stop-word share, list marker, blank
line above), its rule kind and score and its neighbours' kinds, as `(2p - 1) * max(3, min(words, 60))`.
It is trained with numpy (no scikit-learn) on the dev cases of bench/blind and bench/blind2,
every text flattening of each, in folds by case: a case's flattenings are never split
between training and test. For each fold it prints the mean 4-gram shingle F1 of the rules
and of the learned scores on the fold's held-out cases. Hold-out cases are never read.

Labels: a unit is story when its words appear in one of the truth's body entries.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import clean_quality as cq  # noqa: E402

from generator.ingest import textclean  # noqa: E402
from generator.ingest.clean import clean_document  # noqa: E402
from generator.ingest.model import BatchContext, RawDocument  # noqa: E402

KINDS = (
    textclean.PROSE,
    textclean.SENTENCE,
    textclean.HEADLINE,
    textclean.LABEL,
    textclean.FURNITURE,
    textclean.DATE,
    textclean.TAGS,
    textclean.BYLINE,
    textclean.LINKS,
    textclean.INSET,
)


RULE_SCORE = textclean._score


def features(units: Sequence[textclean.Unit], kinds: Sequence[str]) -> np.ndarray:
    """One row per unit: its shape, its rule kind and its neighbours' kinds (one-hot)."""
    rows = []
    for index, unit in enumerate(units):
        own = [float(kinds[index] == kind) for kind in KINDS]
        before = [float(index > 0 and kinds[index - 1] == kind) for kind in KINDS]
        after = [float(index + 1 < len(units) and kinds[index + 1] == kind) for kind in KINDS]
        shape = [
            1.0,
            np.log1p(unit.words),
            float(unit.terminal),
            unit.stop_ratio,
            float(unit.bullet),
            float(unit.gap_before),
            index / max(1, len(units) - 1),
            RULE_SCORE(unit, kinds[index]) / 60,  # the rules' own score, as one signal
        ]
        rows.append(shape + own + before + after)
    return np.array(rows, dtype=float)


def _key(text: str) -> str:
    return " ".join(word.casefold() for word in cq._CJK_OR_WORD.findall(text))


def labels(units: Sequence[textclean.Unit], body: Sequence[str]) -> np.ndarray:
    entries = [_key(entry) for entry in body]
    joined = " \n ".join(entries)
    return np.array(
        [float(bool(key := _key(unit.text)) and key in joined) for unit in units], dtype=float
    )


def train(x: np.ndarray, y: np.ndarray, steps: int = 1000, rate: float = 0.5) -> np.ndarray:
    """Logistic regression by gradient descent, L2 0.01, classes weighted equally."""
    weights = np.zeros(x.shape[1])
    balance = np.where(y == 1, 0.5 / max(1, y.sum()), 0.5 / max(1, (1 - y).sum()))
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ weights)))
        gradient = x.T @ ((p - y) * balance) + 0.01 * weights
        weights -= rate * gradient
    return weights


class Recorder:
    """Swaps textclean.main_block to record its inputs, or to run it on learned scores."""

    def __init__(self) -> None:
        self.original = textclean.main_block
        self.seen: list[tuple[list, list]] = []
        self.weights: np.ndarray | None = None

    def __call__(self, units, kinds, barriers):  # type: ignore[no-untyped-def]
        self.seen.append((list(units), list(kinds)))
        if self.weights is None:
            return self.original(units, kinds, barriers)
        p = 1 / (1 + np.exp(-(features(units, kinds) @ self.weights)))
        scores = iter((2 * p - 1) * np.maximum(3, np.minimum([u.words for u in units], 60)))
        score = textclean._score
        textclean._score = lambda unit, kind: float(next(scores))
        try:
            return self.original(units, kinds, barriers)
        finally:
            textclean._score = score


def cases() -> list[tuple[str, dict[str, bytes], dict]]:
    """Every dev case of both blind sets: its text flattenings and its truth."""
    made = cq.available_flattenings()
    found = []
    for name in cq.SETS:
        folder = cq.BENCH / name
        manifest = json.loads((folder / "MANIFEST.json").read_text(encoding="utf-8"))
        for case in manifest["cases"]:
            if case["split"] != "dev":
                continue
            files = cq._files(case)
            inputs = cq._inputs(folder, files, made)
            inputs.pop("html")
            truth = json.loads((folder / files["truth"]).read_text(encoding="utf-8"))
            found.append((f"{name}/{case.get('name') or case['id']}", inputs, truth))
    return found


def clean(data: bytes, recorder: Recorder) -> str:
    text = data.decode("utf-8")
    document = RawDocument("page.txt", data, "text", text, hashlib.sha256(data).hexdigest(), 0)
    textclean.main_block = recorder
    try:
        return clean_document(document, BatchContext()).body
    finally:
        textclean.main_block = recorder.original


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    data = cases()
    order = sorted(range(len(data)), key=lambda i: hashlib.sha256(data[i][0].encode()).digest())
    folds = [order[fold :: args.folds] for fold in range(args.folds)]
    recorder = Recorder()
    examples: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
    rule_f1: dict[int, list[float]] = {}
    for index, (_, inputs, truth) in enumerate(data):
        want = "\n".join(truth["body"])
        examples[index], rule_f1[index] = [], []
        for kind_data in inputs.values():
            recorder.seen.clear()
            rule_f1[index].append(cq.shingle_f1(clean(kind_data, recorder), want))
            for units, kinds in recorder.seen:
                examples[index].append((features(units, kinds), labels(units, truth["body"])))
    print("| fold | cases | rules | learned |")
    print("|---|---|---|---|")
    totals = {"rules": [], "learned": []}
    for number, test in enumerate(folds):
        train_cases = [index for index in range(len(data)) if index not in set(test)]
        x = np.vstack([row for index in train_cases for row, _ in examples[index]])
        y = np.concatenate([label for index in train_cases for _, label in examples[index]])
        recorder.weights = train(x, y)
        learned = []
        for index in test:
            want = "\n".join(data[index][2]["body"])
            learned.extend(cq.shingle_f1(clean(d, recorder), want) for d in data[index][1].values())
        recorder.weights = None
        rules = [f1 for index in test for f1 in rule_f1[index]]
        totals["rules"].extend(rules)
        totals["learned"].extend(learned)
        print(f"| {number} | {len(test)} | {np.mean(rules):.3f} | {np.mean(learned):.3f} |")
    print(
        f"| all | {len(data)} | {np.mean(totals['rules']):.3f} | {np.mean(totals['learned']):.3f} |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
