"""The public header names the commune's center; without a configured name it names no one.

The default MOTCUA_CENTER_NAME is "Trung tâm Phục vụ hành chính công xã": a name cut off
before the commune, which the 404 page (with no center in context) showed as it is.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def brand(html: str) -> str:
    match = re.search(r'<span class="brand-name">(.*?)</span>', html, re.S)
    assert match, html
    return " ".join(match.group(1).split())


def title(html: str) -> str:
    return " ".join(re.search(r"<title>(.*?)</title>", html, re.S).group(1).split())


def test_404_without_a_configured_name_names_no_cut_off_center(client, settings):
    settings.MOTCUA_CENTER_NAME = "Trung tâm Phục vụ hành chính công xã"
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    html = response.content.decode()
    assert brand(html) == "Bộ phận Một cửa"
    assert title(html).endswith("– Bộ phận Một cửa")
    assert "hành chính công xã<" not in html and "công xã –" not in html


def test_404_with_a_configured_name_shows_it(client, settings):
    settings.MOTCUA_CENTER_NAME = "Trung tâm Phục vụ hành chính công xã Hiền Lương"
    html = client.get("/khong-co-trang-nay/").content.decode()
    assert brand(html) == "Trung tâm Phục vụ hành chính công xã Hiền Lương"
    assert title(html).endswith("– Trung tâm Phục vụ hành chính công xã Hiền Lương")
