"""Every page of the site is valid HTML, as the W3C Nu checker reads it.

Each page of the permission matrix (tests/test_permission_matrix.py) is requested as each role, on
that role's own objects; every HTML page answered (the error pages included) is saved to a folder, and
the Nu checker (vnu.jar, installed by .ci/run from npm's vnu-jar) reads them all in one run. Any error
fails the test with the page and the checker's message.

Marked `html`: `make test` leaves it out (it needs Java and the jar); .ci/run runs it with VNU_JAR set.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests import test_permission_matrix as matrix
from tests.test_permission_matrix import MATRIX, ROLES

pytestmark = [pytest.mark.html, pytest.mark.django_db]

# The matrix's world, built once for this module too.
module_world = matrix.module_world


def _vnu_command():
    jar = os.environ.get("VNU_JAR", "")
    java = shutil.which("java")
    if not jar or not Path(jar).is_file() or java is None:
        pytest.fail(
            "The HTML check needs Java and the Nu checker: set VNU_JAR to vnu.jar "
            "(`npm install vnu-jar`, then node_modules/vnu-jar/build/dist/vnu.jar; .ci/run does it)."
        )
    return [java, "-jar", jar, "--errors-only", "--format", "json"]


def _document(html):
    """A whole page as it is; an htmx fragment (a progress bar, a tally) inside the smallest document,
    so that the checker judges the fragment and not the missing head."""
    if html.lstrip()[:15].lower() == "<!doctype html>":
        return html
    return f'<!DOCTYPE html><html lang="fr"><head><title>Fragment</title></head><body>{html}</body></html>'


def _file_name(role, url):
    return f"{role}{re.sub(r'[^A-Za-z0-9]+', '_', url)}.html"


def _save_pages(world, folder):
    """Each role's HTML pages, one file each, and one of its 404 pages (they are all the same page);
    returns {file name: "role GET url (status)"}. Redirections have no page to check."""
    saved = {}
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(world.users[role])
        not_found_seen = False
        for name, row in sorted(MATRIX.items()):
            if row.method != "get":
                continue
            url = reverse(name, kwargs=row.kwargs(world.sides["own"]) if row.kwargs else None)
            response = client.get(url)
            if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
                continue
            if 300 <= response.status_code < 400:
                continue
            if response.status_code == 404:
                if not_found_seen:
                    continue
                not_found_seen = True
            file_name = _file_name(role, url)
            (folder / file_name).write_text(_document(response.content.decode()))
            saved[file_name] = f"{role} GET {url} ({response.status_code})"
    return saved


def test_every_page_is_valid_html(module_world, db, tmp_path):
    command = _vnu_command()
    saved = _save_pages(module_world, tmp_path)
    assert len(saved) > 50, "the matrix should give many HTML pages to check"

    result = subprocess.run(
        [*command, *sorted(str(tmp_path / name) for name in saved)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{saved.get(Path(m.get('url', '')).name, m.get('url'))} line {m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") in {"error", "non-document-error"}
    ]
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)
