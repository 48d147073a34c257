"""Refusing addresses a watcher must not reach: private, loopback, link-local and others.

A feed is untrusted input: its links, and the redirects of the pages they name, could
point the watcher at the machine's own services (127.0.0.1:5432), the LAN (10.x,
192.168.x) or a cloud metadata endpoint (169.254.169.254). So every connection is
checked *after* DNS resolution and at connect time: `GuardedBackend` resolves the host
itself, refuses if any address is not public, and connects to the address it checked
(so a DNS answer that changes between check and connect, "DNS rebinding", cannot slip
through). Redirects are followed by hand (`fetch.py`), each hop through this backend.

`--allow-private` turns the check off; `allow_addresses` in feeds.yaml lets named
addresses or networks through (a feed server on your own network) and keeps the rest.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Collection, Iterable
from typing import Any

import httpcore
import httpx

from flashpoint.watch.errors import BlockedError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Addresses or CIDR networks ("10.1.2.3", "192.168.7.0/24") for `allow_addresses`."""
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values)


def blocked_reason(address: str | IPAddress) -> str | None:
    """Why `address` must not be contacted, or None when it is a public unicast address.

    IPv4-mapped (::ffff:10.0.0.1), IPv4-compatible, 6to4 (2002::/16), Teredo and NAT64
    (64:ff9b::/96) IPv6 addresses are judged by the IPv4 address they carry.
    """
    try:
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    except ValueError:
        return f"{address!r} is not an IP address"
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        reason = blocked_reason(embedded)
        return f"{ip} carries {reason}" if reason else None
    for test, what in (
        (ip.is_loopback, "a loopback"), (ip.is_link_local, "a link-local"),
        (ip.is_private, "a private"), (ip.is_multicast, "a multicast"),
        (ip.is_unspecified, "an unspecified"), (ip.is_reserved, "a reserved"),
    ):
        if test:
            return f"{ip} is {what} address"
    if not ip.is_global:  # shared address space 100.64/10, documentation ranges, ...
        return f"{ip} is not a public address"
    return None


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    packed = ip.packed
    if packed[:12] == bytes(12) and packed[12:] != bytes(4) and int(ip) > 1:  # ::a.b.c.d
        return ipaddress.IPv4Address(packed[12:])
    if ip in _NAT64:
        return ipaddress.IPv4Address(packed[12:])
    return None


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def check_addresses(host: str, addresses: Iterable[str],
                    allowed: Collection[IPNetwork] = ()) -> None:
    """Raise `BlockedError` if any address `host` resolved to is not public (nor in
    one of the `allowed` networks)."""
    for address in addresses:
        if any(ipaddress.ip_address(address) in network for network in allowed):
            continue
        reason = blocked_reason(address)
        if reason is not None:
            raise BlockedError(f"refused to connect to {host}: {reason} (use --allow-private "
                               "to allow private and local addresses)")


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (an IP literal resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc.strerror}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, resolving and checking the host before connecting.

    Hand-written because neither httpx nor httpcore offers a hook between DNS resolution
    and connect; subclassing the backend keeps TLS, SNI and certificate checks intact
    (they use the URL's host name, not the address connected to).
    """

    def __init__(self, allow_private: bool = False,
                 allowed: Collection[IPNetwork] = ()) -> None:
        self.allow_private = allow_private
        self.allowed = tuple(allowed)

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None, socket_options: Any = None,
                    ) -> httpcore.NetworkStream:
        addresses = resolve(host, port)
        if not self.allow_private:
            check_addresses(host, addresses, self.allowed)
        last: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout=timeout,
                                           local_address=local_address,
                                           socket_options=socket_options)
            except httpcore.ConnectError as exc:
                last = exc
        raise last or httpcore.ConnectError(f"cannot connect to {host}")


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with its connection pool on a `GuardedBackend`.

    `HTTPTransport` takes no network backend argument, so the pool it builds is replaced
    by an equivalent one (same TLS context) that connects through the guard.
    """

    def __init__(self, allow_private: bool = False,
                 allowed: Collection[IPNetwork] = ()) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=20, max_keepalive_connections=10, keepalive_expiry=5.0,
            network_backend=GuardedBackend(allow_private, allowed),
        )
