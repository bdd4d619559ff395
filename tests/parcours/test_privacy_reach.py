"""The anonymisation reaches everything written about the person: session texts and minutes, the
change history, persons registered without an application, and files no row points to."""

import datetime
import os
import time

import pytest
from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from beneficiaires.enums import AccompagnementEndReason
from beneficiaires.models import Accompagnement, Beneficiaire
from commission import private_files
from commission.seances import workflow as seances
from commission.seances.enums import VoteChoice
from commission.seances.models import Avis, PointEvenement, PointOrdreDuJour, ProcesVerbal, Seance, Vote
from parcours import privacy
from tests.factories import AssociationFactory, BeneficiaireFactory, DocumentFactory
from tests.seances.test_seance_workflow import Commission, _pdf_text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    settings.RETENTION_DAYS_AFTER_END = 365


def _session_about(django_capture_on_commit_callbacks):
    """A closed session with stored minutes whose texts name the person of its first item."""
    world = Commission()
    seance = world.opened(present=4, points=2)
    first, second = seance.points.order_by("order").select_related("demande__beneficiaire")
    person = first.demande.beneficiaire
    person.last_name, person.first_names, person.birth_date = (
        "Okonkwo",
        "Blessing",
        datetime.date(1995, 3, 14),
    )
    person.save()
    Seance.objects.filter(pk=seance.pk).update(urgency_reason="Expulsion de Blessing Okonkwo imminente.")
    seances.cast_vote(
        first,
        caster=world.members[0],
        seat=world.members[0],
        choice=VoteChoice.FAVORABLE,
        comment="Okonkwo progresse.",
    )
    seances.close_point(
        first, user=world.secretariat, dissent="Blessing n’a pas tenu l’axe santé.", confirmed=True
    )
    seances.postpone_point(
        second, user=world.secretariat, reason="Titre d’Okonkwo et du second dossier à voir."
    )
    with django_capture_on_commit_callbacks(execute=True):
        seances.close_seance(seance, user=world.secretariat)
    return person, seance, first, second


def test_anonymisation_masks_session_texts_and_renders_the_minutes_again(django_capture_on_commit_callbacks):
    person, seance, first, second = _session_about(django_capture_on_commit_callbacks)
    old = ProcesVerbal.objects.get(seance=seance)
    with django_capture_on_commit_callbacks(execute=True):
        privacy.anonymise(person)
    vote = Vote.objects.filter(point=first).exclude(comment="").get()
    assert vote.comment == "[…] progresse."
    assert Avis.objects.get(point=first).dissent == "[…] n’a pas tenu l’axe santé."
    # Another item of the same session that named the person is masked too.
    assert (
        PointOrdreDuJour.objects.get(pk=second.pk).postponement_reason
        == "Titre d’[…] et du second dossier à voir."
    )
    seance.refresh_from_db()
    assert seance.urgency_reason == "Expulsion de […] imminente."
    assert not PointEvenement.objects.filter(point__seance=seance, reason__icontains="okonkwo").exists()
    minutes = ProcesVerbal.objects.get(seance=seance)
    assert minutes.file_path != old.file_path
    assert not (private_files.root() / old.file_path).exists()
    text = _pdf_text(private_files.read(minutes.file_path))
    assert "Okonkwo" not in text and "Blessing" not in text
    assert "[…] progresse." in text


def test_anonymisation_masks_the_values_of_the_change_history_and_keeps_the_rest(
    django_capture_on_commit_callbacks,
):
    person, seance, first, _second = _session_about(django_capture_on_commit_callbacks)
    vote = Vote.objects.filter(point=first).exclude(comment="").get()
    # History written before values were masked: the texts as typed.
    entries = [
        LogEntry.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            object_pk=str(pk),
            object_id=pk,
            object_repr="x",
            action=LogEntry.Action.UPDATE,
            changes=changes,
        )
        for model, pk, changes in [
            (Vote, vote.pk, {"comment": ["", "Okonkwo progresse."], "choice": ["defavorable", "favorable"]}),
            (Beneficiaire, person.pk, {"address": ["", "12 rue des Lilas"], "logement": ["", "chrs"]}),
            (Seance, seance.pk, {"urgency_reason": ["", "Expulsion de Blessing"]}),
        ]
    ]
    with django_capture_on_commit_callbacks(execute=True):
        privacy.anonymise(person)
    vote_entry, person_entry, seance_entry = (LogEntry.objects.get(pk=e.pk) for e in entries)
    assert vote_entry.changes == {"comment": ["", "•••"], "choice": ["defavorable", "favorable"]}
    assert person_entry.changes == {"address": ["", "•••"], "logement": ["", "chrs"]}
    assert seance_entry.changes == {"urgency_reason": ["", "•••"]}
    assert "Okonkwo" not in str(list(LogEntry.objects.values_list("changes", flat=True)))


def test_new_history_of_session_texts_keeps_no_value(django_capture_on_commit_callbacks):
    _person, _seance, first, _second = _session_about(django_capture_on_commit_callbacks)
    vote = Vote.objects.filter(point=first).exclude(comment="").get()
    entry = LogEntry.objects.get_for_object(vote).first()
    assert entry.changes["comment"][1] == "•••"


def _registered_only(days_ago, *, accompaniment_end_days_ago=None, open_accompaniment=False):
    """A person registered `days_ago`, whose record has not changed since (history included)."""
    with disable_auditlog():
        person = BeneficiaireFactory(last_name="Nwosu", first_names="Adaeze")
    at = timezone.now() - datetime.timedelta(days=days_ago)
    Beneficiaire.objects.filter(pk=person.pk).update(created_at=at)
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Beneficiaire),
        object_pk=str(person.pk),
        object_id=person.pk,
        object_repr=person.reference,
        action=LogEntry.Action.CREATE,
        changes={},
        timestamp=at,
    )
    if accompaniment_end_days_ago is not None or open_accompaniment:
        start = TODAY - datetime.timedelta(days=days_ago)
        end = None if open_accompaniment else TODAY - datetime.timedelta(days=accompaniment_end_days_ago)
        Accompagnement.objects.create(
            beneficiaire=person,
            association=AssociationFactory(departement=person.departement),
            chosen_on=start,
            start=start,
            end=end,
            end_reason="" if end is None else AccompagnementEndReason.values[0],
        )
    return person


def test_person_registered_without_application_is_anonymised_after_the_retention_delay():
    old = _registered_only(500, accompaniment_end_days_ago=400)
    recent_end = _registered_only(500, accompaniment_end_days_ago=100)
    still_accompanied = _registered_only(500, open_accompaniment=True)
    recent = _registered_only(100)
    due = set(privacy.due_for_anonymisation().values_list("pk", flat=True))
    assert old.pk in due
    assert not due & {recent_end.pk, still_accompanied.pk, recent.pk}
    privacy.anonymise_due()
    old.refresh_from_db()
    assert old.anonymised_at is not None and old.last_name == privacy.ERASED and old.first_names == ""


def test_a_recent_change_of_the_record_keeps_a_person_without_application():
    person = _registered_only(500)
    person.phone = "06 11 22 33 44"
    person.save()  # the history records the change today
    assert person.pk not in set(privacy.due_for_anonymisation().values_list("pk", flat=True))


def _aged(relative, days):
    path = private_files.root() / relative
    past = time.time() - days * 86400
    os.utime(path, (past, past))


def test_private_files_no_row_points_to_are_swept_after_a_day():
    orphan, _ = private_files.write("documents", b"%PDF orphan", ".pdf")
    young, _ = private_files.write("documents", b"%PDF just written", ".pdf")
    kept, digest = private_files.write("documents", b"%PDF kept", ".pdf")
    DocumentFactory(file_path=kept, sha256=digest)
    _aged(orphan, 2)
    _aged(kept, 2)
    assert privacy.orphan_files() == [orphan]
    call_command("sweep_private_files")  # a dry run: says what it would delete
    assert (private_files.root() / orphan).exists()
    call_command("sweep_private_files", "--wet-run")
    assert not (private_files.root() / orphan).exists()
    assert (private_files.root() / young).exists() and (private_files.root() / kept).exists()


def test_on_postgresql_history_stays_append_only_except_for_masking_values(
    django_capture_on_commit_callbacks,
):
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    person = _registered_only(10)
    entry = LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Beneficiaire),
        object_pk=str(person.pk),
        object_id=person.pk,
        object_repr="x",
        action=LogEntry.Action.UPDATE,
        changes={"phone": ["", "06 11 22 33 44"]},
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(changes={"phone": ["", "•••"]})
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('psp.masking_history', 'on', true)")
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="rewritten")
    assert privacy.mask_history(Beneficiaire, [person.pk], ["phone"]) == 1
    assert LogEntry.objects.get(pk=entry.pk).changes == {"phone": ["", "•••"]}
