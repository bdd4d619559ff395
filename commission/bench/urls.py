"""The bench's URLconf: the project's own URLs, plus the two baselines the pages are measured against.

- a bare Django view that lists the same page of rows with `values()` and renders them with the same
  template engine (no scope object, no form, no audit row: the floor of what Django can do);
- Django admin's changelist and change form for the same model, on a private AdminSite (the project's
  admin site is left untouched).
"""

from django.contrib import admin
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template import engines
from django.urls import include, path

from parcours.models import Demande

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
{% for key, value in row.items %}<dt>{{ key }}</dt><dd>{{ value }}</dd>{% endfor %}</dl></body></html>"""
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


def bare_detail(request, pk):
    departement_id = request.user.organisation.departement_id
    rows = Demande.objects.filter(commission__departement_id=departement_id, submitted_at__isnull=False)
    get_object_or_404(rows, pk=pk)
    row = rows.filter(pk=pk).values(*LIST_FIELDS, "submitted_at", "situation_emploi", "logement").get()
    return HttpResponse(_DETAIL.render({"row": row}, request))


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
    path("bench/admin/", bench_admin.urls),
    path("", include("commission.urls")),
]
