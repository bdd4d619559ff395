from django.conf import settings
from django.core.management.base import BaseCommand

from commission import private_files


class Command(BaseCommand):
    help = (
        "Re-encrypt every private file (documents, letters, minutes) with the newest key of "
        "FILES_ENCRYPTION_KEYS. Put the new key first, keep the old ones after it, run this command with "
        "--wet-run, then remove the old keys. Without --wet-run it only says what it would do."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wet-run", action="store_true", help="Re-encrypt for real.")

    def handle(self, *args, wet_run=False, **options):
        files = list(private_files.all_files())
        keys = len(settings.FILES_ENCRYPTION_KEYS)
        if not wet_run:
            self.stdout.write(
                f"{len(files)} fichier(s) seraient rechiffré(s) avec la première des {keys} clé(s). "
                "Relancez avec --wet-run pour le faire."
            )
            return
        for path in files:
            private_files.rotate(path)
        self.stdout.write(f"{len(files)} fichier(s) rechiffré(s) avec la nouvelle clé.")
