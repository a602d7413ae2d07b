"""Telling an educator their account was signed into from an unfamiliar network after a long absence.

Unfamiliar means: no successful sign-in for SIGNIN_ALERT_ABSENCE_DAYS, and none from the same
network (the /24 of an IPv4 address, the /48 of an IPv6 one) in the last 90 days. The history is
the audit app's sign-in records.
"""

import datetime
import ipaddress

from allauth.account.adapter import get_adapter
from django.conf import settings

from audit.models import SignInEvent

NETWORK_MEMORY_DAYS = 90
IPV4_PREFIX = 24
IPV6_PREFIX = 48


def network_of(ip: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    address = ipaddress.ip_address(ip)
    prefix = IPV4_PREFIX if address.version == 4 else IPV6_PREFIX
    return ipaddress.ip_network(f"{address}/{prefix}", strict=False)


def is_unfamiliar_sign_in(*, educator, ip: str | None, now: datetime.datetime) -> bool:
    """Whether a sign-in now from ``ip`` deserves an alert; ask before recording this sign-in."""
    if ip is None:
        return False
    history = SignInEvent.objects.filter(kind=SignInEvent.Kind.SIGN_IN, succeeded=True, educator_id=educator.pk)
    last_sign_in = history.order_by("-occurred_at").values_list("occurred_at", flat=True).first()
    if last_sign_in is None or now - last_sign_in < datetime.timedelta(days=settings.SIGNIN_ALERT_ABSENCE_DAYS):
        return False
    network = network_of(ip)
    recent = history.filter(occurred_at__gte=now - datetime.timedelta(days=NETWORK_MEMORY_DAYS))
    seen = recent.exclude(client_ip=None).values_list("client_ip", flat=True).distinct()
    return not any(ipaddress.ip_address(address) in network for address in seen)


def send_sign_in_alert(*, request, educator) -> None:
    """Email the educator that their account was just signed into (with the address and browser)."""
    get_adapter(request).send_notification_mail(
        "account/email/sign_in_alert", educator, context={"absence_days": settings.SIGNIN_ALERT_ABSENCE_DAYS}
    )
