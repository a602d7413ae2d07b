"""Error reports to Sentry, with no student data in them.

Reports leave the district's instance for a third party, so Sentry is enabled only when
SENTRY_DSN is set (see settings), collects no personal data, local variables or request bodies,
and every event and breadcrumb goes through insights.scrubbing before it leaves the process.
If scrubbing fails, sentry-sdk drops the event rather than sending it raw.
"""

from typing import Any

from sentry_sdk.integrations.argv import ArgvIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from insights.scrubbing import SAFE_HEADERS, scrub_breadcrumb, scrub_event


def sentry_options(*, dsn: str, environment: str, release: str | None, district: str) -> dict[str, Any]:
    """Keyword arguments for ``sentry_sdk.init``: settings.py passes them as is, tests add a transport."""
    tags = {"district": district} | ({"release": release} if release else {})

    def before_send(event: dict, hint: dict) -> dict:
        event = scrub_event(event, hint)
        event["tags"] = {**(event.get("tags") or {}), **tags}
        return event

    return {
        "dsn": dsn,
        "environment": environment,
        "release": release,
        # Collect nothing about people, requests or variables. This is what send_default_pii=False
        # meant, but stricter (no cookies, query strings, bodies or SQL parameters at all);
        # sentry-sdk 2.75 deprecates send_default_pii in favour of this option.
        "data_collection": {
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "allowlist", "terms": sorted(SAFE_HEADERS)}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "graphql": {"document": False, "variables": False},
            "gen_ai": {"inputs": False, "outputs": False},
            "database_query_data": False,
            "queues": False,
            "stack_frame_variables": False,
        },
        "include_local_variables": False,
        "max_request_body_size": "never",
        # The SDK's debug output prints events before before_send: never, whatever SENTRY_DEBUG says.
        "debug": False,
        "before_send": before_send,
        "before_send_transaction": before_send,
        "before_breadcrumb": scrub_breadcrumb,
        "integrations": [DjangoIntegration(transaction_style="url")],
        # Command-line arguments may name a student (`manage.py some_command "Ana Lopez"`).
        "disabled_integrations": [ArgvIntegration()],
    }
