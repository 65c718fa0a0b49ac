"""The review of records: each activity's review state, the last return comment and when
the state last changed. Existing records (and their history) become `approved`, with no
time of change; from now on a record nobody chose a state for is `submitted`."""

import django.core.validators
import django.utils.timezone
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


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0007_creation_keys"),
    ]

    operations = [
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
    ]
