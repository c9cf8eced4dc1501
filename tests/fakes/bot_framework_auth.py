"""A local stand-in for Microsoft's identity side of the Bot Framework, for the tests.

One HTTPS server on loopback plays both parties the bot talks to when MicrosoftAppId is set:
- the Bot Framework token service, as the bot sees it: an OpenID metadata document and its JWKS
  (login.botframework.com/v1/.well-known/openidconfiguration and its keys). The signing key carries
  `endorsements` (the channels it may sign for), as Bot Framework's keys do. `channel_token()` mints
  the JWT the Bot Connector puts in `Authorization: Bearer …` (issuer https://api.botframework.com,
  audience = the bot's app id, `serviceurl` claim);
- the login authority the bot gets its own outbound token from (client credentials, as
  login.microsoftonline.com/botframework.com does). It is an AD FS-style authority
  (`<server>/adfs/…`): MSAL requires https, and trusts an AD FS authority as configured instead of asking
  login.microsoftonline.com whether the host is known (instance discovery, which needs the internet).

The bot reaches it only through configuration: ToBotFromChannelOpenIdMetadataUrl = `metadata_url`,
ToChannelFromBotLoginUrl = `login_url`, and REQUESTS_CA_BUNDLE = `ca_file` so that `requests` (used
by botframework-connector and MSAL) trusts the server's self-signed certificate.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import json
import secrets
import ssl
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import jwt
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from jwt.algorithms import RSAAlgorithm

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
TEAMS_CHANNEL = "msteams"


@dataclass(frozen=True)
class TokenRequest:
    """One client-credentials request the bot made for its outbound token."""

    client_id: str
    client_secret: str
    scope: str
    access_token: str


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _self_signed_certificate(key: rsa.RSAPrivateKey) -> x509.Certificate:
    """A certificate for 127.0.0.1 that is its own CA, so a CA bundle holding only it verifies the server."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "omstillingsbot test issuer")])
    now = dt.datetime.now(dt.timezone.utc)
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                    x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=True, key_cert_sign=True,
                                     content_commitment=False, data_encipherment=False, key_agreement=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


class FakeBotFrameworkAuth:
    def __init__(self, folder: Path, endorsements: tuple[str, ...] = (TEAMS_CHANNEL, "webchat")) -> None:
        self.folder = folder
        self.signing_key = _rsa_key()
        self.kid = f"test-{uuid.uuid4().hex[:12]}"
        self.endorsements = endorsements
        self.token_requests: list[TokenRequest] = []
        self.base_url = ""
        # A fresh path per instance: botframework caches metadata per URL for a day, process-wide,
        # so a later server on a recycled port must not be answered from an earlier one's keys.
        self._tag = uuid.uuid4().hex[:12]
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self.ca_file = folder / "fake-bot-framework-ca.pem"

    # ---- lifecycle ----------------------------------------------------------------------------
    # The server runs on its own thread and event loop: the bot fetches keys and its outbound token with
    # blocking `requests` calls, some of them on its event loop, which in an in-process test is the test's.

    def start(self) -> "FakeBotFrameworkAuth":
        tls_key = _rsa_key()
        certificate = _self_signed_certificate(tls_key)
        self.ca_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        key_file = self.folder / "fake-bot-framework-key.pem"
        key_file.write_bytes(tls_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.ca_file, key_file)
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, args=(context, ready), name="fake-bot-framework-auth",
                                        daemon=True)
        self._thread.start()
        if not ready.wait(10) or not self.base_url:
            raise RuntimeError("the fake Bot Framework issuer did not start")
        return self

    def _serve(self, context: ssl.SSLContext, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_get(f"/{self._tag}/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get(f"/{self._tag}/v1/.well-known/keys", self._keys)
        app.router.add_get(f"/adfs/{self._tag}/.well-known/openid-configuration", self._login_metadata)
        app.router.add_post(f"/adfs/{self._tag}/oauth2/token", self._token)
        self._runner = web.AppRunner(app, access_log=None)

        async def up() -> None:
            await self._runner.setup()
            await web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=context).start()
            host, port = self._runner.addresses[0][:2]
            self.base_url = f"https://{host}:{port}"

        try:
            self._loop.run_until_complete(up())
        finally:
            ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    def stop(self) -> None:
        if self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._thread = None

    def __enter__(self) -> "FakeBotFrameworkAuth":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/{self._tag}/v1/.well-known/openidconfiguration"

    @property
    def login_url(self) -> str:
        return f"{self.base_url}/adfs/{self._tag}"

    def environment(self) -> dict[str, str]:
        """The variables that point a bot process at this server (next to MicrosoftAppId/-Password)."""
        return {"ToBotFromChannelOpenIdMetadataUrl": self.metadata_url, "ToChannelFromBotLoginUrl": self.login_url,
                "REQUESTS_CA_BUNDLE": str(self.ca_file)}

    # ---- tokens the Bot Connector would send --------------------------------------------------

    def channel_token(self, *, audience: str, service_url: str, expires_in: int = 3600,
                      key: rsa.RSAPrivateKey | None = None, kid: str | None = None,
                      issuer: str = BOT_FRAMEWORK_ISSUER) -> str:
        """A Bot Framework channel token; `key`/`kid` sign it with something other than the listed key."""
        now = int(time.time())
        claims = {"iss": issuer, "aud": audience, "serviceurl": service_url, "nbf": now - 60, "iat": now - 60,
                  "exp": now + expires_in}
        return jwt.encode(claims, key or self.signing_key, algorithm="RS256",
                          headers={"kid": kid or self.kid, "typ": "JWT"})

    @staticmethod
    def other_key() -> rsa.RSAPrivateKey:
        return _rsa_key()

    # ---- the wire -----------------------------------------------------------------------------

    async def _metadata(self, request: web.Request) -> web.Response:
        return web.json_response({
            "issuer": BOT_FRAMEWORK_ISSUER,
            "authorization_endpoint": "https://invalid.botframework.com",
            "jwks_uri": f"{self.base_url}/{self._tag}/v1/.well-known/keys",
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        })

    async def _keys(self, request: web.Request) -> web.Response:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.signing_key.public_key()))
        jwk.update(kid=self.kid, use="sig", endorsements=list(self.endorsements))
        return web.json_response({"keys": [jwk]})

    async def _login_metadata(self, request: web.Request) -> web.Response:
        return web.json_response({
            "issuer": self.login_url,
            "authorization_endpoint": f"{self.login_url}/oauth2/authorize",
            "token_endpoint": f"{self.login_url}/oauth2/token",
        })

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("grant_type") != "client_credentials":
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        access_token = secrets.token_urlsafe(24)
        self.token_requests.append(TokenRequest(str(form.get("client_id", "")), str(form.get("client_secret", "")),
                                                str(form.get("scope", "")), access_token))
        return web.json_response({"token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 3600,
                                  "access_token": access_token})
