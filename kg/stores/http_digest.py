"""HTTP Digest access authentication (RFC 7616), as SPARQL servers ask for it.

Virtuoso's authenticated endpoints (/sparql-auth) answer 401 with a Digest challenge
and take no Basic. The client answers a challenge with the MD5 or SHA-256 variants
(and their -sess forms), qop "auth" or none; "auth-int" alone is refused, since kg
would have to sign each request body, and no server kg was tried against asks for it.
The password never leaves the machine: only a hash that holds the server's nonce.

May import: the standard library.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_SCHEME = re.compile(rf"[\s,]*({_TOKEN})")
_PARAMETER = re.compile(rf'[\s,]*({_TOKEN})\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s"]*)')
_TOKEN68 = re.compile(r"\s+[A-Za-z0-9._~+/-]+=*(?=\s*(?:,|$))")
_HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}


def challenges(values: Iterable[str]) -> list[tuple[str, dict[str, str]]]:
    """Every challenge of WWW-Authenticate headers: (scheme in lower case, parameters
    with lower-case names and unquoted values), in order."""
    found: list[tuple[str, dict[str, str]]] = []
    for value in values:
        position = 0
        while True:
            scheme = _SCHEME.match(value, position)
            if scheme is None:
                break
            position = scheme.end()
            parameters: dict[str, str] = {}
            token68 = _TOKEN68.match(value, position)
            if token68 is not None:
                position = token68.end()
            while (parameter := _PARAMETER.match(value, position)) is not None:
                raw = parameter.group(2)
                if raw.startswith('"'):
                    raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
                parameters[parameter.group(1).lower()] = raw
                position = parameter.end()
            found.append((scheme.group(1).lower(), parameters))
    return found


def challenge_schemes(values: Iterable[str]) -> set[str]:
    return {scheme for scheme, _ in challenges(values)}


@dataclass
class DigestChallenge:
    """A server's Digest challenge, and how many requests answered its nonce."""

    realm: str
    nonce: str
    algorithm: str = "MD5"
    opaque: str | None = None
    qop: str | None = None  # "auth", or None for the RFC 2069 form
    stale: bool = False
    count: int = field(default=0)

    def authorization(self, user: str, password: str, method: str, target: str) -> str:
        """The Authorization header for one request (each with the next nonce count)."""
        self.count += 1
        hashed = _HASHES[self.algorithm.upper().removesuffix("-SESS")]

        def digest(*parts: str) -> str:
            return hashed(":".join(parts).encode("utf-8")).hexdigest()

        cnonce = os.urandom(8).hex()
        count = f"{self.count:08x}"
        secret = digest(user, self.realm, password)
        if self.algorithm.upper().endswith("-SESS"):
            secret = digest(secret, self.nonce, cnonce)
        request = digest(method, target)
        if self.qop is None:
            response = digest(secret, self.nonce, request)
        else:
            response = digest(secret, self.nonce, count, cnonce, self.qop, request)
        fields = [
            f'username="{_quoted(user)}"',
            f'realm="{_quoted(self.realm)}"',
            f'nonce="{_quoted(self.nonce)}"',
            f'uri="{_quoted(target)}"',
            f"algorithm={self.algorithm}",
            f'response="{response}"',
        ]
        if self.qop is not None:
            fields += [f"qop={self.qop}", f"nc={count}", f'cnonce="{cnonce}"']
        if self.opaque is not None:
            fields.append(f'opaque="{_quoted(self.opaque)}"')
        return "Digest " + ", ".join(fields)


def digest_challenge(values: Iterable[str]) -> DigestChallenge | None:
    """The first Digest challenge kg can answer (the strongest hash first), or None."""
    usable: list[DigestChallenge] = []
    for scheme, parameters in challenges(values):
        if scheme != "digest" or "nonce" not in parameters:
            continue
        algorithm = parameters.get("algorithm", "MD5")
        if algorithm.upper().removesuffix("-SESS") not in _HASHES:
            continue
        offered = [item.strip().lower() for item in parameters.get("qop", "").split(",")]
        if parameters.get("qop") is not None and "auth" not in offered:
            continue  # auth-int only
        usable.append(
            DigestChallenge(
                realm=parameters.get("realm", ""),
                nonce=parameters["nonce"],
                algorithm=algorithm,
                opaque=parameters.get("opaque"),
                qop="auth" if parameters.get("qop") is not None else None,
                stale=parameters.get("stale", "").lower() == "true",
            )
        )
    usable.sort(key=lambda challenge: not challenge.algorithm.upper().startswith("SHA-256"))
    return usable[0] if usable else None


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
