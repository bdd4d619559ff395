"""What the association's caseworker types: the application's steps, documents, resubmission, withdrawal.

The step forms accept a partial application (a draft is saved at any moment); what a complete
application needs is `Demande.missing_parts()`, checked by the workflow when the dossier is filed.
Each step shows the parts it still misses next to its fields. Whether the association may change the
application now is the workflow's question (`workflow.edit_refusal`, `workflow.avis_refusal`), asked by
the views; the association's opinion is saved by the workflow, with its event.
"""

import hashlib
from dataclasses import dataclass

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commission.validators import CleanInputMixin
from commission.versions import VersionedFormMixin
from parcours import storage
from parcours.enums import Axe, DemandeKind, DocumentKind, SituationEmploi
from parcours.models import Demande, Document, ObjectifInsertion
from parcours.workflow import demandes as workflow

MAX_DOCUMENT_SIZE = 10 * 1024 * 1024


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _not_in_future(day, message):
    if day and day > timezone.localdate():
        raise forms.ValidationError(message)
    return day


# --- the application's steps ---------------------------------------------------------------------


class MissingPartsMixin:
    def flag_missing(self, missing: dict) -> None:
        """Name, next to each field, what the application still needs there to be filed."""
        for key, message in missing.items():
            _step, name = locate_part(key)
            if name in self.fields:
                self.fields[name].help_text = _("À compléter avant le dépôt : %(what)s") % {"what": message}


class StepForm(VersionedFormMixin, CleanInputMixin, MissingPartsMixin, forms.ModelForm):
    """A step that edits some fields of the application; saving writes only those fields."""

    def __init__(self, *args, demande, **kwargs):
        self.demande = demande
        super().__init__(*args, instance=demande, **kwargs)

    def save(self, *, user=None):
        self.instance.save(update_fields=self.versioned_fields())
        return self.instance


class SituationForm(StepForm):
    droit_rsa_ou_ada = forms.TypedChoiceField(
        label=gettext_lazy("Perçoit ou peut prétendre au RSA ou à l’allocation pour demandeur d’asile (ADA)"),
        choices=[
            ("", gettext_lazy("Non renseigné")),
            ("True", gettext_lazy("Oui")),
            ("False", gettext_lazy("Non")),
        ],
        coerce=lambda value: value == "True",
        empty_value=None,
        required=False,
        help_text=gettext_lazy("Nécessaire pour apprécier le droit à l’AFIS."),
    )

    class Meta:
        model = Demande
        fields = [
            "situation_emploi",
            "type_contrat",
            "logement",
            "formation",
            "ressources_foyer",
            "droit_rsa_ou_ada",
        ]
        widgets = {
            "formation": forms.Textarea(attrs={"rows": 3}),
            "ressources_foyer": forms.TextInput(attrs={"inputmode": "decimal"}),
        }
        help_texts = {
            "type_contrat": gettext_lazy("Pour une personne en emploi."),
            "ressources_foyer": gettext_lazy(
                "Ressources de tout le foyer le mois précédant la demande, en euros ; nécessaire pour "
                "apprécier le droit à l’AFIS."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("situation_emploi", "type_contrat", "logement"):
            field = self.fields[name]
            field.choices = [("", _("Non renseigné")), *list(field.choices)[1:]]
        # "350,50" as a French user types it, or "350.50".
        self.fields["ressources_foyer"].localize = True

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("type_contrat") and cleaned.get("situation_emploi") != SituationEmploi.EN_EMPLOI:
            self.add_error(
                "type_contrat",
                _(
                    "Le type de contrat ne s’indique que pour une personne en emploi : choisissez "
                    "« En emploi » comme situation professionnelle, ou retirez le type de contrat."
                ),
            )
        return cleaned


class EngagementForm(StepForm):
    class Meta:
        model = Demande
        fields = ["engagement_signed_on", "evaluation_association"]
        widgets = {
            "engagement_signed_on": _date_input(),
            "evaluation_association": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "evaluation_association": gettext_lazy(
                "Parcours de la personne, motivation, engagements tenus, points de vigilance."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.demande.kind == DemandeKind.FIN_ANTICIPEE:
            del self.fields["engagement_signed_on"]
            self.fields["evaluation_association"].label = _("Motifs de la proposition de fin anticipée")
            self.fields["evaluation_association"].help_text = ""

    def clean_engagement_signed_on(self):
        return _not_in_future(
            self.cleaned_data.get("engagement_signed_on"),
            _("La date de signature de l’engagement ne peut pas être dans le futur : vérifiez-la."),
        )


class AvisForm(StepForm):
    """The accompanying association's opinion, which the prefect's decision follows (CASF L121-9)."""

    class Meta:
        model = Demande
        fields = ["avis_association", "avis_association_motifs"]
        widgets = {"avis_association_motifs": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["avis_association"]
        field.choices = [("", _("Pas encore d’avis")), *list(field.choices)[1:]]

    def clean(self):
        cleaned = super().clean()
        avis, motifs = cleaned.get("avis_association"), cleaned.get("avis_association_motifs", "")
        if avis and not motifs.strip():
            self.add_error("avis_association_motifs", _("Motivez l’avis de l’association."))
        if motifs.strip() and not avis and "avis_association" not in self.errors:
            self.add_error(
                "avis_association", _("Choisissez l’avis de l’association, favorable ou défavorable.")
            )
        return cleaned

    def save(self, *, user):
        """Through the workflow, which records who gave which opinion when (an event row)."""
        return workflow.record_association_avis(
            self.demande,
            user=user,
            avis=self.cleaned_data["avis_association"],
            motifs=self.cleaned_data["avis_association_motifs"],
        )


class ProjetForm(VersionedFormMixin, CleanInputMixin, MissingPartsMixin, forms.Form):
    """The projet d’insertion, one group of fields per axis: objectives, actions, and at renewal the
    progress report (what was reached)."""

    def __init__(self, data=None, *, demande):
        super().__init__(data)
        self.demande = demande
        self.with_progress = demande.kind == DemandeKind.RENOUVELLEMENT
        self.objectifs = {o.axe: o for o in demande.objectifs.all()}
        self.axes = []
        for axe in Axe:
            objectif = self.objectifs.get(axe) or ObjectifInsertion(demande=demande, axe=axe)
            names = {
                "objectives": (
                    _("Objectifs"),
                    _("Ce que la personne veut atteindre pendant la période."),
                ),
                "actions": (_("Actions engagées par l’association"), ""),
            }
            if self.with_progress:
                names["progress"] = (
                    _("Bilan : ce qui a été atteint"),
                    _("Ce qui a été atteint sur cet axe depuis la dernière décision."),
                )
            fields = []
            for attribute, (label, help_text) in names.items():
                name = f"{axe.value}-{attribute}"
                self.fields[name] = forms.CharField(
                    label=label,
                    help_text=help_text,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    initial=getattr(objectif, attribute),
                )
                fields.append(name)
            self.axes.append((axe, fields))

    def versioned_objects(self):
        return list(self.objectifs.values())

    def versioned_fields(self):
        return ["objectives", "actions", "progress"]

    def axis_groups(self):
        """(axis label, bound fields) for the template."""
        return [(axe.label, [self[name] for name in names]) for axe, names in self.axes]

    @transaction.atomic
    def save(self, *, user=None):
        for axe, names in self.axes:
            objectif = self.objectifs.get(axe) or ObjectifInsertion(demande=self.demande, axe=axe)
            for name in names:
                setattr(objectif, name.partition("-")[2], self.cleaned_data[name])
            objectif.save()
        return self.demande


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form_class: type
    notice: str = ""


SITUATION = Step("situation", gettext_lazy("Situation de la personne"), SituationForm)
SITUATION_RENOUVELLEMENT = Step(
    "situation",
    gettext_lazy("Bilan : situation actuelle de la personne"),
    SituationForm,
    gettext_lazy(
        "La situation est reprise de la dernière demande accordée : vérifiez chaque élément et mettez-le "
        "à jour. Les ressources du foyer et le droit au RSA ou à l’ADA sont ceux du mois précédant cette "
        "demande : renseignez-les."
    ),
)
PROJET = Step("projet", gettext_lazy("Projet d’insertion sociale et professionnelle"), ProjetForm)
PROJET_RENOUVELLEMENT = Step(
    "projet",
    gettext_lazy("Projet d’insertion et bilan par axe"),
    ProjetForm,
    gettext_lazy(
        "Les objectifs et les actions sont repris de la dernière demande accordée : mettez-les à jour et "
        "rédigez le bilan de chaque axe."
    ),
)
ENGAGEMENT = Step("engagement", gettext_lazy("Engagement et évaluation de l’association"), EngagementForm)
MOTIFS = Step("engagement", gettext_lazy("Motifs de la proposition"), EngagementForm)
AVIS = Step("avis", gettext_lazy("Avis de l’association"), AvisForm)

STEPS = {
    DemandeKind.INITIALE: (SITUATION, PROJET, ENGAGEMENT, AVIS),
    DemandeKind.RENOUVELLEMENT: (SITUATION_RENOUVELLEMENT, PROJET_RENOUVELLEMENT, ENGAGEMENT, AVIS),
    DemandeKind.FIN_ANTICIPEE: (MOTIFS, AVIS),
}
# Which step holds each key of Demande.missing_parts() (objectives and progress: see locate_part).
_STEP_OF_PART = {
    "situation_emploi": SITUATION.slug,
    "type_contrat": SITUATION.slug,
    "logement": SITUATION.slug,
    "ressources_foyer": SITUATION.slug,
    "droit_rsa_ou_ada": SITUATION.slug,
    "engagement_signed_on": ENGAGEMENT.slug,
    "evaluation_association": ENGAGEMENT.slug,
}


def steps_for(demande) -> tuple[Step, ...]:
    return STEPS[demande.kind]


def locate_part(key: str) -> tuple[str | None, str]:
    """(step slug, field name) where a key of Demande.missing_parts() is filled in; the step is None
    for a part no step knows."""
    prefix, _sep, axe = key.partition("_")
    if prefix == "objectif":
        return PROJET.slug, f"{axe}-objectives"
    if prefix == "progres":
        return PROJET.slug, f"{axe}-progress"
    return _STEP_OF_PART.get(key), key


# --- filing, withdrawal --------------------------------------------------------------------------


class ResubmitForm(CleanInputMixin, forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Message au secrétariat (facultatif)"),
        help_text=gettext_lazy("Ce que vous avez complété ; il s’ajoute aux messages du dossier."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WithdrawForm(CleanInputMixin, forms.Form):
    withdrawn_on = forms.DateField(
        label=gettext_lazy("Date du retrait"),
        help_text=gettext_lazy("Le jour où la personne a fait connaître sa décision."),
        widget=_date_input(),
    )
    reason = forms.CharField(
        label=gettext_lazy("Motif du retrait"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, demande, **kwargs):
        self.demande = demande
        kwargs.setdefault("initial", {"withdrawn_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean_withdrawn_on(self):
        day = _not_in_future(
            self.cleaned_data["withdrawn_on"], _("La date du retrait ne peut pas être dans le futur.")
        )
        created_on = timezone.localdate(self.demande.created_at)
        if day < created_on:
            raise forms.ValidationError(
                _("La date du retrait ne peut pas précéder la création du dossier, le %(day)s.")
                % {"day": date_format(created_on, "SHORT_DATE_FORMAT")}
            )
        return day


# --- documents -----------------------------------------------------------------------------------


class DocumentReplaceForm(CleanInputMixin, forms.Form):
    """A new version of a document: PDF, JPEG or PNG by content, MAX_DOCUMENT_SIZE at most."""

    file = forms.FileField(
        label=gettext_lazy("Fichier"),
        help_text=gettext_lazy("PDF, JPEG ou PNG, 10 Mo au plus."),  # MAX_DOCUMENT_SIZE
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_DOCUMENT_SIZE:
            raise forms.ValidationError(
                _(
                    "Ce fichier dépasse la taille maximale de %(max)s Mo. Réduisez-le (numérisation en "
                    "niveaux de gris ou à plus faible résolution, ou découpage en plusieurs pièces), puis "
                    "choisissez-le de nouveau."
                )
                % {"max": MAX_DOCUMENT_SIZE // (1024 * 1024)}
            )
        content = b"".join(upload.chunks())
        content_type = storage.detect_content_type(content)
        if content_type is None:
            raise forms.ValidationError(
                _(
                    "Ce fichier n’est pas un PDF, une image JPEG ou une image PNG lisible, quel que soit "
                    "son nom. Enregistrez la pièce dans l’un de ces formats, puis choisissez-la de nouveau."
                )
            )
        storage.check_content(content, content_type)
        self.content, self.content_type = content, content_type
        return upload

    def save(self, *, demande, user, kind, replaces=None) -> Document:
        """Store the file and record it; a replacement keeps the former version in the history."""
        path = storage.write(self.content)
        try:
            with transaction.atomic():
                document = Document.objects.create(
                    demande=demande,
                    kind=kind,
                    file_path=path,
                    original_name=self.cleaned_data["file"].name[-255:],
                    content_type=self.content_type,
                    size=len(self.content),
                    sha256=hashlib.sha256(self.content).hexdigest(),
                    uploaded_by=user,
                )
                if replaces is not None:
                    replaces.replaced_by = document
                    replaces.save(update_fields=["replaced_by"])
        except Exception:
            storage.delete(path)
            raise
        return document


class DocumentForm(DocumentReplaceForm):
    kind = forms.ChoiceField(label=gettext_lazy("Type de pièce"), choices=DocumentKind.choices)

    field_order = ["kind", "file"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Choisissez le type de pièce")), *DocumentKind.choices]

    def save(self, *, demande, user):
        return super().save(demande=demande, user=user, kind=self.cleaned_data["kind"])
