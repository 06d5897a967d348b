"""A kiosk browser over plain HTTP: cookies, CSRF tokens and the five steps of the kiosk flow.

Used against a real ``motcua serve`` in a subprocess, so nothing here touches Django."""

from __future__ import annotations

import http.client
import re
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from tests.kiosk.conftest import QR_PAYLOAD

CERTIFIED_COPY = "2.000815"  # Chứng thực bản sao từ bản chính: a short generic form
CODE = re.compile(r"data-dossier-code>\s*([0-9A-Z.]+-\d{6}-\d{4})\s*<")
TIMEOUT = 10


class Unavailable(Exception):
    """The server did not answer (refused, reset, timed out): it is down or being killed."""


class Refused(Exception):
    """The server answered, but not what the flow expects."""


class _Form(HTMLParser):
    """Every field of the first form that posts to the page, with a plausible answer."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox",):
                if name == "pledge" or name.endswith("_paper"):
                    self.fields[name] = a.get("value") or "on"
            elif kind == "radio":
                self.fields.setdefault(name, a.get("value", ""))
            elif kind != "file":
                self.fields[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and a.get("value"):
            self.fields.setdefault(self._select, a["value"])
        elif tag == "textarea" and name:
            self.fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


class KioskClient:
    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as exc:
            raise Unavailable(str(exc)) from exc
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, response.headers.get("Location", ""), text

    def _expect(self, got, status: int, location: str = "") -> str:
        code, where, text = got
        if code != status or (location and not where.endswith(location)):
            raise Refused(f"{code} {where}: {text[:300]}")
        return text

    @staticmethod
    def _token(html: str) -> str:
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if not found:
            raise Refused("no CSRF token on the page")
        return found.group(1)

    def activate(self, code: str) -> None:
        page = self._expect(self.request("GET", "/kiosk/kich-hoat/"), 200)
        data = {"csrfmiddlewaretoken": self._token(page), "code": code}
        self._expect(self.request("POST", "/kiosk/kich-hoat/", data), 302)

    def fill_in(self) -> str:
        """Steps 1 to 4: card, procedure, form; returns the confirmation's submit key."""
        page = self._expect(self.request("GET", "/kiosk/"), 200)
        token = self._token(page)
        self._expect(
            self.request("POST", "/kiosk/the/", {"csrfmiddlewaretoken": token, "scan": QR_PAYLOAD}),
            302,
            "/kiosk/thu-tuc/",
        )
        form_path = f"/kiosk/to-khai/{CERTIFIED_COPY}/"
        parser = _Form()
        parser.feed(self._expect(self.request("GET", form_path), 200))
        fields = parser.fields
        fields.update(document_name="Giấy khai sinh", copies="2", pages="1")
        self._expect(self.request("POST", form_path, fields), 302, "/kiosk/xac-nhan/")
        review = self._expect(self.request("GET", "/kiosk/xac-nhan/"), 200)
        found = re.search(r'name="submit_key" value="([0-9a-f]+)"', review)
        if not found:
            raise Refused("no submit key on the confirmation screen")
        self.pending = (self._token(review), found.group(1))
        return found.group(1)

    def confirm(self) -> str:
        """Step 5: the confirmation (safe to repeat: same key) and the slip's dossier code."""
        token, key = self.pending
        data = {"csrfmiddlewaretoken": token, "submit_key": key}
        self._expect(self.request("POST", "/kiosk/xac-nhan/", data), 302, "/kiosk/phieu-hen/")
        done = self._expect(self.request("GET", "/kiosk/phieu-hen/"), 200)
        found = CODE.search(done)
        if not found:
            raise Refused("no dossier code on the slip page")
        return found.group(1)
