"""`manage.py load_demo`: the fictional Haute-Garonne demo (see demo/dataset.py for its figures).

Prints one login per line, `<rôle> : <e-mail> / <mot de passe>`, on standard output and nothing else
there, so that a script can read them; what was done goes to standard error. Run again, it loads
nothing and prints the same logins (their password is set back to the demo password); `--reset`
wipes the demo département and loads it again, dated from today.
"""

import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from demo import dataset


class Command(BaseCommand):
    help = (
        "Charge un département fictif de démonstration (31 Haute-Garonne) et affiche un identifiant par rôle."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Efface les données de démonstration et les recharge, datées à partir d’aujourd’hui.",
        )

    def handle(self, *args, reset=False, **options):
        started = time.monotonic()
        try:
            # The e-mails the workflow sends while the demo is built (notifications of fictional
            # decisions) are kept in memory, and its log lines (each e-mail sent, each letter stored)
            # are silenced: the output is the logins and one line. An error still stops the load.
            logging.disable(logging.WARNING)
            try:
                with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                    loaded = dataset.load(reset=reset)
            finally:
                logging.disable(logging.NOTSET)
        except dataset.DemoError as error:
            raise CommandError(str(error)) from error
        if loaded:
            message = (
                f"Données de démonstration chargées ({dataset.DEPARTEMENT_NAME}, {dataset.DEPARTEMENT_CODE}) "
                f"en {time.monotonic() - started:.1f} s."
            )
        else:
            message = (
                "Données de démonstration déjà présentes : rien n’a été rechargé "
                "(--reset pour les recharger). Mots de passe des identifiants remis à la valeur de démonstration."
            )
        self.stderr.write(message, style_func=self.style.SUCCESS)
        for login in dataset.logins():
            self.stdout.write(f"{login.role} : {login.email} / {dataset.PASSWORD}")
