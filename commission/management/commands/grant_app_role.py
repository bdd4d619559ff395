from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

# The application's role owns no table: it reads and writes rows, and nothing else. Without ownership it
# can neither TRUNCATE, nor ALTER TABLE … DISABLE TRIGGER, nor drop the audit triggers. On the two log
# tables it may only read and append.
LOG_TABLES = ("commission_accesslog", "auditlog_logentry")


def grants(role: str) -> list[str]:
    role = connection.ops.quote_name(role)
    tables = ", ".join(LOG_TABLES)
    return [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {tables} FROM {role}",
        # Tables and sequences the owner's next migrations create.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO {role}",
    ]


class Command(BaseCommand):
    help = _(
        "Donne au rôle PostgreSQL de l’application ses seuls droits : lire et écrire les lignes, ajouter "
        "aux journaux sans les modifier. À lancer par le propriétaire des tables, après chaque migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help=_("Nom du rôle PostgreSQL de l’application, par exemple psp_app."))

    def handle(self, *args, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError(_("Cette commande ne sert qu’avec PostgreSQL."))
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
            found = cursor.fetchone()
            if found is None:
                raise CommandError(_("Le rôle %(role)s n’existe pas : créez-le d’abord.") % {"role": role})
            if found[0]:
                raise CommandError(
                    _(
                        "Le rôle %(role)s est superutilisateur : l’application doit se connecter avec un rôle ordinaire."
                    )
                    % {"role": role}
                )
            for statement in grants(role):
                cursor.execute(statement)
        self.stdout.write(_("Droits de l’application donnés au rôle %(role)s.") % {"role": role})
