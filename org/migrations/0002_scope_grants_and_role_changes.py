"""Personnel officers may manage several units: each officer's single scope unit becomes their first scope grant
(recorded in the new role history), and stays their primary unit."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


PERSONNEL = "Cán bộ tổ chức"  # org.roles.PERSONNEL, written out: a migration must not change with the code


def scope_units_to_grants(apps, schema_editor):
    User = apps.get_model("org", "User")
    ScopeGrant = apps.get_model("org", "ScopeGrant")
    RoleChange = apps.get_model("org", "RoleChange")
    for user_id, unit_id in User.objects.filter(scope_unit__isnull=False).values_list("id", "scope_unit_id"):
        ScopeGrant.objects.get_or_create(user_id=user_id, unit_id=unit_id)
        change = RoleChange.objects.create(user_id=user_id, action="grant", role=PERSONNEL,
                                           note="Đơn vị phụ trách trước khi có nhiều đơn vị (chuyển tự động).")
        change.units.set([unit_id])


def grants_to_scope_units(apps, schema_editor):
    # Going back, each officer keeps the primary unit already in User.scope_unit; the grants simply go.
    pass


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='RoleChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('grant', 'Granted'), ('revoke', 'Revoked'), ('hand_over', 'Handed over'), ('take_over', 'Taken over'), ('follow', 'Followed a reorganisation')], max_length=16, verbose_name='action')),
                ('role', models.CharField(max_length=64, verbose_name='role')),
                ('note', models.CharField(blank=True, max_length=255, verbose_name='note')),
                ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='when')),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='changed by')),
                ('other_user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='other account')),
                ('units', models.ManyToManyField(blank=True, related_name='+', to='org.unit', verbose_name='units')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='role_changes', to=settings.AUTH_USER_MODEL, verbose_name='account')),
            ],
            options={
                'verbose_name': 'role change',
                'verbose_name_plural': 'role changes',
                'ordering': ['-at', '-id'],
                'indexes': [models.Index(fields=['user', 'at'], name='org_rolecha_user_id_5b4e24_idx')],
            },
        ),
        migrations.CreateModel(
            name='ScopeGrant',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('granted_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='granted at')),
                ('granted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='granted by')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='scope_grants', to='org.unit', verbose_name='unit')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='scope_grants', to=settings.AUTH_USER_MODEL, verbose_name='account')),
            ],
            options={
                'verbose_name': 'personnel scope',
                'verbose_name_plural': 'personnel scopes',
                'ordering': ['user_id', 'granted_at', 'id'],
                'constraints': [models.UniqueConstraint(fields=('user', 'unit'), name='one_scope_grant_per_user_and_unit')],
            },
        ),
        migrations.RunPython(scope_units_to_grants, grants_to_scope_units),
    ]
