"""Every screen is in Spanish and English: the Spanish catalogue is complete and compiled."""

from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parents[1] / "locale" / "es" / "LC_MESSAGES"


def _messages(catalog):
    return {(message.context, message.id if isinstance(message.id, str) else message.id[0]): message
            for message in catalog if message.id}  # fmt: skip


def test_every_message_is_translated_and_none_is_fuzzy():
    with open(CATALOGUE / "django.po", "rb") as handle:
        catalog = read_po(handle)
    untranslated = [
        m.id for m in catalog if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_the_compiled_catalogue_matches_the_source():
    with open(CATALOGUE / "django.po", "rb") as handle:
        source = _messages(read_po(handle))
    with open(CATALOGUE / "django.mo", "rb") as handle:
        compiled = _messages(read_mo(handle))
    assert set(source) == set(compiled), "run `make messages` to recompile"
    assert all(
        tuple(source[key].string) == tuple(compiled[key].string) for key in source if source[key].pluralizable
    )
    assert all(source[key].string == compiled[key].string for key in source if not source[key].pluralizable)
