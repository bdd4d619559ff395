"""Each measure of `manage.py bench`, against its baseline, printed as one Markdown table.

Timings are medians of repeated runs after warm-up (a page and its baselines in turn), in the same
process (django.test.Client, whose requests go through the whole middleware stack and the project's own
URLconf plus the baselines of bench/urls.py). Query counts are those of one request (CaptureQueriesContext).
"""

import datetime
import os
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commission.models import Commission, User
from parcours.enums import DecisionKind, DemandeState, ProductionState
from parcours.models import Decision, Demande, ProductionCourriers

WORKER_TIMEOUT = 600  # seconds: the most the 30 letters may take before the measure gives up
BIG_TABLES = (
    "parcours_parcours",
    "parcours_demande",
    "parcours_titresejour",
    "parcours_periode",
    "parcours_demandeevenement",
    "beneficiaires_accompagnement",
    "beneficiaires_beneficiaire",
)


@dataclass
class Line:
    what: str
    value: str
    baseline: str = ""
    ratio: str = ""
    goal: str = ""
    met: bool | None = None


class Table:
    def __init__(self, stdout):
        self.stdout = stdout
        self.lines: list[Line] = []

    def add(self, *args, **kwargs):
        line = Line(*args, **kwargs)
        self.lines.append(line)
        mark = {True: "✓", False: "✗", None: ""}[line.met]
        self.stdout.write(f"  {line.what}: {line.value} | {line.baseline} | {line.ratio} {line.goal} {mark}")

    def markdown(self) -> str:
        out = ["| measure | value | baseline | ratio | goal | met |", "| --- | --- | --- | --- | --- | --- |"]
        for line in self.lines:
            mark = {True: "✓", False: "✗", None: ""}[line.met]
            out.append(
                f"| {line.what} | {line.value} | {line.baseline} | {line.ratio} | {line.goal} | {mark} |"
            )
        return "\n".join(out)


def median_ms(fn, runs, warmup=2):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def interleaved_medians_ms(fns, runs, warmup=2):
    """Median time of each function, run in turn (a, b, c, a, b, c…) so that a slower spell of the
    machine weighs on every measure alike rather than on whichever ran during it."""
    for _ in range(warmup):
        for fn in fns:
            fn()
    samples = [[] for _ in fns]
    for _ in range(runs):
        for index, fn in enumerate(fns):
            started = time.perf_counter()
            fn()
            samples[index].append((time.perf_counter() - started) * 1000)
    return [statistics.median(times) for times in samples]


def count_queries(fn):
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured), captured.captured_queries


def run(stdout, *, load=True, workers=True):
    started = time.perf_counter()
    table = Table(stdout)
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        stdout.write("Collecting static files for the manifest storage…")
        call_command("collectstatic", interactive=False, verbosity=0)
    with override_settings(ROOT_URLCONF="bench.urls"):
        pages(table)
    reminders_scan(table)
    letters_measures(table, workers=workers)
    annual_report(table)
    if load:
        from bench import load as load_test

        load_test.run(table)
    stdout.write(f"\nMeasures took {time.perf_counter() - started:.0f} s.\n")
    stdout.write(machine() + "\n")
    stdout.write(table.markdown())
    results = Path(settings.BASE_DIR) / "var" / "bench-results.md"
    results.parent.mkdir(exist_ok=True)
    results.write_text(machine() + "\n\n" + table.markdown() + "\n")
    stdout.write(f"\n(also written to {results})")


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    free = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False).stdout.splitlines()  # noqa: S607
    memory = free[1].split()[1] if len(free) > 1 else "?"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return f"Machine: {os.cpu_count()} CPU ({cpu}), {memory} RAM, PostgreSQL {pg}, Python {sys.version.split()[0]}"


# --- pages ----------------------------------------------------------------------------------------


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def bench_users():
    secretariat = User.objects.get(email="secretariat-01@bench.invalid")
    admin, _created = User.objects.get_or_create(
        email="admin@bench.invalid",
        defaults={"is_staff": True, "is_superuser": True, "password": "!bench-unusable"},
    )
    return secretariat, admin


def pages(table, runs=25):
    secretariat, admin = bench_users()
    commission = Commission.objects.get(departement_id=secretariat.organisation.departement_id)
    own, bare, adm = _client(secretariat), _client(secretariat), _client(admin)
    name = (
        Demande.objects.filter(commission=commission, submitted_at__isnull=False)
        .values_list("beneficiaire__last_name", flat=True)
        .order_by("pk")
        .first()
    )
    dossier = (
        Demande.objects.filter(commission=commission, submitted_at__isnull=False, objectifs__isnull=False)
        .order_by("pk")
        .first()
    )
    list_url, bare_url = reverse("parcours:dossiers"), reverse("bench_bare_list")
    admin_url = reverse("bench_admin:parcours_demande_changelist") + f"?commission__id__exact={commission.pk}"
    cases = [
        ("Dossier list, first page", list_url, bare_url, admin_url),
        (
            f"Dossier list, filter etat={DemandeState.RECEVABLE}",
            f"{list_url}?etat={DemandeState.RECEVABLE}",
            f"{bare_url}?etat={DemandeState.RECEVABLE}",
            f"{admin_url}&state__exact={DemandeState.RECEVABLE}",
        ),
        (
            f"Dossier list, search « {name} »",
            f"{list_url}?q={name}",
            f"{bare_url}?q={name}",
            f"{admin_url}&q={name}",
        ),
        (
            "Dossier page",
            reverse("parcours:dossier", args=[dossier.pk]),
            reverse("bench_bare_detail", args=[dossier.pk]),
            reverse("bench_admin:parcours_demande_change", args=[dossier.pk]),
        ),
    ]
    for what, url, bare_page, admin_page in cases:
        for client, page in ((own, url), (bare, bare_page), (adm, admin_page)):
            response = client.get(page)
            assert response.status_code == 200, (page, response.status_code)
        queries, _ = count_queries(lambda url=url: own.get(url))
        bare_queries, _ = count_queries(lambda page=bare_page: bare.get(page))
        admin_queries, _ = count_queries(lambda page=admin_page: adm.get(page))
        ms, bare_ms, admin_ms = interleaved_medians_ms(
            [
                lambda url=url: own.get(url),
                lambda page=bare_page: bare.get(page),
                lambda page=admin_page: adm.get(page),
            ],
            runs,
        )
        table.add(
            f"{what}: SQL queries per request", f"{queries}", f"bare {bare_queries}, admin {admin_queries}"
        )
        ratio = ms / bare_ms
        table.add(
            f"{what}: time vs bare values() view",
            f"{ms:.1f} ms",
            f"{bare_ms:.1f} ms",
            f"{ratio:.2f}x",
            "≤ 2x",
            ratio <= 2,
        )
        ratio = ms / admin_ms
        table.add(
            f"{what}: time vs admin changelist/form",
            f"{ms:.1f} ms",
            f"{admin_ms:.1f} ms",
            f"{ratio:.2f}x",
            "< 1x (faster)",
            ratio < 1,
        )
    # For reference, no goal: the dossier page against a bare view of the application's row alone (its
    # baseline until the bare view read every row the page shows), to see what the page's sections cost.
    url = reverse("parcours:dossier", args=[dossier.pk])
    ms, row_ms = interleaved_medians_ms(
        [lambda: own.get(url), lambda: bare.get(reverse("bench_bare_row", args=[dossier.pk]))], runs
    )
    table.add(
        "Dossier page: time vs bare view of the application's row alone (reference)",
        f"{ms:.1f} ms",
        f"{row_ms:.1f} ms",
        f"{ms / row_ms:.2f}x",
        "—",
    )


# --- the daily reminder scan ----------------------------------------------------------------------


def _plan_nodes(plan, found):
    relation = plan.get("Relation Name")
    if relation:
        found.append((plan["Node Type"], relation, plan.get("Index Name", "")))
    elif plan.get("Index Name"):
        found.append((plan["Node Type"], "", plan["Index Name"]))
    for child in plan.get("Plans", []):
        _plan_nodes(child, found)
    return found


def explain(sql):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    return _plan_nodes(plan[0]["Plan"], [])


def reminders_scan(table):
    try:
        from parcours import reminders
    except ImportError as error:  # being finished by another engineer
        table.add("Reminder scan", f"not importable ({error})")
        return
    today = timezone.localdate()
    rows = []
    queries, captured = count_queries(lambda: rows.extend(reminders.scan(today)))
    ms = median_ms(lambda: list(reminders.scan(today)), 3, warmup=1)
    kinds = 6  # three term windows, permits to issue, permits expiring, dossiers waiting
    table.add(
        f"Reminder scan: queries ({len(rows)} reminders found)",
        f"{queries}",
        f"{kinds} kinds",
        f"{queries / kinds:.2f} per kind",
        "one per kind (+1: the commissions' alert delays)",
        queries <= kinds + 1,
    )
    seq_scans = []
    for number, query in enumerate(captured, 1):
        nodes = explain(query["sql"])
        big_seq = sorted({rel for node, rel, _ in nodes if node == "Seq Scan" and rel in BIG_TABLES})
        indexes = sorted({index for _node, _rel, index in nodes if index})
        seq_scans += big_seq
        table.stdout.write(
            f"    query {number}: indexes {', '.join(indexes) or 'none'}; seq scans on big tables: {', '.join(big_seq) or 'none'}"
        )
    table.add(
        "Reminder scan: time", f"{ms:.0f} ms", "", "", "EXPLAIN: no Seq Scan on a big table", not seq_scans
    )
    if seq_scans:
        table.add(
            "Reminder scan: Seq Scans in the plans", ", ".join(sorted(set(seq_scans))), "", "", "", False
        )


# --- letters -------------------------------------------------------------------------------------


def _fresh_decisions(count, exclude=()):
    """Authorisations of persons who need a permit and have an AFIS right, without letters yet."""
    return list(
        Decision.objects.filter(
            kind=DecisionKind.AUTORISATION,
            courriers__isnull=True,
            production_courriers__isnull=True,
            periode__afis__eligible=True,
        )
        .exclude(demande__beneficiaire__nationalities__in=["FR", "RO", "BG"])
        .exclude(pk__in=exclude)
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )


def letters_measures(table, *, workers=True):
    try:
        from commission.pdf import BASE_URL, StaticFilesOnly
        from parcours import letters
    except ImportError as error:
        table.add("Decision letter", f"not importable ({error})")
        return
    from django.utils import translation
    from weasyprint import HTML

    used = []
    sample = _fresh_decisions(6)
    used += sample
    warm, measured = sample[:1], sample[1:]

    def weasy_alone(pk):
        decision = letters.load(pk)
        with translation.override("fr"):
            htmls = [
                render_to_string(letters.TEMPLATES[kind], letters.context_for(decision, kind))
                for kind in letters.kinds_for(decision)
            ]
        started = time.perf_counter()
        for html in htmls:
            HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly()).write_pdf()
        return (time.perf_counter() - started) * 1000, len(htmls)

    def pipeline(pk):
        started = time.perf_counter()
        produced = letters.produce(pk)
        return (time.perf_counter() - started) * 1000, len(produced)

    pipeline(warm[0])
    weasy_alone(warm[0])
    pipe_ms, weasy_ms, kinds = [], [], 0
    for pk in measured:
        w, kinds = weasy_alone(pk)
        weasy_ms.append(w)
        pipe_ms.append(pipeline(pk)[0])
    ratio = statistics.median(pipe_ms) / statistics.median(weasy_ms)
    table.add(
        f"Decision letters ({kinds} PDFs of one decision): whole pipeline vs WeasyPrint alone",
        f"{statistics.median(pipe_ms):.0f} ms",
        f"{statistics.median(weasy_ms):.0f} ms",
        f"{ratio:.2f}x",
        "≤ 1.2x",
        ratio <= 1.2,
    )
    if not workers:
        return
    one = _fresh_decisions(30, exclude=used)
    used += one
    two = _fresh_decisions(30, exclude=used)
    t1 = letters_on_workers(one, 1)
    t2 = letters_on_workers(two, 2)
    if t1 is None or t2 is None:
        table.add("30 letter jobs on Celery workers", "did not finish in time", "", "", "≤ 0.6x", False)
        return
    ratio = t2 / t1
    table.add(
        "30 letter jobs: 2 workers vs 1 (wall time)",
        f"{t2:.1f} s",
        f"{t1:.1f} s",
        f"{ratio:.2f}x",
        "≤ 0.6x",
        ratio <= 0.6,
    )


def letters_on_workers(decision_ids, count):
    """Start `count` workers (`-c 1` each), enqueue one letters job per decision, time until all are
    done, stop the workers. None when they did not finish within WORKER_TIMEOUT."""
    from commission.celery import app
    from parcours.tasks import produce_letters

    celery = str(Path(sys.executable).with_name("celery"))
    log_dir = Path(settings.BASE_DIR) / "var" / "bench-workers"
    log_dir.mkdir(parents=True, exist_ok=True)
    app.control.purge()
    names = [f"bench{count}-{n}@127.0.0.1" for n in range(count)]
    processes = [
        subprocess.Popen(  # noqa: S603
            [
                celery,
                "-A",
                "commission",
                "worker",
                "-c",
                "1",
                "-n",
                name,
                "--without-gossip",
                "--without-mingle",
                "--loglevel=WARNING",
            ],
            stdout=open(log_dir / f"{name}.log", "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            env=os.environ,
        )
        for name in names
    ]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            answered = app.control.inspect(destination=names, timeout=1).ping() or {}
            if len(answered) == count:
                break
        else:
            return None
        started = time.perf_counter()
        for pk in decision_ids:
            produce_letters.delay(pk)
        finished = (ProductionState.TERMINEE, ProductionState.ECHEC)
        deadline = time.monotonic() + WORKER_TIMEOUT
        while time.monotonic() < deadline:
            done = ProductionCourriers.objects.filter(
                decision_id__in=decision_ids, state__in=finished
            ).count()
            if done == len(decision_ids):
                return time.perf_counter() - started
            time.sleep(0.1)
        return None
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


# --- the annual report ---------------------------------------------------------------------------


def annual_report(table):
    try:
        from parcours import bilan
    except ImportError as error:
        table.add("Annual report", f"not importable ({error})")
        return
    year = timezone.localdate().year - 1
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    one = Commission.objects.filter(departement__code="01")
    every = Commission.objects.all()
    queries_one, _ = count_queries(lambda: bilan.compute(one, start, end))
    queries_all, _ = count_queries(lambda: bilan.compute(every, start, end, national=True))
    ms_one = median_ms(lambda: bilan.compute(one, start, end), 3, warmup=1)
    ms_all = median_ms(lambda: bilan.compute(every, start, end, national=True), 1, warmup=0)
    table.add(f"Annual report {year}, one département", f"{ms_one:.0f} ms", "", "", "< 2 s", ms_one < 2000)
    table.add(f"Annual report {year}, all 100 départements", f"{ms_all:.0f} ms", "", "", "", None)
    table.add(
        "Annual report: SQL queries, 1 vs 100 départements",
        f"{queries_one}",
        f"{queries_all}",
        "",
        "not growing with rows (the national one adds its per-département section)",
        queries_all <= queries_one + 3,
    )
