"""The sessions' models, taken over from the commission app: their tables exist already (same names),
so only the state is created here; the content types move from app "commission" to "seances" so that
permissions and auditlog entries that point at them follow."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

MODELS = ("seance", "pointordredujour", "convocation", "presence", "vote", "avis", "procesverbal")


def move_content_types(apps, schema_editor, source="commission", target="seances"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if ContentType.objects.using(db).filter(app_label=target, model=model).exists():
            continue
        ContentType.objects.using(db).filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="seances", target="commission")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('commission', '0008_sessions_leave_for_seances'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('parcours', '0008_demande_list_commission_state'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='PointOrdreDuJour',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('order', models.PositiveSmallIntegerField(verbose_name='ordre')),
                        ('kind', models.CharField(choices=[('examen', 'Examen d’une demande'), ('fin_anticipee', 'Proposition de fin anticipée')], default='examen', max_length=20, verbose_name='nature')),
                        ('state', models.CharField(choices=[('a_examiner', 'À examiner'), ('clos', 'Avis rendu'), ('ajourne', 'Ajourné')], default='a_examiner', max_length=20, verbose_name='état')),
                        ('postponement_reason', models.TextField(blank=True, verbose_name='motif de l’ajournement')),
                        ('demande', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='points_odj', to='parcours.demande', verbose_name='demande')),
                        ('presenting_association', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='commission.organisation', verbose_name='association qui présente')),
                    ],
                    options={
                        'verbose_name': 'point de l’ordre du jour',
                        'db_table': 'commission_pointordredujour',
                        'ordering': ['seance', 'order'],
                    },
                ),
                migrations.CreateModel(
                    name='Avis',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('favorable', models.BooleanField(verbose_name='avis favorable')),
                        ('votes_favorable', models.PositiveSmallIntegerField(verbose_name='voix favorables')),
                        ('votes_defavorable', models.PositiveSmallIntegerField(verbose_name='voix défavorables')),
                        ('abstentions', models.PositiveSmallIntegerField(verbose_name='abstentions')),
                        ('casting_vote_used', models.BooleanField(default=False, verbose_name='voix prépondérante du président')),
                        ('by_show_of_hands', models.BooleanField(default=False, verbose_name='vote à main levée')),
                        ('dissent', models.TextField(blank=True, verbose_name='désaccords à consigner au procès-verbal')),
                        ('given_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='rendu le')),
                        ('point', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='avis', to='seances.pointordredujour')),
                    ],
                    options={
                        'verbose_name': 'avis de la commission',
                        'verbose_name_plural': 'avis de la commission',
                        'db_table': 'commission_avis',
                    },
                ),
                migrations.CreateModel(
                    name='Seance',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('individuelle', 'Examen des dossiers individuels'), ('politique', 'Politique départementale')], default='individuelle', max_length=20, verbose_name='type de séance')),
                        ('starts_at', models.DateTimeField(verbose_name='date et heure')),
                        ('place', models.CharField(blank=True, max_length=255, verbose_name='lieu')),
                        ('video_link', models.URLField(blank=True, verbose_name='lien de visioconférence')),
                        ('state', models.CharField(choices=[('preparee', 'En préparation'), ('convoquee', 'Convoquée'), ('ouverte', 'Ouverte'), ('close', 'Close'), ('annulee', 'Annulée')], default='preparee', max_length=20, verbose_name='état')),
                        ('urgent', models.BooleanField(default=False, verbose_name='urgence')),
                        ('urgency_reason', models.TextField(blank=True, verbose_name='motif de l’urgence')),
                        ('no_quorum_required', models.BooleanField(default=False, help_text='Nouvelle convocation sur le même ordre du jour après un défaut de quorum (CRPA R133-10).', verbose_name='sans condition de quorum')),
                        ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='close le')),
                        ('commission', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='seances', to='commission.commission', verbose_name='commission')),
                        ('reconvened_from', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reconvocations', to='seances.seance', verbose_name='reconvoquée après')),
                    ],
                    options={
                        'verbose_name': 'séance',
                        'db_table': 'commission_seance',
                        'ordering': ['-starts_at'],
                    },
                ),
                migrations.CreateModel(
                    name='ProcesVerbal',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file_path', models.CharField(max_length=255)),
                        ('sha256', models.CharField(max_length=64)),
                        ('generated_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('seance', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='proces_verbal', to='seances.seance')),
                    ],
                    options={
                        'verbose_name': 'procès-verbal',
                        'db_table': 'commission_procesverbal',
                    },
                ),
                migrations.CreateModel(
                    name='Presence',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('present', 'Présent·e en salle'), ('visio', 'Présent·e en visioconférence'), ('represente', 'Représenté·e par son suppléant'), ('mandat', 'A donné mandat'), ('excuse', 'Excusé·e'), ('absent', 'Absent·e')], max_length=20, verbose_name='présence')),
                        ('mandat', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='presences', to='commission.mandat')),
                        ('proxy_to', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='proxies_held', to='commission.mandat', verbose_name='mandat donné à')),
                        ('substitute', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='substitutions', to='commission.mandat', verbose_name='suppléant·e qui siège')),
                        ('seance', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='presences', to='seances.seance')),
                    ],
                    options={
                        'verbose_name': 'présence',
                        'db_table': 'commission_presence',
                    },
                ),
                migrations.AddField(
                    model_name='pointordredujour',
                    name='seance',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='points', to='seances.seance', verbose_name='séance'),
                ),
                migrations.CreateModel(
                    name='Convocation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sent_at', models.DateTimeField(verbose_name='envoyée le')),
                        ('mandat', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='convocations', to='commission.mandat')),
                        ('seance', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='convocations', to='seances.seance')),
                    ],
                    options={
                        'verbose_name': 'convocation',
                        'db_table': 'commission_convocation',
                    },
                ),
                migrations.CreateModel(
                    name='Vote',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('choice', models.CharField(choices=[('favorable', 'Favorable'), ('defavorable', 'Défavorable'), ('abstention', 'Abstention')], max_length=20, verbose_name='vote')),
                        ('comment', models.TextField(blank=True, verbose_name='commentaire')),
                        ('cast_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='exprimé le')),
                        ('cast_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='votes_cast', to='commission.mandat', verbose_name='exprimé par')),
                        ('mandat', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='votes', to='commission.mandat', verbose_name='siège')),
                        ('point', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='votes', to='seances.pointordredujour')),
                    ],
                    options={
                        'verbose_name': 'vote',
                        'db_table': 'commission_vote',
                    },
                ),
                migrations.AddIndex(
                    model_name='seance',
                    index=models.Index(fields=['commission', 'starts_at'], name='commission__commiss_7f2618_idx'),
                ),
                migrations.AddConstraint(
                    model_name='seance',
                    constraint=models.CheckConstraint(condition=models.Q(('state__in', ['preparee', 'convoquee', 'ouverte', 'close', 'annulee'])), name='seance_state_valid'),
                ),
                migrations.AddConstraint(
                    model_name='seance',
                    constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['individuelle', 'politique'])), name='seance_kind_valid'),
                ),
                migrations.AddConstraint(
                    model_name='seance',
                    constraint=models.CheckConstraint(condition=models.Q(('urgent', False), models.Q(('urgency_reason', ''), _negated=True), _connector='OR'), name='seance_urgency_has_reason'),
                ),
                migrations.AddConstraint(
                    model_name='seance',
                    constraint=models.CheckConstraint(condition=models.Q(('no_quorum_required', False), ('reconvened_from__isnull', False), _connector='OR'), name='seance_no_quorum_only_when_reconvened'),
                ),
                migrations.AddConstraint(
                    model_name='presence',
                    constraint=models.UniqueConstraint(fields=('seance', 'mandat'), name='presence_unique'),
                ),
                migrations.AddConstraint(
                    model_name='presence',
                    constraint=models.UniqueConstraint(condition=models.Q(('proxy_to__isnull', False)), fields=('seance', 'proxy_to'), name='presence_one_proxy'),
                ),
                migrations.AddConstraint(
                    model_name='presence',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['present', 'visio', 'represente', 'mandat', 'excuse', 'absent'])), name='presence_status_valid'),
                ),
                migrations.AddConstraint(
                    model_name='presence',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('proxy_to__isnull', False), ('status', 'mandat')), models.Q(models.Q(('status', 'mandat'), _negated=True), ('proxy_to__isnull', True)), _connector='OR'), name='presence_proxy_iff_mandat'),
                ),
                migrations.AddConstraint(
                    model_name='presence',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'represente'), ('substitute__isnull', False)), models.Q(models.Q(('status', 'represente'), _negated=True), ('substitute__isnull', True)), _connector='OR'), name='presence_substitute_iff_represented'),
                ),
                migrations.AddConstraint(
                    model_name='pointordredujour',
                    constraint=models.UniqueConstraint(fields=('seance', 'order'), name='point_unique_order'),
                ),
                migrations.AddConstraint(
                    model_name='pointordredujour',
                    constraint=models.UniqueConstraint(fields=('seance', 'demande'), name='point_unique_demande'),
                ),
                migrations.AddConstraint(
                    model_name='pointordredujour',
                    constraint=models.CheckConstraint(condition=models.Q(('state__in', ['a_examiner', 'clos', 'ajourne'])), name='point_state_valid'),
                ),
                migrations.AddConstraint(
                    model_name='pointordredujour',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('state', 'ajourne'), _negated=True), models.Q(('postponement_reason', ''), _negated=True), _connector='OR'), name='point_postponed_has_reason'),
                ),
                migrations.AddConstraint(
                    model_name='convocation',
                    constraint=models.UniqueConstraint(fields=('seance', 'mandat'), name='convocation_unique'),
                ),
                migrations.AddConstraint(
                    model_name='vote',
                    constraint=models.UniqueConstraint(fields=('point', 'mandat'), name='vote_one_per_member_and_item'),
                ),
                migrations.AddConstraint(
                    model_name='vote',
                    constraint=models.CheckConstraint(condition=models.Q(('choice__in', ['favorable', 'defavorable', 'abstention'])), name='vote_choice_valid'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
