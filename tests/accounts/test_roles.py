"""The three roles are groups whose model permissions match what each may do."""

import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

VIEW = [
    "goals.view_programme",
    "goals.view_strategicobjective",
    "goals.view_priorityissue",
    "goals.view_partnershipgoal",
    "activities.view_ally",
    "activities.view_activity",
]


def test_viewer_can_only_read(viewer):
    assert viewer.has_perms(VIEW)
    assert not viewer.has_perm("activities.add_activity")
    assert not viewer.has_perm("activities.change_activity")
    assert not viewer.has_perm("activities.delete_activity")


def test_editor_logs_and_edits_activities_but_cannot_delete_or_edit_framework(editor):
    assert editor.has_perms([*VIEW, "activities.add_activity", "activities.change_activity"])
    assert not editor.has_perm("activities.delete_activity")
    assert not editor.has_perm("goals.change_partnershipgoal")


def test_programme_manager_deletes_activities_and_edits_framework(manager):
    assert manager.has_perms(
        [
            *VIEW,
            "activities.delete_activity",
            "goals.add_partnershipgoal",
            "goals.change_partnershipgoal",
            "goals.delete_partnershipgoal",
            "goals.change_programme",
            "goals.change_strategicobjective",
            "goals.change_priorityissue",
        ]
    )


def test_user_without_role_has_no_permissions(db):
    user = User.objects.create_user("nobody")
    assert not user.get_all_permissions()


@pytest.mark.django_db
def test_first_admin_gets_random_password_printed_once(capsys):
    call_command("create_first_admin")
    printed = capsys.readouterr().out
    password = re.search(r"password: (\S+)", printed)[1]
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)

    call_command("create_first_admin")
    again = capsys.readouterr().out
    assert password not in again
    assert "already exists" in again
    assert User.objects.filter(is_superuser=True).count() == 1


@pytest.mark.django_db
def test_first_admin_passwords_differ_between_installations(capsys):
    call_command("create_first_admin")
    first = re.search(r"password: (\S+)", capsys.readouterr().out)[1]
    User.objects.all().delete()
    call_command("create_first_admin")
    second = re.search(r"password: (\S+)", capsys.readouterr().out)[1]
    assert first != second and len(first) >= 16
