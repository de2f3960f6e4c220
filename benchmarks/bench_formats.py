"""Importing published reports: a 30-page PDF (target 2 s) and 200 HTML pages (target 10 s)."""

from __future__ import annotations

import io
import tempfile
import time
from pathlib import Path

from annotations.workspace import Workspace
from tests.formatkit import SEEDS, SeedLines, html_page, pdf_file, seed_lines

PDF_PAGES = 30
PDF_TARGET = 2.0
HTML_PAGES = 200
HTML_TARGET = 10.0


def verdict(took: float, target: float) -> str:
    """The time against its target, as printed."""
    state = "ok" if took <= target else "SLOWER THAN TARGET"
    return f"{took:.2f} s (target {target:.0f} s) {state}"


def pdf_report(seeds: list[SeedLines]) -> tuple[bytes, int]:
    """A report of about PDF_PAGES pages made of the seeds' bodies, and its page count."""
    from pypdf import PdfReader

    body = [line for seed in seeds for line in seed.body]
    data = pdf_file(body)
    pages = len(PdfReader(io.BytesIO(data)).pages)
    data = pdf_file(body + body[: len(body) * (PDF_PAGES - pages) // pages])
    return data, len(PdfReader(io.BytesIO(data)).pages)


def write_html_pages(folder: Path, seeds: list[SeedLines]) -> None:
    """HTML_PAGES different pages: each seed in turn, with a paragraph of its own added."""
    for number in range(HTML_PAGES):
        seed = seeds[number % len(seeds)]
        extra = (f"本页为第{number + 1}份报告的网页版本。", False)
        page = SeedLines(seed.title, (*seed.lines, extra))
        (folder / f"report-{number:03d}.html").write_bytes(html_page(page))


def main() -> None:
    """Print the time of each import against its target."""
    seeds = [seed_lines(path) for path in sorted(SEEDS.glob("*.txt"))]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ws = Workspace.open(root / "ws", reviewer="bench", seed=False)
        pdf = root / "report.pdf"
        data, pages = pdf_report(seeds)
        pdf.write_bytes(data)
        started = time.perf_counter()
        report = ws.import_report(pdf)
        took = time.perf_counter() - started
        size = f"{pdf.stat().st_size / 1024:.0f} KB, {report.meta.chars} characters"
        print(f"   {pages}-page PDF ({size}): {verdict(took, PDF_TARGET)}")
        folder = root / "pages"
        folder.mkdir()
        write_html_pages(folder, seeds)
        started = time.perf_counter()
        summary = ws.import_paths([folder])
        took = time.perf_counter() - started
        print(
            f"   {HTML_PAGES} HTML pages ({summary.count('imported')} imported): "
            f"{verdict(took, HTML_TARGET)}"
        )


if __name__ == "__main__":
    main()
