"""Form POSTs to one provider origin over aiohttp, with the two failures that matter told apart.

`NotSent`: no connection was made, nothing was written, so sending again cannot duplicate.
`NoAnswer`: the request was (or may have been) written but no complete answer came back; the
provider may have it, so the caller must not send it again.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
from yarl import URL


class NotSent(Exception):
    """No connection could be made: the request never left."""


class NoAnswer(Exception):
    """The request was (or may have been) written but no complete answer came back."""


# Raised before a connection exists (refused, DNS, TLS handshake, connect or pool-wait timeout).
_BEFORE_SENDING = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)
_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass(frozen=True)
class Answer:
    """A complete HTTP answer; header names in lower case."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON (ValueError if it is not)."""
        return json.loads(self.body)


def _tls_context() -> ssl.SSLContext:
    try:
        import certifi
    except ImportError:  # the system store then
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


class FormClient:
    """At most `connections` concurrent requests to one origin over keep-alive connections."""

    def __init__(
        self,
        base_url: str,
        *,
        auth: tuple[str, str] | None = None,
        connections: int = 16,
        timeout_s: float = 10.0,
        idle_s: float = 15.0,
    ) -> None:
        url = URL(base_url)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self._origin = url.origin()
        self._prefix = url.path.rstrip("/")
        self._urls: dict[str, URL] = {}
        self._headers = {"User-Agent": "lastmile-notifier", "Accept": "application/json"}
        if auth is not None:
            self._headers["Authorization"] = aiohttp.encode_basic_auth(*auth)
        self._connections = connections
        self._idle_s = idle_s
        # No total deadline: waiting for a free connection is not the provider's fault, and a
        # total timeout could not say whether the request had left.
        self._timeout = aiohttp.ClientTimeout(
            total=None, connect=None, sock_connect=timeout_s, sock_read=timeout_s
        )
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        # Made on first use: a session belongs to the running event loop.
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self._connections,
                keepalive_timeout=self._idle_s,
                ssl=_tls_context() if self._origin.scheme == "https" else False,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=self._timeout,
                headers=self._headers,
            )
        return self._session

    async def post_form(self, path: str, form: Mapping[str, str]) -> Answer:
        """POST `form` (urlencoded) to `path`; raise NotSent or NoAnswer when it went wrong."""
        url = self._urls.get(path)
        if url is None:
            url = self._urls[path] = self._origin.with_path(self._prefix + path)
        body = urlencode(form).encode()
        return await self._request("POST", url, data=body, headers=_FORM)

    async def get(self, path: str, query: Mapping[str, str] | None = None) -> Answer:
        """GET `path` with `query`, or an encoded path that carries its own; NotSent or NoAnswer."""
        if query is None:  # a provider's next-page URI: already encoded, keep it as it is
            url = URL(f"{self._origin}{self._prefix}{path}", encoded=True)
        else:
            url = self._origin.with_path(self._prefix + path).with_query(query)
        return await self._request("GET", url)

    async def _request(self, method: str, url: URL, **kwargs: Any) -> Answer:
        try:
            request = self._open().request(method, url, allow_redirects=False, **kwargs)
            async with request as resp:
                content = await resp.read()
                headers = {name.lower(): value for name, value in resp.headers.items()}
                return Answer(resp.status, headers, content)
        except _BEFORE_SENDING as exc:
            raise NotSent(f"{type(exc).__name__}: {exc}") from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            # Disconnected, reset, bad payload or read timeout: the request may have arrived.
            raise NoAnswer(type(exc).__name__) from exc

    async def close(self) -> None:
        """Close the connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None
