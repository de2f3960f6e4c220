"""The interface language at start: the zh catalogue from its cached .mo, against compiling
the .po with Babel (what the first start after a catalogue change pays)."""

from __future__ import annotations

from annotations.messages import say
from annotations.model import Tag
from benchmarks.timing import median_ms
from tui.i18n import LOCALE_DIR, compile_catalogue, load_catalogue, render, set_language

RUNS = 21


def main() -> None:
    """Time loading, compiling and one rendered message."""
    po = (LOCALE_DIR / "zh.po").read_bytes()
    load_catalogue("zh")  # the cache is warm from here on
    cached = median_ms(lambda: load_catalogue("zh"), RUNS)
    compiled = median_ms(lambda: compile_catalogue(po), RUNS)
    message = say("history.undid", change=say("change.add", tag=Tag.PLAN, quote="二、存在的不足"))
    set_language("zh")
    rendered = median_ms(lambda: render(message), 2001)
    set_language("en")
    print(f"zh catalogue from the cached .mo : {cached:7.2f} ms (median of {RUNS})")
    print(f"zh catalogue compiled from .po   : {compiled:7.2f} ms (Babel; once per .po change)")
    print(f"one undo message rendered in zh  : {rendered * 1000:7.1f} µs")


if __name__ == "__main__":
    main()
