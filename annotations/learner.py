"""The learned reader: a logistic regression over what the rules see, trained on labelled
sentences and on the reviewers' own decisions.

For each sentence the rules would tag, it reads the sentence's character n-grams (1–3, digits
folded to 0), the role of the part it sits in, the rules' tag and kinds of evidence, and where
in the report it is (tenth of the text), and gives achievement, shortcoming, plan or none.
Sentences the rules leave untagged (headings, titles, web chrome, framing…) stay untagged.

It is trained on the bundled labelled sentences (`base_examples.json`: the seeds and the
corpus's dev reports) plus the workspace's marks (each marked sentence labelled with the tag
covering most of it) and rejected suggestions (labelled none). The fit minimises what
scikit-learn's LogisticRegression minimises, the way it does (SciPy's L-BFGS-B; numpy and
SciPy are imported only here and only to train): importing scikit-learn alone took half of
the two seconds training may take. N-grams are hashed by multiplying (numpy hashes every
sentence at once to train; one sentence is hashed in plain Python to suggest), the context's
names with CRC-32, so training is deterministic and a model is a small table of weights;
predicting needs neither numpy nor SciPy. Equal examples are one row of summed weight.
"""

from __future__ import annotations

import base64
import importlib
import json
import os
import re
import zlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from annotations.model import Report, Tag
from annotations.suggest import (
    Reading,
    Suggestion,
    heading_suggestions,
    read_report,
    rule_tag,
    weigh,
)

if TYPE_CHECKING:  # numpy and SciPy are imported only to train
    import numpy as np
    from scipy.sparse import csr_matrix

BITS = 18
MASK = (1 << BITS) - 1
LABELS = ("achievement", "shortcoming", "plan", "none")
NGRAMS = (1, 2, 3)
C = 1.0  # inverse regularisation strength (dev reports, leave one out: 0.3–10 alike)
MAX_ITER = 20  # bounded L-BFGS steps bound the training time (dev reports: 20 and 40 alike)
OVERRIDE = 0.9  # how sure the model must be to overrule the rules' tag (dev reports)
MARK_WEIGHT = 30.0  # a reviewer's decision counts this many labelled sentences
VERSION = 1
BASE_EXAMPLES = Path(__file__).with_name("base_examples.json")
BASE_MODEL = Path(__file__).with_name("base_model.json")
_DIGIT = re.compile("[0-9０-９]")  # str.translate takes a slow path on Chinese text
FULLWIDTH_ZERO = ord("０")
TRIM = " \u3000\n"  # what a sentence's n-grams leave out at either end


@dataclass(frozen=True, slots=True)
class Context:
    """What the learner knows of a sentence besides its words."""

    role: str
    rule: str
    evidence: tuple[str, ...]
    position: int


@dataclass(frozen=True, slots=True)
class Example:
    """A sentence with its context and the tag it should get ("none": no mark)."""

    text: str
    context: Context
    tag: str
    mark: bool = False  # a reviewer's decision in the workspace (weighs MARK_WEIGHT)


def context_of(reading: Reading, length: int) -> Context:
    """The learner's view of a sentence the rules read."""
    tag = rule_tag(reading)
    return Context(
        role=str(reading.role),
        rule="none" if tag is None else tag.value,
        evidence=tuple(sorted({f"{e.kind}:{e.tag.value}" for e in reading.evidence})),
        position=min(9, reading.start * 10 // max(1, length)),
    )


# an n-gram of code points is one number (21 bits a character); its feature index is the
# top BITS bits of (number + the n's seed) times an odd constant, modulo 2**64
# (multiply-shift hashing: computed for every sentence at once with numpy when training, one
# sentence at a time without it when suggesting; tests/test_learner.py holds the two equal)
CHAR_BITS = 21
HASH_MULTIPLIER = 0x9E3779B97F4A7C15
HASH_SHIFT = 64 - BITS
WORD = (1 << 64) - 1
GRAM_SEEDS = {n: zlib.crc32(f"g{n}:".encode()) for n in NGRAMS}


def folded(text: str) -> str:
    """A sentence as its n-grams are read: trimmed, every digit a 0."""
    return _DIGIT.sub("0", text.strip(TRIM))


@lru_cache(maxsize=1 << 12)
def context_features(context: Context, length: int) -> tuple[int, ...]:
    """The feature indices of a sentence's context and length class (`length`: characters
    of the folded sentence)."""
    role = f"role:{context.role}"
    names = [role, f"rule:{context.rule}", f"{role}|rule:{context.rule}",
             f"pos:{context.position}", f"{role}|pos:{context.position}",
             f"len:{min(6, length // 20)}", *(f"ev:{e}" for e in context.evidence)]
    return tuple(zlib.crc32(name.encode("utf-8")) & MASK for name in names)


@lru_cache(maxsize=1 << 16)
def features(text: str, context: Context) -> tuple[int, ...]:
    """The hashed feature indices of a sentence in its context (with repeats; remembered,
    so suggesting again in the same process reads only the new sentences); `gram_entries`
    gives the same for many sentences at once."""
    a = [ord(c) for c in folded(text)]
    b, c = a[1:], a[2:]
    s1, s2, s3 = GRAM_SEEDS.values()
    m, w, shift, bits = HASH_MULTIPLIER, WORD, HASH_SHIFT, CHAR_BITS
    return (*[((x + s1) * m & w) >> shift for x in a],
            *[(((x << bits | y) + s2) * m & w) >> shift for x, y in zip(a, b, strict=False)],
            *[((((x << bits | y) << bits | z) + s3) * m & w) >> shift
              for x, y, z in zip(a, b, c, strict=False)],
            *context_features(context, len(a)))


@dataclass(frozen=True)
class Model:
    """Trained weights: for each used feature index, one weight per label."""

    intercept: tuple[float, ...]
    rows: dict[int, int]
    weights: array[float]
    examples: int
    marks: int
    key: str = ""

    @cached_property
    def by_feature(self) -> dict[int, tuple[float, ...]]:
        """Each used feature's weights, one per label (summed column-wise in C by `scores`)."""
        n = len(LABELS)
        return {index: tuple(self.weights[row * n : row * n + n])
                for index, row in self.rows.items()}

    def scores(self, text: str, context: Context) -> list[float]:
        """The probability of each label of LABELS."""
        by_feature = self.by_feature
        hits = [by_feature[i] for i in features(text, context) if i in by_feature]
        columns = zip(*hits, strict=True) if hits else ((),) * len(LABELS)
        totals = [base + sum(column) for base, column in zip(self.intercept, columns, strict=True)]
        top = max(totals)
        exps = [pow(2.718281828459045, t - top) for t in totals]
        norm = sum(exps)
        return [e / norm for e in exps]

    def predict(self, text: str, context: Context) -> tuple[str, float]:
        """The label to suggest and its probability: the rules' tag (`context.rule`) unless
        the model gives another label at least OVERRIDE."""
        probs = self.scores(text, context)
        best = max(range(len(LABELS)), key=lambda k: probs[k])
        if LABELS[best] != context.rule and probs[best] < OVERRIDE:
            return context.rule, probs[LABELS.index(context.rule)]
        return LABELS[best], probs[best]

    def to_json(self) -> dict[str, object]:
        """The model as JSON-ready data (weights as base64 float32 / uint32)."""
        indices = array("I", sorted(self.rows, key=self.rows.__getitem__))
        return {
            "version": VERSION, "bits": BITS, "labels": list(LABELS),
            "intercept": list(self.intercept), "examples": self.examples, "marks": self.marks,
            "key": self.key,
            "indices": base64.b64encode(indices.tobytes()).decode("ascii"),
            "weights": base64.b64encode(self.weights.tobytes()).decode("ascii"),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Model:
        """A model from `to_json` data; ValueError when it is not one of this version."""
        if data.get("version") != VERSION or data.get("labels") != list(LABELS):
            raise ValueError("not a model of this version")
        indices = array("I")
        indices.frombytes(base64.b64decode(str(data["indices"])))
        weights = array("f")
        weights.frombytes(base64.b64decode(str(data["weights"])))
        intercept = data["intercept"]
        assert isinstance(intercept, list)
        return cls(tuple(float(v) for v in intercept), {i: k for k, i in enumerate(indices)},
                   weights, int(str(data["examples"])), int(str(data["marks"])),
                   str(data.get("key", "")))


@dataclass(frozen=True)
class Design:
    """Examples as the fit reads them: a sparse row of feature counts per distinct example,
    with a column per feature seen twice or more, and each row's label and weight."""

    matrix: csr_matrix  # rows × columns; a feature repeated in a sentence counts as often
    columns: np.ndarray  # the feature index of each column, ascending
    present: np.ndarray  # the indices in LABELS of the labels the examples have, ascending
    targets: np.ndarray  # each row's label, as an index into `present`
    weight: np.ndarray  # each row's weight: MARK_WEIGHT for each mark it stands for, 1 else


def load_fit_libraries() -> None:
    """Import numpy and SciPy now (half a second): a process that will train soon pays it
    before it is asked to."""
    # one BLAS thread, asked before numpy loads OpenBLAS: its spare threads would spin beside
    # a problem this small (fit's threadpool_limits covers a process that loaded numpy before)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    for name in ("numpy", "scipy.sparse", "scipy.optimize"):
        importlib.import_module(name)


def design(examples: Sequence[Example]) -> Design:
    """The examples as a matrix for `fit`."""
    load_fit_libraries()
    import numpy as np  # imported here: only training needs numpy and SciPy
    from scipy.sparse import csr_matrix

    # the same sentence in the same context with the same label is one row of summed weight
    # (two reviewers who agree; a passage in every version of a report): the same loss
    merged: dict[tuple[str, Context, str], float] = {}
    for e in examples:
        key = (e.text, e.context, e.tag)
        merged[key] = merged.get(key, 0.0) + (MARK_WEIGHT if e.mark else 1.0)
    rows, found = gram_entries([text for text, _context, _tag in merged])
    contexts = [context_features(context, len(text.strip(TRIM))) for text, context, _tag in merged]
    sizes = np.fromiter(map(len, contexts), dtype=np.int64, count=len(contexts))
    rows = np.concatenate((rows, np.repeat(np.arange(len(merged)), sizes)))
    found = np.concatenate((found, np.fromiter(
        chain.from_iterable(contexts), dtype=np.int64, count=int(sizes.sum()))))
    # only features seen twice or more get a column: the fit works on thousands of columns,
    # not 2**BITS, and a feature seen once teaches nothing general
    used = np.flatnonzero(np.bincount(found, minlength=1 << BITS) >= 2)
    column = np.full(1 << BITS, -1, dtype=np.int64)
    column[used] = np.arange(len(used))
    columns = column[found]
    kept = columns >= 0
    # a feature repeated in a sentence counts as often (entries at one place are summed)
    matrix = csr_matrix((np.ones(int(kept.sum())), (rows[kept], columns[kept])),
                        shape=(len(merged), len(used)))
    labels = np.array([LABELS.index(tag) for _text, _context, tag in merged], dtype=np.int64)
    present = np.unique(labels)
    return Design(matrix, used, present, np.searchsorted(present, labels),
                  np.fromiter(merged.values(), dtype=np.float64, count=len(merged)))


def gram_entries(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The n-gram features of every text at once, as `features` hashes them: the index of
    the text and the feature index of each entry."""
    import numpy as np

    parts = [t.strip(TRIM) for t in texts]
    lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    points = np.frombuffer("".join(parts).encode("utf-32-le"), dtype=np.uint32)
    points = points.astype(np.uint64)
    # folded as `folded` folds: every digit, ASCII or full-width, a 0
    points[((points >= ord("0")) & (points <= ord("9")))
           | ((points >= FULLWIDTH_ZERO) & (points <= FULLWIDTH_ZERO + 9))] = ord("0")
    owner = np.repeat(np.arange(len(parts)), lengths)
    left = np.cumsum(lengths)[owner] - np.arange(len(points))  # to its text's end, itself too
    rows, found = [], []
    for n, seed in GRAM_SEEDS.items():
        count = len(points) - n + 1
        if count <= 0:
            continue
        key = points[:count].copy()
        for k in range(1, n):
            key = (key << np.uint64(CHAR_BITS)) | points[k : k + count]
        hashed = ((key + np.uint64(seed)) * np.uint64(HASH_MULTIPLIER)) >> np.uint64(HASH_SHIFT)
        whole = left[:count] >= n  # the n-gram ends within its own text
        rows.append(owner[:count][whole])
        found.append(hashed[whole].astype(np.int64))
    empty = np.zeros(0, dtype=np.int64)
    return (np.concatenate(rows) if rows else empty, np.concatenate(found) if found else empty)


def fit(found: Design) -> tuple[np.ndarray, np.ndarray]:
    """The coefficients (labels present × columns) and intercepts of a multinomial logistic
    regression: the weighted mean log loss plus ||coef||² / (2·C·Σweight), minimised by
    SciPy's L-BFGS-B from zero as scikit-learn's LogisticRegression(C=C, max_iter=MAX_ITER)
    does — the same weights (tests/test_learner.py) without the second it takes to import
    scikit-learn."""
    import numpy as np
    from scipy.optimize import minimize
    from threadpoolctl import threadpool_limits

    x, targets, weight = found.matrix, found.targets, found.weight
    rows, width = x.shape
    classes = len(found.present)
    x_t = x.T.tocsr()  # the gradient's product, row by row
    by_column = x_t.T  # x again, stored by column: its product reads `coef` in order
    total = float(weight.sum())
    penalty = 1.0 / (C * total)
    truth = np.zeros((rows, classes))
    truth[np.arange(rows), targets] = 1.0
    weight_column = weight[:, None]

    def loss_gradient(w: np.ndarray) -> tuple[float, np.ndarray]:
        # w: each column's weight for every label, then the intercepts (labels contiguous)
        both = w.reshape((width + 1, classes))
        coef = both[:-1]
        raw = by_column @ coef + both[-1]
        top = raw.max(axis=1, keepdims=True)
        exps = np.exp(raw - top)
        sums = exps.sum(axis=1, keepdims=True)
        pointwise = np.log(sums[:, 0]) + top[:, 0] - raw[np.arange(rows), targets]
        loss = float((pointwise * weight).sum() / total) + 0.5 * penalty * float(
            np.sum(coef * coef))
        slope = (exps / sums - truth) * weight_column / total
        grad = np.empty_like(both)
        grad[:-1] = x_t @ slope + penalty * coef
        grad[-1] = slope.sum(axis=0)
        return loss, grad.ravel()

    # threads fight over a small problem (8x slower on 2 cores); stopping after MAX_ITER
    # steps is deliberate
    with threadpool_limits(1):
        result = minimize(loss_gradient, np.zeros((width + 1) * classes), method="L-BFGS-B",
                          jac=True, options={"maxiter": MAX_ITER, "maxls": 50, "gtol": 1e-4,
                                             "ftol": 64 * np.finfo(float).eps})
    both = result.x.reshape((width + 1, classes))
    return both[:-1].T, both[-1]


def train(examples: Sequence[Example], key: str = "") -> Model:
    """A model fitted on `examples` (deterministic: same examples, same weights)."""
    import numpy as np

    found = design(examples)
    coef, fitted = fit(found)
    weights = np.zeros((len(found.columns), len(LABELS)), dtype=np.float32)
    weights[:, found.present] = coef.T
    intercept = np.full(len(LABELS), -30.0)  # a label never seen is never predicted
    intercept[found.present] = fitted
    marks = sum(e.mark for e in examples)
    return Model(tuple(float(v) for v in intercept),
                 {int(i): k for k, i in enumerate(found.columns)},
                 array("f", weights.ravel().tobytes()), len(examples), marks, key)


# -- examples --------------------------------------------------------------------------------


def contexts_of(report: Report, readings: Sequence[Reading] | None = None) -> list[Context | None]:
    """Each sentence's context as the rules read it (None: left untagged), from `readings`
    (default: the report read now)."""
    readings = read_report(report) if readings is None else readings
    length = len(report.text)
    return [None if r.untagged is not None else context_of(r, length) for r in readings]


def examples_of(
    report: Report, labels: Sequence[str | None], mark: bool = False,
    contexts: Sequence[Context | None] | None = None,
) -> list[Example]:
    """Examples from the label of each sentence of `report` (None: not labelled), in the
    sentences' `contexts` (default: the report read now); sentences the rules leave untagged
    are no examples (the learner never sees them)."""
    contexts = contexts_of(report) if contexts is None else contexts
    text = report.text
    out = []
    for span, context, tag in zip(report.sentences, contexts, labels, strict=True):
        if tag is None or context is None:
            continue
        out.append(Example(text[span.start : span.end], context, tag, mark))
    return out


def example_to_json(example: Example) -> dict[str, object]:
    """One example as a row of base_examples.json."""
    c = example.context
    return {"text": example.text, "tag": example.tag, "role": c.role, "rule": c.rule,
            "evidence": list(c.evidence), "position": c.position}


def example_from_json(row: dict[str, object]) -> Example:
    """An example from an `example_to_json` row."""
    evidence = row["evidence"]
    assert isinstance(evidence, list)
    context = Context(str(row["role"]), str(row["rule"]), tuple(str(e) for e in evidence),
                      int(str(row["position"])))
    return Example(str(row["text"]), context, str(row["tag"]))


def load_examples(path: Path = BASE_EXAMPLES) -> list[Example]:
    """The examples of a file written by `example_to_json` rows under "examples"."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [example_from_json(row) for row in data["examples"]]


@cache
def base_model() -> Model:
    """The model trained on the bundled examples only (shipped, never downloaded)."""
    return Model.from_json(json.loads(BASE_MODEL.read_text(encoding="utf-8")))


# -- suggesting -------------------------------------------------------------------------------


def learned_reason(model: Model) -> str:
    """How the model came to be, for a suggestion's reason."""
    if model.marks:
        return f"learned from {model.marks} mark{'s' if model.marks > 1 else ''}"
    return f"learned from {model.examples} labelled sentences"


def suggest_learned(
    report: Report, model: Model, readings: Sequence[Reading] | None = None
) -> list[Suggestion]:
    """A suggestion for every sentence and heading of `report` (read by the rules as
    `readings`, default: now): the rules' untagged ones as they are, every other sentence as
    the model reads it (reason: the model, the part, and the rules' own reason)."""
    length = len(report.text)
    learned = learned_reason(model)
    out = []
    for reading in read_report(report) if readings is None else readings:
        ruled = weigh(reading)
        if reading.untagged is not None:
            out.append(ruled)
            continue
        text = report.text[reading.start : reading.end]
        label, probability = model.predict(text, context_of(reading, length))
        tag = None if label == "none" else Tag(label)
        why = (ruled.reason if ruled.tag is tag
               else f"{reading.role} part; the rules said {ruled.tag or 'none'}")
        out.append(Suggestion(reading.start, reading.end, tag, round(probability, 3),
                              f"{learned}; {why}"))
    out += heading_suggestions(report)
    out.sort(key=lambda s: (s.start, s.end))
    return out
