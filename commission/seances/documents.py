"""The session's documents for the secretariat: the attendance sheet to sign in the room (PDF) and the
session's votes (CSV).

Neither names a person on the agenda: the sheet lists the members convened and nothing of the
dossiers; the votes name each dossier by its pseudonymous reference only, with the tally and the
opinion, never who voted how."""

import csv
import io

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from commission.enums import MandatRole
from commission.pdf import html_to_pdf
from commission.seances.enums import PointState
from parcours.exports import _safe as safe_cell


def convened_rows(seance):
    """One row per member convened, titulars before their substitutes, by organisation."""
    convocations = seance.convocations.select_related("mandat__user", "mandat__organisation")
    return sorted(
        (c.mandat for c in convocations),
        key=lambda m: (
            m.organisation.name.casefold(),
            m.role != MandatRole.TITULAIRE,
            m.user.last_name.casefold(),
            m.pk,
        ),
    )


def attendance_sheet_pdf(seance) -> bytes:
    """The attendance sheet (feuille d'émargement): name, organisation, titular or substitute, and a box
    for the signature; printed before the session and signed in the room."""
    context = {
        "seance": seance,
        "starts_at": timezone.localtime(seance.starts_at),
        "mandats": convened_rows(seance),
        "generated_at": timezone.localtime(),
    }
    return html_to_pdf(render_to_string("commission/pdf/emargement.html", context))


def _opinion(point) -> str:
    if point.state == PointState.CLOS and hasattr(point, "avis"):
        return _("Favorable") if point.avis.favorable else _("Défavorable")
    return point.get_state_display()


def _yes_no(value) -> str:
    return _("oui") if value else _("non")


def votes_header() -> list[str]:
    return [
        _("Point"),
        _("Référence du dossier"),
        _("Nature de la demande"),
        _("Avis"),
        _("Voix favorables"),
        _("Voix défavorables"),
        _("Abstentions"),
        _("Dont voix comptées à main levée"),
        _("Vote à main levée"),
        _("Voix prépondérante du président"),
    ]


def votes_rows(seance) -> list[list]:
    """One row per agenda item, in the agenda's order; an item without an opinion has no tally."""
    points = seance.points.select_related("demande__beneficiaire", "avis").order_by("order")
    rows = []
    for point in points:
        avis = getattr(point, "avis", None) if point.state == PointState.CLOS else None
        tally = (
            [
                avis.votes_favorable,
                avis.votes_defavorable,
                avis.abstentions,
                avis.hand_counted_votes,
                _yes_no(avis.by_show_of_hands),
                _yes_no(avis.casting_vote_used),
            ]
            if avis
            else ["", "", "", "", "", ""]
        )
        rows.append(
            [
                point.order,
                point.demande.beneficiaire.reference,
                point.demande.get_kind_display(),
                _opinion(point),
                *tally,
            ]
        )
    return rows


def votes_csv(seance) -> bytes:
    """The votes as CSV for a spreadsheet in French: semicolons, UTF-8 with a BOM, safe cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(str(cell)) for cell in votes_header()])
    for row in votes_rows(seance):
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")
