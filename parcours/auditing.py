from auditlog.registry import auditlog

FREE_TEXT = [
    "formation",
    "evaluation_association",
    "avis_association_motifs",
    "withdrawal_reason",
    "ressources_foyer",
]


def register():
    from parcours import models

    auditlog.register(models.Demande, mask_fields=FREE_TEXT)
    auditlog.register(models.ObjectifInsertion, mask_fields=["objectives", "actions", "progress"])
    auditlog.register(models.Document, mask_fields=["original_name"])
    auditlog.register(models.Decision, mask_fields=["motifs"])
    auditlog.register(models.Parcours)
    auditlog.register(models.Periode)
    auditlog.register(models.TitreSejour, mask_fields=["number"])
    auditlog.register(models.DroitAfis)
    auditlog.register(models.Message, mask_fields=["body"])
    auditlog.register(models.BaremeAfis)
    auditlog.register(models.ForfaitRsa)
    auditlog.register(models.RegleParcours)
