"""Programme managers may see restricted activities (and may grant it to others)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    app_config = apps.get_app_config("activities")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(
        content_type__app_label="activities", codename="view_restricted_activity"
    )
    Group.objects.get(name="Programme managers").permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_role_groups"),
        ("activities", "0004_releasability_and_version"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
