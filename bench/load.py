"""The load test: gunicorn on 127.0.0.1, 20 logged-in users on the list and dossier pages for 30 s.

The load is driven by Debian's `wrk` (C, light on the 2 cores the server also needs) with a Lua
script that gives each request the session cookie of one of 20 users (10 secretariats, 10
caseworkers, each on their own list and one of their dossiers). Sessions are created directly with
Django's SessionStore, as a login would. Any answer other than 200 counts as an error (a redirect to
the login page would be one). Everything is bounded: gunicorn gets 30 s to start and is stopped at
the end, wrk runs 30 s.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from commission.models import User
from parcours.access import demandes_visible_to

USERS = 20
DURATION = "30s"
GUNICORN_WORKERS = 3  # 2 cores: (2 × cores) − 1, wrk and PostgreSQL share them

LUA = """
local pages = {%(pages)s}
local threads = {}
local counter = 0
errors = 0

function setup(thread)
  thread:set("offset", #threads * 7)
  table.insert(threads, thread)
end

function init(args)
  counter = offset or 0
end

function request()
  counter = counter + 1
  local page = pages[(counter %% #pages) + 1]
  return wrk.format("GET", page[1], {["Cookie"] = page[2]})
end

function response(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + (thread:get("errors") or 0) end
  local socket_errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %%d %%d %%d %%.1f %%.1f %%.1f\\n", summary.requests, bad, socket_errors,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, summary.duration / 1e6))
end
"""


def _session(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def _pages():
    users = list(User.objects.filter(email__startswith="secretariat-").order_by("email")[: USERS // 2])
    users += list(
        User.objects.filter(email__regex=r"^referent-\d+-1-1@").order_by("email")[10 : 10 + USERS // 2]
    )
    pages = []
    for user in users:
        dossier = demandes_visible_to(user).order_by("pk").values_list("pk", flat=True).first()
        cookie = f"{settings.SESSION_COOKIE_NAME}={_session(user)}"
        pages.append((reverse("parcours:dossiers"), cookie))
        pages.append((reverse("parcours:dossier", args=[dossier]), cookie))
    return pages


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(table):
    wrk = shutil.which("wrk")
    if wrk is None:
        table.add("Load test", "wrk is missing (apt-get install -y wrk)", met=False)
        return
    pages = _pages()
    port = _free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    log = open(Path(settings.BASE_DIR) / "var" / "bench-gunicorn.log", "w")  # noqa: SIM115
    server = subprocess.Popen(  # noqa: S603
        [
            gunicorn,
            "commission.wsgi",
            "-w",
            str(GUNICORN_WORKERS),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=os.environ,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/sante/", timeout=2):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.3)
        else:
            table.add("Load test", "gunicorn did not answer within 30 s", met=False)
            return
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(LUA % {"pages": ", ".join(f'{{"{path}", "{cookie}"}}' for path, cookie in pages)})
        result = subprocess.run(  # noqa: S603
            [
                wrk,
                "-t",
                "2",
                "-c",
                str(USERS),
                "-d",
                DURATION,
                "--timeout",
                "10s",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
        os.unlink(script.name)
        line = next((x for x in result.stdout.splitlines() if x.startswith("RESULT ")), None)
        if line is None:
            table.add("Load test", f"wrk gave no result: {result.stderr.strip()[:200]}", met=False)
            return
        requests, bad, socket_errors, p50, p95, seconds = line.split()[1:]
        errors = int(bad) + int(socket_errors)
        table.add(
            f"Load, {USERS} users × {DURATION} (gunicorn {GUNICORN_WORKERS} workers, wrk): requests served",
            f"{requests} ({int(requests) / float(seconds):.1f} req/s)",
        )
        table.add("Load: errors (non-200 or socket)", f"{errors}", "", "", "none", errors == 0)
        table.add("Load: median / 95th percentile latency", f"{p50} ms / {p95} ms")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)
        log.close()
