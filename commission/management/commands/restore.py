"""Restore a backup into an empty database and an empty files folder (README, "Backups").

A dry run unless --wet-run: it checks the backup against its manifest and the code's migrations, and
that the targets are empty."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commission import backups, private_files


class Command(BaseCommand):
    help = gettext_lazy(
        "Restaure une sauvegarde (manage.py backup) dans une base neuve et vide et un dossier de fichiers "
        "vide (PRIVATE_FILES_ROOT), puis vérifie que chaque fichier se déchiffre avec les clés configurées. "
        "Sans --wet-run, vérifie seulement la sauvegarde et les cibles."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "folder", type=Path, help=gettext_lazy("Dossier de la sauvegarde (psp-AAAAMMJJTHHMMSSZ).")
        )
        parser.add_argument(
            "--database", default="default", help=gettext_lazy("Alias de la base où restaurer.")
        )
        parser.add_argument("--wet-run", action="store_true", help=gettext_lazy("Restaurer réellement."))

    def handle(self, *args, folder, database, wet_run=False, **options):
        try:
            if not wet_run:
                manifest = backups.verify(folder)
                backups.check_empty_target(database)
                self.stdout.write(
                    _(
                        "Sauvegarde intacte du %(date)s (%(files)s fichier(s) privé(s)) ; la base et %(root)s "
                        "sont vides. Relancez avec --wet-run pour restaurer."
                    )
                    % {
                        "date": manifest["created_at"],
                        "files": manifest["parts"][backups.FILES]["files"],
                        "root": private_files.root(),
                    }
                )
                return
            result = backups.restore(folder, alias=database)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("Base restaurée ; %(files)s fichier(s) privé(s) restauré(s).") % {"files": result["files"]}
        )
        if result["undecryptable"]:
            raise CommandError(
                _(
                    "%(count)s fichier(s) ne se déchiffrent pas avec FILES_ENCRYPTION_KEYS : ajoutez-y les clés "
                    "en service à la date de la sauvegarde (gardées à part)."
                )
                % {"count": result["undecryptable"]}
            )
        self.stdout.write(
            _(
                "Ensuite : manage.py migrate, manage.py grant_app_role <rôle de l’application>, "
                "manage.py check --deploy."
            )
        )
