"""The words the assistant reads in staff messages, loaded once from `knowledge/language.yaml`.

One data file feeds both readers of staff messages:

- `word_folds()`: the one table of chat shorthand, contractions without apostrophes and US
  spellings, each token mapped to its written-out form. `bot.triage.rules.normalise` and
  `knowledge.normalise` both apply it, so the triage and the policy matcher read "msg", "yr"
  or "neighbor" the same way.
- `triage()`: what the safeguarding triage looks for: the alarm words whose misspellings it
  corrects, and its named trigger lists compiled to regular expressions.

The file is parsed, checked and compiled on first use and cached; a malformed entry raises
`LanguageDataError` naming the file and the entry, so a bad edit stops start-up loudly instead
of silently changing what is recognised.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

DATA_FILE = Path(__file__).with_name("language.yaml")

# A table key is one normalised token: lower-case letters and digits.
_TOKEN = re.compile(r"[a-z0-9]+")
# `{name}` in an entry stands for another list; regex counts (`{0,3}`) have no letters.
_REFERENCE = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
# Every trigger pattern starts at a word boundary and normalised text is single-space separated
# tokens, so a match can only begin at a token start. Python's regex engine does not build a
# first-character table for patterns starting with \b and tries every alternative at every
# character; this look-behind rejects mid-token positions at the first step, which halves the
# cost of the triage.
_AT_TOKEN_START = "(?<![^ ])(?:{})"


class LanguageDataError(ValueError):
    """`knowledge/language.yaml` (or the file given) is malformed; the message says where."""

    def __init__(self, path: Path, where: str, problem: str):
        super().__init__(f"{path.name}: {where}: {problem}")
        self.path, self.where, self.problem = path, where, problem


@dataclass(frozen=True)
class TriageVocabulary:
    fuzzy_lexicon: tuple[str, ...]  # in file order: ties in fuzzy correction go to the earlier word
    never_correct: frozenset[str]
    patterns: Mapping[str, re.Pattern[str]]  # each list, matched at token starts
    sources: Mapping[str, str]  # each list's regular expression as assembled, before the speed-up

    def __getattr__(self, name: str) -> re.Pattern[str]:
        """`vocabulary.child` is the compiled `child` list."""
        try:
            return self.patterns[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True)
class Language:
    words: Mapping[str, str]
    triage: TriageVocabulary


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe YAML, but a key written twice in one mapping is an error, not "the last one wins"."""


def _mapping_without_duplicates(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"{key!r} is written twice in one mapping", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def word_folds() -> Mapping[str, str]:
    """The shared table: token -> what it is written out as (may be several words)."""
    return load().words


def triage() -> TriageVocabulary:
    """The triage's alarm-word lexicon and compiled trigger lists."""
    return load().triage


@lru_cache(maxsize=4)
def load(path: Path = DATA_FILE) -> Language:
    """Parse, check and compile the language file once (per path)."""
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except OSError as exc:
        raise LanguageDataError(path, "file", f"cannot be read ({exc.strerror or exc})") from exc
    except yaml.YAMLError as exc:
        raise LanguageDataError(path, "file", f"is not valid YAML: {exc}") from exc
    if not isinstance(doc, dict) or set(doc) != {"words", "triage"}:
        raise LanguageDataError(path, "top level", "expected exactly the sections `words` and `triage`")
    return Language(words=_words(path, doc["words"]), triage=_triage(path, doc["triage"]))


def _words(path: Path, groups: Any) -> Mapping[str, str]:
    if not isinstance(groups, dict) or not groups:
        raise LanguageDataError(path, "words", "expected named groups of `token: written-out form`")
    table: dict[str, str] = {}
    group_of: dict[str, str] = {}
    for group, entries in groups.items():
        where = f"words › {group}"
        if not isinstance(entries, dict) or not entries:
            raise LanguageDataError(path, where, "expected a mapping of `token: written-out form`")
        for key, value in entries.items():
            if not isinstance(key, str) or not _TOKEN.fullmatch(key):
                raise LanguageDataError(
                    path,
                    f"{where} › {key!r}",
                    "a key must be one lower-case word (letters and digits; quote y, no, on, off)",
                )
            if not isinstance(value, str) or not value.split() or any(not _TOKEN.fullmatch(w) for w in value.split()):
                raise LanguageDataError(
                    path, f"{where} › {key}", "the value must be lower-case words separated by spaces"
                )
            if key in table:
                raise LanguageDataError(path, f"{where} › {key}", f"already in group {group_of[key]!r}")
            table[key], group_of[key] = " ".join(value.split()), group
    return MappingProxyType(table)


def _word_list(path: Path, where: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise LanguageDataError(path, where, "expected a non-empty list of words")
    for i, word in enumerate(value):
        if not isinstance(word, str) or not _TOKEN.fullmatch(word):
            raise LanguageDataError(path, f"{where} › entry {i + 1} ({word!r})", "expected one lower-case word")
    return value


def _triage(path: Path, section: Any) -> TriageVocabulary:
    if not isinstance(section, dict) or set(section) != {"fuzzy_lexicon", "never_correct", "patterns"}:
        raise LanguageDataError(path, "triage", "expected exactly `fuzzy_lexicon`, `never_correct` and `patterns`")
    lexicon = _word_list(path, "triage › fuzzy_lexicon", section["fuzzy_lexicon"])
    never = _word_list(path, "triage › never_correct", section["never_correct"])
    specs = section["patterns"]
    if not isinstance(specs, dict) or not specs:
        raise LanguageDataError(path, "triage › patterns", "expected named lists")
    sources = _Assembler(path, specs).all()
    patterns = {name: re.compile(_AT_TOKEN_START.format(source)) for name, source in sources.items()}
    return TriageVocabulary(
        tuple(dict.fromkeys(lexicon)), frozenset(never), MappingProxyType(patterns), MappingProxyType(sources)
    )


class _Assembler:
    """Turns each named list into one regular expression, expanding `{name}` references.

    A `words:` list of e1, e2 is `\\b(?:e1|e2)\\b`; an `any:` list is `e1|e2`. A reference that is a
    whole entry is spliced in as that list's alternatives; inside a longer entry it becomes a
    group `(?:...)`. Each entry is compiled on its own first, so an error names the entry.
    """

    def __init__(self, path: Path, specs: dict[str, Any]):
        self.path, self.specs = path, specs
        self._alternatives: dict[str, list[str]] = {}
        self._busy: list[str] = []

    def all(self) -> dict[str, str]:
        return {name: self.source(name) for name in self.specs}

    def source(self, name: str) -> str:
        body = "|".join(self.alternatives(name))
        return rf"\b(?:{body})\b" if self._kind(name) == "words" else body

    def _kind(self, name: str) -> str:
        spec = self.specs[name]
        where = f"triage › patterns › {name}"
        if not isinstance(name, str) or not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise LanguageDataError(self.path, where, "a list name is lower-case letters, digits and _")
        if not isinstance(spec, dict) or not isinstance(spec.get("about"), str) or not spec["about"].strip():
            raise LanguageDataError(self.path, where, "needs `about:`, one line saying what the list recognises")
        kinds = set(spec) - {"about"}
        if kinds not in ({"words"}, {"any"}):
            raise LanguageDataError(self.path, where, "needs exactly one of `words:` or `any:` beside `about:`")
        return kinds.pop()

    def alternatives(self, name: str) -> list[str]:
        if name in self._alternatives:
            return self._alternatives[name]
        kind = self._kind(name)
        where = f"triage › patterns › {name}"
        if name in self._busy:
            raise LanguageDataError(self.path, where, "refers to itself through " + " -> ".join(self._busy))
        entries = self.specs[name][kind]
        if not isinstance(entries, list) or not entries:
            raise LanguageDataError(self.path, f"{where} › {kind}", "expected a non-empty list")
        self._busy.append(name)
        out: list[str] = []
        for i, entry in enumerate(entries):
            at = f"{where} › {kind} entry {i + 1}"
            if (
                kind == "any"
                and isinstance(entry, dict)
                and set(entry) == {"words"}
                and isinstance(entry["words"], list)
            ):
                words = [self._entry(f"{at} › words entry {j + 1}", w) for j, w in enumerate(entry["words"])]
                if not words:
                    raise LanguageDataError(self.path, at, "expected a non-empty `words:` list")
                out.append(r"\b(?:" + "|".join(a for group in words for a in group) + r")\b")
            else:
                out.extend(self._entry(at, entry))
        self._busy.pop()
        self._alternatives[name] = out
        return out

    def _entry(self, at: str, entry: Any) -> list[str]:
        """One entry as a list of alternatives (several when it is a whole `{name}`)."""
        if not isinstance(entry, str) or not entry.strip():
            raise LanguageDataError(self.path, f"{at} ({entry!r})", "expected a non-empty text pattern")
        whole = _REFERENCE.fullmatch(entry)
        if whole:
            return list(self.alternatives(self._referenced(at, whole.group(1))))
        expanded = _REFERENCE.sub(
            lambda m: "(?:" + "|".join(self.alternatives(self._referenced(at, m.group(1)))) + ")", entry
        )
        try:
            re.compile(expanded)
        except re.error as exc:
            raise LanguageDataError(self.path, f"{at} ({entry!r})", f"is not a valid pattern: {exc}") from None
        return [expanded]

    def _referenced(self, at: str, name: str) -> str:
        if name not in self.specs:
            raise LanguageDataError(self.path, at, f"refers to {{{name}}}, which is not a list in this file")
        return name
