"""Back up the database and the private files together (README, "Backups")."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commission import backups


class Command(BaseCommand):
    help = gettext_lazy(
        "Sauvegarde ensemble la base (pg_dump -Fc) et le dossier des fichiers privés (déjà chiffrés) dans "
        "un dossier daté, avec un manifeste : date, migrations appliquées, sha256 de chaque partie. Les "
        "clés de chiffrement n’y sont pas : gardez-les à part. À lancer avec l’URL du propriétaire des tables."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "destination", type=Path, help=gettext_lazy("Dossier où créer la sauvegarde datée.")
        )
        parser.add_argument(
            "--database", default="default", help=gettext_lazy("Alias de la base à sauvegarder.")
        )

    def handle(self, *args, destination, database, **options):
        try:
            folder = backups.backup(destination, alias=database)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        manifest = backups.verify(folder)
        files = manifest["parts"][backups.FILES]["files"]
        self.stdout.write(
            _("Sauvegarde écrite dans %(folder)s (%(files)s fichier(s) privé(s)).")
            % {"folder": folder, "files": files}
        )
