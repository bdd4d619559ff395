"""The daily reminders: who is reminded of what, once, and what each user sees on the home page."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from commission.dates import add_months
from commission.enums import OrganisationKind, Role
from parcours import reminders
from parcours.enums import DemandeKind, DemandeState, ParcoursEndReason, RappelKind, TitreSejourState
from parcours.models import Rappel
from parcours.tasks import daily_reminders
from parcours.workflow import titres
from tests.factories import (
    AssociationFactory,
    DemandeFactory,
    DepartementFactory,
    OrganisationFactory,
    ParcoursFactory,
    RappelFactory,
    TitreSejourFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def _pathway_ending_in(days, **kwargs):
    """A pathway in its first term, accompanied by an association with one caseworker, ending in `days`."""
    end = today() + datetime.timedelta(days=days)
    parcours = ParcoursFactory(started_on=end - datetime.timedelta(days=180), **kwargs)
    parcours.periodes.update(end=end)
    parcours.current_term_end = end
    parcours.save(update_fields=["current_term_end"])
    DemandeFactory(
        parcours=parcours, kind=DemandeKind.INITIALE, state=DemandeState.ACCEPTEE, complete=True
    )  # records the person's choice of association, with its caseworker
    return parcours


def _association_of(parcours):
    return parcours.beneficiaire.accompagnements.get(end__isnull=True).association


def _staff(departement, kind, role):
    return UserFactory(organisation=OrganisationFactory(kind=kind, departement=departement), roles=[role])


def _kinds():
    return sorted(Rappel.objects.values_list("kind", flat=True))


# --- the association: renewal to file ------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "kind"),
    [
        (60, RappelKind.ECHEANCE_60),
        (45, RappelKind.ECHEANCE_60),
        (30, RappelKind.ECHEANCE_30),
        (16, RappelKind.ECHEANCE_30),
        (15, RappelKind.ECHEANCE_15),
        (0, RappelKind.ECHEANCE_15),
    ],
)
def test_the_association_is_reminded_in_the_window_before_the_term_ends(days, kind):
    parcours = _pathway_ending_in(days)
    reminders.run()
    rappel = Rappel.objects.get()
    assert rappel.kind == kind
    assert rappel.parcours == parcours
    assert rappel.organisation == _association_of(parcours)
    assert rappel.due_on == parcours.current_term_end


def test_nothing_is_due_more_than_sixty_days_before_the_term_or_after_it():
    _pathway_ending_in(61)
    _pathway_ending_in(-1)
    reminders.run()
    assert _kinds() == []


def test_each_threshold_is_sent_once_as_the_term_comes_closer():
    parcours = _pathway_ending_in(60)
    for days_later in range(0, 61):
        reminders.run(today() + datetime.timedelta(days=days_later))
    assert _kinds() == [RappelKind.ECHEANCE_15, RappelKind.ECHEANCE_30, RappelKind.ECHEANCE_60]
    caseworkers = [a.referent.email for a in parcours.beneficiaire.accompagnements.all()]
    assert [m.to for m in mail.outbox] == [caseworkers] * 3


def test_the_email_carries_the_reference_and_a_link_but_no_name():
    parcours = _pathway_ending_in(30)
    reminders.run()
    (message,) = mail.outbox
    person = parcours.beneficiaire
    assert person.reference in message.body
    assert person.last_name not in message.body
    assert person.first_names not in message.body
    assert reverse("beneficiaires:detail", args=[person.pk]) in message.body
    assert "Échéance du parcours dans 30 jours" in message.body


def test_no_reminder_once_the_renewal_is_filed_but_one_while_it_is_a_draft():
    filed = _pathway_ending_in(30)
    DemandeFactory(parcours=filed, kind=DemandeKind.RENOUVELLEMENT, state=DemandeState.DEPOSEE, complete=True)
    draft = _pathway_ending_in(30)
    DemandeFactory(parcours=draft, kind=DemandeKind.RENOUVELLEMENT, state=DemandeState.BROUILLON)
    reminders.run()
    assert list(Rappel.objects.values_list("parcours", flat=True)) == [draft.pk]


def test_no_reminder_to_renew_a_pathway_at_its_24_month_cap():
    at_cap = _pathway_ending_in(20)
    at_cap.periodes.update(months=24)
    below_cap = _pathway_ending_in(20)
    below_cap.periodes.update(months=18)
    reminders.run()
    assert list(Rappel.objects.values_list("parcours", flat=True)) == [below_cap.pk]


def test_no_reminder_for_an_ended_pathway():
    parcours = _pathway_ending_in(30)
    parcours.state = "termine"
    parcours.ended_on = today()
    parcours.end_reason = ParcoursEndReason.RETRAIT
    parcours.save()
    reminders.run()
    assert _kinds() == []


# --- once ----------------------------------------------------------------------------------------


def test_the_daily_job_run_twice_the_same_day_sends_each_reminder_once():
    _pathway_ending_in(30)
    _pathway_ending_in(10)
    TitreSejourFactory()
    first = reminders.run()
    emails = len(mail.outbox)
    second = reminders.run()
    assert first["notified"] == 3
    assert second["notified"] == 0 and second["emails"] == 0
    assert len(mail.outbox) == emails
    assert Rappel.objects.count() == 3
    assert not Rappel.objects.filter(notified_at__isnull=True).exists()


def test_reminders_recorded_by_a_run_that_died_before_emailing_are_sent_by_the_next_one():
    parcours = _pathway_ending_in(30)
    Rappel.objects.bulk_create(reminders.scan(), ignore_conflicts=True)  # the run dies here
    result = reminders.run()
    assert result["notified"] == 1
    assert len(mail.outbox) == 1
    assert Rappel.objects.get().parcours == parcours


def test_a_reminder_key_is_unique_in_the_database():
    rappel = RappelFactory()
    with pytest.raises(IntegrityError):
        RappelFactory(key=rappel.key, parcours=rappel.parcours)


def test_the_scan_is_one_query_per_kind_whatever_the_number_of_pathways(django_assert_num_queries):
    departement = DepartementFactory()
    for days in (10, 20, 40, 50, 59):
        _pathway_ending_in(days, departement=departement)
    # three terms, permits to issue, permits expiring, the commissions' delays, the waiting dossiers
    with django_assert_num_queries(7) as few:
        assert len(reminders.scan()) == 5
    for days in range(1, 60, 3):
        _pathway_ending_in(days, departement=departement)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(reminders.scan()) == 25


# --- the foreigners' service and the secretariat -------------------------------------------------


def test_the_foreigners_service_is_reminded_of_permits_to_issue_and_expiring():
    to_issue = TitreSejourFactory()
    departement = to_issue.parcours.commission.departement
    expiring = TitreSejourFactory(
        delivre=True,
        parcours=ParcoursFactory(departement=departement),
        valid_until=today() + datetime.timedelta(days=20),
    )
    TitreSejourFactory(
        delivre=True,
        parcours=ParcoursFactory(departement=departement),
        valid_until=today() + datetime.timedelta(days=90),
    )
    service = _staff(departement, OrganisationKind.SERVICE_ETRANGERS, Role.ETRANGERS)
    _staff(DepartementFactory(), OrganisationKind.SERVICE_ETRANGERS, Role.ETRANGERS)  # elsewhere
    reminders.run()
    assert {(r.kind, r.titre_sejour_id) for r in Rappel.objects.all()} == {
        (RappelKind.APS_A_DELIVRER, to_issue.pk),
        (RappelKind.APS_EXPIRE, expiring.pk),
    }
    (message,) = mail.outbox
    assert message.to == [service.email]
    assert reverse("decisions:titre", args=[to_issue.pk]) in message.body


def test_a_permit_to_renew_is_reminded_again_after_each_renewal_of_the_pathway():
    titre = TitreSejourFactory(state=TitreSejourState.A_RENOUVELER, number="APS1", issued_on=today())
    reminders.run()
    parcours = titre.parcours
    parcours.current_term_end += datetime.timedelta(days=183)
    parcours.save(update_fields=["current_term_end"])
    reminders.run()
    assert Rappel.objects.filter(kind=RappelKind.APS_A_DELIVRER).count() == 2


def test_the_secretariat_is_reminded_of_admissible_dossiers_waiting_longer_than_the_commissions_delay():
    departement = DepartementFactory()
    late = DemandeFactory(
        departement=departement,
        complete=True,
        state=DemandeState.RECEVABLE,
        admissible_at=timezone.now() - datetime.timedelta(days=46),
    )
    DemandeFactory(
        departement=departement,
        complete=True,
        state=DemandeState.RECEVABLE,
        admissible_at=timezone.now() - datetime.timedelta(days=40),
    )
    secretariat = _staff(departement, OrganisationKind.SECRETARIAT, Role.SECRETARIAT)
    reminders.run()
    rappel = Rappel.objects.get()
    assert (rappel.kind, rappel.demande) == (RappelKind.DOSSIER_EN_ATTENTE, late)
    assert rappel.due_on == timezone.localtime(late.admissible_at).date() + datetime.timedelta(days=45)
    assert mail.outbox[0].to == [secretariat.email]


def test_a_shorter_delay_set_on_the_commission_reminds_sooner():
    waiting = DemandeFactory(
        complete=True, state=DemandeState.AJOURNEE, admissible_at=timezone.now() - datetime.timedelta(days=20)
    )
    commission = waiting.commission
    reminders.run()
    assert _kinds() == []
    commission.waiting_alert_days = 14
    commission.save(update_fields=["waiting_alert_days"])
    reminders.run()
    assert _kinds() == [RappelKind.DOSSIER_EN_ATTENTE]


def test_the_daily_task_also_marks_permits_whose_validity_passed_as_expired():
    titre = TitreSejourFactory(delivre=True, valid_until=today() - datetime.timedelta(days=1))
    daily_reminders.delay()
    titre.refresh_from_db()
    assert titre.state == TitreSejourState.EXPIRE
    assert titre.evenements.filter(transition="expire").count() == 1


# --- pending reminders on the home page ----------------------------------------------------------


def test_each_user_sees_their_pending_reminders_and_no_one_elses(client):
    parcours = _pathway_ending_in(30)
    other = _pathway_ending_in(30)
    reminders.run()
    caseworker = parcours.beneficiaire.accompagnements.get().referent
    assert [r.parcours for r in reminders.pending_for(caseworker)] == [parcours]
    client.force_login(caseworker)
    response = client.get(reverse("home"))
    section = next(s for s in response.context["sections"] if s.key == "rappels")
    assert [r.parcours for r in section.rows] == [parcours]
    html = response.content.decode()
    assert "Échéance du parcours dans 30 jours" in html
    assert parcours.beneficiaire.reference in html
    assert other.beneficiaire.reference not in html


def test_a_reminder_leaves_the_home_page_once_acted_on():
    parcours = _pathway_ending_in(30)
    titre = TitreSejourFactory(parcours=parcours)
    reminders.run()
    caseworker = parcours.beneficiaire.accompagnements.get().referent
    service = _staff(parcours.commission.departement, OrganisationKind.SERVICE_ETRANGERS, Role.ETRANGERS)
    assert reminders.pending_for(caseworker).count() == 1
    assert reminders.pending_for(service).count() == 1
    DemandeFactory(
        parcours=parcours, kind=DemandeKind.RENOUVELLEMENT, state=DemandeState.DEPOSEE, complete=True
    )
    titres.issue(titre, number="APS42", issued_on=today(), valid_until=add_months(today(), 6))
    assert reminders.pending_for(caseworker).count() == 0
    assert reminders.pending_for(service).count() == 0
    assert reminders.run()["closed"] == 2


def test_a_reminder_follows_the_person_to_their_new_association():
    parcours = _pathway_ending_in(30)
    reminders.run()
    former = parcours.beneficiaire.accompagnements.get()
    former.end = today()
    former.save(update_fields=["end"])
    new_association = AssociationFactory(departement=parcours.commission.departement)
    new_caseworker = UserFactory(organisation=new_association, roles=[Role.REFERENT])
    parcours.beneficiaire.accompagnements.create(
        association=new_association, referent=new_caseworker, chosen_on=today(), start=today()
    )
    assert reminders.pending_for(former.referent).count() == 0
    assert reminders.pending_for(new_caseworker).count() == 1
