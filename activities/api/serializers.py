"""The activity log over the API: links as ids (Allies as codes), rules from the model."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers

from activities import services
from activities.models import (
    REVIEW_COMMENT_MAX_LENGTH,
    Activity,
    Ally,
    Organisation,
    ParticipantRole,
    ReviewState,
)
from goals.models import PartnershipGoal, Programme, StrategicObjective
from itpp.api.exceptions import validation_error
from itpp.api.serializers import ValidatedModelSerializer


class AllySerializer(serializers.ModelSerializer):
    class Meta:
        model = Ally
        fields = ["code", "name"]


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "programme", "name", "name_ja", "short_name", "nation", "kind"]


class ParticipantSerializer(serializers.Serializer):
    """One organisation's part in an activity."""

    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        help_text="Id of an organisation of the activity's programme (/api/v1/organisations/).",
    )
    role = serializers.ChoiceField(choices=ParticipantRole.choices)


class ParticipantsField(serializers.ListField):
    """The activity's participants as `[{"organisation": id, "role": "lead"}, ...]`."""

    child = ParticipantSerializer()

    def to_internal_value(self, data: Any) -> list[dict[str, Any]]:
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            # Every field's errors are a list of texts (the API's error schema): an item's
            # nested errors become "Item 2, role: …".
            raise serializers.ValidationError(_flat(error.detail)) from None

    def get_attribute(self, instance: Activity) -> Any:
        # The link rows, which hold the role (prefetched by the views).
        return instance.participations.all()


class ActivitySerializer(ValidatedModelSerializer):
    programme = serializers.PrimaryKeyRelatedField(
        queryset=Programme.objects.all(),
        required=False,
        help_text="May be left out on creation: the goals' programme is then used.",
    )
    goals = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=PartnershipGoal.objects.all(),
        allow_empty=False,
        help_text="Ids of the Partnership Goals this activity served (at least one).",
    )
    objectives = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=StrategicObjective.objects.all(),
        required=False,
        help_text="Ids of the Strategic Objectives.",
    )
    allies = serializers.SlugRelatedField(
        many=True,
        slug_field="code",
        queryset=Ally.objects.all(),
        required=False,
        help_text='Codes of the Allies that took part, e.g. "FR".',
    )
    organisations = ParticipantsField(
        required=False,
        help_text=(
            "The bodies that took part, each once, with its role: lead, co-host, participant "
            "or observer. Organisations of the activity's programme only."
        ),
    )
    review_state = serializers.ChoiceField(
        choices=ReviewState.choices,
        required=False,
        help_text=(
            "On creation, `draft` (seen only by Editors and Programme managers, never counted "
            "or exported) or `submitted` (the default). Afterwards it changes only through "
            "the `submit`, `approve` and `return` actions."
        ),
    )
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    updated_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "programme",
            "title",
            "title_ja",
            "description",
            "description_ja",
            "activity_type",
            "status",
            "start_date",
            "end_date",
            "location",
            "goals",
            "objectives",
            "allies",
            "organisations",
            "lead_organisation",
            "participants",
            "women_participants",
            "outcome",
            "outcome_ja",
            "releasability",
            "review_state",
            "review_comment",
            "review_changed_at",
            "version",
            "created_by",
            "updated_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "version",
            "created_at",
            "updated_at",
            "review_comment",
            "review_changed_at",
        ]
        extra_kwargs = {
            "title": {"help_text": "The English title (required): NATO's working record."},
            "title_ja": {"help_text": "The Japanese title (optional)."},
            "description_ja": {"help_text": "The description in Japanese (optional)."},
            "outcome_ja": {"help_text": "The outcome in Japanese (optional)."},
            "version": {
                "help_text": (
                    "Goes up by one at every change; also sent as the ETag. Send it back "
                    "in If-Match so that a write never overwrites someone else's."
                )
            },
            "review_comment": {
                "help_text": "What the Programme manager asked to fix when last returning it."
            },
            "review_changed_at": {
                "help_text": "When the review state last changed (null for records older "
                "than the review)."
            },
        }

    def validate_review_state(self, value: str) -> str:
        if self.instance is not None and value != self.instance.review_state:
            raise serializers.ValidationError(
                _("The review state changes through the submit, approve and return actions.")
            )
        if self.instance is None and value not in services.CREATION_STATES:
            raise serializers.ValidationError(_("A new record is a draft or submitted for review."))
        return value

    def prepare_instance(self, instance: Activity, attrs: dict[str, Any]) -> None:
        if instance.programme_id is None and attrs.get("goals"):
            instance.programme = attrs["programme"] = services.programme_of_goals(attrs["goals"])

    def validate_instance(self, instance: Activity, attrs: dict[str, Any]) -> None:
        # On a partial update, the links not sent must still fit the (maybe new) programme.
        goals = attrs.get("goals", self.instance.goals.all() if self.instance else None)
        objectives = attrs.get(
            "objectives", self.instance.objectives.all() if self.instance else None
        )
        participants = attrs.get("organisations")
        if participants is None and self.instance is not None and "programme" in attrs:
            participants = self.instance.participations.select_related("organisation")
            participants = [{"organisation": p.organisation, "role": p.role} for p in participants]
        Activity.clean_links(
            instance.programme, goals, objectives, organisations=_pairs(participants)
        )

    def create(self, validated_data: dict[str, Any]) -> Activity:
        return self._write(services.create_activity, data=_with_pairs(validated_data))

    def update(self, instance: Activity, validated_data: dict[str, Any]) -> Activity:
        validated_data.pop("review_state", None)  # unchanged (validate_review_state)
        # The version the client last read (If-Match), checked atomically by the service.
        return self._write(
            services.update_activity,
            activity=instance,
            data=_with_pairs(validated_data),
            expected_version=self.context.get("expected_version"),
        )

    def _write(self, service, **kwargs: Any) -> Activity:
        try:
            return service(user=self.context["request"].user, **kwargs)
        except DjangoValidationError as error:
            raise validation_error(error) from None


def _flat(detail: Any, where: str = "") -> list[str]:
    if isinstance(detail, dict):
        found = []
        for key, value in detail.items():
            place = (
                _("Item %(number)d") % {"number": int(key) + 1} if str(key).isdigit() else str(key)
            )
            found += _flat(value, f"{where}, {place}" if where else place)
        return found
    if isinstance(detail, list):
        return [message for item in detail for message in _flat(item, where)]
    return [f"{where}: {detail}" if where else str(detail)]


def _pairs(participants: list[dict[str, Any]] | None) -> list[tuple[Organisation, str]] | None:
    if participants is None:
        return None
    return [(item["organisation"], item["role"]) for item in participants]


def _with_pairs(data: dict[str, Any]) -> dict[str, Any]:
    # The services take participants as (organisation, role) pairs.
    if "organisations" in data:
        data = {**data, "organisations": _pairs(data["organisations"])}
    return data


class ChangeSerializer(serializers.Serializer):
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    """One change of an activity, as `itpp.history.change_log()` describes it."""

    at = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True, help_text="Username; null for the system.")
    channel = serializers.ChoiceField(
        choices=["admin", "import", "page", "api", "system"],
        help_text="Through what the change was made.",
    )
    action = serializers.ChoiceField(choices=["created", "changed", "deleted", "restored"])
    changes = serializers.DictField(
        child=ChangeSerializer(),
        help_text=(
            "Old and new value of each field that changed; links as lists of ids (Allies "
            "as codes). Empty for a deletion."
        ),
    )


class ReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(
        max_length=REVIEW_COMMENT_MAX_LENGTH,
        help_text="What the author should fix (required); they see it on the page and here.",
    )
