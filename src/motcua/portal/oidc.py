"""VNeID (the national e-ID) and any standard OpenID Connect provider, through Authlib.

Configured by the issuer URL (discovery: ``<issuer>/.well-known/openid-configuration``), a
client id and secret (``settings.MOTCUA_VNEID``, from the environment, docs/portal.md). The
flow is the authorization code flow with PKCE (S256), ``state`` (one use, kept in the server-
side session) and ``nonce``; the ID token is checked by Authlib against the provider's JWKS
(signature, ``iss``, ``aud``, ``exp``, ``nonce``, ``at_hash``). Why Authlib and not
mozilla-django-oidc: docs/decisions/0006-vneid-openid-connect-client.md.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from authlib.integrations.django_client import OAuth, OAuthError
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

logger = logging.getLogger("motcua.portal")

NAME = "vneid"
DEFAULT_ID_CLAIM = "personal_identification_number"


class SignInFailed(Exception):
    """The provider's answer cannot sign anybody in; ``message`` is for the citizen."""

    def __init__(self, message: str, reason: str):
        super().__init__(reason)
        self.message = message
        self.reason = reason  # for the log: no personal data, no token


@dataclass(frozen=True)
class ProviderConfig:
    issuer: str
    client_id: str
    client_secret: str
    scope: str = "openid"
    id_claim: str = DEFAULT_ID_CLAIM
    redirect_uri: str = ""
    timeout: float = 10.0


def config() -> ProviderConfig | None:
    raw: dict[str, Any] = getattr(settings, "MOTCUA_VNEID", None) or {}
    issuer = (raw.get("ISSUER") or "").strip().rstrip("/")
    if not issuer or not raw.get("CLIENT_ID"):
        return None
    return ProviderConfig(
        issuer=issuer,
        client_id=raw["CLIENT_ID"],
        client_secret=raw.get("CLIENT_SECRET", ""),
        scope=raw.get("SCOPE") or "openid",
        id_claim=raw.get("ID_CLAIM") or DEFAULT_ID_CLAIM,
        redirect_uri=raw.get("REDIRECT_URI") or "",
        timeout=float(raw.get("TIMEOUT") or 10),
    )


_clients: dict[ProviderConfig, Any] = {}
_lock = threading.Lock()


def _client(conf: ProviderConfig):
    """One Authlib app per configuration: the discovery document and the JWKS are fetched once
    and kept (a new key id in a token makes Authlib fetch the JWKS again)."""
    with _lock:
        app = _clients.get(conf)
        if app is None:
            app = OAuth().register(
                name=NAME,
                client_id=conf.client_id,
                client_secret=conf.client_secret,
                server_metadata_url=f"{conf.issuer}/.well-known/openid-configuration",
                client_kwargs={
                    "scope": conf.scope,
                    "code_challenge_method": "S256",
                    "timeout": conf.timeout,
                },
            )
            _clients[conf] = app
    return app


def _check_issuer(app, conf: ProviderConfig) -> None:
    # OpenID Connect Discovery 1.0 §4.3: the document's issuer must be the one configured, or a
    # provider could vouch for tokens in another's name.
    issuer = (app.load_server_metadata().get("issuer") or "").rstrip("/")
    if issuer != conf.issuer:
        raise SignInFailed(_("Không kết nối được với VNeID. Xin thử lại sau."), "issuer mismatch")


def redirect_uri(request: HttpRequest, conf: ProviderConfig) -> str:
    return conf.redirect_uri or request.build_absolute_uri(reverse("portal:vneid_callback"))


def begin(request: HttpRequest) -> HttpResponse:
    conf = config()
    if conf is None:
        raise SignInFailed(_("Đăng nhập bằng VNeID chưa được bật tại Trung tâm này."), "off")
    app = _client(conf)
    try:
        _check_issuer(app, conf)
        return app.authorize_redirect(request, redirect_uri(request, conf))
    except SignInFailed:
        raise
    except Exception as exc:
        raise SignInFailed(
            _("Không kết nối được với VNeID. Xin thử lại sau."), type(exc).__name__
        ) from None


def finish(request: HttpRequest) -> str:
    """The personal identification number the provider vouches for, or SignInFailed."""
    conf = config()
    if conf is None:
        raise SignInFailed(_("Đăng nhập bằng VNeID chưa được bật tại Trung tâm này."), "off")
    app = _client(conf)
    try:
        _check_issuer(app, conf)
        # Authlib looks the state up in this session and removes it (one use), exchanges the
        # code with the PKCE verifier, and checks the ID token and its nonce.
        token = app.authorize_access_token(request)
    except SignInFailed:
        raise
    except OAuthError as exc:
        raise SignInFailed(
            _("Phiên đăng nhập VNeID không hợp lệ hoặc đã hết. Xin đăng nhập lại."),
            f"oauth: {exc.error}",
        ) from None
    except Exception as exc:
        # A bad signature, a wrong nonce or audience, an expired token, a provider that is
        # down: all end the same way for the citizen, and the log says which (no token).
        raise SignInFailed(
            _("Không xác thực được thông tin từ VNeID. Xin đăng nhập lại."), type(exc).__name__
        ) from None
    claims = token.get("userinfo")
    if not claims:
        raise SignInFailed(
            _("Không xác thực được thông tin từ VNeID. Xin đăng nhập lại."), "no id_token"
        )
    number = "".join(str(claims.get(conf.id_claim) or "").split())
    if not (len(number) == 12 and number.isdigit()):
        raise SignInFailed(
            _("VNeID không cung cấp số định danh cá nhân. Xin đăng nhập bằng mã một lần."),
            "no id claim",
        )
    return number
