"""The search and filters of the lists of persons and dossiers, and the columns those lists show.

Plain Django forms: an invalid value is answered in French beside its field and the other filters
still apply. Every filter narrows a queryset that is already a user's scope.
"""

from django import forms
from django.core.cache import caches
from django.db.models import Exists, OuterRef, Subquery
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from beneficiaires.forms import search_filter
from commission.access import association_of, departement_id_of
from commission.enums import Role
from commission.models import User
from commission.validators import CleanInputMixin
from parcours.access import assignment_field_of, demandes_visible_to
from parcours.enums import DemandeState, ParcoursState
from parcours.models import Parcours

TERM_WINDOWS = (30, 60, 90)
REFERENT_CHOICES_SECONDS = 300
# The values of the assignment filter: the user's own dossiers, the dossiers nobody handles yet.
MINE, UNASSIGNED = "miens", "non_attribues"


class SelectWidget(forms.Select):
    """Django's select with its options written by `format_html_join` (every value and label escaped)
    rather than through a template include per option. Same HTML as Django's own select but for the
    whitespace between options (attributes, one `selected`, option groups; a test compares them); its
    `widget_type` is still "select", which components/field.html styles as a DSFR select.

    Kept for the filtered list's figure (`make bench` dataset, a secretariat's list, 80 rounds timed in
    turn): with Django's select templates the list took 2.04x its bare view filtered (goal: 2x) and
    1.70x unfiltered, with this widget 1.78x and 1.59x; rendering the form's four fields cost 3.6 ms of
    CPU against 2.3 ms. The search box rendered by hand saved ~0.2 ms: it is Django's own again."""

    def render(self, name, value, attrs=None, renderer=None):
        values = set(self.format_value(value))
        has_selected = False

        def options(choices):
            nonlocal has_selected
            rows = []
            for choice_value, label in choices:
                choice_value = "" if choice_value is None else str(choice_value)
                selected = choice_value in values and (not has_selected or self.allow_multiple_selected)
                has_selected = has_selected or selected
                rows.append((choice_value, " selected" if selected else "", label))
            return format_html_join("", '<option value="{}"{}>{}</option>', rows)

        parts = [
            format_html('<optgroup label="{}">{}</optgroup>', group, options(label))
            if isinstance(label, (list, tuple))
            else options([(group, label)])
            for group, label in self.choices
        ]
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(final_attrs),
            format_html_join("", "{}", ((part,) for part in parts)),
        )


def referent_choices(referents, *, with_organisation):
    """(id, name) of each caseworker, "name (association)" for a user outside the association: read
    as values, the form has no user objects to build for a select."""
    rows = referents.order_by("last_name", "first_name", "pk").values_list(
        "pk", "first_name", "last_name", "email", "organisation__name"
    )
    choices = []
    for pk, first_name, last_name, email, organisation in rows:
        name = f"{first_name} {last_name}".strip() or email
        choices.append((pk, f"{name} ({organisation})" if with_organisation and organisation else name))
    return choices


class ListFilterForm(CleanInputMixin, forms.Form):
    """Search by name or reference, then narrow by state, coming end of term, caseworker, and (on the
    dossier list) the user's own dossiers or the unassigned ones."""

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
    referent = forms.TypedChoiceField(
        label=_("Référent·e"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=SelectWidget,
        error_messages={"invalid_choice": _("Choisissez un·e référent·e de la liste.")},
    )

    attribution = forms.ChoiceField(
        label=_("Attribution"),
        required=False,
        widget=SelectWidget,
        choices=[
            ("", _("Tous les dossiers")),
            (MINE, _("Mes dossiers")),
            (UNASSIGNED, _("Non attribués")),
        ],
        error_messages={"invalid_choice": _("Choisissez une attribution de la liste.")},
    )

    def __init__(self, data, *, referents, include_drafts, assignment_field=None):
        """`referents`: the (id, name) choices of the caseworker filter (see `referent_choices`);
        `assignment_field`: the dossier's field the user's "mes dossiers" reads (None: no such filter)."""
        super().__init__(data)
        self.assignment_field = assignment_field
        if assignment_field is None:
            del self.fields["attribution"]
        states = [(value, label) for value, label in DemandeState.choices]
        if not include_drafts:
            states = [(value, label) for value, label in states if value != DemandeState.BROUILLON]
        self.fields["etat"].choices = [("", _("Tous les états")), *states]
        self.fields["referent"].choices = [("", _("Tous les référent·es")), *referents]

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


def filter_demandes(demandes, filters, *, user=None, assignment_field=None):
    """`user` and `assignment_field` serve the "mes dossiers" and "non attribués" filters: the dossiers
    whose `assignment_field` (caseworker or secretariat's agent, see `access.assignment_field_of`) is
    the user, or nobody."""
    if "q" in filters:
        demandes = demandes.filter(search_filter(filters["q"], prefix="beneficiaire__"))
    if "etat" in filters:
        demandes = demandes.filter(state=filters["etat"])
    if "echeance" in filters:
        demandes = demandes.filter(_term_ending_within(filters["echeance"], "beneficiaire_id"))
    if "referent" in filters:
        demandes = demandes.filter(referent=filters["referent"])
    if assignment_field is not None and filters.get("attribution") == MINE:
        demandes = demandes.filter(**{assignment_field: user})
    elif assignment_field is not None and filters.get("attribution") == UNASSIGNED:
        demandes = demandes.filter(**{f"{assignment_field}__isnull": True})
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


def list_filter_form(user, data, *, referents_elsewhere, list_name, assignment_field=None):
    """The filter form of a list: a caseworker filters on their association's caseworkers; others on
    `referents_elsewhere()` (a function giving the caseworkers found in their scope).

    The caseworkers are kept for a few minutes per user and list (`list_name`), in the web process's
    own memory (the "local" cache): finding them reads every dossier of the scope, on each page of a
    list, for a menu that seldom changes. A caseworker newly on a dossier shows in the menu within
    REFERENT_CHOICES_SECONDS. Measured (`make bench` dataset, a secretariat's ~1,000 dossiers, 60 rounds
    timed in turn): without the cache the list took 1.67x its bare view, 1.83x filtered; with it 1.51x
    and 1.76x."""
    association = association_of(user)

    def choices():
        if association is not None:
            referents = User.objects.filter(organisation=association, groups__name=Role.REFERENT)
        else:
            referents = referents_elsewhere()
        return referent_choices(referents, with_organisation=association is None)

    referents = caches["local"].get_or_set(
        f"list-referents:{list_name}:{user.pk}", choices, REFERENT_CHOICES_SECONDS
    )
    return ListFilterForm(
        data, referents=referents, include_drafts=association is not None, assignment_field=assignment_field
    )


def dossier_list(user, data):
    """(filter form, ordered queryset) of the dossier list for this user and these filters: the one
    definition the list page and its exports share."""
    demandes = demandes_visible_to(user)
    # A semi-join on the dossiers' caseworkers, not a DISTINCT over users joined to every dossier.
    form = list_filter_form(
        user,
        data,
        referents_elsewhere=lambda: User.objects.filter(pk__in=demandes.values("referent_id")),
        list_name="dossiers",
        assignment_field=assignment_field_of(user),
    )
    filters = form.filters
    departement_id = departement_id_of(user, Role.SECRETARIAT, Role.PRESIDENT)
    if "q" in filters and departement_id:
        # The person's département repeats the commission's (an application is filed where the person
        # lives): a name search then reads the département's persons, not the whole country's. Only for
        # a search: on the plain list it would hide from PostgreSQL that the (commission, last change)
        # index gives the first page in order.
        demandes = demandes.filter(beneficiaire__departement_id=departement_id)
    demandes = filter_demandes(demandes, filters, user=user, assignment_field=form.assignment_field)
    return form, with_list_columns(demandes).order_by("-last_change_at", "-pk")
