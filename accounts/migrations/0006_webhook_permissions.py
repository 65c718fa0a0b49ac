"""Webhooks: Programme managers register and keep their own (administrators all)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    app_config = apps.get_app_config("webhooks")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="webhooks",
        codename__in=[f"{action}_webhook" for action in ("view", "add", "change", "delete")],
    )
    Group.objects.get(name="Programme managers").permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_organisation_permissions"),
        ("webhooks", "0001_webhooks"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
