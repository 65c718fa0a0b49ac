"""Attachments: every role sees them, Editors and Programme managers add them, Programme
managers remove any (Editors their own: attachments.rules, not a permission)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    app_config = apps.get_app_config("attachments")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(*actions):
        return Permission.objects.filter(
            content_type__app_label="attachments",
            codename__in=[f"{action}_attachment" for action in actions],
        )

    grants = {
        "Viewers": ("view",),
        "Editors": ("view", "add"),
        "Programme managers": ("view", "add", "delete"),
    }
    for name, actions in grants.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(*permissions(*actions))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_stocktake_permissions"),
        ("attachments", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
