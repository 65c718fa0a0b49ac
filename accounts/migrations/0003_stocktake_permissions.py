"""Stock-takes and goal assessments: every role reads them, Programme managers write them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["stocktake", "goalassessment"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("goals")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(*actions):
        return Permission.objects.filter(
            content_type__app_label="goals",
            codename__in=[f"{action}_{model}" for action in actions for model in MODELS],
        )

    for name in ("Viewers", "Editors"):
        Group.objects.get(name=name).permissions.add(*permissions("view"))
    Group.objects.get(name="Programme managers").permissions.add(
        *permissions("view", "add", "change", "delete")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_view_restricted_activity"),
        ("goals", "0005_stocktakes_and_assessments"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
