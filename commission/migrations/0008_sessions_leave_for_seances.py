"""The sessions became their own app (commission.seances): their models leave this app's state.

Their tables stay as they are (the sessions' models keep db_table = commission_*); seances 0001 takes
them over in its state and moves their content types, so permissions and history follow."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('commission', '0007_accesslog_system_user'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.RemoveField(
                model_name='convocation',
                name='mandat',
            ),
            migrations.RemoveField(
                model_name='convocation',
                name='seance',
            ),
            migrations.RemoveField(
                model_name='pointordredujour',
                name='demande',
            ),
            migrations.RemoveField(
                model_name='pointordredujour',
                name='presenting_association',
            ),
            migrations.RemoveField(
                model_name='pointordredujour',
                name='seance',
            ),
            migrations.RemoveField(
                model_name='vote',
                name='point',
            ),
            migrations.RemoveField(
                model_name='presence',
                name='mandat',
            ),
            migrations.RemoveField(
                model_name='presence',
                name='proxy_to',
            ),
            migrations.RemoveField(
                model_name='presence',
                name='seance',
            ),
            migrations.RemoveField(
                model_name='presence',
                name='substitute',
            ),
            migrations.RemoveField(
                model_name='procesverbal',
                name='seance',
            ),
            migrations.RemoveField(
                model_name='seance',
                name='commission',
            ),
            migrations.RemoveField(
                model_name='seance',
                name='reconvened_from',
            ),
            migrations.RemoveField(
                model_name='vote',
                name='cast_by',
            ),
            migrations.RemoveField(
                model_name='vote',
                name='mandat',
            ),
            migrations.DeleteModel(
                name='Avis',
            ),
            migrations.DeleteModel(
                name='Convocation',
            ),
            migrations.DeleteModel(
                name='PointOrdreDuJour',
            ),
            migrations.DeleteModel(
                name='Presence',
            ),
            migrations.DeleteModel(
                name='ProcesVerbal',
            ),
            migrations.DeleteModel(
                name='Seance',
            ),
            migrations.DeleteModel(
                name='Vote',
            ),
            ],
            database_operations=[],
        ),
    ]
