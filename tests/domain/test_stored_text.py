"""History entries and notices are stored as template + parameters and read in any language."""

from __future__ import annotations

from domain.i18n import N_, word
from domain.stored_text import encode, present


def test_a_stored_entry_reads_in_chinese_by_default_and_in_english_when_asked() -> None:
    stored = encode(N_("deliberated at {title}"), {"title": "三月议事会"})
    assert present(stored, "zh") == "在“三月议事会”上议定"
    assert present(stored, "en") == "deliberated at 三月议事会"


def test_word_parameters_are_translated_with_the_entry() -> None:
    stored = encode(
        N_("no {kind} with id {identifier}"), {"kind": word("meeting"), "identifier": 7}
    )
    assert "meeting" not in (present(stored, "zh") or "")
    assert present(stored, "en") == "no meeting with id 7"


def test_text_a_person_typed_and_older_plain_entries_pass_through() -> None:
    assert present("属于物业合同范围", "en") == "属于物业合同范围"
    assert present("{not json", "zh") == "{not json"
    assert present("", "zh") == ""
