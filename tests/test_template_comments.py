"""Django's ``{# … #}`` comment ends on its own line: one spread over two lines is printed to
the reader as it is (the portal's dossier page showed its English comment to citizens)."""

from __future__ import annotations

from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "motcua"
TEMPLATES = sorted(SOURCE.glob("*/templates/**/*.html"))


def open_comments(path: Path) -> list[int]:
    lines = path.read_text("utf-8").splitlines()
    return [
        n for n, line in enumerate(lines, 1) if "#}" not in line.split("{#", 1)[-1] and "{#" in line
    ]


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(SOURCE)))
def test_no_comment_runs_over_a_line(path):
    assert open_comments(path) == []


def test_the_check_finds_a_two_line_comment(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<p>{# one line #}</p>\n{# two\nlines #}\n", "utf-8")
    assert open_comments(page) == [2]
