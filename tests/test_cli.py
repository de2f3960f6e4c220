"""`shenyue import | list | show`: output for people and scripts, exit codes, bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from annotations.workspace import seed_files
from tui.cli import main


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "ws"


def run(home: Path, *args: str) -> int:
    return main(["--home", str(home), *args])


def index_bytes(home: Path) -> bytes:
    return (home / "reports" / "index.json").read_bytes()


def test_list_json_is_stable(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, "list", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 5
    assert all(
        list(r) == ["id", "title", "title_derived", "year", "place", "kind", "issuer",
                    "published", "doc_number", "chars"]
        for r in rows
    )
    changzhou = next(r for r in rows if "常州" in r["title"])
    assert changzhou["doc_number"] == "常政发〔2018〕9号"
    assert changzhou["year"] == 2017


def test_list_plain_when_piped(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5 and all(len(line.split("\t")) == 4 for line in lines)


def test_show_outline_json(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, "show", "长海县", "--outline", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert "text" not in data
    assert len(data["sections"]) == 8
    first = data["sections"][0]
    assert set(first) >= {"title", "level", "start", "end", "children"}
    assert first["children"] and first["children"][0]["level"] == 2


def test_show_text(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, "show", "清远") == 0
    out = capsys.readouterr().out
    assert "清府〔2020〕2号" in out and "扫一扫在手机打开当前页" in out


def test_import_folder_recursively(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "incoming" / "nested"
    folder.mkdir(parents=True)
    (folder / "a.md").write_text("一、成效\n完成审查65件。\n", encoding="utf-8")
    (folder / "b.txt").write_text("一、不足\n存在差距。\n", encoding="gbk")
    (folder / "ignored.png").write_bytes(b"\x89PNG\r\n")
    assert run(home, "import", str(tmp_path / "incoming")) == 0
    out = capsys.readouterr().out
    assert out.count("imported") >= 2 and "2 imported" in out
    assert run(home, "import", str(tmp_path / "incoming")) == 0
    assert "2 present" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
    ],
)
def test_bad_files_are_refused_with_one_sentence(
    home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: bytes,
    message: str,
) -> None:
    run(home, "list")
    before = index_bytes(home)
    capsys.readouterr()
    bad = tmp_path / name
    bad.write_bytes(content)
    assert run(home, "import", str(bad)) == 1
    captured = capsys.readouterr()
    assert message in captured.err.lower() and "Traceback" not in captured.err
    assert captured.err.count("\n") == 1 and captured.out == ""  # one sentence, said once
    assert index_bytes(home) == before


def test_a_pipe_named_like_a_report_is_refused_without_waiting(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipe = tmp_path / "report.txt"
    os.mkfifo(pipe)
    assert run(home, "import", str(pipe)) == 1
    assert "pipe or device" in capsys.readouterr().err


def test_missing_path_and_empty_folder(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(home, "import", str(tmp_path / "nope.txt")) == 1
    assert "no such file" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert run(home, "import", str(tmp_path / "empty")) == 1
    assert "holds no reports" in capsys.readouterr().err


def test_large_file_is_refused_with_a_size_message(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.txt"
    line = "审查规范性文件65件。\n".encode() * 1000
    with big.open("wb") as handle:
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            handle.write(line)
    assert run(home, "import", str(big)) == 1
    err = capsys.readouterr().err
    assert "MB" in err and "Traceback" not in err


def test_usage_errors_exit_2(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, "show") == 2
    assert run(home, "frobnicate") == 2
    assert "usage" in capsys.readouterr().err.lower()


def test_unknown_report_exits_1(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, "show", "no-such-report") == 1
    assert capsys.readouterr().err.startswith("shenyue: No report")


def test_console_script_runs(home: Path) -> None:
    script = shutil.which("shenyue", path=str(Path(sys.executable).parent))
    assert script is not None
    result = subprocess.run(
        [script, "--home", str(home), "list", "--json"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == len(seed_files())


def test_app_refuses_a_damaged_store_with_one_sentence(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(home, "annotate", "常州", "--quote", "行政复议信息化建设", "--tag", "plan") == 0
    store = home / "store" / "annotations.jsonl"
    with store.open("ab") as handle:
        handle.write(b"garbage\n")
    damaged = store.read_bytes()
    capsys.readouterr()
    assert run(home, "open") == 1
    err = capsys.readouterr().err
    assert "damaged" in err and "Traceback" not in err
    assert store.read_bytes() == damaged


def test_a_folder_with_one_bad_file_imports_the_rest_and_exits_1(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.txt").write_text("一、成效\n完成审查65件。\n", encoding="utf-8")
    (folder / "bad.txt").write_bytes(b"")
    assert run(home, "import", str(folder)) == 1
    out, err = capsys.readouterr()
    assert "imported\t" in out and "1 imported, 1 refused" in out
    assert "refused\t" in err and "1 of 2 files could not be imported" in err
    assert run(home, "list", "--json") == 0
    assert len(json.loads(capsys.readouterr().out)) == len(seed_files()) + 1
