"""The lockout's settings from the environment: where the client's address is read, and the values
that refuse to start rather than fall back (each run in a fresh process, as a deployment starts)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Resolves the client's address of a request that came through the proxy 10.0.0.1, as axes does.
RESOLVE = """
import json, sys, django
django.setup()
from django.conf import settings
from django.test import RequestFactory
from axes.helpers import get_client_ip_address
request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", **json.loads(sys.argv[1]))
print(json.dumps({
    "address": get_client_ip_address(request),
    "precedence": list(settings.AXES_IPWARE_META_PRECEDENCE_ORDER),
    "proxy_count": settings.AXES_IPWARE_PROXY_COUNT,
    "order": settings.AXES_IPWARE_PROXY_ORDER,
    "strict": getattr(settings, "IPWARE_STRICT", None),
}))
"""


def _python(code, *args, **env):
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AXES_", "LOCKOUT_", "PROXY_", "BEHIND_PROXY", "DJANGO_SETTINGS_MODULE"))
    }
    base.update(DJANGO_SETTINGS_MODULE="commission.settings", DEBUG="1", **env)
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120
    )


def _resolve(headers, **env):
    result = _python(RESOLVE, json.dumps(headers), **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_a_proxy_the_connection_s_address_counts_and_headers_are_ignored():
    resolved = _resolve({"HTTP_X_FORWARDED_FOR": "192.0.2.10"})
    assert resolved["address"] == "10.0.0.1"
    assert resolved["precedence"] == ["REMOTE_ADDR"]


def test_behind_one_proxy_the_right_most_value_is_the_client():
    resolved = _resolve(
        {"HTTP_X_FORWARDED_FOR": "203.0.113.9, 198.18.0.1, 192.0.2.10"}, BEHIND_PROXY="1", PROXY_COUNT="1"
    )
    assert resolved["address"] == "192.0.2.10"
    # What tests/commission/test_lockout.py's behind_one_proxy fixture sets.
    assert resolved == {
        "address": "192.0.2.10",
        "precedence": ["HTTP_X_FORWARDED_FOR"],
        "proxy_count": 0,
        "order": "left-most",
        "strict": False,
    }


def test_behind_two_proxies_the_second_value_from_the_right_is_the_client():
    resolved = _resolve(
        {"HTTP_X_FORWARDED_FOR": "203.0.113.9, 192.0.2.10, 10.0.0.2"}, BEHIND_PROXY="1", PROXY_COUNT="2"
    )
    assert resolved["address"] == "192.0.2.10"


def test_the_operator_may_name_another_header():
    resolved = _resolve(
        {"HTTP_X_REAL_IP": "192.0.2.10", "HTTP_X_FORWARDED_FOR": "203.0.113.9"},
        BEHIND_PROXY="1",
        PROXY_COUNT="1",
        PROXY_CLIENT_HEADER="X-Real-IP",
    )
    assert resolved["address"] == "192.0.2.10"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BEHIND_PROXY": "1"}, "PROXY_COUNT must be a whole number above zero (got '')"),
        ({"BEHIND_PROXY": "1", "PROXY_COUNT": "0"}, "PROXY_COUNT must be a whole number above zero"),
        ({"BEHIND_PROXY": "1", "PROXY_COUNT": "deux"}, "PROXY_COUNT must be a whole number above zero"),
        ({"BEHIND_PROXY": "peut-être"}, "BEHIND_PROXY must be 1 or 0"),
        (
            {"BEHIND_PROXY": "1", "PROXY_COUNT": "1", "PROXY_CLIENT_HEADER": "X Forwarded For"},
            "PROXY_CLIENT_HEADER must be a header name",
        ),
        ({"AXES_FAILURE_LIMIT": "cinq"}, "AXES_FAILURE_LIMIT must be a whole number above zero"),
        ({"AXES_COOLOFF_MINUTES": "-5"}, "AXES_COOLOFF_MINUTES must be a whole number above zero"),
        (
            {"LOCKOUT_ADDRESS_FAILURE_LIMIT": "3"},
            "LOCKOUT_ADDRESS_FAILURE_LIMIT must not be below AXES_FAILURE_LIMIT",
        ),
    ],
)
def test_a_missing_or_invalid_value_refuses_to_start_and_names_it(env, message):
    result = _python("import commission.settings", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
