"""Who is the client behind a request: the direct peer, or, when that peer is one of our own reverse proxies,
the address the proxies recorded in X-Forwarded-For.

Anyone can send an X-Forwarded-For header, so it is believed only when the direct peer is a trusted proxy
(``LIFEGUARD_TRUSTED_PROXIES``). Each proxy appends the address it received the request from, so the list is read
from the right: trusted proxies are skipped, and the first address that is not one of ours is the client.
Whatever lies to its left was written by the client itself and is ignored.

The result is used only as the key of a rate limit, through a keyed hash (``source_key``): the address itself is
never stored. An IPv6 client is keyed by its /64, the block one subscriber line usually gets, so that walking
through the addresses of one's own block does not give a fresh bucket each time.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from functools import cache

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def parse_networks(cidrs: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(c.strip(), strict=False) for c in cidrs)


def _address(text: str) -> IPAddress | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443" (RFC 7239 style, some proxies write it)
        text = text[1 : text.index("]")]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1
    return address


def _trusted(address: IPAddress, networks: Sequence[IPNetwork]) -> bool:
    return any(address.version == n.version and address in n for n in networks)


def client_address(peer: str | None, forwarded_for: Iterable[str], trusted: Sequence[IPNetwork]) -> str:
    """The client's address as text. ``forwarded_for`` are the X-Forwarded-For header values, in order."""
    direct = _address(peer or "")
    if direct is None:
        return (peer or "unknown").strip() or "unknown"
    if not trusted or not _trusted(direct, trusted):
        return str(direct)  # a spoofed X-Forwarded-For from an untrusted peer changes nothing
    hops = [hop for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # our proxies write addresses; anything else came from the client: stop believing the list
        if not _trusted(address, trusted):
            return str(address)
    return str(direct)  # nothing usable: the last trusted proxy is the best we know


def source_key(address: str) -> str:
    """What a rate limit counts: the IPv4 address, or the /64 of an IPv6 address."""
    parsed = _address(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((int(parsed) >> 64 << 64, 64)))
    return str(parsed) if parsed is not None else address
