"""Follow-up actions and the attention lists over the API."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers

from activities.models import Activity
from cycle import services
from cycle.models import FollowUp
from goals.models import PartnershipGoal
from itpp.api.exceptions import validation_error
from itpp.api.serializers import ValidatedModelSerializer


class VisibleActivityField(serializers.PrimaryKeyRelatedField):
    """An activity the requester may see; any other id is "does not exist"."""

    def get_queryset(self):
        return Activity.objects.visible_to(self.context["request"].user)


class FollowUpSerializer(ValidatedModelSerializer):
    activity = VisibleActivityField(help_text="The id of the activity it follows.")
    activity_title = serializers.CharField(source="activity.title", read_only=True)
    programme = serializers.IntegerField(source="activity.programme_id", read_only=True)
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_active=True),
        help_text="The username of who carries it out; they must be able to see the activity.",
    )
    goal = serializers.PrimaryKeyRelatedField(
        queryset=PartnershipGoal.objects.all(),
        required=False,
        allow_null=True,
        help_text="Optional: the id of a goal of the activity's programme.",
    )
    overdue = serializers.SerializerMethodField(help_text="Open past its due date.")
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    updated_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "activity",
            "activity_title",
            "programme",
            "text",
            "owner",
            "due_date",
            "status",
            "overdue",
            "goal",
            "created_by",
            "updated_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_overdue(self, follow_up: FollowUp) -> bool:
        return follow_up.is_overdue(self.context["today"])

    def validate_activity(self, activity: Activity) -> Activity:
        # A follow-up stays with its activity.
        if self.instance is not None and activity.pk != self.instance.activity_id:
            raise serializers.ValidationError(_("A follow-up cannot move to another activity."))
        return activity

    def create(self, validated_data: dict[str, Any]) -> FollowUp:
        return self._write(services.create_follow_up, data=validated_data)

    def update(self, instance: FollowUp, validated_data: dict[str, Any]) -> FollowUp:
        return self._write(services.update_follow_up, follow_up=instance, data=validated_data)

    def _write(self, service, **kwargs: Any) -> FollowUp:
        try:
            return service(user=self.context["request"].user, **kwargs)
        except DjangoValidationError as error:
            raise validation_error(error) from None


class AttentionActivitySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="activity.pk")
    title = serializers.CharField(source="activity.title")
    status = serializers.CharField(source="activity.status")
    review_state = serializers.CharField(source="activity.review_state")
    start_date = serializers.DateField(source="activity.start_date")
    end_date = serializers.DateField(source="activity.end_date", allow_null=True)
    author = serializers.CharField(
        source="activity.created_by.username", allow_null=True, default=None
    )


class ReportDueSerializer(AttentionActivitySerializer):
    days_overdue = serializers.IntegerField(
        source="days", help_text="Days since its last day (end date, else start date)."
    )


class AwaitingReviewSerializer(AttentionActivitySerializer):
    submitted_at = serializers.DateTimeField(source="activity.review_changed_at", allow_null=True)
    age_days = serializers.IntegerField(
        source="days", allow_null=True, help_text="Days since it was submitted."
    )


class ReturnedSerializer(AttentionActivitySerializer):
    returned_at = serializers.DateTimeField(source="activity.review_changed_at", allow_null=True)
    age_days = serializers.IntegerField(
        source="days", allow_null=True, help_text="Days since it was returned."
    )
    review_comment = serializers.CharField(source="activity.review_comment")


class OverdueFollowUpSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="follow_up.pk")
    text = serializers.CharField(source="follow_up.text")
    activity = serializers.IntegerField(source="follow_up.activity_id")
    activity_title = serializers.CharField(source="follow_up.activity.title")
    owner = serializers.CharField(source="follow_up.owner.username")
    due_date = serializers.DateField(source="follow_up.due_date")
    days_overdue = serializers.IntegerField()


class QuietGoalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    priority_issue = serializers.IntegerField(source="priority_issue_id")
    last_activity = serializers.DateField(
        allow_null=True, help_text="Start of its latest activity you can see (null: none)."
    )


class AttentionSerializer(serializers.Serializer):
    reports_due = ReportDueSerializer(many=True)
    awaiting_review = AwaitingReviewSerializer(many=True)
    returned = ReturnedSerializer(many=True)
    overdue_follow_ups = OverdueFollowUpSerializer(many=True)
    quiet_goals = QuietGoalSerializer(many=True)


class AttentionQuerySerializer(serializers.Serializer):
    programme = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, allow_null=True
    )
