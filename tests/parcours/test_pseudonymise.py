"""Members see dossiers by reference only: no name, address, phone, birth place or date, no document."""

import dataclasses
import datetime

import pytest
from django.urls import reverse

from commission.seances import workflow as seances
from parcours.enums import DemandeKind
from parcours.pseudonymise import MASK, Redactor, dossier_for_members
from tests.factories import BeneficiaireFactory, DocumentFactory
from tests.seances.test_seance_views import World

pytestmark = pytest.mark.django_db

IDENTITY = {
    "last_name": "Okonkwo",
    "first_names": "Blessing Joy",
    "usage_name": "Martin-Okonkwo",
    "birth_date": datetime.date(1995, 3, 14),
    "birth_place": "Benin City (Nigeria)",
    "address": "12 rue des Lilas\n31000 Toulouse",
    "phone": "06 12 34 56 78",
    "nationalities": ["NG"],
}
# What must never reach a member, in every form it could take on a page.
FORBIDDEN = [
    "Okonkwo",
    "OKONKWO",
    "Blessing",
    "Martin-Okonkwo",
    "Benin City",
    "12 rue des Lilas",
    "31000 Toulouse",
    "06 12 34 56 78",
    "0612345678",
    "14/03/1995",
    "14 mars 1995",
    "1995-03-14",
    "passeport-okonkwo.pdf",
]


def _demande(world, kind=DemandeKind.INITIALE, **person):
    beneficiaire = BeneficiaireFactory(departement=world.departement, **{**IDENTITY, **person})
    return world.admissible(beneficiaire=beneficiaire, kind=kind)


def _all_text(value) -> str:
    if dataclasses.is_dataclass(value):
        return " ".join(_all_text(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, list):
        return " ".join(_all_text(item) for item in value)
    return str(value)


def test_dossier_for_members_gives_reference_age_nationality_situation_and_projet():
    world = World()
    demande = _demande(world, kind=DemandeKind.RENOUVELLEMENT)
    dossier = dossier_for_members(demande, on=datetime.date(2026, 3, 13))
    assert dossier.reference == demande.beneficiaire.reference
    assert dossier.age == 30  # the day before the 31st birthday
    assert dossier.nationalities == ["Nigeria"]
    assert dossier.logement == "Hébergement associatif / CHRS"
    assert dossier.situation_emploi == "En formation"
    assert [axe.label for axe in dossier.axes][0] == "Mise en sécurité et logement"
    assert dossier.axes[0].progress == "Hébergée en CHRS depuis trois mois."
    assert dossier.is_renewal


def test_dossier_for_members_holds_no_identity_field():
    world = World()
    dossier = dossier_for_members(_demande(world))
    text = _all_text(dossier)
    for forbidden in FORBIDDEN:
        assert forbidden not in text
    fields = {f.name for f in dataclasses.fields(dossier)}
    assert not fields & {
        "last_name",
        "first_names",
        "usage_name",
        "birth_date",
        "birth_place",
        "address",
        "phone",
    }


def test_progress_report_is_only_shown_for_a_renewal():
    world = World()
    dossier = dossier_for_members(_demande(world))
    assert not dossier.is_renewal
    assert all(axe.progress == "" for axe in dossier.axes)


def test_names_phone_email_and_birth_date_typed_in_free_text_are_masked():
    person = BeneficiaireFactory.build(**{**IDENTITY, "last_name": "Le Gall", "first_names": "Élodie"})
    redact = Redactor(person)
    text = (
        "Mme LE GALL (elodie) est arrivée le 14/03/1995 ; joignable au 06.12.34.56.78 ou "
        "elodie.legall@example.org. Elle suit le projet de la Maison des femmes."
    )
    masked = redact(text)
    assert "GALL" not in masked and "elodie" not in masked.lower()
    assert "14/03/1995" not in masked and "06.12.34.56.78" not in masked and "@" not in masked
    # Name particles are words of the language too: they stay.
    assert "Elle suit le projet de la Maison des femmes." in masked
    assert masked.count(MASK) >= 4


def test_member_page_shows_the_pseudonymised_dossier_and_nothing_that_identifies_the_person(client):
    world = World()
    demande = _demande(world, kind=DemandeKind.RENOUVELLEMENT)
    demande.evaluation_association = "Blessing Okonkwo tient ses engagements (tél. 06 12 34 56 78)."
    demande.avis_association_motifs = "Mme OKONKWO progresse sur chaque axe."
    demande.save(update_fields=["evaluation_association", "avis_association_motifs"])
    DocumentFactory(demande=demande, original_name="passeport-okonkwo.pdf")
    seance = seances.create_seance(
        commission=world.commission,
        starts_at=seances.timezone.now() + datetime.timedelta(days=10),
        place="Préfecture",
    )
    point = seances.add_point(seance, demande=demande, user=world.secretariat)
    seances.convene(seance, user=world.secretariat)
    client.force_login(world.members[1].user)
    for target in (
        reverse("commission:seance", args=[seance.pk]),
        reverse("commission:point", args=[seance.pk, point.pk]),
    ):
        content = client.get(target).content.decode()
        for forbidden in FORBIDDEN:
            assert forbidden not in content, (target, forbidden)
        assert "/documents/" not in content
        assert demande.beneficiaire.reference in content
    page = " ".join(
        client.get(reverse("commission:point", args=[seance.pk, point.pk])).content.decode().split()
    )
    assert "Nigeria" in page
    assert "ans</dd>" in page.replace(" </dd>", "</dd>")
    assert "tient ses engagements" in page
    assert "Hébergée en CHRS depuis trois mois." in page  # the progress report of a renewal
