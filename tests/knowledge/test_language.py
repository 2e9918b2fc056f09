"""knowledge/language.yaml: the one data file both normalisers and the triage rules read.

Every list loads and compiles, every list is used, a malformed entry stops start-up with an
error naming the file and the entry, and the abbreviation / spelling table is the same object
in the triage's normaliser and the matcher's.
"""

import re
from pathlib import Path

import pytest

from knowledge import language
from knowledge.language import DATA_FILE, LanguageDataError, load

RULES_SOURCE = (Path(__file__).resolve().parents[2] / "bot" / "triage" / "rules.py").read_text(encoding="utf-8")
VALID_TAIL = """
triage:
  fuzzy_lexicon: [bruises]
  never_correct: [cruise]
  patterns:
    child:
      about: A child is mentioned.
      words: [child, 'pupils?']
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "language.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_list_loads_compiles_and_says_what_it_recognises():
    data = load()
    assert len(data.words) > 150
    vocabulary = data.triage
    assert len(vocabulary.patterns) >= 40
    for name, pattern in vocabulary.patterns.items():
        assert isinstance(pattern, re.Pattern), name
        pattern.search("a pupil told me her step dad hits her")  # compiles and runs
    raw = __import__("yaml").safe_load(DATA_FILE.read_text(encoding="utf-8"))
    for name, spec in raw["triage"]["patterns"].items():
        assert spec["about"].strip(), f"{name} has no one-line description"


def test_every_list_is_used_by_the_rules_or_by_another_list():
    data = load()
    text = DATA_FILE.read_text(encoding="utf-8")
    for name in data.triage.patterns:
        used = f"WORDS.{name}" in RULES_SOURCE or f'WORDS.sources["{name}"]' in RULES_SOURCE or "{" + name + "}" in text
        assert used, f"list {name} is not used"


def test_lists_recognise_what_their_names_say():
    words = language.triage()
    assert words.child.search("a year 6 girl")
    assert words.family.search("her step dad")
    assert words.physical_harm.search("he hits her")
    assert not words.physical_harm.search("hit reply")
    assert words.self_harm.search("cuts on her arms")
    assert words.adult_acts.search("the coach keeps messaging the boys")  # {adult_role} ... {adult_conduct}
    assert words.nudes.search("nudes going round")


def test_the_one_table_is_used_by_both_normalisers():
    from bot.triage import rules
    from knowledge import normalise

    table = language.word_folds()
    assert rules._ABBREVIATIONS is table
    assert normalise._WORD_FOLDS is table
    # the same fold seen through both: "msgs" is written out as "messages", then the matcher
    # maps it onto its topic word; "neighbor" is British in both
    assert rules.normalise("msgs from a neighbor") == "messages from a neighbour"
    assert normalise.normalise("msgs from a neighbor").split() == ["message", "from", "a", "familyfriend"]
    assert "directmessage" in normalise.normalise("can i dm a pupil").split()
    assert rules.normalise("stepdad") == "step dad" and normalise.normalise("my stepdad") == "my parent"


@pytest.mark.parametrize(
    "text,where",
    [
        ("words:\n  shorthand:\n    u: you\n    u: your\n" + VALID_TAIL, "written twice"),
        ("words:\n  shorthand:\n    on: year\n" + VALID_TAIL, "words › shorthand › True"),
        ("words:\n  shorthand:\n    u: You\n" + VALID_TAIL, "words › shorthand › u"),
        ("words:\n  a:\n    u: you\n  b:\n    u: you\n" + VALID_TAIL, "words › b › u: already in group 'a'"),
        (
            "words:\n  shorthand:\n    u: you\n" + VALID_TAIL.replace("[child, 'pupils?']", "[child, 'pupils(?']"),
            "triage › patterns › child › words entry 2 ('pupils(?')",
        ),
        (
            "words:\n  shorthand:\n    u: you\n" + VALID_TAIL.replace("[child, 'pupils?']", "[child, '{kids}']"),
            "refers to {kids}, which is not a list",
        ),
        (
            "words:\n  shorthand:\n    u: you\n" + VALID_TAIL.replace("      about: A child is mentioned.\n", ""),
            "triage › patterns › child: needs `about:`",
        ),
        (
            "words:\n  shorthand:\n    u: you\n" + VALID_TAIL.replace("[child, 'pupils?']", "[child, '{child}']"),
            "refers to itself",
        ),
        ("words: [", "is not valid YAML"),
    ],
)
def test_a_malformed_entry_is_a_clear_error_naming_the_file_and_the_entry(tmp_path, text, where):
    with pytest.raises(LanguageDataError) as caught:
        load(write(tmp_path, text))
    message = str(caught.value)
    assert message.startswith("language.yaml: ")
    assert where in message


def test_a_well_formed_small_file_loads(tmp_path):
    data = load(write(tmp_path, "words:\n  shorthand:\n    u: you\n" + VALID_TAIL))
    assert data.words == {"u": "you"}
    assert data.triage.child.search("two pupils")
    assert data.triage.sources["child"] == r"\b(?:child|pupils?)\b"


def test_loaded_once():
    assert load() is load()
    assert language.triage() is language.triage()
