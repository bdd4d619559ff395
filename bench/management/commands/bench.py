"""`manage.py bench`: build the national-size dataset once, then measure (README, "Performance")."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Génère le jeu de données national fictif (une fois), puis mesure pages, rappels, courriers, bilan et charge."

    def add_arguments(self, parser):
        parser.add_argument("--regenerate", action="store_true", help="Vide et régénère le jeu de données.")
        parser.add_argument("--generate-only", action="store_true", help="Génère sans mesurer.")
        parser.add_argument(
            "--skip-load", action="store_true", help="Sans le test de charge (gunicorn + wrk)."
        )
        parser.add_argument(
            "--skip-workers", action="store_true", help="Sans les courriers sur workers Celery."
        )

    def handle(self, *args, **options):
        from bench import generate, measure

        if options["regenerate"] and generate.is_generated():
            self.stdout.write("Emptying the bench dataset…")
            generate.wipe()
        if generate.is_generated():
            self.stdout.write("Dataset already generated (--regenerate to rebuild it).")
        else:
            self.stdout.write("Generating the dataset…")
            result = generate.generate(stdout=self.stdout)
            self.stdout.write(f"Generated in {result['seconds']:.1f} s.")
        if options["generate_only"]:
            return
        measure.run(self.stdout, load=not options["skip_load"], workers=not options["skip_workers"])
