"""The embedded default (SQLite) holds a demo with several people at once: no server error.

A real server (`manage.py runserver`, threaded, with the demo's settings) on a file-based SQLite
database, migrated and loaded with the demo (a few of its persons); eight people sign in at the same moment (login page, then
the POST with its CSRF token) and each reads five pages. Without WAL, immediate transactions and a busy
timeout (commission/settings.py), most of these requests answered 500 "database is locked".
"""

import http.cookiejar
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from demo import dataset

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 8
PERSONS = 4
# Pages every role may open or be refused (a refusal is no server error): the home page, the lists,
# the notifications, then the home page again.
PAGES = ("/", "/dossiers/", "/seances/", "/notifications/", "/")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sqlite-demo")
    database = folder / "db.sqlite3"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "CELERY_TASK_ALWAYS_EAGER"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="commission.settings",
        DEBUG="1",
        TWO_FACTOR_REQUIRED="0",
        DATABASE_URL=f"sqlite:///{database}",
        PRIVATE_FILES_ROOT=str(folder / "private"),
        LOG_LEVEL="WARNING",
        EMAIL_URL="memorymail://",
    )

    def manage(*args):
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stderr

    manage("migrate", "--noinput", "-v", "0")
    # The demo's logins, institutions and sessions, with a few persons only: quicker than the whole demo.
    manage("shell", "-v", "0", "-c", f"from demo import dataset; dataset.load(persons={PERSONS})")
    port = free_port()
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.build_opener().open(f"{base}/connexion/", timeout=2).close()
                break
            except OSError:
                assert process.poll() is None, (folder / "server.log").read_text()
                time.sleep(0.2)
        yield base, database, folder / "server.log"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def open_page(opener, url, data=None):
    """The status of the page at the end of its redirects, and its text."""
    try:
        with opener.open(url, data=data, timeout=60) as response:
            return response.status, response.geturl(), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.geturl(), error.read().decode(errors="replace")


def person(base, email, results, barrier):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    opener.addheaders = [("Referer", f"{base}/connexion/")]
    status, _url, page = open_page(opener, f"{base}/connexion/")
    results.append(("GET /connexion/", email, status))
    token = CSRF_FIELD.search(page)[1]
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": email, "password": dataset.PASSWORD}
    )
    barrier.wait(timeout=60)  # everyone signs in at the same moment
    status, url, _page = open_page(opener, f"{base}/connexion/", data=form.encode())
    results.append(("POST /connexion/", email, status))
    results.append(("signed in", email, urllib.parse.urlsplit(url).path != "/connexion/"))
    for path in PAGES:
        status, _url, _page = open_page(opener, f"{base}{path}")
        results.append((f"GET {path}", email, status))


def test_eight_people_sign_in_and_read_at_once_without_a_server_error(server):
    base, database, server_log = server
    emails = [login.email for login in dataset.logins()][:PEOPLE]
    results, barrier = [], threading.Barrier(PEOPLE)
    threads = [threading.Thread(target=person, args=(base, email, results, barrier)) for email in emails]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(thread.is_alive() for thread in threads)
    statuses = [status for what, _email, status in results if what.startswith(("GET", "POST"))]
    assert len(statuses) == PEOPLE * (2 + len(PAGES)), results
    assert [r for r in results if r[0].startswith(("GET", "POST")) and r[2] >= 500] == [], (
        server_log.read_text()
    )
    assert all(signed for what, _email, signed in results if what == "signed in"), results
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
