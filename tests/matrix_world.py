"""The world the permission matrix probes: two départements, two associations, three sessions.

Every person carries a unique last name (`Zz…`), so a response can be searched for identities the
user must never see. Private files (documents, letters, minutes, export) hold real encrypted bytes,
so a download that is allowed really answers, and one that is not cannot hide behind a missing file.
"""

from dataclasses import dataclass

from django.utils import timezone

from commission import private_files
from commission.enums import OrganisationKind, Role
from parcours.enums import CourrierKind, DemandeState
from parcours.models import Demande
from parcours.models.exports import ExportFormat, ExportJob, ExportState
from tests.factories import (
    AssociationFactory,
    ConvocationFactory,
    CourrierFactory,
    DecisionFactory,
    DemandeFactory,
    DepartementFactory,
    DocumentFactory,
    DroitAfisFactory,
    OrganisationFactory,
    ParcoursFactory,
    PointOrdreDuJourFactory,
    ProcesVerbalFactory,
    SeanceFactory,
    TitreSejourFactory,
    UserFactory,
    commission_for,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _private(folder, content=PDF):
    path, sha256 = private_files.write(folder, content, ".pdf")
    return {"file_path": path, "sha256": sha256}


@dataclass
class Side:
    """The objects of one side of the world, as the matrix's kwargs read them."""

    person: object
    dossier: object
    draft: object
    avis: object
    document: object
    parcours: object
    decision: object
    courrier: object
    titre: object
    seance: object
    point: object
    job: object
    afis: object = None


PREFECTURE_A = ("dossier-a1", "dossier-a2", "avis-a1", "avis-a2", "parcours-a1", "parcours-a2") + (
    "point-s1",
    "point-s2",
)


class World:
    def __init__(self):
        self.names = {}
        self.dep_a, self.dep_b = DepartementFactory(), DepartementFactory()
        self.asso_1 = AssociationFactory(departement=self.dep_a)
        self.asso_2 = AssociationFactory(departement=self.dep_a)
        self.asso_b = AssociationFactory(departement=self.dep_b)
        commission_a, commission_b = commission_for(self.dep_a), commission_for(self.dep_b)

        self.users = {
            "referent": UserFactory(organisation=self.asso_1, roles=[Role.REFERENT]),
            "referent_2": UserFactory(organisation=self.asso_2, roles=[Role.REFERENT]),
            "secretariat": self._staff(OrganisationKind.SECRETARIAT, Role.SECRETARIAT, self.dep_a),
            "president": self._staff(OrganisationKind.SECRETARIAT, Role.PRESIDENT, self.dep_a),
            "etrangers": self._staff(OrganisationKind.SERVICE_ETRANGERS, Role.ETRANGERS, self.dep_a),
            "administrateur": UserFactory(roles=[Role.ADMINISTRATEUR]),
        }
        secretariat_b = self._staff(OrganisationKind.SECRETARIAT, Role.SECRETARIAT, self.dep_b)

        s1 = self._seance(commission_a, "s1")
        s2 = self._seance(commission_a, "s2")
        sb = self._seance(commission_b, "sb")
        self.users["membre"] = ConvocationFactory(seance=s1[0]).mandat.user

        side_1 = self._side("a1", self.asso_1, self.dep_a, s1, self.users["secretariat"])
        side_2 = self._side("a2", self.asso_2, self.dep_a, s2, self.users["secretariat"])
        side_b = self._side("b", self.asso_b, self.dep_b, sb, secretariat_b)
        self.sides = {
            "own": side_1,
            "a2": side_2,
            "b": side_b,
            # The member's other session in the same département, everything else unchanged.
            "s2": Side(**{**side_1.__dict__, "seance": s2[0], "point": s2[1]}),
            # One's own session with an item of another session: the item must not be reachable.
            "point-of-s2": Side(**{**side_1.__dict__, "point": s2[1]}),
            "point-of-b": Side(**{**side_1.__dict__, "point": sb[1]}),
        }

    def _staff(self, kind, role, departement):
        organisation = OrganisationFactory(kind=kind, departement=departement)
        return UserFactory(organisation=organisation, roles=[role])

    def _person(self, key):
        """Factory arguments giving the person of `key` a last name and a reference found nowhere else."""
        compact = key.replace("-", "")
        self.names[key] = (f"Zz{compact}nom", f"ZR{compact}")
        return {"beneficiaire__last_name": self.names[key][0], "beneficiaire__reference": self.names[key][1]}

    def _seance(self, commission, key):
        seance = SeanceFactory(commission=commission)
        point = PointOrdreDuJourFactory(
            seance=seance, **{f"demande__{k}": v for k, v in self._person(f"point-{key}").items()}
        )
        ProcesVerbalFactory(seance=seance, **_private("proces-verbaux"))
        return seance, point

    def _side(self, key, association, departement, seance_point, exporter):
        dossier = DemandeFactory(
            association=association,
            departement=departement,
            complete=True,
            state=DemandeState.DEPOSEE,
            submitted_at=timezone.now(),
            **self._person(f"dossier-{key}"),
        )
        draft = DemandeFactory(
            association=association,
            departement=departement,
            **self._person(f"draft-{key}"),
        )
        avis = DemandeFactory(
            association=association,
            departement=departement,
            avis_rendu=True,
            **self._person(f"avis-{key}"),
        )
        document = DocumentFactory(
            demande=dossier,
            content_type="application/pdf",
            size=len(PDF),
            **_private("demandes"),
        )
        decision = DecisionFactory(
            demande__association=association,
            demande__departement=departement,
            **{f"demande__{k}": v for k, v in self._person(f"parcours-{key}").items()},
        )
        parcours = ParcoursFactory(beneficiaire=decision.demande.beneficiaire)
        Demande.objects.filter(pk=decision.demande.pk).update(parcours=parcours)
        courrier = CourrierFactory(decision=decision, kind=CourrierKind.NOTIFICATION, **_private("courriers"))
        content = "référence;nom\n".encode()
        path, sha256 = private_files.write("exports", content, ".csv")
        job = ExportJob.objects.create(
            requested_by=exporter,
            params={"format": ExportFormat.CSV, "filters": {}},
            state=ExportState.TERMINE,
            file_path=path,
            sha256=sha256,
            finished_at=timezone.now(),
        )
        return Side(
            person=dossier.beneficiaire,
            dossier=dossier,
            draft=draft,
            avis=avis,
            document=document,
            parcours=parcours,
            decision=decision,
            courrier=courrier,
            titre=TitreSejourFactory(parcours=parcours),
            seance=seance_point[0],
            point=seance_point[1],
            job=job,
            afis=DroitAfisFactory(periode=parcours.periodes.get(), ineligible=True, pending=True),
        )

    def visible_markers(self, role):
        """The persons' last names and references `role` may see somewhere on the site."""
        allowed = {
            # The association: the persons it accompanies.
            "referent": ("dossier-a1", "draft-a1", "avis-a1", "parcours-a1"),
            "referent_2": ("dossier-a2", "draft-a2", "avis-a2", "parcours-a2"),
            # Secretariat and president: identities of their département, drafts excepted.
            "secretariat": PREFECTURE_A,
            "president": PREFECTURE_A,
            # The foreigners' service: the persons whose permit it issues.
            "etrangers": ("parcours-a1", "parcours-a2"),
        }.get(role, ())
        markers = {marker for key in allowed for marker in self.names[key]}
        if role == "membre":
            # Members read the items of their session pseudonymised: the reference, not the name.
            markers.add(self.names["point-s1"][1])
        return markers

    def all_markers(self):
        return {marker for markers in self.names.values() for marker in markers}

    def hidden_markers(self, role):
        """Every other one is a leak, wherever it shows."""
        return self.all_markers() - self.visible_markers(role)
