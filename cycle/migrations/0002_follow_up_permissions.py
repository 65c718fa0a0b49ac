"""Follow-up actions: every role reads them; Editors and Programme managers add and change
them (an owner marks their own done without the change permission, see cycle.services)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Viewers": ["view"],
    "Editors": ["view", "add", "change"],
    "Programme managers": ["view", "add", "change"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("cycle")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, actions in ROLES.items():
        group = Group.objects.filter(name=name).first()
        if group is None:  # renamed or removed by an administrator: theirs to grant
            continue
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="cycle",
                codename__in=[f"{action}_followup" for action in actions],
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_stocktake_permissions"),
        ("cycle", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
