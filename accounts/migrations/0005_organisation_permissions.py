"""Organisations: every role reads them, Programme managers keep the list (as the framework)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    app_config = apps.get_app_config("activities")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(*actions):
        return Permission.objects.filter(
            content_type__app_label="activities",
            codename__in=[f"{action}_organisation" for action in actions],
        )

    for name in ("Viewers", "Editors"):
        Group.objects.get(name=name).permissions.add(*permissions("view"))
    Group.objects.get(name="Programme managers").permissions.add(
        *permissions("view", "add", "change", "delete")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_preferences"),
        ("activities", "0009_organisations"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
