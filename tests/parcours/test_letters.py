"""The letters of a decision: which ones, what they say (read back from the PDF), stored once."""

import datetime
import hashlib
import http.server
import io
import threading
from decimal import Decimal

import pypdf
import pytest
from django.core import mail
from django.db import IntegrityError

from commission import private_files
from commission.enums import OrganisationKind, Role
from commission.pdf import StaticFilesOnly, html_to_pdf
from parcours import letters, tasks
from parcours.enums import (
    CourrierKind,
    DecisionKind,
    DemandeKind,
    ProductionState,
    TexteCourrierKind,
)
from parcours.models import Courrier, ProductionCourriers, TexteCourrier
from parcours.tasks import produce_letters
from parcours.workflow import demandes as workflow
from tests.factories import (
    BeneficiaireFactory,
    DemandeFactory,
    DepartementFactory,
    OrganisationFactory,
    ParcoursFactory,
    TitreSejourFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
OPINION_DAY = D(2026, 3, 1)


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"


def _president(departement):
    return UserFactory(
        first_name="Hélène",
        last_name="Lefèvre",
        organisation=OrganisationFactory(kind=OrganisationKind.SECRETARIAT, departement=departement),
        roles=[Role.PRESIDENT],
    )


def _resident(person):
    """A foreign person lawfully resident (AFIS, CASF R121-12-13-1): an APS valid over the dates of
    these tests, recorded on an earlier pathway."""
    if person.needs_residence_permit():
        TitreSejourFactory(
            parcours=ParcoursFactory(beneficiaire=person, termine=True),
            delivre=True,
            issued_on=D(2025, 1, 1),
            valid_until=D(2027, 12, 31),
        )
    return person


def _decide(kind=DecisionKind.AUTORISATION, *, beneficiaire=None, demande_kind=DemandeKind.INITIALE, **extra):
    """A decision taken through the workflow, the day of the opinion, 1 March 2026; on a running
    pathway (its term ends on 28 February 2026), the day before its term ends: a renewal is decided
    while the pathway runs."""
    beneficiaire = _resident(beneficiaire or BeneficiaireFactory())
    options = {"beneficiaire": beneficiaire}
    day = OPINION_DAY
    if demande_kind != DemandeKind.INITIALE:
        options["parcours"] = ParcoursFactory(started_on=D(2025, 9, 1), beneficiaire=beneficiaire)
        options["beneficiaire"] = options["parcours"].beneficiaire
        day = D(2026, 2, 27)
    demande = DemandeFactory(avis_rendu=True, kind=demande_kind, avis_commission_on=day, **options)
    return workflow.decide(
        demande,
        kind=kind,
        signataire=_president(demande.commission.departement),
        signataire_title="Pour la préfète et par délégation, la secrétaire générale",
        decided_on=day,
        start=day if kind == DecisionKind.AUTORISATION else None,
        **extra,
    )


def _text(courrier):
    content = private_files.read(courrier.file_path)
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def _flat(text):
    return " ".join(text.split())


def _letters(decision):
    return {c.kind: c for c in Courrier.objects.filter(decision=decision)}


# --- which letters -------------------------------------------------------------------------------


def test_authorising_a_foreign_person_makes_the_notification_the_foreigners_letter_and_the_afis_certificate():
    decision = _decide()
    produced = letters.produce(decision.pk)
    assert {c.kind for c in produced} == {
        CourrierKind.NOTIFICATION,
        CourrierKind.INFORMATION_ETRANGERS,
        CourrierKind.ATTESTATION_AFIS,
    }
    for courrier in produced:
        assert courrier.sha256 == hashlib.sha256(private_files.read(courrier.file_path)).hexdigest()


def test_a_french_person_ineligible_to_the_afis_gets_the_notification_only():
    person = BeneficiaireFactory(francaise=True)
    demande = DemandeFactory(avis_rendu=True, beneficiaire=person, avis_commission_on=OPINION_DAY)
    demande.droit_rsa_ou_ada = True
    demande.save(update_fields=["droit_rsa_ou_ada"])
    decision = workflow.decide(
        demande,
        kind=DecisionKind.AUTORISATION,
        signataire=_president(demande.commission.departement),
        signataire_title="Préfète",
        decided_on=OPINION_DAY,
        start=OPINION_DAY,
    )
    assert [c.kind for c in letters.produce(decision.pk)] == [CourrierKind.NOTIFICATION]


def test_a_refusal_makes_the_notification_only():
    decision = _decide(DecisionKind.REFUS, motifs="Les conditions ne sont pas réunies.")
    assert [c.kind for c in letters.produce(decision.pk)] == [CourrierKind.NOTIFICATION]


def test_an_early_end_tells_the_foreigners_service_and_the_paying_body_that_the_afis_stops():
    parcours_decision = _decide()
    parcours = parcours_decision.demande.parcours
    demande = DemandeFactory(
        avis_rendu=True, kind=DemandeKind.FIN_ANTICIPEE, parcours=parcours, avis_commission_on=D(2026, 5, 4)
    )
    decision = workflow.decide(
        demande,
        kind=DecisionKind.FIN_ANTICIPEE,
        signataire=parcours_decision.signataire,
        signataire_title="Préfète",
        decided_on=D(2026, 5, 4),
        motifs="La personne a repris une activité prostitutionnelle.",
    )
    produced = _letters_of(decision)
    assert set(produced) == {
        CourrierKind.NOTIFICATION,
        CourrierKind.INFORMATION_ETRANGERS,
        CourrierKind.ATTESTATION_AFIS,
    }
    certificate = _flat(_text(produced[CourrierKind.ATTESTATION_AFIS]))
    assert "fin du versement" in certificate
    assert "à compter du 4 mai 2026" in certificate


def _letters_of(decision):
    return {c.kind: c for c in letters.produce(decision.pk)}


# --- what they say -------------------------------------------------------------------------------


def test_the_notification_of_an_authorisation_reads_in_french_with_its_dates_rights_and_signatory():
    decision = _decide()
    person = decision.demande.beneficiaire
    text = _flat(_text(_letters_of(decision)[CourrierKind.NOTIFICATION]))
    assert "République française" in text or "RÉPUBLIQUE FRANÇAISE" in text
    assert f"Préfecture – {person.departement.name}" in text
    assert "Le 1er mars 2026" in text
    assert person.full_name in text
    assert "je vous autorise à vous engager dans le parcours" in text
    assert "du 1er mars 2026 au 31 août 2026" in text
    assert "durée totale de 24 mois" in text
    assert "d’un montant mensuel de 343,20 €" in text
    assert "autorisation provisoire de séjour" in text
    assert "Pour la préfète et par délégation, la secrétaire générale" in text
    assert "Hélène Lefèvre" in text
    assert "Voies et délais de recours" not in text


def test_the_afis_certificate_gives_the_monthly_amount_from_the_dated_scale_and_the_period():
    person = BeneficiaireFactory(dependent_children=2)
    text = _flat(_text(_letters_of(_decide(beneficiaire=person))[CourrierKind.ATTESTATION_AFIS]))
    assert "Mutualité sociale agricole" in text
    assert "555,36 €" in text  # décret n° 2022-1340: two dependent children
    assert "du 1er mars 2026 au 31 août 2026" in text
    assert "Décret n° 2022-1340 du 19 octobre 2022" in text


def test_the_foreigners_letter_names_the_person_and_the_nationality_but_not_the_reasons():
    decision = _decide()
    text = _flat(_text(_letters_of(decision)[CourrierKind.INFORMATION_ETRANGERS]))
    assert "Service des étrangers de la préfecture" in text
    assert decision.demande.beneficiaire.full_name in text
    assert "Nigeria" in text or "Nigéria" in text
    assert "L425-4" in text


def test_a_refusal_states_its_reasons_and_the_appeal_routes_of_the_text_in_force():
    decision = _decide(
        DecisionKind.REFUS, motifs="Les engagements ne sont pas signés.\n\nAucun projet n’est construit."
    )
    text = _flat(_text(_letters_of(decision)[CourrierKind.NOTIFICATION]))
    assert "je refuse votre engagement dans le parcours" in text
    assert "Les engagements ne sont pas signés." in text
    assert "Aucun projet n’est construit." in text
    assert "Voies et délais de recours" in text
    assert "dans un délai de deux mois" in text
    assert "tribunal administratif" in text


def test_the_departements_own_appeal_text_replaces_the_national_one_from_its_date():
    departement = DepartementFactory()
    TexteCourrier.objects.create(
        kind=TexteCourrierKind.VOIES_RECOURS,
        departement=departement,
        effective_from=D(2026, 1, 1),
        text="Le tribunal administratif de Toulouse peut être saisi dans les deux mois.",
    )
    person = BeneficiaireFactory(departement=departement)
    decision = _decide(DecisionKind.REFUS, beneficiaire=person, motifs="Motif.")
    text = _flat(_text(_letters_of(decision)[CourrierKind.NOTIFICATION]))
    assert "Le tribunal administratif de Toulouse peut être saisi dans les deux mois." in text
    assert "Télérecours" not in text


def test_without_an_appeal_text_in_force_the_job_fails_and_says_what_to_enter(
    django_capture_on_commit_callbacks,
):
    TexteCourrier.objects.all().delete()
    decision = _decide(DecisionKind.REFUS, motifs="Motif.")
    with django_capture_on_commit_callbacks(execute=True):
        tasks.schedule_letters([decision])
    job = ProductionCourriers.objects.get(decision=decision)
    assert job.state == ProductionState.ECHEC
    assert "Aucun texte des voies et délais de recours" in job.error
    assert not Courrier.objects.filter(decision=decision).exists()


def test_a_name_or_a_reason_with_html_in_it_appears_as_text_and_fetches_nothing(listening_server):
    person = BeneficiaireFactory(
        last_name=f'<b>Nom</b> <img src="{listening_server.url}/nom.png">',
        first_names="Zoé <i>Chloé</i>",
    )
    decision = _decide(
        DecisionKind.REFUS,
        beneficiaire=person,
        motifs=f'<script>alert(1)</script> <img src="{listening_server.url}/motif.png"> & suite',
    )
    text = _flat(_text(_letters_of(decision)[CourrierKind.NOTIFICATION]))
    assert "<B>NOM</B>" in text
    assert "Zoé <i>Chloé</i>" in text
    assert "<script>alert(1)</script>" in text
    assert "& suite" in text
    assert listening_server.requests == []


def test_renewal_notification_says_how_long_the_pathway_will_have_lasted():
    decision = _decide(DecisionKind.RENOUVELLEMENT, demande_kind=DemandeKind.RENOUVELLEMENT)
    text = _flat(_text(_letters_of(decision)[CourrierKind.NOTIFICATION]))
    assert "je renouvelle votre autorisation" in text
    assert "du 1er mars 2026 au 31 août 2026" in text
    assert "votre parcours aura duré 12 mois, sur une durée totale de 24 mois au plus" in text


# --- stored once ---------------------------------------------------------------------------------


def _files(decision):
    folder = private_files.root() / "courriers" / str(decision.pk)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_producing_twice_keeps_the_first_letters_and_writes_no_second_file():
    decision = _decide()
    first = {c.pk: c.sha256 for c in letters.produce(decision.pk)}
    files = _files(decision)
    second = {c.pk: c.sha256 for c in letters.produce(decision.pk)}
    assert second == first
    assert _files(decision) == files
    assert len(files) == 3


def test_a_run_that_loses_the_race_deletes_its_file_and_returns_the_stored_letter(monkeypatch):
    decision = _decide(DecisionKind.REFUS, motifs="Motif.")
    real_render = letters.render
    theirs = {}

    def render_while_another_run_stores(decision, kind):
        # The other run renders and stores the same letter while this one is rendering.
        content = real_render(decision, kind)
        path, digest = private_files.write(f"courriers/{decision.pk}", content, ".pdf")
        theirs["courrier"] = Courrier.objects.create(
            decision=decision, kind=kind, file_path=path, sha256=digest
        )
        return content

    monkeypatch.setattr(letters, "render", render_while_another_run_stores)
    courrier, created = letters.ensure(decision, CourrierKind.NOTIFICATION)
    assert created is False
    assert courrier == theirs["courrier"]
    assert _files(decision) == [courrier.file_path.rsplit("/", 1)[1]]


def test_the_database_refuses_a_second_letter_of_the_same_kind():
    decision = _decide(DecisionKind.REFUS, motifs="Motif.")
    letters.produce(decision.pk)
    with pytest.raises(IntegrityError):
        Courrier.objects.create(decision=decision, kind=CourrierKind.NOTIFICATION, file_path="x", sha256="y")


# --- the job -------------------------------------------------------------------------------------


def test_the_job_produces_the_letters_and_emails_the_association_once(django_capture_on_commit_callbacks):
    decision = _decide()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.schedule_letters([decision])
    produce_letters.delay(decision.pk)  # delivered a second time
    job = ProductionCourriers.objects.get(decision=decision)
    assert job.state == ProductionState.TERMINEE
    assert Courrier.objects.filter(decision=decision).count() == 3
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [decision.demande.referent.email]
    reference = decision.demande.beneficiaire.reference
    assert reference in message.subject
    assert decision.demande.beneficiaire.last_name not in message.body
    assert "Autorisation" not in message.body  # nor the outcome
    assert f"/dossiers/{decision.demande_id}/#decision" in message.body


def test_a_job_that_fails_once_is_retried_and_makes_one_letter_of_each_kind(
    monkeypatch, django_capture_on_commit_callbacks
):
    decision = _decide()
    real_write = private_files.write
    calls = {"n": 0}

    def write_failing_on_the_second_letter(folder, content, suffix=""):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disque plein")
        return real_write(folder, content, suffix)

    monkeypatch.setattr(private_files, "write", write_failing_on_the_second_letter)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.schedule_letters([decision])
    job = ProductionCourriers.objects.get(decision=decision)
    assert job.state == ProductionState.TERMINEE
    assert job.attempts == 2
    assert Courrier.objects.filter(decision=decision).count() == 3
    assert len(_files(decision)) == 3


def test_a_job_failing_every_time_is_marked_failed_and_can_be_launched_again(
    monkeypatch, django_capture_on_commit_callbacks
):
    decision = _decide(DecisionKind.REFUS, motifs="Motif.")
    monkeypatch.setattr(letters, "render", lambda decision, kind: (_ for _ in ()).throw(RuntimeError("boom")))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.schedule_letters([decision])
    job = ProductionCourriers.objects.get(decision=decision)
    assert (job.state, job.error, job.attempts) == (ProductionState.ECHEC, "RuntimeError", 4)
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.schedule_letters([decision]) == [decision.pk]
    job.refresh_from_db()
    assert job.state == ProductionState.TERMINEE
    assert job.error == ""
    assert Courrier.objects.filter(decision=decision).count() == 1


def test_scheduling_leaves_produced_decisions_alone(django_capture_on_commit_callbacks):
    decision = _decide(DecisionKind.REFUS, motifs="Motif.")
    with django_capture_on_commit_callbacks(execute=True):
        tasks.schedule_letters([decision])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert tasks.schedule_letters([decision]) == []
    assert callbacks == []


# --- the PDF renderer fetches nothing but the project's static files ---------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def listening_server():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    server.requests = []
    server.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_renderer_fetches_no_url_outside_the_static_files(listening_server, tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    html = f"""<html><head>
      <link rel="stylesheet" href="{listening_server.url}/style.css">
      <link rel="stylesheet" href="file://{secret}">
      </head><body>
      <img src="{listening_server.url}/image.png">
      <img src="file:///etc/passwd">
      <img src="file:///static/../../../../etc/passwd">
      <p>Texte</p></body></html>"""
    assert html_to_pdf(html).startswith(b"%PDF")
    assert listening_server.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/image.png",
        "https://example.org/logo.svg",
        "file:///etc/passwd",
        "file:///static/../etc/passwd",
        "file://autre-machine/static/css/app.css",
        "ftp://example.org/x",
    ],
)
def test_the_fetcher_refuses_anything_but_static_files_and_data(url):
    with pytest.raises(ValueError, match="Refused"):
        StaticFilesOnly().fetch(url)


def test_the_fetcher_serves_the_projects_own_static_files():
    response = StaticFilesOnly().fetch("file:///static/css/app.css")
    assert b"psp-hash" in response.read()
    assert response.content_type == "text/css"


def test_the_afis_amount_follows_the_scale_in_the_database_not_the_code():
    from parcours.models import BaremeAfis

    BaremeAfis.objects.create(
        territoire="general",
        effective_from=D(2026, 2, 1),
        amount_0=Decimal("400.00"),
        amount_1=Decimal("500.00"),
        amount_2=Decimal("600.00"),
        amount_3=Decimal("700.00"),
        increment_per_child=Decimal("100.00"),
        legal_reference="Décret fictif du 1er février 2026",
    )
    text = _flat(_text(_letters_of(_decide())[CourrierKind.ATTESTATION_AFIS]))
    assert "400,00 €" in text
    assert "Décret fictif du 1er février 2026" in text
