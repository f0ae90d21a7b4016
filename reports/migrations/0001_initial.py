"""The report models (coverage snapshots, export jobs) were the `scoring` app's until issue 13 made `scoring` a pure
package. Their tables already exist in every database migrated before the move (as scoring_exportjob and
scoring_coveragesnapshot, with all their rows): this migration records the models in the reports app's state and
creates the tables only where they are missing (a new database). 0002 then renames them to the reports app's names,
which keeps every row."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def create_missing_tables(apps, schema_editor):
    existing = set(schema_editor.connection.introspection.table_names())
    for name in ("ExportJob", "CoverageSnapshot"):
        model = apps.get_model("reports", name)
        if model._meta.db_table not in existing:
            schema_editor.create_model(model)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('lms', '0001_initial'),
        ('org', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='ExportJob',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('missing', 'Officials who have not completed'), ('period', 'Periodic report')], max_length=16, verbose_name='kind')),
                    ('fmt', models.CharField(choices=[('csv', 'CSV'), ('xlsx', 'Excel'), ('pdf', 'PDF')], max_length=8, verbose_name='format')),
                    ('params', models.JSONField(blank=True, default=dict)),
                    ('title', models.CharField(blank=True, max_length=255, verbose_name='title')),
                    ('status', models.CharField(choices=[('pending', 'Waiting'), ('running', 'Running'), ('failed', 'Failed'), ('done', 'Done')], default='pending', max_length=16, verbose_name='status')),
                    ('file', models.FileField(blank=True, upload_to='exports/%Y/%m/', verbose_name='file')),
                    ('file_name', models.CharField(blank=True, max_length=255, verbose_name='file name')),
                    ('total_rows', models.PositiveIntegerField(default=0)),
                    ('error', models.TextField(blank=True)),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('finished_at', models.DateTimeField(blank=True, null=True)),
                    ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'scoring_exportjob',
                    'verbose_name': 'export',
                    'verbose_name_plural': 'exports',
                    'ordering': ['-created_at'],
                },
            ),
            migrations.CreateModel(
                name='CoverageSnapshot',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('date', models.DateField(verbose_name='date')),
                    ('unit_path', models.CharField(max_length=255)),
                    ('completed', models.PositiveIntegerField(default=0)),
                    ('expiring', models.PositiveIntegerField(default=0)),
                    ('in_progress', models.PositiveIntegerField(default=0)),
                    ('not_started', models.PositiveIntegerField(default=0)),
                    ('overdue', models.PositiveIntegerField(default=0)),
                    ('taken_at', models.DateTimeField(auto_now=True)),
                    ('requirement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='lms.requirement')),
                    ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.unit')),
                ],
                options={
                    'db_table': 'scoring_coveragesnapshot',
                    'verbose_name': 'coverage snapshot',
                    'verbose_name_plural': 'coverage snapshots',
                    'ordering': ['date', 'requirement_id', 'unit_path'],
                    'indexes': [models.Index(fields=['requirement', 'date', 'unit_path'], name='scoring_cov_require_982fdf_idx')],
                    'constraints': [models.UniqueConstraint(fields=('date', 'requirement', 'unit'), name='one_snapshot_row_per_day')],
                },
            ),
            ],
        ),
        migrations.RunPython(create_missing_tables, migrations.RunPython.noop),
    ]
