from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from commission.models import AccessLog


class Command(BaseCommand):
    help = _(
        "Vérifie le chaînage du journal des accès : chaque ligne porte l’empreinte de la précédente. "
        "Nomme la première ligne modifiée ou dont la précédente a été supprimée, et sort en erreur."
    )

    def handle(self, *args, **options):
        checked, last, broken = AccessLog.objects.verify()
        if broken is not None:
            raise CommandError(
                _(
                    "Chaîne rompue à la ligne n° %(id)s (%(at)s) : elle a été modifiée, ou la ligne qui la "
                    "précédait a été supprimée. %(checked)s ligne(s) vérifiée(s) avant elle."
                )
                % {"id": broken.pk, "at": broken.at.isoformat(), "checked": checked}
            )
        if last is None:
            self.stdout.write(_("Journal des accès vide : rien à vérifier."))
            return
        # The last hash, to be noted elsewhere: rows removed at the end of the chain leave no break.
        self.stdout.write(
            _(
                "%(checked)s ligne(s) vérifiée(s), chaîne intacte jusqu’à la ligne n° %(id)s, empreinte %(hash)s."
            )
            % {"checked": checked, "id": last.pk, "hash": last.hash}
        )
