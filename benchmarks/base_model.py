"""Write the learner's bundled examples and base model from the hand labels.

    python -m benchmarks.base_model

The examples are every labelled sentence of the seeds and of the corpus's dev reports (never
the test reports), with what the rules see of it; the base model is `train` on them. Run it
after changing the rules, roles or cues: tests/test_learner.py checks the bundled files
match.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from annotations.learner import BASE_EXAMPLES, BASE_MODEL, example_to_json, train
from benchmarks.suggest_eval import corpus_cases, examples, load_split, seed_cases


def main() -> None:
    """Write base_examples.json and base_model.json beside annotations/learner.py."""
    with tempfile.TemporaryDirectory() as home:
        cases = [*seed_cases(Path(home) / "seeds"),
                 *corpus_cases(Path(home) / "dev", load_split()["dev"])]
    found = examples(cases)
    data = {"version": 1,
            "note": "Labelled sentences of the seeds and the dev corpus reports, as the rules "
                    "read them; written by `python -m benchmarks.base_model`.",
            "reports": [c.name for c in cases],
            "examples": [example_to_json(e) for e in found]}
    BASE_EXAMPLES.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n",
                             encoding="utf-8")
    model = train(found)
    BASE_MODEL.write_text(json.dumps(model.to_json()) + "\n", encoding="utf-8")
    print(f"{len(found)} examples from {len(cases)} reports; "
          f"{len(model.rows)} weighted features")


if __name__ == "__main__":
    main()
