"""The Content-Security-Policy header, and no inline code left in the templates it would block."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import motcua

TEMPLATES = sorted(Path(motcua.__file__).parent.glob("*/templates/**/*.html"))


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.django_db
class TestHeader:
    @pytest.mark.parametrize(
        "url", ["/", "/can-bo/dang-nhap/", "/kiosk/kich-hoat/", "/api/v1/docs"]
    )
    def test_strict_policy_on_every_kind_of_page(self, client, url):
        response = client.get(url)
        assert response.status_code == 200
        policy = directives(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-src"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"]
        assert policy["form-action"] == ["'self'"]
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert "unsafe-eval" not in response["Content-Security-Policy"]

    def test_error_pages_carry_it_too(self, client):
        response = client.get("/khong-co-trang-nay/")
        assert response.status_code == 404
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


class TestTemplatesHaveNoInlineCode:
    def test_templates_were_found(self):
        assert len(TEMPLATES) > 20

    @pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
    def test_no_inline_script_handler_or_style(self, template):
        text = template.read_text(encoding="utf-8")
        inline_scripts = [
            tag
            for tag in re.findall(r"<script\b[^>]*>", text, flags=re.IGNORECASE)
            if "src=" not in tag and 'type="application/json"' not in tag
        ]
        assert inline_scripts == []
        assert re.findall(r"\son[a-z]+\s*=", text, flags=re.IGNORECASE) == []
        assert re.findall(r"\sstyle\s*=", text, flags=re.IGNORECASE) == []
        assert re.findall(r"<style\b", text, flags=re.IGNORECASE) == []
        assert "javascript:" not in text.lower()
