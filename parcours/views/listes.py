from django.core.paginator import Paginator
from django.shortcuts import render

from commission import audit
from parcours import access, filters
from parcours.access import association_acting_for

PER_PAGE = 20
# What a row shows (the person's story, address and the like stay in the database).
LIST_COLUMNS = (
    "kind",
    "state",
    "last_change_at",
    "beneficiaire__reference",
    "beneficiaire__last_name",
    "beneficiaire__first_names",
    "association__name",
    "referent__first_name",
    "referent__last_name",
    "referent__email",
)


def dossier_list(request):
    """A caseworker: the dossiers of the persons their association accompanies. Secretariat and
    president: the dossiers submitted to their commission. Anybody else: nothing."""
    association = association_acting_for(request.user)
    form, demandes = filters.dossier_list(request.user, request.GET)
    page = Paginator(demandes.only(*LIST_COLUMNS), PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    audit.record_list(request, page.object_list)
    return render(
        request,
        "parcours/dossier_list.html",
        {
            "form": form,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
            "show_association": association is None,
            "may_export": access.may_export(request.user),
        },
    )
