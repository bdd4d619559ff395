"""The bench's URLconf: the project's own URLs, plus the two baselines the pages are measured against.

- a bare Django view that lists the same page of rows with `values()` and renders them with the same
  template engine (no scope object, no form, no audit row: the floor of what Django can do). For the
  dossier page, "the same rows" are every row the page shows: the application with its person,
  association and pathway, its objectives, documents, decision (signatory, letters job, term, AFIS) and
  letters, messages, the pathway's months and rule, its residence permit and the permit's history;
- Django admin's changelist and change form for the same model, on a private AdminSite (the project's
  admin site is left untouched).
"""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template import engines
from django.urls import include, path

from parcours.models import (
    Courrier,
    Decision,
    Demande,
    Document,
    Message,
    ObjectifInsertion,
    Periode,
    RegleParcours,
    TitreSejour,
    TitreSejourEvenement,
)

PER_PAGE = 20

_LIST = engines["django"].from_string(
    """<!doctype html><html lang="fr"><head><title>Dossiers</title></head><body><table>
<thead><tr><th>Référence</th><th>Nom</th><th>Nature</th><th>État</th><th>Association</th><th>Dernier changement</th></tr></thead>
<tbody>{% for row in rows %}<tr><td><a href="/dossiers/{{ row.pk }}/">{{ row.beneficiaire__reference }}</a></td>
<td>{{ row.beneficiaire__last_name }} {{ row.beneficiaire__first_names }}</td><td>{{ row.kind }}</td>
<td>{{ row.state }}</td><td>{{ row.association__name }}</td><td>{{ row.last_change_at|date:"d/m/Y" }}</td></tr>
{% endfor %}</tbody></table><p>{{ page.number }} / {{ page.paginator.num_pages }}</p></body></html>"""
)
_DETAIL = engines["django"].from_string(
    """<!doctype html><html lang="fr"><head><title>Dossier</title></head><body><dl>
{% for key, value in row.items %}<dt>{{ key }}</dt><dd>{{ value }}</dd>{% endfor %}</dl>
{% for title, rows in sections %}<h2>{{ title }}</h2><table>{% for section_row in rows %}<tr>
{% for key, value in section_row.items %}<td>{{ value }}</td>{% endfor %}</tr>{% endfor %}</table>
{% endfor %}</body></html>"""
)
LIST_FIELDS = (
    "pk",
    "beneficiaire__reference",
    "beneficiaire__last_name",
    "beneficiaire__first_names",
    "kind",
    "state",
    "association__name",
    "last_change_at",
)


def bare_rows(departement_id, state=None, q=None):
    rows = Demande.objects.filter(commission__departement_id=departement_id, submitted_at__isnull=False)
    if state:
        rows = rows.filter(state=state)
    if q:
        rows = rows.filter(beneficiaire__last_name__icontains=q)
    # The same order as the dossier list, hence the same page of rows.
    return rows.order_by("-last_change_at", "-pk").values(*LIST_FIELDS)


def bare_list(request):
    """The same page of rows as the dossier list, with values() and a plain template."""
    departement_id = request.user.organisation.departement_id
    rows = bare_rows(departement_id, request.GET.get("etat"), request.GET.get("q"))
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return HttpResponse(_LIST.render({"rows": page.object_list, "page": page}, request))


DETAIL_FIELDS = (
    *LIST_FIELDS,
    "parcours_id",
    "parcours__state",
    "parcours__end_reason",
    "parcours__current_term_end",
    "submitted_at",
    "situation_emploi",
    "type_contrat",
    "formation",
    "logement",
    "ressources_foyer",
    "droit_rsa_ou_ada",
    "engagement_signed_on",
    "evaluation_association",
    "avis_association",
    "avis_association_motifs",
    "withdrawn_on",
    "withdrawal_reason",
)
DECISION_FIELDS = (
    "pk",
    "kind",
    "decided_on",
    "signataire__first_name",
    "signataire__last_name",
    "signataire_title",
    "motifs",
    "production_courriers__state",
    "production_courriers__error",
    "periode__number",
    "periode__start",
    "periode__end",
    "periode__afis__eligible",
    "periode__afis__monthly_amount",
    "periode__afis__start",
    "periode__afis__end",
    "periode__afis__ineligibility_reason",
)


def bare_detail(request, pk):
    """Every row the dossier page shows, each section with values(), in a plain template."""
    departement_id = request.user.organisation.departement_id
    rows = Demande.objects.filter(commission__departement_id=departement_id, submitted_at__isnull=False)
    row = get_object_or_404(rows.filter(pk=pk).values(*DETAIL_FIELDS))
    decision = Decision.objects.filter(demande_id=pk).values(*DECISION_FIELDS).first()
    sections = [
        ("objectifs", ObjectifInsertion.objects.filter(demande_id=pk).order_by("pk").values()),
        (
            "pieces",
            Document.objects.filter(demande_id=pk)
            .order_by("kind", "-uploaded_at", "-pk")
            .values("pk", "kind", "original_name", "uploaded_at", "replaced_by_id"),
        ),
        ("decision", [decision] if decision else []),
        (
            "courriers",
            Courrier.objects.filter(decision_id=decision["pk"])
            .order_by("generated_at", "pk")
            .values("pk", "kind", "sha256", "generated_at")
            if decision
            else [],
        ),
        (
            "messages",
            Message.objects.filter(demande_id=pk)
            .order_by("created_at", "pk")
            .values("pk", "side", "kind", "body", "created_at", "author__first_name", "author__last_name"),
        ),
    ]
    if row["parcours_id"]:
        periodes = Periode.objects.filter(parcours_id=row["parcours_id"])
        rule = RegleParcours.objects.filter(effective_from__lte=row["parcours__current_term_end"])
        titre = (
            TitreSejour.objects.filter(parcours_id=row["parcours_id"])
            .order_by("-pk")
            .values("pk", "state", "number", "issued_on", "valid_until")
            .first()
        )
        if decision is None or decision["periode__number"] is None:
            # The page then shows the pathway's latest term.
            latest = periodes.order_by("-number").values("number", "start", "end", "afis__monthly_amount")
            sections.append(("periode", latest[:1]))
        sections += [
            ("duree", [periodes.aggregate(months=Sum("months"))]),
            ("regle", rule.order_by("-effective_from").values("cap_months")[:1]),
            ("titre", [titre] if titre else []),
            (
                "historique",
                TitreSejourEvenement.objects.filter(titre_id=titre["pk"], transition="issue")
                .order_by("-at", "-pk")
                .values("number", "issued_on", "valid_until")[1:]
                if titre
                else [],
            ),
        ]
    return HttpResponse(_DETAIL.render({"row": row, "sections": sections}, request))


def bare_row(request, pk):
    """The application's own row alone: the dossier page's former baseline, printed for reference."""
    departement_id = request.user.organisation.departement_id
    rows = Demande.objects.filter(commission__departement_id=departement_id, submitted_at__isnull=False)
    row = get_object_or_404(
        rows.filter(pk=pk).values(*LIST_FIELDS, "submitted_at", "situation_emploi", "logement")
    )
    return HttpResponse(_DETAIL.render({"row": row, "sections": []}, request))


class DemandeAdmin(admin.ModelAdmin):
    list_display = ("pk", "beneficiaire", "kind", "state", "association", "referent", "last_change_at")
    ordering = ("-last_change_at", "-pk")
    list_filter = ("state", "commission")
    search_fields = ("beneficiaire__reference", "beneficiaire__last_name")
    list_select_related = ("beneficiaire", "association", "referent")
    list_per_page = PER_PAGE
    raw_id_fields = ("beneficiaire", "commission", "association", "referent", "parcours")


bench_admin = admin.AdminSite(name="bench_admin")
bench_admin.register(Demande, DemandeAdmin)

urlpatterns = [
    path("bench/bare/dossiers/", bare_list, name="bench_bare_list"),
    path("bench/bare/dossiers/<int:pk>/", bare_detail, name="bench_bare_detail"),
    path("bench/bare/dossiers/<int:pk>/ligne/", bare_row, name="bench_bare_row"),
    path("bench/admin/", bench_admin.urls),
    path("", include("commission.urls")),
]
