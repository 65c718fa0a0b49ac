"""Where a webhook may send, and sending there without being turned against the inside.

A webhook's URL is chosen by its owner, and the worker that POSTs to it sits inside the
deployment's network: without a check it could be pointed at the database, the metadata
service of a cloud, or an admin page on loopback (server-side request forgery). So:

- only `http` and `https`, without credentials in the URL;
- every address the name resolves to must be public (not private, loopback, link-local,
  multicast, reserved or unspecified) unless it lies in `WEBHOOK_ALLOWED_NETWORKS`;
- checked at registration, and again at each delivery on the freshly resolved addresses,
  and the connection goes to the very address that was checked (the socket is opened to
  the IP; the name is only sent as the Host header and the TLS server name). A name whose
  DNS answer changes between the check and the connection (DNS rebinding) cannot slip a
  private address in;
- redirects are not followed (a 3xx is a failed attempt).

Only the standard library: no runtime dependency.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext

SCHEMES = {"http": 80, "https": 443}
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class URLRefused(ValueError):
    """The URL may not be used for a webhook; the message says why, for the `url` field."""


@dataclass(frozen=True)
class Target:
    """A checked URL: the name to send as Host/SNI and the addresses to connect to (every
    one checked; tried in the resolver's order, as a browser would)."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(cidr, strict=False) for cidr in settings.WEBHOOK_ALLOWED_NETWORKS]


def address_refused(address: IPAddress) -> bool:
    """Whether a webhook may not connect to `address` (outside the allowed networks)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    if any(address in network for network in allowed_networks()):
        return False
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def parse(url: str) -> tuple[str, str, int, str]:
    """The scheme, host, port and request path of `url`; URLRefused if it is no web URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise URLRefused(gettext("Enter a valid URL.")) from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise URLRefused(gettext("Only http and https URLs can receive webhooks."))
    if parts.username is not None or parts.password is not None:
        raise URLRefused(gettext("Put no user name or password in the URL."))
    if not parts.hostname:
        raise URLRefused(gettext("The URL needs a host name."))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, parts.hostname, port or SCHEMES[scheme], path


def resolve(url: str) -> Target:
    """Check `url` and resolve its host now: the Target to connect to.

    Refused when any address the name resolves to is refused (not just the first: a
    receiver must not be able to pick a private one among several)."""
    scheme, host, port, path = parse(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise URLRefused(
            gettext("The host name %(host)r could not be resolved.") % {"host": host}
        ) from None
    addresses = []
    for _family, _type, _proto, _name, sockaddr in infos:
        text = str(sockaddr[0]).split("%", 1)[0]  # an IPv6 scope (fe80::1%eth0)
        address = ipaddress.ip_address(text)
        if address_refused(address):
            raise URLRefused(
                gettext(
                    "%(host)s resolves to %(address)s, a private, loopback, link-local or "
                    "reserved address: webhooks may only go to public addresses (see "
                    "DJANGO_WEBHOOK_ALLOWED_NETWORKS)."
                )
                % {"host": host, "address": address}
            )
        if str(address) not in addresses:
            addresses.append(str(address))
    if not addresses:
        raise URLRefused(gettext("The host name %(host)r could not be resolved.") % {"host": host})
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=tuple(addresses))


def connect(target: Target, timeout: float) -> socket.socket:
    """A socket to the first of the target's checked addresses that answers."""
    error: OSError = OSError(f"No address of {target.host} to connect to.")
    for address in target.addresses:
        try:
            return socket.create_connection((address, target.port), timeout)
        except TimeoutError:
            raise
        except OSError as refused:
            error = refused
    raise error


class PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to a checked address; `host` is only the Host header."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.target = target

    def connect(self) -> None:
        self.sock = connect(self.target, self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to a checked address; the certificate must match the name."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self.target = target

    def connect(self) -> None:
        sock = connect(self.target, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class Outcome:
    """One attempt: the response's status code, or the error; how long it took."""

    status_code: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Outcome:
    """POST `body` to `url`, checked and resolved now; never raises for the network."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = resolve(url)
    except URLRefused as refusal:
        return Outcome(None, f"refused: {refusal}", took())
    connection_class = PinnedHTTPSConnection if target.scheme == "https" else PinnedHTTPConnection
    connection = connection_class(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)  # a receiver's answer is not kept
        return Outcome(response.status, "", took())
    except TimeoutError:
        return Outcome(None, f"timeout after {timeout:g} s", took())
    except (OSError, http.client.HTTPException) as error:
        return Outcome(None, f"{type(error).__name__}: {error}"[:500], took())
    finally:
        connection.close()
