"""The review of records: each activity's review state, the last return comment and when
the state last changed. Existing records (and their history) become `approved`, with no
time of change; from now on a record nobody chose a state for is `submitted`."""

import django.core.validators
import django.utils.timezone
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted for review"),
    ("approved", "Approved"),
    ("returned", "Returned to its author"),
]
CHANGED_AT_HELP = "When the review state last changed: the age of a record awaiting review."
COMMENT_HELP = "The Programme manager's comment when the record was last returned."


def review_fields(model_name: str) -> list:
    return [
        # Added with `approved` (every existing row takes it), then the default becomes
        # `submitted` for new rows.
        migrations.AddField(
            model_name=model_name,
            name="review_state",
            field=models.CharField(
                choices=STATES, db_index=True, default="approved", max_length=10
            ),
        ),
        migrations.AlterField(
            model_name=model_name,
            name="review_state",
            field=models.CharField(
                choices=STATES, db_index=True, default="submitted", max_length=10
            ),
        ),
        migrations.AddField(
            model_name=model_name,
            name="review_comment",
            field=models.TextField(
                blank=True,
                help_text=COMMENT_HELP,
                validators=[django.core.validators.MaxLengthValidator(5000)],
            ),
        ),
        # Added empty (existing rows have no time of change), then new rows take now.
        migrations.AddField(
            model_name=model_name,
            name="review_changed_at",
            field=models.DateTimeField(
                blank=True, editable=False, help_text=CHANGED_AT_HELP, null=True
            ),
        ),
        migrations.AlterField(
            model_name=model_name,
            name="review_changed_at",
            field=models.DateTimeField(
                blank=True,
                default=django.utils.timezone.now,
                editable=False,
                help_text=CHANGED_AT_HELP,
                null=True,
            ),
        ),
    ]


def grant_review(apps, schema_editor):
    """Programme managers approve and return records (docs/roles.md)."""
    app_config = apps.get_app_config("activities")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(
        content_type__app_label="activities", codename="review_activity"
    )
    for group in Group.objects.filter(name="Programme managers"):
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0007_creation_keys"),
        # The role groups exist (the grant below).
        ("accounts", "0001_role_groups"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="activity",
            options={
                "ordering": ["-start_date", "-id"],
                "permissions": [
                    ("view_restricted_activity", "Can view restricted activities"),
                    ("review_activity", "Can approve or return activities submitted for review"),
                ],
                "verbose_name_plural": "activities",
            },
        ),
        *review_fields("activity"),
        *review_fields("historicalactivity"),
        # Progress counts read review_state too (drafts are never counted): the covering
        # index holds it so they stay index-only scans.
        migrations.RemoveIndex(model_name="activity", name="activity_counted"),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                fields=["id"],
                include=(
                    "programme",
                    "status",
                    "releasability",
                    "start_date",
                    "activity_type",
                    "review_state",
                ),
                name="activity_counted",
            ),
        ),
        migrations.AddConstraint(
            model_name="activity",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("review_state__in", ["draft", "submitted", "approved", "returned"])
                ),
                name="activity_review_state_valid",
                violation_error_message="Choose one of the review states.",
            ),
        ),
        migrations.RunPython(grant_review, migrations.RunPython.noop),
    ]
