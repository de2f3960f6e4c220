"""Follow-through: each plan of one year's report beside the sentences of the next year's
review that report carrying it out, best first, with a verdict (kept, partly, no trace).

Sentences are compared as weighted bags of features: Chinese character bigrams, figures with
their units (45元, 6%, 1100万) and named things (《…》, “…”). Weights are TF-IDF over the
sentences of both reports, so wording every sentence shares (深入推进, 进一步加强) counts for
little, and figures and names count several times more than a bigram. Plain dictionaries
are enough for two reports' sentences and start in no time (a fresh `shenyue follow` pays no
library import).
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

FIGURE_WEIGHT = 3.0  # a figure or named programme is stronger evidence than a shared bigram
NAME_WEIGHT = 3.0
EVIDENCE_MAX = 3
EVIDENCE_FLOOR = 0.03  # below this a candidate is noise, never shown as evidence
KEPT_SCORE = 0.30  # the best candidate's score from which a plan counts as kept
PARTLY_SCORE = 0.15  # …as partly kept; below it, no trace

CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|‰|[万亿千百]*[\u3400-\u9fff])?")
NAME = re.compile(r"《([^》]{2,40})》|“([^”]{2,20})”|\"([^\"]{2,20})\"")


@dataclass(frozen=True, slots=True)
class Passage:
    """A sentence of a report: [start, end) in code points of its text, and the text."""

    start: int
    end: int
    text: str

    def to_json(self) -> dict[str, object]:
        """{"start", "end", "text"}."""
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True, slots=True)
class Evidence:
    """A sentence of the later report that may report a plan carried out, with its score
    (cosine similarity, 0..1; 1 for a passage a reviewer confirmed)."""

    passage: Passage
    score: float
    confirmed: bool = False

    def to_json(self) -> dict[str, object]:
        """{"start", "end", "text", "score", "confirmed"}."""
        return {**self.passage.to_json(), "score": round(self.score, 4),
                "confirmed": self.confirmed}


@dataclass(frozen=True, slots=True)
class FollowUp:
    """One plan, its evidence best first, and the verdict: kept, partly or no_trace
    (`decided`: the verdict is a reviewer's, not the matcher's)."""

    plan: Passage
    evidence: tuple[Evidence, ...]
    verdict: str
    decided: bool = False

    def to_json(self) -> dict[str, object]:
        """The `shenyue follow --json` item."""
        return {"plan": self.plan.to_json(),
                "evidence": [e.to_json() for e in self.evidence],
                "verdict": self.verdict, "decided": self.decided}

    def decided_by(self, decision: Decision) -> FollowUp:
        """This follow-up as a reviewer decided it: confirmed passages first, rejected ones
        gone, their verdict if they gave one (with a confirmed passage, at least partly)."""
        rejected = set(decision.rejected)
        confirmed = tuple(Evidence(p, 1.0, confirmed=True) for p in decision.confirmed)
        rest = tuple(e for e in self.evidence
                     if e.passage not in rejected and e.passage not in decision.confirmed)
        evidence = (confirmed + rest)[: max(EVIDENCE_MAX, len(confirmed))]
        if decision.verdict is not None:
            return FollowUp(self.plan, evidence, decision.verdict, decided=True)
        verdict = "partly" if confirmed and self.verdict == "no_trace" else self.verdict
        return FollowUp(self.plan, evidence, verdict)


@dataclass(frozen=True, slots=True)
class Decision:
    """What a reviewer decided about one plan: passages confirmed or rejected as its
    evidence, and the verdict (None: leave it to the matcher)."""

    confirmed: tuple[Passage, ...] = ()
    rejected: tuple[Passage, ...] = ()
    verdict: str | None = None


def features(text: str) -> Counter[str]:
    """The weighted features of a sentence: bigrams, figures (×FIGURE_WEIGHT) and names."""
    flat = unicodedata.normalize("NFKC", text)
    counts: Counter[str] = Counter()
    for run in CJK_RUN.findall(flat):
        counts.update(run[i : i + 2] for i in range(len(run) - 1))
    for figure in FIGURE.findall(flat):
        counts["#" + figure.replace(" ", "")] += 1
    for match in NAME.finditer(flat):
        counts["@" + next(g for g in match.groups() if g)] += 1
    return counts


def feature_weight(feature: str) -> float:
    """How much a feature counts before IDF: figures and names more than bigrams."""
    if feature.startswith("#"):
        return FIGURE_WEIGHT
    if feature.startswith("@"):
        return NAME_WEIGHT
    return 1.0


def vectors(texts: Sequence[str]) -> list[dict[str, float]]:
    """Unit-length TF-IDF vectors of `texts` (IDF over these texts)."""
    bags = [features(t) for t in texts]
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(bags)
    weight = {f: (math.log((n + 1) / (d + 1)) + 1.0) * feature_weight(f) for f, d in df.items()}
    out = []
    for bag in bags:
        vec = {f: (1.0 + math.log(c)) * weight[f] for f, c in bag.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        out.append({f: v / norm for f, v in vec.items()})
    return out


def verdict_of(best: float) -> str:
    """The verdict for a plan whose best evidence scores `best`."""
    if best >= KEPT_SCORE:
        return "kept"
    return "partly" if best >= PARTLY_SCORE else "no_trace"


def follow(plans: Sequence[Passage], review: Sequence[Passage]) -> list[FollowUp]:
    """Each plan with the review sentences that best match it (at most EVIDENCE_MAX, those
    scoring at least EVIDENCE_FLOOR; shown even for "no trace", as the nearest there is) and
    a verdict from the best score."""
    vecs = vectors([p.text for p in plans] + [r.text for r in review])
    plan_vecs, review_vecs = vecs[: len(plans)], vecs[len(plans) :]
    postings: dict[str, list[tuple[int, float]]] = {}
    for k, vec in enumerate(review_vecs):
        for f, v in vec.items():
            postings.setdefault(f, []).append((k, v))
    results = []
    for plan, vec in zip(plans, plan_vecs, strict=True):
        scores: dict[int, float] = {}
        for f, v in vec.items():
            for k, w in postings.get(f, ()):
                scores[k] = scores.get(k, 0.0) + v * w
        ranked = heapq.nsmallest(EVIDENCE_MAX, scores.items(), key=lambda kv: (-kv[1], kv[0]))
        evidence = tuple(Evidence(review[k], s) for k, s in ranked if s >= EVIDENCE_FLOOR)
        results.append(FollowUp(plan, evidence, verdict_of(evidence[0].score if evidence else 0.0)))
    return results
