"""Every page of every role, as the permission matrix reaches it, read by axe-core in the browser:
nothing that blocks a user (serious or critical). The world is the permission matrix's; each role's
session is opened by Django's test client and handed to the browser as its cookie."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.matrix_world import World
from tests.test_permission_matrix import ALLOWED, MATRIX, SIGNED_IN

pytestmark = pytest.mark.e2e


def _html_pages(client, world, role):
    """The GET pages this role is allowed, that answer an HTML page (downloads and redirects aside)."""
    for name, row in sorted(MATRIX.items()):
        if row.method != "get" or row.expected(role) != ALLOWED:
            continue
        url = reverse(name, kwargs=row.kwargs(world.sides["own"]) if row.kwargs else None)
        response = client.get(url)
        html = response.status_code == 200 and response.get("Content-Type", "").startswith("text/html")
        if html and not response.streaming and b"<html" in response.content[:500].lower():
            yield url


def test_no_page_of_any_role_has_a_blocking_accessibility_issue(
    page, live_server, axe_check, settings, tmp_path
):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    world = World()
    found, visited = [], 0
    for role in sorted(SIGNED_IN):
        client = Client()
        client.force_login(world.users[role])
        page.context.clear_cookies()
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        for url in _html_pages(client, world, role):
            page.goto(live_server.url + url)
            visited += 1
            found += [f"{role} {url}: {violation}" for violation in axe_check(page)]
    assert visited > 40  # the walk reached the pages of every role
    assert not found, "\n".join(found)
