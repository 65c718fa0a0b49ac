"""A report's marking: the most restrictive releasability of what it contains.

The page, the PDF and the workbook all say it in their header (the PDF on every page),
in the words of `activities.models.Releasability`, so a reader outside the system knows
whom the document may go to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Releasability

# From the least to the most restrictive.
ORDER = [Releasability.PUBLIC, Releasability.INTERNAL, Releasability.RESTRICTED]
LABELS = dict(Releasability.choices)
SENTENCES = {
    Releasability.PUBLIC: _("It contains only public activities."),
    Releasability.INTERNAL: _("It contains internal activities; none of them is restricted."),
    Releasability.RESTRICTED: _("It contains restricted activities."),
}
# One word per activity, as the pages' badge says it ("Internal").
SHORT_LABELS = {
    Releasability.PUBLIC: _("Public"),
    Releasability.INTERNAL: _("Internal"),
    Releasability.RESTRICTED: _("Restricted"),
}
# The word in the header, in capitals as a marking is written.
WORDS = {
    Releasability.PUBLIC: _("PUBLIC"),
    Releasability.INTERNAL: _("INTERNAL"),
    Releasability.RESTRICTED: _("RESTRICTED"),
}


@dataclass(frozen=True)
class Marking:
    releasability: str

    @property
    def word(self) -> str:
        """What the header says in capitals: PUBLIC, INTERNAL or RESTRICTED (in the
        active language)."""
        return str(WORDS.get(self.releasability, self.releasability.upper()))

    @property
    def label(self) -> str:
        """The choice's own label, e.g. "Internal (all roles)"."""
        return str(LABELS[self.releasability])

    @property
    def sentence(self) -> str:
        return str(SENTENCES[self.releasability])

    @property
    def line(self) -> str:
        """One line for a page header, a workbook row or a print header."""
        return gettext("%(word)s: %(label)s. %(sentence)s") % {
            "word": self.word,
            "label": self.label,
            "sentence": self.sentence,
        }


def highest_of(values: Iterable[str]) -> str:
    """The most restrictive of `values`; public when there are none."""
    return max(values, key=ORDER.index, default=Releasability.PUBLIC)


def highest_releasability(activities: QuerySet[Activity]) -> str:
    """The most restrictive releasability among `activities`, in one query (DISTINCT over
    one column): 'restricted', 'internal', or 'public' (also for no activities: what a
    report shows besides its activities is the programme's own, published text)."""
    present = activities.order_by().values_list("releasability", flat=True).distinct()
    return highest_of(present)


def frozen_releasability(snapshot: dict[str, Any], view: str) -> str:
    """The most restrictive releasability counted in a closed stock-take's `view`.

    A snapshot's counts hold no titles, but a count of restricted activities is still
    restricted information. Views are compared by their totals; a snapshot made before
    the "public" view existed cannot tell public from internal, so it says internal.
    """

    def total(name: str) -> int | None:
        counts = snapshot.get(name)
        return None if counts is None else counts["totals"]["total"]

    if view == "public":
        return Releasability.PUBLIC
    if view == "all" and total("all") != total("unrestricted"):
        return Releasability.RESTRICTED
    unrestricted, public = total("unrestricted"), total("public")
    if unrestricted == 0 or (public is not None and public == unrestricted):
        return Releasability.PUBLIC
    return Releasability.INTERNAL
