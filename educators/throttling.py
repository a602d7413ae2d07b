"""Sign-in throttling that a stranger cannot turn into a lockout of the account's owner.

Three limits, all sliding windows in the shared cache (none locks anything out for good):

1. per address (allauth's ``login_failed`` ``/ip`` rate, generous: a school shares one address);
2. per (account, network), allauth's ``/key`` rate with the network in the key: someone guessing
   from one network uses up only that network's allowance, so the owner signing in from the
   school or from home is not refused;
3. a higher per-account ceiling over every network, against guesses spread over many networks:
   past it, each attempt waits a delay after the last failure that doubles with every further
   failure (up to a maximum). Only real password checks count, never refused attempts, so a
   flood of refused guesses cannot stretch the wait.

A network is the /24 of an IPv4 address, the /56 of an IPv6 one. One household, school or office
NAT sits inside one IPv4 /24 and rarely spans two, while an attacker renting addresses gets them
in blocks, so a /24 keeps a guessing run in one bucket without lumping a whole provider together.
An IPv6 site is delegated a /56 (RFC 6177) or larger and can pick any address inside it, so
anything narrower (allauth's per-address limit uses /64) lets one site fan out over 256 buckets.
"""

import hashlib
import ipaddress
import time

from allauth.account.adapter import get_adapter
from allauth.core.internal.ratelimit import cache_lock
from django.conf import settings
from django.core.cache import cache

IPV4_NETWORK_PREFIX = 24
IPV6_NETWORK_PREFIX = 56


def network_of(ip: str) -> str:
    """The network an address counts under, e.g. ``198.51.100.0/24``."""
    address = ipaddress.ip_address(ip)
    prefix = IPV4_NETWORK_PREFIX if address.version == 4 else IPV6_NETWORK_PREFIX
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def client_network(request) -> str:
    """The network of the request's client address, as allauth determines that address."""
    return network_of(get_adapter(request).get_client_ip(request))


def _failures_key(login: str) -> str:
    return "insights:signin-failures:" + hashlib.sha256(login.encode()).hexdigest()


def _recent_failures(login: str, now: float) -> list[float]:
    window = settings.SIGNIN_ACCOUNT_FAILURE_WINDOW_SECONDS
    return [moment for moment in cache.get(_failures_key(login), []) if moment > now - window]


def account_wait_seconds(login: str) -> float:
    """How long the account must wait before its password may be tried again (0 when it may now)."""
    now = time.time()
    failures = _recent_failures(login, now)
    excess = len(failures) - settings.SIGNIN_ACCOUNT_FAILURE_CEILING
    if excess < 0:
        return 0.0
    delay = min(settings.SIGNIN_ACCOUNT_DELAY_SECONDS * 2**excess, settings.SIGNIN_ACCOUNT_MAX_DELAY_SECONDS)
    return max(0.0, max(failures) + delay - now)


def clear_account_failures(login: str) -> None:
    """Forget the account's failures: its owner just proved their mailbox by resetting the password."""
    cache.delete(_failures_key(login))


def record_account_failure(login: str) -> None:
    """Count one wrong password for the account, from whichever network it came."""
    key = _failures_key(login)
    with cache_lock(key) as locked:
        if locked:  # unable to lock: skip, as allauth does; the per-network limit still holds
            now = time.time()
            failures = [*_recent_failures(login, now), now]
            cache.set(key, failures, settings.SIGNIN_ACCOUNT_FAILURE_WINDOW_SECONDS)
