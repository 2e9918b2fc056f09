"""Turns a policy's plain text into clauses: one rule each, with its section and a stable id.

Real policies arrive as exports from Word or PDF: bullets drawn as `·`, `-`, `o` or
`•`, numbered sections, lines hard-wrapped mid-sentence, list items separated by runs of
blank lines. The parser undoes that layout and keeps the words exactly (wrapped lines
joined by one space), because answers quote the clause to the member of staff.

A clause id is `<school>-<hash of its normalised text>`: re-ingesting the same text gives
the same ids, and a clause whose text did not change keeps its id in a new version of
the policy, so curated intents survive policy updates and changed ones can be listed.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

BULLET = re.compile(r"^\s*(?:[·•▪●◦‣∙*\-–—o]|\uf0b7|\uf0a7)\s+(?=\S)")
NUMBERED = re.compile(r"^\s*(\d+(?:\.\d+)*)\.?\s+(?=[A-Za-z])")
TERMINAL = re.compile(r"[.!?;:…”’\"')\]]\s*$")
TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]+\|[\s:|-]*$")
TAG = re.compile(r"</?[a-zA-Z]+>")


@dataclass(frozen=True)
class Clause:
    id: str
    school: str
    position: int
    section: str  # heading path, e.g. "4. Staff use of social media › 4.1 Reputation"
    text: str  # the rule exactly as the policy words it
    lead_in: str = ""  # the sentence a bullet hangs off ("Staff must not:"), if any

    @property
    def quote(self) -> str:
        """What an answer shows: the lead-in when the bullet needs it to make sense."""
        return f"{self.lead_in} … {self.text}" if self.lead_in else self.text


def normalise_for_id(text: str) -> str:
    text = TAG.sub("", text).lower()
    text = re.sub(r"[’‘`]", "'", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def clause_id(school: str, text: str) -> str:
    digest = hashlib.sha1(normalise_for_id(text).encode()).hexdigest()[:8]
    return f"{school}-{digest}"


@dataclass
class _Line:
    text: str  # stripped of its bullet/number marker
    raw: str
    bullet: bool
    indent: int
    number: str | None


def _classify(raw: str) -> _Line:
    indent = len(raw) - len(raw.lstrip(" \t"))
    m = BULLET.match(raw)
    if m:
        rest = raw[m.end():]
        rest = rest[BULLET.match(rest).end():] if BULLET.match(rest) else rest  # "- o item": one bullet
        return _Line(rest.strip(), raw, True, indent, None)
    n = NUMBERED.match(raw)
    if n:
        return _Line(raw.strip(), raw, False, indent, n.group(1))
    return _Line(raw.strip(), raw, False, indent, None)


def _is_heading(line: _Line, next_line: _Line | None, prev_ended: bool, blank_after: bool) -> bool:
    """A short line with no sentence ending, standing where a paragraph would start."""
    text = line.text
    words = text.split()
    if line.bullet or not words or len(text) > 80 or len(words) > 12:
        return False
    if not prev_ended and not (blank_after and len(words) <= 6):
        return False
    if text.endswith(":"):
        # "Objectives:" and "Protection of Personal Information:" are headings;
        # "When using social media staff should:" is a lead-in.
        return len(words) <= 3 or _title_case(words)
    if re.search(r"[.;,!?]$", text):
        return False
    if not (words[0][0].isupper() or words[0][0].isdigit() or line.number):
        return False
    if next_line is not None and next_line.text[:1].islower() and not next_line.bullet:
        return False  # a wrapped sentence, not a heading
    return True


def _title_case(words: list[str]) -> bool:
    significant = [w for w in words if len(w) >= 4]
    return bool(significant) and sum(w[0].isupper() for w in significant) / len(significant) >= 0.75


def _wrap_width(lines: list[str]) -> int | None:
    """The column a hard-wrapped document breaks at, or None when lines are unwrapped."""
    lengths = sorted(len(l.rstrip()) for l in lines if l.strip())
    if len(lengths) < 20:
        return None
    long_share = sum(1 for n in lengths if n > 130) / len(lengths)
    if long_share > 0.05:
        return None
    return lengths[int(len(lengths) * 0.9)]


def parse_clauses(text: str, school: str) -> list[Clause]:
    raw_lines = [TAG.sub("", l).replace("\u00a0", " ").rstrip() for l in text.splitlines()]
    raw_lines = [l for l in raw_lines if not TABLE_RULE.match(l)]
    wrap = _wrap_width(raw_lines)
    lines: list[_Line | None] = [_classify(l) if l.strip() else None for l in raw_lines]

    clauses: list[Clause] = []
    seen: dict[str, int] = {}
    headings: list[tuple[str, str]] = []  # (number or '', heading text)
    lead_in = ""
    items_are_bullets: bool | None = None
    lead_in_was_bullet, lead_in_indent = False, 0
    current_indent = 0
    current: list[str] = []
    current_is_bullet = False

    def in_plain_list() -> bool:
        return bool(lead_in) and items_are_bullets is False

    def section() -> str:
        return " › ".join(h for _, h in headings)

    def flush() -> None:
        nonlocal current, lead_in, items_are_bullets, lead_in_was_bullet, lead_in_indent
        if not current:
            return
        source_lines = len(current)
        body = " ".join(part.strip() for part in current).strip()
        body = re.sub(r"\s{2,}", " ", body)
        current = []
        if len(normalise_for_id(body)) < 3:
            return
        cid = clause_id(school, body)
        if cid in seen:
            seen[cid] += 1
            cid = f"{cid}-{seen[cid]}"
        else:
            seen[cid] = 1
        # Items under a lead-in are all bullets, or (bullets lost in conversion) all short paragraphs.
        is_item = current_is_bullet or (source_lines == 1 and _looks_like_item(body))
        nested = not lead_in_was_bullet or current_indent > lead_in_indent
        if lead_in and is_item and nested and items_are_bullets in (None, current_is_bullet):
            attached = lead_in
            items_are_bullets = current_is_bullet
        else:
            attached = lead_in = ""
        clauses.append(Clause(cid, school, len(clauses), section(), body, attached))
        if body.endswith(":"):
            lead_in, items_are_bullets = body, None
            lead_in_was_bullet, lead_in_indent = current_is_bullet, current_indent

    def set_heading(line: _Line) -> None:
        nonlocal lead_in
        number = line.number or ""
        level = number.count(".") + 1 if number else 1
        if number:
            while headings and headings[-1][0] and headings[-1][0].count(".") + 1 >= level:
                headings.pop()
            if headings and not headings[-1][0]:
                headings.clear()
        else:
            headings.clear()
        headings.append((number, line.text.rstrip(":").strip()))
        lead_in = ""

    prev_ended = True  # did the previous non-blank line end a sentence/paragraph?
    blank_run = 0
    for i, line in enumerate(lines):
        if line is None:
            blank_run += 1
            continue
        nxt = next((l for l in lines[i + 1:i + 4] if l is not None), None)
        after_blank = blank_run > 0
        blank_run = 0
        ended_before = prev_ended or after_blank
        blank_after = i + 1 < len(lines) and lines[i + 1] is None
        if _is_heading(line, nxt, ended_before, blank_after):
            flush()
            set_heading(line)
            prev_ended = True
            continue
        starts_new = (
            line.bullet
            or after_blank and (prev_ended or line.text[:1].isupper())
            or (prev_ended and (in_plain_list() or not _continues_wrapped(current, wrap)))
        )
        if line.raw.startswith((" ", "\t")) and not line.bullet and current and not prev_ended:
            starts_new = False  # indented continuation of a wrapped bullet
        if line.text[:1].islower() and current and not line.bullet and not after_blank:
            starts_new = False
        if starts_new:
            flush()
            current_is_bullet = line.bullet
            current_indent = line.indent
        current.append(line.text)
        prev_ended = bool(TERMINAL.search(line.text))
    flush()
    return clauses


def _continues_wrapped(current: list[str], wrap: int | None) -> bool:
    """In a hard-wrapped document, a full-width line ending in '.' may still be mid-paragraph."""
    if not current or wrap is None:
        return False
    return len(current[-1]) >= wrap * 0.8


def _looks_like_item(text: str) -> bool:
    """Short imperative list items that lost their bullets in conversion ("Keep ... private.")."""
    return len(text) <= 160
