"""Loads the NATO–Japan ITPP 2023–2026 framework.

The values are copied from goals/seeds/itpp-nato-japan-2023-2026.txt (the programme's
open edition) and frozen here, as data migrations should be; a test checks them against
that text. Rows are matched on their natural keys, so migrating again changes nothing.
"""

from django.db import migrations

PARTNER = "Japan"
START_YEAR = 2023
END_YEAR = 2026
NAME = "Individually Tailored Partnership Programme between NATO and Japan"
DESCRIPTION = (
    "Japan and NATO will enhance cooperation and realise our outcomes in each Partnership "
    "Goal, through activities such as policy consultations, joint training and exercises, "
    "personnel development and exchanges, and research cooperation. Japan welcomes the "
    "participation of individual Allies in bilateral activities and exercises."
)

STRATEGIC_OBJECTIVES = [
    (1, "Japan and NATO strengthen dialogue and consultations"),
    (2, "Japan and NATO promote practical cooperation and enhance interoperability"),
    (3, "Japan and NATO enhance their individual resilience across the peace –crisis spectrum"),
]

PRIORITY_ISSUES = [
    (1, "Emerging Security Issues"),
    (2, "Longstanding Security Issues"),
    (3, "Expansion of Cooperative Activities"),
    (4, "Promotion of Fundamental Values"),
]

# (order, priority issue number, title, statement)
PARTNERSHIP_GOALS = [
    (
        1,
        1,
        "Cyber Defence",
        "On CYBER DEFENCE, Japan and NATO enhance their cooperation in the area of cyber defence.",
    ),
    (
        2,
        1,
        "Strategic Communication",
        "On STRATEGIC COMMUNICATION, Japan and NATO effectively cooperate in the field of "
        "strategic communication (STRATCOM), and share best practices on countering hybrid "
        "activities, including hostile information, and discuss further possibilities for "
        "practical cooperation, including through the effective use of the relevant NATO "
        "Centres of Excellence.",
    ),
    (
        3,
        1,
        "Emerging and Disruptive Technologies",
        "On EMERGING AND DISRUPTIVE TECHNOLOGIES, Japan and NATO effectively cooperate on the "
        "current and future challenges and opportunities posed by emerging and disruptive "
        "technologies, including by advancing responsible innovation.",
    ),
    (
        4,
        1,
        "Space Security",
        "On SPACE SECURITY, Japan and NATO cooperate on space related aspects of security.",
    ),
    (
        5,
        1,
        "Climate Change and Security",
        "On CLIMATE CHANGE AND SECURITY, Japan and NATO effectively cooperate on climate change "
        "and security, and promote climate awareness in the security and defence sector.",
    ),
    (
        6,
        2,
        "Maritime Security",
        "On MARITIME SECURITY, Japan and NATO deepen their maritime security cooperation.",
    ),
    (
        7,
        2,
        "Arms Control, Disarmament and Non-Proliferation",
        "On ARMS CONTROL, DISARMAMENT AND NON-PROLIFERATION, Japan and NATO deepen "
        "understanding of their respective arms control policies and promote disarmament and "
        "non-proliferation efforts, uphold the international order based on the rule of law "
        "and strengthen the global arms control architecture.",
    ),
    (
        8,
        2,
        "Dialogue and Consultation",
        "On DIALOGUE AND CONSULTATION, through dialogue and consultation at political and "
        "working levels, in appropriate formats, Japan and NATO pursue their shared strategic "
        "objectives, promote cooperation in areas of shared interest and develop mutual "
        "understanding of shared security challenges.",
    ),
    (
        9,
        3,
        "Emergency Management",
        "On EMERGENCY MANAGEMENT, Japan and NATO cooperate on emergency management and "
        "disaster relief and share experiences and awareness of respective capacities related "
        "to environmental, human-made or natural disasters and the support to civil emergency "
        "response.",
    ),
    (
        10,
        3,
        "Science and Technology",
        "On SCIENCE AND TECHNOLOGY, Japan and NATO effectively cooperate in the area of defence "
        "innovation, scientific research and technology development.",
    ),
    (
        11,
        3,
        "Practical Cooperation for Interoperability",
        "On PRACTICAL COOPERATION FOR INTEROPERABILITY, Japan and NATO effectively cooperate "
        "and enhance interoperability in the security field.",
    ),
    (
        12,
        3,
        "Capability Development and Interoperability",
        "On CAPABILITY DEVELOPMENT AND INTEROPERABILITY, Japan and NATO effectively cooperate "
        "in the areas of capability and interoperability development as well as "
        "standardisation.",
    ),
    (
        13,
        3,
        "Resilience and Civil Preparedness",
        "On RESILIENCE AND CIVIL PREPAREDNESS, Japan and NATO strengthen their dialogue and "
        "cooperation on resilience and civil preparedness.",
    ),
    (
        14,
        3,
        "Public Diplomacy",
        "On PUBLIC DIPLOMACY, Japan and NATO foster awareness and understanding of the "
        "Japan-NATO partnership, its values, relevant policies, and activities, including "
        "contributing to public discussion and understanding of NATO's role as a Euro-Atlantic "
        "security organisation.",
    ),
    (
        15,
        4,
        "Women, Peace and Security",
        "On WOMEN, PEACE AND SECURITY, consistent with Japan's National Action Plan (NAP) on "
        "United Nations Security Council Resolution (UNSCR) 1325 on Women, Peace and Security "
        "(WPS) and NATO's/EAPC Policy on WPS, Japan and NATO promote actively the WPS agenda.",
    ),
    (
        16,
        4,
        "Human Security",
        "On HUMAN SECURITY, Japan and NATO cooperate on human security.",
    ),
]


def load_framework(apps, schema_editor):
    Programme = apps.get_model("goals", "Programme")
    StrategicObjective = apps.get_model("goals", "StrategicObjective")
    PriorityIssue = apps.get_model("goals", "PriorityIssue")
    PartnershipGoal = apps.get_model("goals", "PartnershipGoal")

    programme, _ = Programme.objects.update_or_create(
        partner=PARTNER,
        start_year=START_YEAR,
        defaults={"name": NAME, "end_year": END_YEAR, "description": DESCRIPTION},
    )
    for number, title in STRATEGIC_OBJECTIVES:
        StrategicObjective.objects.update_or_create(
            programme=programme, number=number, defaults={"title": title}
        )
    issues = {}
    for number, title in PRIORITY_ISSUES:
        issues[number], _ = PriorityIssue.objects.update_or_create(
            programme=programme, number=number, defaults={"title": title}
        )
    for order, issue_number, title, statement in PARTNERSHIP_GOALS:
        PartnershipGoal.objects.update_or_create(
            programme=programme,
            order=order,
            defaults={
                "priority_issue": issues[issue_number],
                "title": title,
                "statement": statement,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("goals", "0001_initial")]

    # Unapplying leaves the rows: activities may already point at them.
    operations = [migrations.RunPython(load_framework, migrations.RunPython.noop)]
