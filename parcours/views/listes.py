from django.core.paginator import Paginator
from django.shortcuts import render

from commission import audit
from commission.access import association_of
from commission.enums import Role
from commission.models import User
from parcours.access import demandes_visible_to
from parcours.filters import ListFilterForm, filter_demandes, with_list_columns

PER_PAGE = 20


def dossier_list(request):
    """A caseworker: the dossiers of the persons their association accompanies. Secretariat and
    president: the dossiers submitted to their commission. Anybody else: nothing."""
    user = request.user
    association = association_of(user)
    demandes = demandes_visible_to(user)
    if association is not None:
        referents = User.objects.filter(organisation=association, groups__name=Role.REFERENT)
    else:
        referents = User.objects.filter(demandes_suivies__in=demandes).distinct()
    form = ListFilterForm(
        request.GET,
        referents=referents,
        include_drafts=association is not None,
        with_organisation=association is None,
    )
    demandes = with_list_columns(filter_demandes(demandes, form.filters)).order_by("-last_change", "-pk")
    page = Paginator(demandes, PER_PAGE).get_page(request.GET.get("page"))
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
        },
    )
