"""Records written in English and Japanese: the text in the reader's language, with the
other as fallback (issue #15). A model lists its bilingual fields in `bilingual_fields`;
each has a Japanese twin named like it with `_ja` (`title` and `title_ja`)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import get_language


def reads_japanese(language: str | None = None) -> bool:
    """Whether `language` (by default the active one) is Japanese ("ja", "ja-jp", …)."""
    language = get_language() if language is None else language
    return bool(language) and language.lower().startswith("ja")


def in_language(english: str | None, japanese: str | None, language: str | None = None) -> str:
    """Reading Japanese: the Japanese text if there is one, else the English. Reading
    anything else: the English if there is one, else the Japanese."""
    english, japanese = english or "", japanese or ""
    if reads_japanese(language):
        return japanese or english
    return english or japanese


def language_shown(english: str | None, japanese: str | None, language: str | None = None) -> str:
    """The language of the text `in_language()` gives: "ja" or "en" (for a page's lang=)."""
    if reads_japanese(language):
        return "ja" if japanese else "en"
    return "en" if english or not japanese else "ja"


def _display(name: str) -> property:
    def text(self: Any) -> str:
        return in_language(getattr(self, name), getattr(self, f"{name}_ja"))

    text.__doc__ = f"The {name} in the active language, the other as fallback."
    return property(text)


def _display_lang(name: str) -> property:
    def lang(self: Any) -> str:
        return language_shown(getattr(self, name), getattr(self, f"{name}_ja"))

    lang.__doc__ = f'The language of `display_{name}`: "ja" or "en".'
    return property(lang)


class BilingualMixin:
    """Gives a model, for each name in `bilingual_fields`, `display_<name>` (the text in
    the active language, the other as fallback) and `display_<name>_lang` (the language
    of that text, so that a page marks Japanese with lang="ja")."""

    bilingual_fields: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Django's model metaclass passes plain class attributes to type.__new__, so the
        # model's own tuple is already in its __dict__ here.
        for name in cls.__dict__.get("bilingual_fields", ()):
            setattr(cls, f"display_{name}", _display(name))
            setattr(cls, f"display_{name}_lang", _display_lang(name))
