"""Gives the framework rows loaded before history existed a first ("created") version, so
that their first real change shows old and new values."""

from django.db import migrations
from django.utils import timezone

MODELS = ["Programme", "StrategicObjective", "PriorityIssue", "PartnershipGoal"]


def add_baseline(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("goals", name)
        historical = apps.get_model("goals", f"Historical{name}")
        has_history = set(historical.objects.values_list("id", flat=True))
        fields = [f.attname for f in model._meta.concrete_fields]
        for row in model.objects.exclude(id__in=has_history):
            historical.objects.create(
                history_type="+",
                history_date=timezone.now(),
                history_channel="system",
                **{name: getattr(row, name) for name in fields},
            )


class Migration(migrations.Migration):
    dependencies = [("goals", "0003_change_history")]

    operations = [migrations.RunPython(add_baseline, migrations.RunPython.noop)]
