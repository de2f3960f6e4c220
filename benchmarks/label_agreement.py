"""How far the two readers of the corpus labels agree, measured by `shenyue agree`.

    python -m benchmarks.label_agreement

Imports the labelled corpus reports into a fresh workspace, stores each reader's labels as
that reader's marks (a `none` label is no mark) and prints `shenyue agree` for the two.
`shenyue agree` counts every sentence of each report, so sentences neither reader labelled
(outside the labelled runs) agree as "no mark" on both sides; the figure over the labelled
sentences alone is printed first.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from annotations.workspace import Workspace

DATA = Path(__file__).parent.parent / "tests" / "data" / "corpus_readers"
CORPUS = Path(__file__).parent.parent.parent / "shared" / "corpus"


def reader_labels(reader: str) -> dict[str, list[dict[str, object]]]:
    """Report file name -> that reader's labelled items."""
    return {
        path.name.split(".")[0] + ".txt": json.loads(path.read_text(encoding="utf-8"))["items"]
        for path in sorted(DATA.glob(f"*.{reader}.json"))
    }


def main() -> None:
    """Print the agreement of readers A and B on the labelled corpus sentences."""
    a, b = reader_labels("A"), reader_labels("B")
    pairs = [(x["tag"], y["tag"]) for name in a for x, y in zip(a[name], b[name], strict=True)]
    same = sum(x == y for x, y in pairs)
    print(f"labelled sentences: {len(pairs)}, same tag: {same} ({same / len(pairs):.1%})")
    with tempfile.TemporaryDirectory() as home:
        ws = Workspace.open(home, reviewer="A", seed=False)
        for name in a:
            report = ws.import_report(CORPUS / name)
            for reader, labels in (("A", a), ("B", b)):
                spans = [(report.sentences[int(str(item["index"]))], item["tag"])
                         for item in labels[name] if item["tag"] != "none"]
                ws.annotate_many(
                    {"report_id": report.id, "start": span.start, "end": span.end, "tag": tag,
                     "reviewer": reader}
                    for span, tag in spans
                )
        sys.stdout.flush()
        subprocess.run([sys.executable, "-m", "tui.cli", "--home", home, "--lang", "en", "agree",
                        "--reviewers", "A,B"], check=True)


if __name__ == "__main__":
    main()
