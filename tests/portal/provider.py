"""A real OpenID Provider for the tests, built from Authlib's server components.

It serves over HTTP on a loopback port, in a thread: the discovery document, the JWKS (RS256
public key), the authorization endpoint (it signs in one configured person at once, as a
provider does after its own login) and the token endpoint (client secret, PKCE S256, the ID
token signed with its key). The portal's client talks to it over real HTTP, exactly as to VNeID.

Switches make it misbehave the ways an attacker or a broken provider would: sign with a key
that is not in its JWKS, alter the token after signing, put another nonce in the token.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, OAuth2Payload, OAuth2Request
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from joserfc.jwk import KeySet, RSAKey

# The provider runs on http://127.0.0.1: Authlib refuses plain HTTP unless told it is a test.
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str] = field(default_factory=list)

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        return " ".join(s for s in (scope or "").split() if s in {"openid", "profile"})

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret or "", self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str
    user: dict
    code_challenge: str
    code_challenge_method: str
    auth_time: int

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None


class _Payload(OAuth2Payload):
    def __init__(self, data: dict):
        self._data = data

    @property
    def data(self):
        return self._data

    @property
    def datalist(self):
        return {k: [v] for k, v in self._data.items()}


class _Request(OAuth2Request):
    def __init__(self, method, uri, headers, data):
        super().__init__(method, uri, headers=headers)
        self.payload = _Payload(data)
        self._data = data

    @property
    def args(self):
        return self._data

    @property
    def form(self):
        return self._data


class Provider:
    def __init__(self, *, client_id="motcua-test", client_secret="bi-mat-cua-rp"):  # noqa: S107
        self.key = RSAKey.generate_key(2048, parameters={"kid": "op-1", "use": "sig"})
        self.client = Client(client_id, client_secret)
        self.codes: dict[str, Code] = {}
        self.user = {"sub": "vneid-0001", "personal_identification_number": "025190012345"}
        self.sign_with_foreign_key = False
        self.tamper = False
        self.nonce_override = ""
        self.token_requests = 0
        self._server: WSGIServer | None = None
        self.issuer = ""

    # --- Authlib wiring --------------------------------------------------------------------

    def build(self):
        provider = self

        class Grant(AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, request):
                provider.codes[code] = Code(
                    code=code,
                    client_id=request.client.client_id,
                    redirect_uri=request.payload.redirect_uri,
                    scope=request.scope,
                    nonce=request.payload.data.get("nonce", ""),
                    user=dict(request.user),
                    code_challenge=request.payload.data.get("code_challenge", ""),
                    code_challenge_method=request.payload.data.get("code_challenge_method", ""),
                    auth_time=int(time.time()),
                )

            def query_authorization_code(self, code, client):
                item = provider.codes.get(code)
                return item if item and item.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.user

        class IdToken(OpenIDCode):
            def exists_nonce(self, nonce, request):
                return False

            def resolve_client_private_key(self, client):
                if provider.sign_with_foreign_key:
                    # Same key id, another key: what a forger without the provider's key has.
                    return RSAKey.generate_key(2048, parameters={"kid": "op-1"})
                return provider.key

            def get_client_algorithm(self, client):
                return "RS256"

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": "op-1"}

            def get_client_claims(self, client):
                return {"iss": provider.issuer, "aud": [client.client_id]}

            def generate_user_info(self, user, scope):
                info = UserInfo(**user)
                if provider.nonce_override:
                    info["nonce"] = provider.nonce_override
                return info

        class Server(AuthorizationServer):
            def query_client(self, client_id):
                return provider.client if client_id == provider.client.client_id else None

            def save_token(self, token, request):
                return None

            def create_oauth2_request(self, request):
                return request

            def create_json_request(self, request):
                return request

            def handle_response(self, status, body, headers):
                return status, body, headers

            def send_signal(self, name, *args, **kwargs):
                return None

        server = Server()
        server.register_token_generator(
            "default", BearerTokenGenerator(lambda *a, **k: secrets.token_urlsafe(32))
        )
        server.register_grant(Grant, [CodeChallenge(required=True), IdToken(require_nonce=True)])
        return server

    # --- HTTP ------------------------------------------------------------------------------

    def app(self, environ, start_response):
        server = self.authlib_server
        path = environ.get("PATH_INFO", "")
        method = environ["REQUEST_METHOD"]
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        body = b""
        if method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length)
        form = dict(parse_qsl(body.decode()))
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        uri = f"{self.issuer}{path}" + (f"?{environ['QUERY_STRING']}" if query else "")
        request = _Request(method, uri, headers, {**query, **form})

        if path == "/.well-known/openid-configuration":
            return self._json(start_response, 200, self.discovery())
        if path == "/jwks":
            return self._json(start_response, 200, KeySet([self.key]).as_dict(private=False))
        if path == "/authorize":
            # The provider's own login happened: it answers for its configured person.
            request.user = self.user
            status, body, headers = server.create_authorization_response(
                request, grant_user=self.user
            )
            return self._reply(start_response, status, body, headers)
        if path == "/token" and method == "POST":
            self.token_requests += 1
            status, body, headers = server.create_token_response(request)
            if self.tamper and isinstance(body, dict) and "id_token" in body:
                body["id_token"] = _altered(body["id_token"])
            return self._reply(start_response, status, body, headers)
        return self._json(start_response, 404, {"error": "not_found"})

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def _json(self, start_response, status, data):
        return self._reply(start_response, status, data, [])

    def _reply(self, start_response, status, body, headers):
        payload = json.dumps(body).encode() if isinstance(body, dict) else (body or b"")
        if isinstance(payload, str):
            payload = payload.encode()
        names = {name.lower() for name, _ in headers}
        headers = list(headers)
        if "content-type" not in names and "location" not in names:
            headers.append(("Content-Type", "application/json"))
        start_response(f"{status} X", headers)
        return [payload]

    def start(self) -> Provider:
        class Quiet(WSGIRequestHandler):
            def log_message(self, *args):
                pass

        self._server = make_server("127.0.0.1", 0, self.app, handler_class=Quiet)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self.authlib_server = self.build()
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def register(self, redirect_uri: str) -> None:
        self.client.redirect_uris = [redirect_uri]


def _altered(token: str) -> str:
    """The same signature over a payload with another ID number: a forged token."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["personal_identification_number"] = "036099001122"
    raw = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{raw}.{signature}"


def query_of(url: str) -> dict:
    return dict(parse_qsl(url.split("?", 1)[1])) if "?" in url else {}


__all__ = ["Provider", "query_of", "urlencode"]
