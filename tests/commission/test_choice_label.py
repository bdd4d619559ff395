"""`choice_label` (behind `Demande.get_state_display()` and `get_kind_display()`) gives what Django's own
get_FOO_display() gives: the French label, or the stored value when it is no choice."""

from django.utils import translation

from commission.enums import choice_label
from parcours.enums import DemandeKind, DemandeState
from parcours.models import Demande


def test_every_state_and_kind_reads_as_django_s_own_label():
    with translation.override("fr"):
        for state in DemandeState:
            assert Demande(state=state).get_state_display() == str(state.label)
        for kind in DemandeKind:
            assert Demande(kind=kind).get_kind_display() == str(kind.label)
        assert Demande(state=DemandeState.RECEVABLE).get_state_display() != DemandeState.RECEVABLE.value


def test_a_value_that_is_no_choice_is_given_back_as_it_is():
    assert choice_label(DemandeState, "inconnu") == "inconnu"
    assert Demande(state="inconnu").get_state_display() == "inconnu"
