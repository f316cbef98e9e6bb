"""HTTP for the SPARQL client: one request at a time, within one deadline, secrets kept.

- The deadline (KG_SPARQL_TIMEOUT) bounds the whole request, from connecting to the last
  byte of the answer, redirects included: every read waits only for what is left of it,
  so a server that trickles bytes cannot hold kg past it.
- Credentials (KG_SPARQL_USER / KG_SPARQL_PASSWORD, a user:password@ in a URL the user
  gave, or a netrc file) go only to the origin (scheme, host, port) they were given for,
  in an Authorization header; a redirect to another origin is refused, never followed.
  Basic first; when the server answers 401 asking for Digest (Virtuoso's authenticated
  endpoints do), the request is sent again with Digest (kg.stores.http_digest), and
  later requests to that origin use it at once. A refusal says what kg sent.
- Whatever a server sends back is shown shortened, with any credential removed; a broken
  answer (truncated, garbled, too many or too long headers) is a StoreError, never a
  traceback.

May import: kg.model, kg.stores.config and the standard library.
"""

from __future__ import annotations

import base64
import io
import os
import re
import socket
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from kg.model.errors import StoreError, UsageError
from kg.stores.config import redact
from kg.stores.http_digest import DigestChallenge, challenge_schemes, digest_challenge

if TYPE_CHECKING:
    import http.client

TIMEOUT_ENV = "KG_SPARQL_TIMEOUT"
USER_ENV = "KG_SPARQL_USER"
PASSWORD_ENV = "KG_SPARQL_PASSWORD"
NETRC_ENV = "KG_NETRC"
_REDIRECTS = (301, 302, 303, 307, 308)
# Headers an answer may have besides one per graph of the request's dataset.
_MAX_HEADERS = 100
_MAX_REDIRECTS = 5

_AUTHORIZATION = re.compile(
    r"(?i)\b((?:proxy-)?authorization)[\"']?\s*[:=]\s*[\"']?"
    r"(?:(?:basic|bearer|digest|negotiate|token)\s+)?[^\s\"',;}]+"
)
_SCHEME_TOKEN = re.compile(r"(?i)\b(basic|bearer)\s+[A-Za-z0-9+/=._~-]{6,}")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s/@]*@")


@dataclass(frozen=True)
class Reply:
    """A final answer (no redirect): any status; the caller decides what is an error."""

    status: int
    reason: str
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()

    def header(self, name: str) -> str | None:
        """The first value of the header `name` (any case), or None."""
        return next(iter(self.all(name)), None)

    def all(self, name: str) -> list[str]:
        """Every value of the header `name` (any case), in order."""
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]


Origin = tuple[str, str, int]


def origin_of(url: str) -> Origin:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80)


class HttpClient:
    """Sends requests to the URLs it was given, each with the credentials of its origin."""

    def __init__(self, timeout: float, service: str = "the SPARQL endpoint") -> None:
        self.timeout = timeout
        self.service = service
        self._credentials: dict[Origin, tuple[str, str] | None] = {}
        self._secrets: set[str] = set()
        self._digests: dict[Origin, DigestChallenge] = {}
        self._tried: dict[Origin, str] = {}

    def add_url(self, url: str) -> str:
        """Register a URL the user gave: its credentials (from the environment, else its
        own user:password@) now belong to its origin. Returns it without them."""
        parts = urlsplit(url)
        user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV, "")
        if not user and parts.username is not None:
            user, password = unquote(parts.username), unquote(parts.password or "")
        if user:
            self._remember(origin_of(url), (user, password or ""))
        return redact(url)

    def _remember(self, origin: Origin, credentials: tuple[str, str] | None) -> None:
        self._credentials[origin] = credentials
        if credentials is not None:
            user, password = credentials
            token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
            self._secrets |= {token, f"{user}:{password}"}
            if password:
                self._secrets |= {password, quote(password, safe="")}

    def _credentials_for(self, origin: Origin) -> tuple[str, str] | None:
        if origin not in self._credentials:
            self._remember(origin, netrc_credentials(origin[1]))
        return self._credentials[origin]

    def _authorization(self, method: str, url: str, target: str) -> str | None:
        origin = origin_of(url)
        found = self._credentials_for(origin)
        if found is None:
            self._tried[origin] = "no credentials"
            return None
        digest = self._digests.get(origin)
        if digest is not None:
            self._tried[origin] = f"user {found[0]!r} with Digest ({digest.algorithm})"
            return digest.authorization(found[0], found[1], method, target)
        self._tried[origin] = f"user {found[0]!r} with Basic"
        token = base64.b64encode(f"{found[0]}:{found[1]}".encode()).decode("ascii")
        return f"Basic {token}"

    def _asked_for_digest(self, url: str, reply: Reply) -> bool:
        """After a 401: whether the server asks for Digest in a way not yet tried (so
        the request is worth sending again with it)."""
        origin = origin_of(url)
        if self._credentials_for(origin) is None:
            return False
        challenge = digest_challenge(reply.all("WWW-Authenticate"))
        if challenge is None:
            return False
        before = self._digests.get(origin)
        if before is not None and not challenge.stale:
            return False  # Digest was sent and refused: the credentials are wrong
        self._digests[origin] = challenge
        return True

    def refusal(self, url: str, status: int, reply: Reply | None = None) -> str:
        """Why a server refused access, saying what kg sent and what to do."""
        where = self.where(url)
        tried = self._tried.get(origin_of(url), "no credentials")
        asked = sorted(challenge_schemes(reply.all("WWW-Authenticate"))) if reply else []
        unknown = [scheme for scheme in asked if scheme not in ("basic", "digest")]
        if unknown and not set(asked) & {"basic", "digest"}:
            names = ", ".join(scheme.capitalize() for scheme in unknown)
            return (
                f"{where} refused access (HTTP {status}) and asks for {names}, which kg "
                "does not speak (it sends Basic or Digest); use an endpoint that takes a "
                "user and password"
            )
        if tried == "no credentials":
            return (
                f"{where} refused access (HTTP {status}); kg sent no credentials: set "
                f"{USER_ENV} and {PASSWORD_ENV} or add the host to ~/.netrc"
            )
        return (
            f"{where} refused access (HTTP {status}) to {tried}; check the user and "
            f"password ({USER_ENV} and {PASSWORD_ENV}, or the host's line in ~/.netrc) "
            "and what that user may do on the server"
        )

    # -- what may be shown ------------------------------------------------------------

    def scrub(self, text: str) -> str:
        """`text` without any credential kg knows of or any that looks like one."""
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        text = _AUTHORIZATION.sub(r"\1: ***", text)
        text = _SCHEME_TOKEN.sub(r"\1 ***", text)
        return _USERINFO.sub(r"\1", text)

    def excerpt(self, body: bytes, limit: int = 200) -> str:
        """The start of what a server sent, on one line, credentials removed."""
        text = " ".join(body.decode("utf-8", errors="replace").split())
        text = self.scrub(text)
        return text if len(text) <= limit else text[:limit] + "..."

    def where(self, url: str) -> str:
        return f"{self.service} {redact(url.split('?', 1)[0])}"

    # -- requests ---------------------------------------------------------------------

    def request(self, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> Reply:
        """Send one request, following redirects within the URL's origin only."""
        deadline = time.monotonic() + self.timeout
        first = url
        for _ in range(_MAX_REDIRECTS + 1):
            reply, location = self._once(method, url, body, headers, deadline, first)
            if reply.status == 401:
                reply = self._challenged(url, reply, headers, deadline, first)
                if self._asked_for_digest(url, reply):
                    reply, location = self._once(method, url, body, headers, deadline, first)
            if location is None:
                return reply
            target = urljoin(url, location)
            if origin_of(target) != origin_of(first):
                raise StoreError(
                    f"{self.where(first)} redirected the request (HTTP {reply.status}) to "
                    f"another server, {self._shown_url(target)}; kg sends requests and "
                    "credentials only where you point it: if that server is the right "
                    "one, name it in --store"
                )
            url = target
        raise StoreError(
            f"{self.where(first)} redirected the request more than {_MAX_REDIRECTS} times; "
            "check the URL given with --store"
        )

    def _challenged(
        self, url: str, reply: Reply, headers: dict[str, str], deadline: float, first: str
    ) -> Reply:
        """A 401 with the server's challenge. Virtuoso answers credentials in a scheme
        it does not take with a bare 401; asked with none, it says which scheme it
        takes. Asked by GET, which changes nothing even where the request would."""
        if reply.all("WWW-Authenticate"):
            return reply
        if self._tried.get(origin_of(url), "no credentials") == "no credentials":
            return reply
        asked, _ = self._once("GET", url, None, headers, deadline, first, False)
        return asked if asked.status == 401 else reply

    def _shown_url(self, url: str) -> str:
        shown = self.scrub(redact(url) if "://" in url else url)
        return shown if len(shown) <= 120 else shown[:120] + "..."

    def _once(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: dict[str, str],
        deadline: float,
        first: str,
        credentials: bool = True,
    ) -> tuple[Reply, str | None]:
        import http.client

        parts = urlsplit(url)
        target = _target(url)
        proxy = _proxy(parts.scheme, parts.hostname or "")
        if proxy is not None and parts.scheme == "http":
            target = redact(url)  # a plain HTTP proxy takes the whole URL
        # Virtuoso echoes each graph of a query's dataset as a header of its answer
        # (X-SPARQL-default-graph, X-SPARQL-named-graph): http.client's limit of 100
        # headers grows by the graphs this request names, and no further.
        http.client._MAXHEADERS = _MAX_HEADERS + _dataset_size(url, body)  # type: ignore[attr-defined]
        sent = dict(headers)
        authorization = self._authorization(method, url, target) if credentials else None
        if authorization:
            sent["Authorization"] = authorization
        connection: http.client.HTTPConnection | None = None
        try:
            connection = _connection(parts.scheme, parts.hostname or "", parts.port, deadline)
            if proxy is not None:
                _through(connection, parts.scheme, proxy)
            try:
                connection.connect()
            except (TimeoutError, _Expired):
                raise
            except OSError as error:
                raise self._unreachable(first, error) from None
            assert connection.sock is not None
            connection.sock.settimeout(_left(deadline))
            connection.request(method, target, body=body, headers=sent)
            response = connection.getresponse()
            location = response.getheader("Location")
            content_type = response.getheader("Content-Type", "") or ""
            reply = Reply(
                response.status,
                response.reason,
                content_type,
                response.read(),
                tuple(response.getheaders()),
            )
        except (TimeoutError, _Expired):
            raise self._late(first) from None
        except http.client.HTTPException as error:
            raise StoreError(
                f"{self.where(first)} sent a broken HTTP answer ({self._broken(error)}); "
                "check the server, or a proxy between it and kg"
            ) from None
        except OSError as error:
            text = self.scrub(error.strerror or str(error) or type(error).__name__)
            raise StoreError(
                f"the connection to {self.where(first)} failed: {text}; "
                "check the server, or a proxy between it and kg"
            ) from None
        finally:
            if connection is not None:
                connection.close()
        return reply, (location if reply.status in _REDIRECTS and location else None)

    def _late(self, url: str) -> StoreError:
        return StoreError(
            f"{self.where(url)} did not answer within {self.timeout:g} s; "
            f"check the server or raise {TIMEOUT_ENV} (seconds for the whole request)"
        )

    def _unreachable(self, url: str, error: OSError) -> StoreError:
        text = self.scrub(error.strerror or str(error) or type(error).__name__)
        return StoreError(
            f"cannot reach {self.where(url)}: {text}; "
            "check that the server runs and the URL given with --store"
        )

    def _broken(self, error: Exception) -> str:
        import http.client

        if isinstance(error, http.client.IncompleteRead):
            return "the answer ended early or its chunked encoding is broken"
        if isinstance(error, http.client.LineTooLong):
            return "a header or status line longer than 64 KB"
        if isinstance(error, http.client.RemoteDisconnected):
            return "the server closed the connection without answering"
        if isinstance(error, http.client.BadStatusLine):
            return f"not an HTTP status line: {self.excerpt(str(error).encode(), 60)!r}"
        return self.excerpt(str(error).encode(), 80) or type(error).__name__


def _dataset_size(url: str, body: bytes | None) -> int:
    """How many graphs a request names as its dataset (default-graph-uri and
    named-graph-uri parameters, in its URL or its form body)."""
    text = url + (body.decode("latin-1") if body else "")
    return len(re.findall(r"(?:^|[?&])(?:default|named)-graph-uri=", text))


def _target(url: str) -> str:
    """What the request line names: the path and query (what Digest signs, too)."""
    parts = urlsplit(url)
    return urlunsplit(("", "", parts.path or "/", parts.query, ""))


class _Expired(Exception):
    """The request's deadline passed between two reads."""


def _left(deadline: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _Expired
    return remaining


class _DeadlineReader(io.RawIOBase):
    """A socket's bytes, each read waiting no longer than what is left of the deadline.

    Wraps the socket's own file object, which keeps the socket open while the answer is
    read (http.client closes its end of the connection early for `Connection: close`).
    """

    def __init__(self, raw: Any, sock: socket.socket, deadline: float) -> None:
        self._raw = raw
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self._sock.settimeout(_left(self._deadline))
        count: int = self._raw.readinto(buffer)
        return count

    def close(self) -> None:
        self._raw.close()
        super().close()


def _connection(
    scheme: str, host: str, port: int | None, deadline: float
) -> http.client.HTTPConnection:
    import http.client

    def response(sock: socket.socket, *args: Any, **kwargs: Any) -> http.client.HTTPResponse:
        answer = http.client.HTTPResponse(sock, *args, **kwargs)
        answer.fp = io.BufferedReader(_DeadlineReader(answer.fp.detach(), sock, deadline))
        return answer

    if scheme == "https":
        import ssl

        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, port, timeout=_left(deadline), context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(host, port, timeout=_left(deadline))
    connection.response_class = response  # type: ignore[assignment]
    return connection


def _proxy(scheme: str, host: str) -> tuple[str, int | None] | None:
    """The proxy that http_proxy / https_proxy name for `host` (none if no_proxy lists
    it), as urllib would choose it."""
    import urllib.request

    named = urllib.request.getproxies().get(scheme)
    if not named or urllib.request.proxy_bypass(host):
        return None
    parts = urlsplit(named if "://" in named else f"http://{named}")
    return (parts.hostname, parts.port) if parts.hostname else None


def _through(
    connection: http.client.HTTPConnection, scheme: str, proxy: tuple[str, int | None]
) -> None:
    """Send `connection` by way of the proxy: plain HTTP to it, HTTPS tunnelled."""
    if scheme == "https":
        connection.set_tunnel(connection.host, connection.port)
    connection.host, connection.port = proxy[0], proxy[1] or 80


# -- netrc --------------------------------------------------------------------------------


def netrc_file() -> tuple[Path, bool]:
    """The netrc file to read, and whether the user named it (then it must exist)."""
    named = os.environ.get(NETRC_ENV, "").strip()
    if named:
        return Path(named).expanduser(), True
    return Path.home() / ".netrc", False


def netrc_credentials(host: str) -> tuple[str, str] | None:
    """The login and password for `host` in the netrc file, if it names the host (or has
    a default entry). The file must belong to the user and be private to them."""
    import netrc

    path, named = netrc_file()
    if not path.is_file():
        if named:
            raise UsageError(f"{NETRC_ENV}={path}: no such file; unset it or create the file")
        return None
    try:
        found = netrc.netrc(str(path)).authenticators(host)
    except netrc.NetrcParseError as error:
        # The parser's message may quote the file's text, which may hold a password.
        raise UsageError(
            f"{path}: line {error.lineno} is not valid netrc syntax (see 'man netrc'); "
            f"fix the file, or point {NETRC_ENV} at another"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot be read: {type(error).__name__}") from None
    if found is None:
        return None
    login, _, password = found
    _check_private(path)
    return login, password or ""


def _check_private(path: Path) -> None:
    info = path.stat()
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO) or info.st_uid != os.getuid():
        raise UsageError(
            f"{path} holds passwords but other users can read or change it; "
            f"make it yours and private: chmod 600 {path}"
        )
