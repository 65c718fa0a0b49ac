"""A last line of defence for the cross-programme rule on many-to-many links.

Forms, admin, API and importer validate links with `Activity.clean_links()` and show a
message on the field; this guard only stops code that skips validation (a shell, a
script, a future bug) from linking an activity to another programme's goals.
"""

from django.core.exceptions import ValidationError
from django.db.models.signals import m2m_changed
from django.dispatch import Signal, receiver
from django.utils.translation import gettext as _

from activities.models import Activity

# What happened to an activity, for the apps above (webhooks), which activities cannot
# import. Sent by activities.services once the write has committed (never for a write that
# rolled back), with `activity` (as written; for a deletion, the instance as it was),
# `event` ("activity.created", "activity.updated", "activity.deleted", "activity.approved")
# and `user`, who made the change.
activity_event = Signal()


def _guard_same_programme(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    if action != "pre_add" or not pk_set:
        return
    if reverse:
        # instance is a goal or objective; pk_set holds activity ids.
        foreign = Activity.objects.filter(pk__in=pk_set).exclude(programme_id=instance.programme_id)
    else:
        foreign = model.objects.filter(pk__in=pk_set).exclude(programme_id=instance.programme_id)
    if foreign.exists():
        raise ValidationError(_("An activity can only be linked to its own programme's framework."))


@receiver(m2m_changed, sender=Activity.goals.through)
def guard_goals(**kwargs) -> None:
    _guard_same_programme(**kwargs)


@receiver(m2m_changed, sender=Activity.objectives.through)
def guard_objectives(**kwargs) -> None:
    _guard_same_programme(**kwargs)


@receiver(m2m_changed, sender=Activity.organisations.through)
def guard_organisations(**kwargs) -> None:
    _guard_same_programme(**kwargs)
