"""Creates the three roles as groups with model permissions.

Administrators may later adjust a group's permissions in the admin; this migration runs
once, so it never overwrites their choices. Later migrations that add models grant the
new permissions explicitly.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

FRAMEWORK_MODELS = [
    ("goals", "programme"),
    ("goals", "strategicobjective"),
    ("goals", "priorityissue"),
    ("goals", "partnershipgoal"),
    ("activities", "ally"),
]
ACTIVITY = ("activities", "activity")

VIEW_ALL = [(app, f"view_{model}") for app, model in [*FRAMEWORK_MODELS, ACTIVITY]]
EDIT_ACTIVITIES = [("activities", "add_activity"), ("activities", "change_activity")]
MANAGE = [("activities", "delete_activity")] + [
    (app, f"{action}_{model}")
    for app, model in FRAMEWORK_MODELS
    for action in ("add", "change", "delete")
]

ROLES = {
    "Viewers": VIEW_ALL,
    "Editors": VIEW_ALL + EDIT_ACTIVITIES,
    "Programme managers": VIEW_ALL + EDIT_ACTIVITIES + MANAGE,
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); on a fresh
    # database they do not exist yet, so create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in codenames:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("goals", "0002_nato_japan_2023_2026"),
        ("activities", "0002_nato_allies"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
