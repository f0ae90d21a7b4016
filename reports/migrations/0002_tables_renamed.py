"""The report tables take the reports app's names (a rename: every row stays), and the content types and permissions
recorded for them under `scoring` follow, so groups keep the rights they were given."""
from django.db import migrations


def content_types_follow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("exportjob", "coveragesnapshot"):
        if not ContentType.objects.filter(app_label="reports", model=model).exists():
            ContentType.objects.filter(app_label="scoring", model=model).update(app_label="reports")


def content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="reports", model__in=["exportjob", "coveragesnapshot"]).update(
        app_label="scoring")


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RenameIndex(
            model_name="coveragesnapshot",
            new_name="reports_cov_require_74cc89_idx",
            old_name="scoring_cov_require_982fdf_idx",
        ),
        migrations.AlterModelTable(name="coveragesnapshot", table=None),
        migrations.AlterModelTable(name="exportjob", table=None),
        migrations.RunPython(content_types_follow, content_types_back),
    ]
