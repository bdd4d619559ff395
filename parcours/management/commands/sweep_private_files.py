"""Delete the private files no row points to any more (written more than a day ago).

A dry run unless --wet-run: it says which files it would delete."""

from django.core.management.base import BaseCommand

from parcours import privacy


class Command(BaseCommand):
    help = "Supprime les fichiers privés qu’aucune ligne ne référence plus (simulation sans --wet-run)."

    def add_arguments(self, parser):
        parser.add_argument("--wet-run", action="store_true", help="Supprimer réellement les fichiers.")

    def handle(self, *args, wet_run=False, **options):
        orphans = privacy.delete_orphan_files() if wet_run else privacy.orphan_files()
        verb = "Supprimé" if wet_run else "À supprimer (simulation, relancez avec --wet-run)"
        for relative in orphans:
            self.stdout.write(f"{verb} : {relative}")
        self.stdout.write(f"{len(orphans)} fichier(s) orphelin(s).")
