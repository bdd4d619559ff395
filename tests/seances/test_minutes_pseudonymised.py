"""The minutes every member downloads carry no identity: each free text goes through the masking."""

import datetime

import pytest

from commission import private_files
from commission.seances import workflow as seances
from commission.seances.enums import VoteChoice
from commission.seances.models import ProcesVerbal
from tests.seances.test_seance_workflow import Commission, _pdf_text

pytestmark = pytest.mark.django_db


def _closed_session_naming_the_person(django_capture_on_commit_callbacks):
    world = Commission()
    seance = world.opened(present=4, points=2)
    first, second = seance.points.order_by("order").select_related("demande__beneficiaire")
    person = first.demande.beneficiaire
    person.last_name, person.first_names = "Okonkwo", "Blessing"
    person.birth_date = datetime.date(1995, 3, 14)
    person.save()
    other = second.demande.beneficiaire
    other.last_name, other.first_names = "Adjoa", "Efua"
    other.save()
    seance.urgency_reason = "Expulsion de Mme Okonkwo prévue le 20 juin."
    seance.save(update_fields=["urgency_reason"])
    m = world.members
    seances.cast_vote(
        first,
        caster=m[0],
        seat=m[0],
        choice=VoteChoice.FAVORABLE,
        comment="Blessing, née le 14/03/1995, a beaucoup progressé.",
    )
    seances.cast_vote(first, caster=m[1], seat=m[1], choice=VoteChoice.FAVORABLE)
    seances.close_point(
        first,
        user=world.secretariat,
        dissent="Désaccord : Blessing Okonkwo vit au 12 rue des Lilas.",
        confirmed=True,
    )
    seances.postpone_point(second, user=world.secretariat, reason="Attendre le titre d’Efua ADJOA.")
    with django_capture_on_commit_callbacks(execute=True):
        seances.close_seance(seance, user=world.secretariat)
    return seance


def _minutes_text(seance):
    return _pdf_text(private_files.read(ProcesVerbal.objects.get(seance=seance).file_path))


def test_minutes_mask_dissent_vote_comments_postponement_and_urgency_reasons(
    django_capture_on_commit_callbacks,
):
    seance = _closed_session_naming_the_person(django_capture_on_commit_callbacks)
    seance.urgent = True  # shown only for an urgent session
    seance.save(update_fields=["urgent"])
    from commission.seances.minutes import render_pdf

    text = _pdf_text(render_pdf(seance))
    for forbidden in ("Okonkwo", "OKONKWO", "Blessing", "14/03/1995", "rue des Lilas", "Efua", "ADJOA"):
        assert forbidden not in text, forbidden
    assert "Désaccord consigné : Désaccord : […] vit au […]" in text
    assert "[…], née le […], a beaucoup progressé." in text
    assert "Ajourné : Attendre le titre d’[…]" in text
    assert "Expulsion de Mme […] prévue le 20 juin." in text


def test_stored_minutes_carry_the_masked_texts(django_capture_on_commit_callbacks):
    seance = _closed_session_naming_the_person(django_capture_on_commit_callbacks)
    text = _minutes_text(seance)
    assert "Okonkwo" not in text and "Blessing" not in text
    assert "Observations formulées lors du vote" in text
    assert "a beaucoup progressé" in text


def test_member_pages_and_convocation_mask_session_texts_the_secretariat_reads_them_as_typed(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from commission.enums import Role
    from tests.factories import UserFactory
    from tests.seances.test_seance_workflow import _at

    world = Commission()
    demande = world.admissible()
    person = demande.beneficiaire
    person.last_name, person.first_names = "Okonkwo", "Blessing"
    person.save()
    seance = seances.create_seance(
        commission=world.commission,
        starts_at=_at(2),
        place="Préfecture",
        urgent=True,
        urgency_reason="Mise à l’abri de Blessing Okonkwo.",
    )
    point = seances.add_point(seance, demande=demande, user=world.secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        seances.convene(seance, user=world.secretariat)
    assert "Mise à l’abri de […]." in mailoutbox[0].body
    assert "Okonkwo" not in mailoutbox[0].body
    client.force_login(world.members[1].user)
    page = client.get(reverse("commission:seance", args=[seance.pk])).content.decode()
    assert "Mise à l’abri de […]." in page and "Okonkwo" not in page
    client.force_login(UserFactory(organisation=world.secretariat.organisation, roles=[Role.SECRETARIAT]))
    page = client.get(reverse("commission:seance", args=[seance.pk])).content.decode()
    assert "Mise à l’abri de Blessing Okonkwo." in page
    assert point.pk
