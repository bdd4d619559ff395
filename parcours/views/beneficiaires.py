"""The person's pages that show their dossiers: the list of persons and a person's page.

They belong to the pathway's side because they show applications, pathways, permits and documents:
`parcours` knows `beneficiaires`, never the reverse. They keep the person's URL names
(`beneficiaires:list`, `beneficiaires:detail`, see `parcours.urls_personnes`). Every person is reached
through `beneficiaires.access.visible_to(user)`, every dossier through `parcours.access`: another
association's person is a 404.
"""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import render

from beneficiaires import access as beneficiaires_access
from beneficiaires.models import Accompagnement
from commission import audit
from commission.models import User
from parcours.access import (
    courriers_visible_to,
    demandes_visible_to,
    letters_to_foreigners_service,
    parcours_visible_to,
    records_pathway_exits,
)
from parcours.filters import filter_beneficiaires, list_filter_form
from parcours.models import Document, next_deadlines
from parcours.workflow import sorties

PER_PAGE = 20


def beneficiaire_list(request):
    user = request.user
    personnes = beneficiaires_access.visible_to(user)
    demandes = demandes_visible_to(user)
    form = list_filter_form(
        user,
        request.GET,
        referents_elsewhere=lambda: User.objects.filter(
            accompagnements__end__isnull=True, accompagnements__beneficiaire__in=personnes
        ).distinct(),
        list_name="personnes",
    )
    personnes = (
        filter_beneficiaires(personnes, form.filters, demandes=demandes)
        .prefetch_related(
            Prefetch(
                "accompagnements",
                queryset=Accompagnement.objects.filter(end__isnull=True).select_related("referent"),
                to_attr="current_accompagnements",
            ),
            Prefetch(
                "demandes", queryset=demandes.order_by("-created_at", "-pk"), to_attr="visible_demandes"
            ),
            Prefetch(
                "parcours",
                queryset=parcours_visible_to(user).active(),
                to_attr="active_parcours",
            ),
        )
        .order_by("last_name", "first_names", "pk")
    )
    page = Paginator(personnes, PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    audit.record_list(request, page.object_list)
    return render(
        request,
        "beneficiaires/beneficiaire_list.html",
        {
            "form": form,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
            "can_create": beneficiaires_access.registering_association(user) is not None,
        },
    )


def beneficiaire_detail(request, pk):
    user = request.user
    accompagnements = Accompagnement.objects.select_related("association", "referent").order_by(
        "-start", "-pk"
    )
    beneficiaire = audit.get_or_404(
        request,
        beneficiaires_access.visible_to(user)
        .select_related("departement")
        .prefetch_related(Prefetch("accompagnements", queryset=accompagnements)),
        pk=pk,
    )
    demandes = (
        demandes_visible_to(user)
        .filter(beneficiaire=beneficiaire)
        .select_related("association", "referent")
        .order_by("-created_at", "-pk")
    )
    documents = (
        Document.objects.filter(demande__in=demandes, replaced_by__isnull=True)
        .select_related("demande")
        .order_by("kind", "-uploaded_at")
    )
    parcours = list(
        parcours_visible_to(user)
        .filter(beneficiaire=beneficiaire)
        .prefetch_related("periodes", "titres_sejour")
        .order_by("-started_on")
    )
    # The notices to the AFIS paying body of the pathways the person left (no decision made that end).
    left = [p.pk for p in parcours if p.end_reason in sorties.EXIT_REASONS]
    end_notices = (
        list(courriers_visible_to(user).filter(decision__isnull=True, parcours__in=left)) if left else []
    )
    letters = list(letters_to_foreigners_service(user, [p.pk for p in parcours]))
    for item in parcours:
        item.end_notices = [notice for notice in end_notices if notice.parcours_id == item.pk]
        item.letters_etrangers = [c for c in letters if c.decision.demande.parcours_id == item.pk]
    return render(
        request,
        "beneficiaires/beneficiaire_detail.html",
        {
            "beneficiaire": beneficiaire,
            "demandes": list(demandes),
            "documents": list(documents),
            "parcours_list": parcours,
            "deadlines": next_deadlines(parcours),
            "can_change": beneficiaires_access.may_change_records(user),
            "can_change_association": beneficiaires_access.may_change_accompaniment(user),
            "can_record_exit": records_pathway_exits(user),
        },
    )
