"""The session screens: the secretariat prepares, convenes, records attendance and runs the votes; the
members read the pseudonymised dossiers and vote; everyone convened downloads the minutes.

Every view reaches the session through `seances_visible_to` (a member not convened gets a 404); the
secretariat's actions also need the secretariat of that commission, or they are a 404 too. The views
hold no rule of the procedure: they call commission.seances.workflow and show its WorkflowError messages.
"""

import io
from collections import defaultdict
from dataclasses import dataclass

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commission import audit, private_files, versions
from commission.confirm import Confirmation, confirmation_page, is_confirmed
from commission.enums import AuditAction, MandatRole
from commission.models import Mandat
from commission.seances import access, documents, privacy, tasks, workflow
from commission.seances import minutes as seance_minutes
from commission.seances.access import seances_visible_to
from commission.seances.counting import Tally
from commission.seances.enums import PresenceStatus, VoteChoice
from commission.seances.forms import (
    AgendaAddForm,
    AttendanceRowForm,
    CancelForm,
    CloseItemForm,
    DeclareInterestForm,
    InterestForm,
    PostponeForm,
    ReconveneForm,
    RescheduleForm,
    SeanceForm,
    ShowOfHandsForm,
    VoteForm,
)
from commission.seances.models import ProcesVerbal
from parcours.access import demandes_visible_to
from parcours.models import ObjectifInsertion
from parcours.pseudonymise import dossier_for_members
from parcours.workflow import WorkflowError

# htmx stops polling when a response has this status (the item is settled: the tally is final).
HTMX_STOP_POLLING = 286


# --- Rights ----------------------------------------------------------------------------------------


def _seance(request, pk):
    return get_object_or_404(
        seances_visible_to(request.user).select_related("commission", "reconvened_from", "chaired_by__user"),
        pk=pk,
    )


def _secretariat_seance(request, pk):
    seance = _seance(request, pk)
    if not access.is_secretariat_of(request.user, seance):
        raise Http404
    return seance


def _point(seance, point_pk):
    points = seance.points.select_related(
        "demande__beneficiaire", "demande__association", "presenting_association", "avis"
    ).prefetch_related(Prefetch("demande__objectifs", queryset=ObjectifInsertion.objects.order_by("pk")))
    return get_object_or_404(points, pk=point_pk)


def _secretariat_commission(user):
    commission = access.commission_run_by(user)
    if commission is None:
        raise Http404
    return commission


def _detail_url(seance, anchor=""):
    return reverse("commission:seance", args=[seance.pk]) + (f"#{anchor}" if anchor else "")


# --- Sessions: list, creation, detail -----------------------------------------------------------------


@require_GET
def seance_list(request):
    seances = list(
        seances_visible_to(request.user)
        .select_related("commission")
        .annotate(point_count=Count("points", distinct=True))
        .order_by("-starts_at")
    )
    current = [s for s in seances if not s.is_finished]
    current.reverse()  # the next session first
    past = [s for s in seances if s.is_finished]
    can_create = access.creates_seances(request.user)
    return render(
        request,
        "commission/seances/list.html",
        {"current": current, "past": past, "can_create": can_create},
    )


@require_http_methods(["GET", "POST"])
def seance_create(request):
    commission = _secretariat_commission(request.user)
    form = SeanceForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            seance = workflow.create_seance(
                commission=commission,
                kind=form.cleaned_data["kind"],
                user=request.user,
                **form.workflow_kwargs(),
            )
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("La séance est créée. Composez son ordre du jour, puis convoquez les membres.")
            )
            return redirect("commission:agenda", pk=seance.pk)
    return render(
        request,
        "commission/seances/form.html",
        {
            "form": form,
            "commission": commission,
            "seance": None,
            "title": _("Nouvelle séance"),
            "submit_label": _("Créer la séance"),
            "action": reverse("commission:seance_create"),
        },
    )


@dataclass
class AttendanceRow:
    mandat: Mandat
    presence: object  # Presence or None
    substitutes: list


def _attendance(seance):
    """Convened titulars with their substitutes and their attendance, in three queries."""
    convocations = list(
        seance.convocations.select_related("mandat__user", "mandat__organisation").order_by(
            "mandat__organisation__name", "mandat__user__last_name", "mandat__pk"
        )
    )
    presences = {
        p.mandat_id: p
        for p in seance.presences.select_related(
            "substitute__user", "proxy_to__user", "proxy_to__organisation"
        )
    }
    substitutes = defaultdict(list)
    for convocation in convocations:
        if convocation.mandat.role == MandatRole.SUPPLEANT:
            substitutes[convocation.mandat.titulaire_id].append(convocation.mandat)
    rows = [
        AttendanceRow(
            mandat=c.mandat, presence=presences.get(c.mandat_id), substitutes=substitutes[c.mandat_id]
        )
        for c in convocations
        if c.mandat.role == MandatRole.TITULAIRE
    ]
    return convocations, rows


@require_GET
def seance_detail(request, pk):
    seance = _seance(request, pk)
    user = request.user
    secretariat = access.is_secretariat_of(user, seance)
    points = list(
        seance.points.select_related("demande__beneficiaire", "presenting_association", "avis").order_by(
            "order"
        )
    )
    convocations, attendance = _attendance(seance)
    quorum = workflow.quorum(seance)
    minutes = ProcesVerbal.objects.filter(seance=seance).first()
    mine = [c for c in convocations if c.mandat.user_id == user.pk]
    opening = secretariat and workflow.SEANCE.can(seance, "open")
    sees_identity = access.sees_identity(user, seance)
    if sees_identity:
        audit.record_list(request, [point.demande for point in points])
    default_chair = workflow.default_chair(seance) if opening else None
    return render(
        request,
        "commission/seances/detail.html",
        {
            "seance": seance,
            "points": points,
            "convocations": convocations,
            "attendance": attendance,
            "attendance_recorded": any(row.presence for row in attendance),
            "quorum": quorum,
            "minutes": minutes,
            "minutes_stuck": minutes is None and seance_minutes.is_stuck(seance),
            "my_convocations": mine,
            "is_secretariat": secretariat,
            "sees_identity": sees_identity,
            "redact": privacy.redactor_for(seance, user, points),
            "can_edit_agenda": secretariat and workflow.SEANCE.can(seance, "add_point"),
            "can_reschedule": secretariat and workflow.SEANCE.can(seance, "reschedule"),
            "can_cancel": secretariat and workflow.SEANCE.can(seance, "cancel"),
            "opening_refusal": workflow.opening_refusal(seance)
            if workflow.SEANCE.can(seance, "open")
            else "",
            "default_chair": default_chair,
            "can_convene": secretariat and workflow.SEANCE.can(seance, "convene"),
            "can_take_attendance": secretariat and workflow.SEANCE.can(seance, "record_presence"),
            "can_open": secretariat and workflow.SEANCE.can(seance, "open"),
            "can_close": secretariat and workflow.SEANCE.can(seance, "close"),
            "can_reconvene": secretariat
            and workflow.can_reconvene(seance, quorum, any(row.presence for row in attendance)),
            "items_open": any(workflow.POINT.can(p, "give_opinion") for p in points),
            "history": _history(seance) if secretariat else [],
            **_confirmations(seance, secretariat, points, convocations, default_chair),
        },
    )


def _history(seance):
    """The session's events for the secretariat: what, when, by whom, why (dates of a report included)."""
    events = seance.evenements.select_related("user").order_by("at", "pk")
    return [
        {
            "label": workflow.SEANCE.label(e.transition) if e.transition in workflow.SEANCE else e.transition,
            "event": e,
        }
        for e in events
    ]


def _run(request, seance, action, success):
    """Call a workflow action that needs no input; the outcome is a message on the session page."""
    try:
        action()
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(_detail_url(seance))


# --- Confirmations of what cannot be undone (commission/confirm.py) --------------------------------


def _dossiers(count):
    return ngettext("%(count)s dossier", "%(count)s dossiers", count) % {"count": count}


def _convene_confirmation(seance, points=None):
    members = workflow.members_to_convene(seance).count()
    points = seance.points.count() if points is None else points
    again = seance.is_convened
    return Confirmation(
        id="confirmer-convocation",
        title=_("Envoyer de nouveau la convocation ?") if again else _("Convoquer les membres ?"),
        text=[
            (
                ngettext(
                    "Le membre convoqué recevra de nouveau un courriel de convocation avec l’ordre du jour à "
                    "jour (%(dossiers)s).",
                    "Les %(count)s membres convoqués recevront de nouveau un courriel de convocation avec "
                    "l’ordre du jour à jour (%(dossiers)s).",
                    members,
                )
                if again
                else ngettext(
                    "Le membre convoqué recevra un courriel de convocation avec l’ordre du jour (%(dossiers)s).",
                    "Les %(count)s membres convoqués recevront un courriel de convocation avec l’ordre du "
                    "jour (%(dossiers)s).",
                    members,
                )
            )
            % {"count": members, "dossiers": _dossiers(points)},
            _("Titulaires et suppléants sont convoqués pour la séance du %(date)s.")
            % {"date": timezone.localtime(seance.starts_at).strftime("%d/%m/%Y à %H:%M")},
        ],
        label=_("Envoyer de nouveau la convocation") if again else _("Convoquer les membres"),
        confirm_label=_("Confirmer l’envoi de la convocation"),
        action=reverse("commission:seance_convene", args=[seance.pk]),
        cancel_url=_detail_url(seance),
        button_class="fr-btn fr-icon-mail-line",
    )


def _open_confirmation(seance, points=None, chair=None):
    points = seance.points.to_examine().count() if points is None else points
    chair = chair or workflow.default_chair(seance)
    return Confirmation(
        id="confirmer-ouverture",
        title=_("Ouvrir la séance ?"),
        text=[
            _(
                "Les membres présents ou représentés pourront voter sur les %(dossiers)s de l’ordre du jour. "
                "La séance ne pourra plus être reportée ni annulée."
            )
            % {"dossiers": _dossiers(points)},
            _(
                "La présidence de séance est assurée en personne : elle a voix prépondérante en cas de partage."
            )
            if chair
            else _(
                "Personne ne préside en personne : en cas de partage des voix, pas de voix prépondérante."
            ),
        ],
        label=_("Ouvrir la séance"),
        confirm_label=_("Confirmer l’ouverture"),
        action=reverse("commission:seance_open", args=[seance.pk]),
        cancel_url=_detail_url(seance),
        button_class="fr-btn fr-icon-play-line",
    )


def _close_confirmation(seance, items_open=False, members=None):
    members = seance.convocations.count() if members is None else members
    return Confirmation(
        id="confirmer-cloture",
        title=_("Clore la séance ?"),
        text=[
            _("Plus aucun vote ne sera possible et les avis rendus ne pourront plus être modifiés."),
            ngettext(
                "Le procès-verbal sera produit ; le membre convoqué pourra le télécharger.",
                "Le procès-verbal sera produit ; les %(count)s membres convoqués pourront le télécharger.",
                members,
            )
            % {"count": members},
        ],
        label=_("Clore la séance"),
        confirm_label=_("Confirmer la clôture de la séance"),
        action=reverse("commission:seance_close", args=[seance.pk]),
        cancel_url=_detail_url(seance),
        button_class="fr-btn fr-icon-lock-line" + (" fr-btn--secondary" if items_open else ""),
    )


def _confirmations(seance, secretariat, points, convocations, chair):
    """The modals of the session page: only for the secretariat, and only for what it may do now
    (counted from what the page already read)."""
    to_examine = [p for p in points if workflow.POINT.can(p, "give_opinion")]
    return {
        "confirm_convene": _convene_confirmation(seance, len(points))
        if secretariat and workflow.SEANCE.can(seance, "convene")
        else None,
        "confirm_open": _open_confirmation(seance, len(to_examine), chair)
        if secretariat and workflow.SEANCE.can(seance, "open") and not workflow.opening_refusal(seance)
        else None,
        "confirm_close": _close_confirmation(seance, bool(to_examine), len(convocations))
        if secretariat and workflow.SEANCE.can(seance, "close")
        else None,
    }


@require_POST
def seance_convene(request, pk):
    seance = _secretariat_seance(request, pk)
    # Asked first when it can be done; otherwise the workflow says why not (nothing changes).
    if not is_confirmed(request) and workflow.SEANCE.can(seance, "convene"):
        return confirmation_page(request, _convene_confirmation(seance))
    again = seance.is_convened
    try:
        convocations = workflow.convene(seance, user=request.user)
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        message = (
            _("La convocation est envoyée de nouveau à %(count)s membres, avec l’ordre du jour à jour.")
            if again
            else _("La convocation est envoyée à %(count)s membres (titulaires et suppléants).")
        )
        messages.success(request, message % {"count": len(convocations)})
    return redirect(_detail_url(seance))


@require_POST
def seance_open(request, pk):
    seance = _secretariat_seance(request, pk)
    if (
        not is_confirmed(request)
        and workflow.SEANCE.can(seance, "open")
        and not workflow.opening_refusal(seance)
    ):
        return confirmation_page(request, _open_confirmation(seance))
    return _run(
        request,
        seance,
        lambda: workflow.open_seance(seance, user=request.user),
        _("La séance est ouverte : les membres présents peuvent voter."),
    )


def _confirmed_action(request, seance, form, run, success, template_context):
    """The two steps of an action that changes a session for everyone: the first valid submission
    shows the confirmation page, the confirmed one acts (the workflow's refusal comes back on the form)."""
    confirming = False
    if form.is_bound and form.is_valid():
        if form.is_confirmed():
            try:
                result = run(form)
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, success)
                return redirect(_detail_url(result or seance))
        else:
            confirming = True
    return render(
        request,
        "commission/seances/change.html",
        {"form": form, "seance": seance, "confirming": confirming, **template_context},
    )


@require_http_methods(["GET", "POST"])
def seance_reschedule(request, pk):
    """Move a session not yet opened (CRPA R133-8: the members are convened again for the new date)."""
    seance = _secretariat_seance(request, pk)
    start = timezone.localtime(seance.starts_at)
    form = RescheduleForm(
        request.POST or None,
        initial={
            "day": start.date(),
            "time": start.time(),
            "place": seance.place,
            "video_link": seance.video_link,
            "urgent": seance.urgent,
            "urgency_reason": seance.urgency_reason,
        },
        versioned=seance,
    )
    return _confirmed_action(
        request,
        seance,
        form,
        lambda form: workflow.reschedule(seance, user=request.user, **form.workflow_kwargs()),
        _("La séance est reportée ; les membres déjà convoqués le sont de nouveau pour la nouvelle date.")
        if seance.is_convened
        else _("La séance est reportée à la nouvelle date."),
        {
            "title": _("Reporter la séance"),
            "rescheduling": True,
            "new_start": form.starts_at() if form.is_bound and form.is_valid() else None,
            "action": reverse("commission:seance_reschedule", args=[seance.pk]),
            "submit_label": _("Vérifier le report"),
            "confirm_label": _("Confirmer le report"),
        },
    )


@require_http_methods(["GET", "POST"])
def seance_cancel(request, pk):
    """Cancel a session not yet opened, with its reason; its items go back to the list to schedule."""
    seance = _secretariat_seance(request, pk)
    form = CancelForm(request.POST or None)
    return _confirmed_action(
        request,
        seance,
        form,
        lambda form: workflow.cancel(seance, user=request.user, reason=form.cleaned_data["reason"]),
        _("La séance est annulée ; ses dossiers reviennent dans les dossiers à inscrire."),
        {
            "title": _("Annuler la séance"),
            "rescheduling": False,
            "pending": list(
                seance.points.to_examine().select_related("demande__beneficiaire").order_by("order")
            ),
            "action": reverse("commission:seance_cancel", args=[seance.pk]),
            "submit_label": _("Vérifier l’annulation"),
            "confirm_label": _("Confirmer l’annulation"),
        },
    )


@require_POST
def seance_close(request, pk):
    seance = _secretariat_seance(request, pk)
    if not is_confirmed(request) and workflow.SEANCE.can(seance, "close"):
        return confirmation_page(request, _close_confirmation(seance))
    return _run(
        request,
        seance,
        lambda: workflow.close_seance(seance, user=request.user),
        _(
            "La séance est close. Le procès-verbal est en préparation ; il sera téléchargeable sur cette page."
        ),
    )


@require_http_methods(["GET", "POST"])
def seance_reconvene(request, pk):
    seance = _secretariat_seance(request, pk)
    form = ReconveneForm(
        request.POST or None, initial={"place": seance.place, "video_link": seance.video_link}
    )
    if form.is_bound and form.is_valid():
        try:
            new = workflow.reconvene(seance, user=request.user, **form.workflow_kwargs())
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "La nouvelle séance est créée sur le même ordre du jour ; elle délibérera sans condition "
                    "de quorum. Convoquez maintenant les membres."
                ),
            )
            return redirect(_detail_url(new))
    return render(
        request,
        "commission/seances/form.html",
        {
            "form": form,
            "commission": seance.commission,
            "seance": seance,
            "title": _("Nouvelle convocation après un défaut de quorum"),
            "submit_label": _("Créer la nouvelle séance"),
            "action": reverse("commission:seance_reconvene", args=[seance.pk]),
        },
    )


@require_POST
def minutes_relaunch(request, pk):
    """The secretariat produces again the minutes of a closed session still without them past the
    job's time limit (the job never ran, or was killed); the job makes them once whatever happens."""
    seance = _seance(request, pk)
    if not access.is_secretariat_of(request.user, seance):
        raise Http404
    if seance_minutes.is_stuck(seance):
        tasks.schedule_minutes(seance)
        messages.success(request, _("La production du procès-verbal est relancée."))
    else:
        messages.info(request, _("Le procès-verbal est déjà produit ou en cours de production."))
    return redirect("commission:seance", pk=seance.pk)


@require_GET
def minutes_download(request, pk):
    """The minutes, for the secretariat, the president and the members convened (the session's scope)."""
    seance = _seance(request, pk)
    minutes = get_object_or_404(ProcesVerbal, seance=seance)
    # The minutes name the dossiers on the agenda: the download is recorded for each of their persons.
    demandes = [point.demande for point in seance.points.select_related("demande")]
    audit.record_list(request, demandes or [minutes], AuditAction.DOWNLOAD)
    day = timezone.localtime(seance.starts_at).date().isoformat()
    return FileResponse(
        io.BytesIO(private_files.read(minutes.file_path)),
        as_attachment=True,
        filename=f"proces-verbal-seance-{day}.pdf",
        content_type="application/pdf",
    )


@require_GET
def attendance_sheet_download(request, pk):
    """The attendance sheet to sign in the room, for the secretariat: the members convened, no dossier."""
    seance = _secretariat_seance(request, pk)
    content = documents.attendance_sheet_pdf(seance)
    audit.record(request, seance, AuditAction.DOWNLOAD)
    day = timezone.localtime(seance.starts_at).date().isoformat()
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=f"feuille-emargement-seance-{day}.pdf",
        content_type="application/pdf",
    )


@require_GET
def votes_export(request, pk):
    """The session's votes as CSV for the secretariat: item, pseudonymous reference, tally, opinion."""
    seance = _secretariat_seance(request, pk)
    content = documents.votes_csv(seance)
    audit.record(request, seance, AuditAction.EXPORT)
    day = timezone.localtime(seance.starts_at).date().isoformat()
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=f"votes-seance-{day}.csv",
        content_type="text/csv; charset=utf-8",
    )


# --- Agenda --------------------------------------------------------------------------------------------


def _admissible(request, seance):
    return (
        demandes_visible_to(request.user)
        .filter(commission=seance.commission)
        .ready_for_agenda()
        .select_related("beneficiaire", "association")
        .order_by("admissible_at", "pk")
    )


def _agenda_changed(request, seance):
    if seance.is_convened:
        messages.warning(
            request,
            _(
                "Les membres sont déjà convoqués : envoyez de nouveau la convocation avec l’ordre du jour modifié."
            ),
        )


@require_http_methods(["GET", "POST"])
def agenda(request, pk):
    seance = _secretariat_seance(request, pk)
    admissible = _admissible(request, seance)
    if request.method == "POST":
        form = AgendaAddForm(request.POST, admissible=admissible)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors.get("demande", [])))
            return redirect("commission:agenda", pk=seance.pk)
        demande = form.cleaned_data["demande"]
        try:
            point = workflow.add_point(seance, demande=demande, user=request.user)
        except WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Le dossier %(ref)s est inscrit au point %(order)s de l’ordre du jour.")
                % {"ref": demande.beneficiaire.reference, "order": point.order},
            )
            _agenda_changed(request, seance)
        return redirect("commission:agenda", pk=seance.pk)
    points = list(
        seance.points.select_related("demande__beneficiaire", "presenting_association").order_by("order")
    )
    admissible = list(admissible)
    audit.record_list(request, [point.demande for point in points] + admissible)
    return render(
        request,
        "commission/seances/agenda.html",
        {
            "seance": seance,
            "points": points,
            "admissible": admissible,
            "can_edit": workflow.SEANCE.can(seance, "add_point"),
            "can_add": workflow.can_add_points(seance),
        },
    )


@require_POST
def point_remove(request, pk, point_pk):
    seance = _secretariat_seance(request, pk)
    point = get_object_or_404(seance.points.select_related("demande__beneficiaire"), pk=point_pk)
    reason = _("Retiré de l’ordre du jour de la %(seance)s.") % {"seance": str(seance).lower()}
    reference = point.demande.beneficiaire.reference
    try:
        workflow.remove_point(point, user=request.user, reason=reason)
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Le dossier %(ref)s est retiré de l’ordre du jour ; il revient dans les dossiers à inscrire.")
            % {"ref": reference},
        )
        _agenda_changed(request, seance)
    return redirect("commission:agenda", pk=seance.pk)


# --- Attendance ----------------------------------------------------------------------------------------


class _RowRefused(Exception):
    def __init__(self, form, message):
        super().__init__(message)
        self.form = form
        self.message = message


@require_http_methods(["GET", "POST"])
def attendance(request, pk):
    seance = _secretariat_seance(request, pk)
    _convocations, rows = _attendance(seance)
    titulars = [row.mandat for row in rows]
    by_pk = {m.pk: m for m in titulars} | {s.pk: s for row in rows for s in row.substitutes}
    data = request.POST if request.method == "POST" else None
    forms = []
    sheet_version = versions.current([row.presence for row in rows])
    for row in rows:
        presence = row.presence
        initial = (
            {
                "status": presence.status,
                "substitute": presence.substitute_id,
                "proxy_to": presence.proxy_to_id,
            }
            if presence
            # Every convened member starts present in the room: the secretariat records the exceptions.
            else {"status": PresenceStatus.PRESENT}
        )
        form = AttendanceRowForm(
            data,
            prefix=f"m{row.mandat.pk}",
            initial=initial,
            mandat=row.mandat,
            substitutes=row.substitutes,
            holders=[m for m in titulars if m.pk != row.mandat.pk],
            recorded=presence is not None,
            versioned=presence,
            version=sheet_version,
        )
        form.row = row
        forms.append(form)
    refused = None
    if data is not None and all(form.is_valid() for form in forms):
        changes = [
            form
            for form in forms
            if form.cleaned_data["status"] and (form.has_changed() or form.row.presence is None)
        ]
        changes.sort(key=lambda form: workflow.recording_order(form.cleaned_data["status"]))
        try:
            # The whole sheet or nothing: a refused line leaves the attendance as it was.
            with transaction.atomic():
                for form in changes:
                    _record_row(seance, form, by_pk, request.user)
        except _RowRefused as error:
            error.form.add_error(None, error.message)
            refused = error.form
        else:
            messages.success(
                request,
                _("La feuille de présence est enregistrée (%(count)s lignes modifiées).")
                % {"count": len(changes)},
            )
            return redirect(_detail_url(seance, "quorum"))
    return render(
        request,
        "commission/seances/attendance.html",
        {
            "seance": seance,
            "forms": forms,
            "refused": refused,
            "has_errors": any(form.errors for form in forms),
            "can_edit": workflow.SEANCE.can(seance, "record_presence"),
        },
    )


def _record_row(seance, form, by_pk, user):
    data = form.cleaned_data
    try:
        workflow.record_presence(
            seance,
            mandat=form.mandat,
            status=data["status"],
            substitute=by_pk.get(data["substitute"]),
            proxy_to=by_pk.get(data["proxy_to"]),
            user=user,
        )
    except WorkflowError as error:
        raise _RowRefused(form, error.message) from error


# --- Agenda items: the member's page ---------------------------------------------------------------------


@dataclass
class Seat:
    """A seat whose vote the user casts on an item: their own, the titular they replace, or a proxy."""

    seat: Mandat
    caster: Mandat
    form: VoteForm
    vote: object  # Vote or None
    can_vote: bool
    why_not: str

    @property
    def relation(self):
        if self.seat.pk == self.caster.pk:
            return "own"
        if self.caster.titulaire_id == self.seat.pk:
            return "substitute"
        return "proxy"


def _seats(point, mandats, data=None, posted_seat=None):
    voting = {m.pk for m in workflow.voting_seats(point)}
    interested = {i.mandat_id for i in point.interets.all()}
    pairs = []
    for mandat in mandats:
        pairs += [(seat, mandat) for seat in workflow.seats_cast_by(point, mandat)]
    votes = {v.mandat_id: v for v in point.votes.filter(mandat__in=[seat for seat, _caster in pairs])}
    seats = []
    for seat, caster in pairs:
        vote = votes.get(seat.pk)
        initial = {"choice": vote.choice, "comment": vote.comment} if vote else {}
        bound = data if posted_seat == str(seat.pk) else None
        if seat.pk in voting:
            why_not = ""
        elif not seat.voting:
            why_not = _("Ce siège n’a pas voix délibérative.")
        elif seat.pk in interested or caster.pk in interested:
            why_not = _(
                "Un intérêt personnel à ce dossier est enregistré : pas de participation au débat ni au vote "
                "sur ce point."
            )
        else:
            why_not = _(
                "L’association qui présente ce dossier ne prend pas part au vote : elle donne son propre avis."
            )
        seats.append(
            Seat(
                seat=seat,
                caster=caster,
                form=VoteForm(bound, prefix=f"siege-{seat.pk}", initial=initial),
                vote=vote,
                can_vote=not why_not,
                why_not=why_not,
            )
        )
    return seats


@require_http_methods(["GET", "POST"])
def point_detail(request, pk, point_pk):
    """The item as a member sees it: the pseudonymised dossier and, for the seats they cast, the vote."""
    seance = _seance(request, pk)
    point = _point(seance, point_pk)
    mandats = list(
        Mandat.objects.filter(user=request.user, commission=seance.commission).select_related("organisation")
    )
    declaring = request.method == "POST" and request.POST.get("action") == "interet"
    declare_form = DeclareInterestForm(request.POST if declaring else None, prefix="interet")
    if declaring and declare_form.is_valid():
        try:
            for mandat in _own_candidates(seance, mandats):
                workflow.record_interest(point, mandat=mandat, user=request.user, declared_by_member=True)
        except WorkflowError as error:
            declare_form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "Votre intérêt personnel à ce dossier est enregistré : vous ne prenez part ni au débat "
                    "ni au vote sur ce point. Il figurera au procès-verbal."
                ),
            )
            return redirect("commission:point", pk=seance.pk, point_pk=point.pk)
    posted_seat = request.POST.get("siege") if request.method == "POST" and not declaring else None
    seats = _seats(point, mandats, request.POST if posted_seat else None, posted_seat)
    if request.method == "POST" and not declaring:
        seat = next((s for s in seats if str(s.seat.pk) == posted_seat), None)
        if seat is None:
            _refuse_unlisted_vote(request, mandats)
            return redirect("commission:point", pk=seance.pk, point_pk=point.pk)
        if seat.form.is_valid():
            try:
                workflow.cast_vote(
                    point,
                    caster=seat.caster,
                    seat=seat.seat,
                    choice=seat.form.cleaned_data["choice"],
                    comment=seat.form.cleaned_data["comment"],
                )
            except WorkflowError as error:
                if seat.can_vote and workflow.vote_window_is_open(point):
                    seat.form.add_error(None, error.message)  # the form comes back with what was typed
                else:
                    messages.error(request, error.message)  # no form to come back to: the page says why
            else:
                messages.success(
                    request,
                    _(
                        "Votre vote « %(choice)s » est enregistré. Vous pouvez le modifier tant que le point n’est pas clos."
                    )
                    % {"choice": VoteChoice(seat.form.cleaned_data["choice"]).label},
                )
                return redirect(reverse("commission:point", args=[seance.pk, point.pk]) + "#vote")
    audit.record(request, point.demande)
    recused = any(workflow.is_recused(point, mandat) for mandat in mandats)
    interested = point.interets.filter(mandat__in=mandats).exists()
    return render(
        request,
        "commission/seances/point.html",
        {
            "seance": seance,
            "point": point,
            "dossier": dossier_for_members(point.demande, on=timezone.localdate(seance.starts_at)),
            "redact": privacy.redactor_for(seance, request.user, [point]),
            "sees_identity": access.sees_identity(request.user, seance),
            "is_secretariat": access.is_secretariat_of(request.user, seance),
            "sits": bool(mandats),
            "seats": seats,
            "recused": recused,
            "interested": interested,
            "declare_form": declare_form,
            "can_declare": bool(mandats)
            and not interested
            and bool(_own_candidates(seance, mandats))
            and workflow.POINT.can(point, "record_interest")
            and not seance.is_finished,
            "window_open": workflow.vote_window_is_open(point),
            "quorum": workflow.quorum(seance),
        },
    )


def _own_candidates(seance, mandats):
    if not mandats:
        return []
    candidates = set(workflow.interest_candidates(seance).values_list("pk", flat=True))
    return [m for m in mandats if m.pk in candidates]


def _refuse_unlisted_vote(request, mandats):
    """A vote for a seat the page did not offer (absent member, forged form): nothing is recorded."""
    if not mandats:
        messages.error(request, _("Vous ne siégez pas à cette commission : vous ne votez pas."))
    else:
        messages.error(
            request,
            _(
                "Vous ne pouvez voter que pour votre siège, si votre présence à la séance est relevée, ou pour "
                "le membre que vous représentez. Adressez-vous au secrétariat si votre présence manque."
            ),
        )


# --- Agenda items: the secretariat's page ----------------------------------------------------------------


def _tally_context(seance, point):
    """The live tally: counts, and which seats that may vote have voted (not how)."""
    voting_ids = [m.pk for m in workflow.voting_seats(point)]
    votes = {v.mandat_id: v for v in point.votes.select_related("cast_by__user")}
    seats = Mandat.objects.filter(pk__in=voting_ids).select_related("user", "organisation")
    rows = sorted(
        ({"mandat": m, "vote": votes.get(m.pk)} for m in seats),
        key=lambda row: (row["mandat"].organisation.name, row["mandat"].user.last_name, row["mandat"].pk),
    )
    return {
        "seance": seance,
        "point": point,
        "tally": workflow.tally(point),
        "seat_rows": rows,
        "voted_count": sum(1 for row in rows if row["vote"]),
        "polling": workflow.POINT.can(point, "give_opinion"),
    }


def _seat_names(seats):
    return sorted(
        Mandat.objects.filter(pk__in=[s.pk for s in seats]).select_related("user", "organisation"),
        key=lambda m: (m.organisation.name, m.user.last_name, m.pk),
    )


def _opinion_message(avis):
    return _("Le point est clos : avis %(avis)s (%(f)s pour, %(d)s contre, %(a)s abstention(s)).") % {
        "avis": _("favorable") if avis.favorable else _("défavorable"),
        "f": avis.votes_favorable,
        "d": avis.votes_defavorable,
        "a": avis.abstentions,
    }


@require_http_methods(["GET", "POST"])
def point_manage(request, pk, point_pk):
    """The secretariat runs an item: live tally, closing with the opinion, postponement, show of hands."""
    seance = _secretariat_seance(request, pk)
    point = _point(seance, point_pk)
    action = request.POST.get("action") if request.method == "POST" else None
    close_form = CloseItemForm(request.POST if action == "clore" else None, prefix="clore")
    interest_form = InterestForm(
        request.POST if action == "interet" else None,
        prefix="interet",
        candidates=workflow.interest_candidates(seance).exclude(interets__point=point),
    )
    confirm_close = None
    postpone_form = PostponeForm(request.POST if action == "ajourner" else None, prefix="ajourner")
    hands_form = ShowOfHandsForm(request.POST if action == "main_levee" else None, prefix="main-levee")
    attempt = None
    if action == "clore" and close_form.is_valid() and not close_form.is_confirmed():
        # First step: the seats that have not voted, then the confirmation.
        confirm_close = {
            "missing": _seat_names(workflow.seats_without_vote(point)),
            "hands": Tally(*close_form.hands()),
        }
    elif action == "clore" and close_form.is_valid():
        attempt = (
            close_form,
            lambda: workflow.close_point(
                point,
                user=request.user,
                dissent=close_form.cleaned_data["dissent"],
                hands=Tally(*close_form.hands()),
                president_choice=close_form.cleaned_data["president_choice"] or None,
                confirmed=True,
            ),
            _opinion_message,
        )
    elif action == "interet" and interest_form.is_valid():
        attempt = (
            interest_form,
            lambda: workflow.record_interest(
                point, mandat=interest_form.cleaned_data["mandat"], user=request.user
            ),
            lambda interest: (
                _(
                    "L’intérêt personnel de %(name)s est enregistré : ce membre ne prend pas part au vote sur ce point."
                )
                % {"name": interest.mandat.user.get_full_name()}
            ),
        )
    elif action == "ajourner" and postpone_form.is_valid():
        attempt = (
            postpone_form,
            lambda: workflow.postpone_point(
                point, user=request.user, reason=postpone_form.cleaned_data["reason"]
            ),
            lambda _point: _("Le point est ajourné ; le dossier revient dans les dossiers à inscrire."),
        )
    elif action == "main_levee" and hands_form.is_valid():
        data = hands_form.cleaned_data
        attempt = (
            hands_form,
            lambda: workflow.record_show_of_hands(
                point,
                user=request.user,
                favorable=data["favorable"],
                defavorable=data["defavorable"],
                abstentions=data["abstentions"],
                president_choice=data["president_choice"] or None,
                dissent=data["dissent"],
            ),
            _opinion_message,
        )
    if attempt is not None:
        form, run, message = attempt
        try:
            outcome = run()
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, message(outcome))
            return redirect("commission:point_manage", pk=seance.pk, point_pk=point.pk)
    audit.record(request, point.demande)
    context = _tally_context(seance, point)
    return render(
        request,
        "commission/seances/point_manage.html",
        {
            **context,
            "quorum": workflow.quorum(seance),
            "window_open": workflow.vote_window_is_open(point),
            "close_form": close_form,
            "postpone_form": postpone_form,
            "hands_form": hands_form,
            "interest_form": interest_form,
            "confirm_close": confirm_close,
            "interests": list(point.interets.select_related("mandat__user", "mandat__organisation")),
            "can_record_interest": workflow.POINT.can(point, "record_interest") and not seance.is_finished,
            "chair": seance.chaired_by,
            "next_point": seance.points.to_examine().filter(order__gt=point.order).order_by("order").first(),
        },
    )


@require_GET
def point_tally(request, pk, point_pk):
    """The tally fragment the secretariat's page polls every two seconds (htmx)."""
    seance = _secretariat_seance(request, pk)
    point = get_object_or_404(seance.points.select_related("demande", "avis"), pk=point_pk)
    context = _tally_context(seance, point)
    status = HTMX_STOP_POLLING if request.htmx and not context["polling"] else 200
    return render(request, "commission/seances/_tally.html", context, status=status)
