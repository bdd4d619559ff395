"""The search and filters of the lists of persons and dossiers, and the columns those lists show.

Plain Django forms: an invalid value is answered in French beside its field and the other filters
still apply. Every filter narrows a queryset that is already a user's scope.
"""

from django import forms
from django.db.models import Exists, OuterRef, Subquery
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from beneficiaires.forms import search_filter
from commission.access import association_of, departement_id_of
from commission.enums import Role
from commission.models import User
from parcours.access import demandes_visible_to
from parcours.enums import DemandeState, ParcoursState
from parcours.models import Parcours

TERM_WINDOWS = (30, 60, 90)


class SelectWidget(forms.Select):
    """A select rendered in Python rather than through a template per option: every list page shows
    three, and rendering their options as templates cost more than the queries of the list. Same HTML
    as Django's own select (attributes, `selected`, option groups). Named so that a bound field's
    `widget_type` is still "select" (includes/field.html styles it as a DSFR select)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group_name, options, _index in widget["optgroups"]:
            rendered = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((str(o["value"]), flatatt(o["attrs"]), o["label"]) for o in options),
            )
            parts.append(
                format_html('<optgroup label="{}">{}</optgroup>', group_name, rendered)
                if group_name
                else rendered
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            mark_safe("".join(parts)),  # noqa: S308
        )


class ReferentChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, with_organisation=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.with_organisation = with_organisation

    def label_from_instance(self, obj):
        if self.with_organisation and obj.organisation_id:
            return f"{obj} ({obj.organisation})"
        return str(obj)


class ListFilterForm(forms.Form):
    """Search by name or reference, then narrow by state, coming end of term and caseworker."""

    q = forms.CharField(
        label=_("Rechercher"),
        help_text=_("Nom, prénom ou référence ; les accents et majuscules sont indifférents."),
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"max_length": _("Saisissez au plus %(limit_value)d caractères.")},
    )
    etat = forms.ChoiceField(
        label=_("État du dossier"),
        required=False,
        widget=SelectWidget,
        error_messages={"invalid_choice": _("Choisissez un état de la liste.")},
    )
    echeance = forms.TypedChoiceField(
        label=_("Fin de la période en cours"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=SelectWidget,
        choices=[("", _("Toutes les échéances"))]
        + [(days, _("Dans les %(days)s jours") % {"days": days}) for days in TERM_WINDOWS],
        error_messages={"invalid_choice": _("Choisissez une échéance de la liste.")},
    )
    referent = ReferentChoiceField(
        label=_("Référent·e"),
        required=False,
        queryset=User.objects.none(),
        widget=SelectWidget,
        empty_label=_("Tous les référent·es"),
        error_messages={"invalid_choice": _("Choisissez un·e référent·e de la liste.")},
    )

    def __init__(self, data, *, referents, include_drafts, with_organisation=False):
        super().__init__(data)
        states = [(value, label) for value, label in DemandeState.choices]
        if not include_drafts:
            states = [(value, label) for value, label in states if value != DemandeState.BROUILLON]
        self.fields["etat"].choices = [("", _("Tous les états")), *states]
        self.fields["referent"].queryset = referents.select_related("organisation")
        self.fields["referent"].with_organisation = with_organisation

    @property
    def filters(self):
        """The valid filters: an invalid one is ignored (and shown in error), the others apply."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}

    @property
    def is_filtered(self):
        """Something was typed or chosen, valid or not: the page offers to clear it."""
        return any(self.data.get(name) for name in self.fields)


def _term_ending_within(days, person):
    return Exists(Parcours.objects.term_ending_within(days).filter(beneficiaire=OuterRef(person)))


def filter_demandes(demandes, filters):
    if "q" in filters:
        demandes = demandes.filter(search_filter(filters["q"], prefix="beneficiaire__"))
    if "etat" in filters:
        demandes = demandes.filter(state=filters["etat"])
    if "echeance" in filters:
        demandes = demandes.filter(_term_ending_within(filters["echeance"], "beneficiaire_id"))
    if "referent" in filters:
        demandes = demandes.filter(referent=filters["referent"])
    return demandes


def filter_beneficiaires(beneficiaires, filters, *, demandes):
    """`demandes` is the user's scope of applications: the state filtered on is that of the person's
    latest application the user may see (a secretariat never filters on a draft)."""
    if "q" in filters:
        beneficiaires = beneficiaires.filter(search_filter(filters["q"]))
    if "etat" in filters:
        latest = (
            demandes.filter(beneficiaire=OuterRef("pk")).order_by("-created_at", "-pk").values("state")[:1]
        )
        beneficiaires = beneficiaires.annotate(latest_state=Subquery(latest)).filter(
            latest_state=filters["etat"]
        )
    if "echeance" in filters:
        beneficiaires = beneficiaires.filter(_term_ending_within(filters["echeance"], "pk"))
    if "referent" in filters:
        # One filter() call: the same (current) accompaniment must have this caseworker.
        beneficiaires = beneficiaires.filter(
            accompagnements__end__isnull=True, accompagnements__referent=filters["referent"]
        )
    return beneficiaires


def with_list_columns(demandes):
    """The end of the person's current term, in the same query as the rows (the last change is a column,
    `last_change_at`, which the lists sort on through their indexes)."""
    term_end = Parcours.objects.filter(
        beneficiaire=OuterRef("beneficiaire_id"), state=ParcoursState.EN_COURS
    ).values("current_term_end")[:1]
    return demandes.annotate(term_end=Subquery(term_end)).select_related(
        "beneficiaire", "association", "referent"
    )


def list_filter_form(user, data, *, referents_elsewhere):
    """The filter form of a list: a caseworker filters on their association's caseworkers; others on
    `referents_elsewhere` (the caseworkers found in their scope)."""
    association = association_of(user)
    if association is not None:
        referents = User.objects.filter(organisation=association, groups__name=Role.REFERENT)
    else:
        referents = referents_elsewhere
    return ListFilterForm(
        data,
        referents=referents,
        include_drafts=association is not None,
        with_organisation=association is None,
    )


def dossier_list(user, data):
    """(filter form, ordered queryset) of the dossier list for this user and these filters: the one
    definition the list page and its exports share."""
    demandes = demandes_visible_to(user)
    # A semi-join on the dossiers' caseworkers, not a DISTINCT over users joined to every dossier.
    form = list_filter_form(
        user, data, referents_elsewhere=User.objects.filter(pk__in=demandes.values("referent_id"))
    )
    filters = form.filters
    departement_id = departement_id_of(user, Role.SECRETARIAT, Role.PRESIDENT)
    if "q" in filters and departement_id:
        # The person's département repeats the commission's (an application is filed where the person
        # lives): a name search then reads the département's persons, not the whole country's. Only for
        # a search: on the plain list it would hide from PostgreSQL that the (commission, last change)
        # index gives the first page in order.
        demandes = demandes.filter(beneficiaire__departement_id=departement_id)
    return form, with_list_columns(filter_demandes(demandes, filters)).order_by("-last_change_at", "-pk")
