"""Every URL pattern of the project, walked as the people who must not see center A's data.

The walk fills each pattern's parameters with center A's identifiers (dossier code, agency code,
verification code, the admin's object ids of A's rows) and asks as an anonymous visitor, an
officer and the administrator of center B (every permission granted), a specialist of B, and a
provincial viewer of another province. Any answer that carries A's personal data fails, in HTML,
JSON, PDF or Excel, and so does any server error. A POST to each URL must change nothing of A.
A new URL is walked automatically: the test enumerates the resolver, not a list.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from pypdf import PdfReader

from motcua.dossiers.models import DossierEvent

from .tenants import MARKERS, leaked

PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def walk(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def candidate_urls(route: str, tenants) -> list[str]:
    """Concrete URLs for one route, its parameters filled with center A's identifiers."""
    if route.startswith("admin/^("):
        # The admin's app index: ^(?P<app_label>centers|dossiers|...)/$
        labels = re.search(r"\(\?P<app_label>([^)]*)\)", route).group(1).split("|")
        return [f"/admin/{label}/" for label in labels]
    if "(?P<" in route or route.startswith("admin/(?P<url>"):
        return []  # the admin's catch-all redirect
    objects_by_model = {}
    for obj in tenants.objects_of_a():
        key = f"{obj._meta.app_label}/{obj._meta.model_name}/"
        objects_by_model.setdefault(key, []).append(str(obj.pk))
    values = {
        "code": [
            tenants.dossier_a.code,
            tenants.a.agency_code,
            tenants.signed_a.verification_code,
        ],
        "action": ["accept", "sign", "assign", "return_result"],
        "form": ["02", "03", "04", "05"],
        "position": ["1", "2"],
        "page": ["1"],
        "result_id": [str(tenants.signed_a.pk)],
        "citizen_document_id": ["1"],
        "sector": ["ho-tich"],
        "token": [tenants.feedback_a.token],
        "reference": [tenants.feedback_a.reference],
        "attachment_id": ["1"],
        "guide_id": ["1"],
        "object_id": [],
        "id": [],
    }
    admin_pks = []
    for key, pks in objects_by_model.items():
        if route.startswith(f"admin/{key}"):
            admin_pks = pks
            values["object_id"] = pks
            values["id"] = pks
    if route.startswith("can-bo/dai-truyen-thanh/"):
        values["pk"] = [str(tenants.bulletin_a.pk)]
    urls = ["/" + route]
    for match in PARAMETER.finditer(route):
        name = match.group("name")
        # Any other id in an admin route (a plugin's "<int:pk>/config/") is an id of A's rows.
        options = values.get(name, admin_pks if route.startswith("admin/") else [])
        urls = [u.replace(match.group(0), option, 1) for u in urls for option in options]
    return urls


def with_queries(url: str, tenants) -> list[str]:
    if url.startswith("/can-bo/bao-cao/"):
        return [
            url,
            f"{url}?trung-tam={tenants.a.agency_code}",
            f"{url}?tinh={tenants.a.province}",
            f"{url}?trung-tam={tenants.a.agency_code}&bang=can-bo",
        ]
    if url in ("/ho-so/tra-cuu/", "/xac-thuc/kiem-tra/"):
        return [url, f"{url}?ma={tenants.dossier_a.code}"]
    return [url]


def readable(response) -> bytes:
    """The text a person would read in the response, whatever its format."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf") or content.startswith(b"%PDF"):
        reader = PdfReader(io.BytesIO(content))
        return "\n".join(page.extract_text() or "" for page in reader.pages).encode()
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return b"\n".join(archive.read(name) for name in archive.namelist())
    return content


@pytest.fixture
def personas(tenants):
    return {
        "anonymous": None,
        "officer of B": tenants.officer_b,
        "administrator of B": tenants.admin_b,
        "specialist of B": tenants.member_b,
        "provincial viewer elsewhere": tenants.viewer_far,
        "digital team of B": tenants.helper_b,
        "digital team of A": tenants.helper_a,
    }


def test_the_walk_covers_every_kind_of_route(tenants):
    routes = list(walk())
    filled = [url for route in routes for url in candidate_urls(route, tenants)]
    assert len(routes) > 100
    # Every back-office and admin object route gets center A's identifiers.
    assert f"/can-bo/ho-so/{tenants.dossier_a.code}/" in filled
    assert f"/admin/dossiers/dossier/{tenants.dossier_a.pk}/change/" in filled
    assert f"/admin/auth/user/{tenants.officer_a.pk}/password/" in filled
    assert f"/ho-so/{tenants.dossier_a.code}/phieu-hen.pdf" in filled
    assert f"/can-bo/ho-so/{tenants.dossier_a.code}/ket-qua/{tenants.signed_a.pk}.pdf" in filled
    assert f"/can-bo/ho-so/{tenants.dossier_a.code}/ket-qua/du-thao/trang-1.png" in filled
    assert f"/admin/otp_totp/totpdevice/{tenants.device_a.pk}/qrcode/" in filled


def test_no_page_gives_center_a_data_to_anyone_else(client, tenants, personas):
    events_before = DossierEvent.objects.filter(dossier=tenants.dossier_a).count()
    client.raise_request_exception = False  # a server error is a finding, not a crash
    findings = []
    for route in walk():
        for url in candidate_urls(route, tenants):
            for full in with_queries(url, tenants):
                for who, user in personas.items():
                    client.logout()
                    if user is not None:
                        client.force_login(user)
                    for method in ("get", "post"):
                        response = getattr(client, method)(full)
                        if response.status_code >= 500:
                            findings.append(
                                f"{method.upper()} {full} as {who}: {response.status_code}"
                            )
                            continue
                        if response.status_code == 200:
                            found = leaked(readable(response))
                            if found:
                                findings.append(f"{method.upper()} {full} as {who}: {found}")
    assert findings == []
    assert DossierEvent.objects.filter(dossier=tenants.dossier_a).count() == events_before


def test_the_walk_would_see_a_leak(client, tenants):
    """The same walk as center A's own administrator finds A's data: the check can fail."""
    client.force_login(tenants.admin_a)
    found = set()
    for url in (
        f"/can-bo/ho-so/{tenants.dossier_a.code}/",
        f"/admin/dossiers/dossier/{tenants.dossier_a.pk}/change/",
        f"/ho-so/{tenants.dossier_a.code}/phieu-hen.pdf",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        found.update(leaked(readable(response)))
    assert {tenants.dossier_a.applicant_name, MARKERS[1]} <= found
