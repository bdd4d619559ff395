"""The one transition engine: every state machine of the procedure declares its table in one shape and
changes its states only through `Machine.apply`, which checks, sets, saves and writes the event row.

A machine is a table of `Transition(name, sources, target, label)` rows over one state field, with the
model of its event rows (who, when, from, to, why). It lives at the top of the machine's own
`workflow` module, so that the module reads top to bottom as the domain document's list of states:

    from commission.transitions import Machine, Transition, UNCHANGED, WorkflowError

    S = DemandeState
    MACHINE = Machine(
        field="state",
        log_model="parcours.DemandeEvenement",  # a string: the foundation imports no app
        log_fk="demande",
        transitions=[
            Transition("create", (), S.BROUILLON, _("Création")),  # no source: creates the row
            Transition("submit", (S.BROUILLON,), S.DEPOSEE, _("Dépôt")),
            Transition("decide", (S.AVIS_RENDU,), (S.ACCEPTEE, S.REFUSEE), _("Décision")),  # one of
            Transition("give_opinion", (S.BROUILLON, S.DEPOSEE), UNCHANGED, _("Avis")),  # no change
        ],
    )

    @transaction.atomic
    def submit(demande, *, user):
        demande = _locked(demande)            # the module locks the row and checks its own guards …
        _check_complete(demande)
        demande.submitted_at = timezone.now()
        return MACHINE.apply(demande, "submit", user=user, extra_fields=["submitted_at"])  # … then applies

What `apply` does, in one transaction: refuses a transition whose sources do not hold the current state
(WorkflowError, with a French sentence naming the state's label), sets the target, saves the state and
the `extra_fields` the caller changed (`update_fields`), or inserts the row for a creating transition,
and writes one event row: `{log_fk: obj, transition, from_state, to_state, user, at, reason,
**event_fields}`. Its callers keep their guards that are not about the state (a complete dossier, a
valid approval, a reason given) and their effects on other rows (the pathway a decision opens).

A target is a state, a tuple of states among which the caller chooses (`target=`), or UNCHANGED (the
transition records an act, such as an opinion, without moving the state). `allowed(obj)` and
`can(obj, name)` answer what a page may offer; a page never compares states itself.

The event rows of every machine extend `TransitionLog` (abstract), which gives them the same columns.
Rows written before this engine keep their shape; a machine that logs more (the residence permit's
number and dates) adds fields to its own log model and passes them as `event_fields`.
"""

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class WorkflowError(Exception):
    """A refused transition; `message` is a French sentence shown to the user as is."""

    def __init__(self, message, *, details=None):
        super().__init__(str(message))
        self.message = message
        self.details = details or {}


class _Unchanged:
    def __repr__(self):
        return "UNCHANGED"


# The target of a transition that records an act without moving the state.
UNCHANGED = _Unchanged()


@dataclass(frozen=True)
class Transition:
    """One row of a machine's table. No `sources`: the transition creates the object."""

    name: str
    sources: tuple
    target: object  # a state, a tuple of states the caller chooses from, or UNCHANGED
    label: str = ""

    @property
    def creates(self) -> bool:
        return not self.sources

    def targets(self) -> tuple:
        """The states this transition may lead to (UNCHANGED: none of its own)."""
        if self.target is UNCHANGED:
            return ()
        return self.target if isinstance(self.target, tuple) else (self.target,)


@dataclass(frozen=True)
class Machine:
    """A state machine: its state field, its table, and where its event rows go."""

    field: str
    transitions: tuple
    log_model: str  # "app_label.ModelName", a subclass of TransitionLog
    log_fk: str  # the event row's foreign key to the object
    # The sentence of a refusal, with %(state)s for the label of the current state.
    refusal: str = _("Impossible depuis l’état « %(state)s ».")

    def __post_init__(self):
        names = [t.name for t in self.transitions]
        if len(names) != len(set(names)):
            raise ValueError(f"Duplicate transition names in {names}")
        object.__setattr__(self, "transitions", tuple(self.transitions))

    @cached_property
    def _by_name(self) -> dict:
        return {t.name: t for t in self.transitions}

    def __getitem__(self, name) -> Transition:
        return self._by_name[name]

    def __contains__(self, name) -> bool:
        return name in self._by_name

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.transitions]

    def state_of(self, obj):
        return getattr(obj, self.field)

    def allowed(self, obj) -> list[str]:
        """The transitions the object's current state allows, in the table's order."""
        state = self.state_of(obj)
        return [t.name for t in self.transitions if state in t.sources]

    def can(self, obj, name) -> bool:
        return self.state_of(obj) in self[name].sources

    def label(self, name) -> str:
        return self[name].label

    def refusal_of(self, obj) -> str:
        return self.refusal % {"state": _state_label(obj, self.field)}

    @transaction.atomic
    def apply(self, obj, name, *, user, target=None, reason="", extra_fields=(), **event_fields):
        """Check the source, set the target, save, and write the event row (who, when, from, to, why)."""
        transition = self[name]
        if transition.creates:
            if not obj._state.adding:
                raise ValueError(f"{name} creates a row; {obj!r} exists already")
            from_state = ""
        else:
            from_state = self.state_of(obj)
            if from_state not in transition.sources:
                raise WorkflowError(self.refusal_of(obj))
        to_state = self._target(transition, from_state, target)
        setattr(obj, self.field, to_state)
        if transition.creates:
            obj.save()
        else:
            obj.save(update_fields=[self.field, *extra_fields])
        self.log(obj, name, from_state, to_state, user=user, reason=reason, **event_fields)
        return obj

    def log(self, obj, name, from_state, to_state, *, user, reason="", **event_fields):
        return self._log_model.objects.create(
            **{self.log_fk: obj},
            transition=name,
            from_state=from_state,
            to_state=to_state,
            user=user,
            reason=reason,
            **event_fields,
        )

    def _target(self, transition, from_state, target):
        if transition.target is UNCHANGED:
            if target is not None:
                raise ValueError(f"{transition.name} does not change the state")
            return from_state
        choices = transition.targets()
        if target is None:
            if len(choices) != 1:
                raise ValueError(f"{transition.name} needs a target among {choices}")
            return choices[0]
        if target not in choices:
            raise ValueError(f"{transition.name} cannot lead to {target!r}")
        return target

    @property
    def _log_model(self):
        return apps.get_model(self.log_model)


def _state_label(obj, field):
    display = getattr(obj, f"get_{field}_display", None)
    return display() if display else getattr(obj, field)


class TransitionLog(models.Model):
    """One row per transition of an object: who, when, from, to, why. Each machine's event model
    extends it with its foreign key to the object (and the choices of its states)."""

    transition = models.CharField(_("transition"), max_length=50)
    from_state = models.CharField(_("état de départ"), max_length=20, blank=True)
    to_state = models.CharField(_("état d’arrivée"), max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("le"), default=timezone.now)
    reason = models.TextField(_("motif"), blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]
