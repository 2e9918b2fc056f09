"""Turns a policy's plain text into clauses: one rule each, with its section and a stable id.

Real policies arrive as exports from Word or PDF: bullets drawn as `·`, `-`, `o` or
`•`, numbered sections, lines hard-wrapped mid-sentence, list items separated by runs of
blank lines. The parser undoes that layout and keeps the words exactly (wrapped lines
joined by one space), because answers quote the clause to the member of staff.

Many exports lose the lines too: a PDF or web page often arrives as one unbroken run of
text, with section numbers, headings and bullets inline. So a block the line layout cannot
break up, or one too long to quote (over MAX_CLAUSE characters), is split into its
sentences, and an inline section number with its title ("3 3.1 Staff Using Social
Networking Websites Staff are ...") becomes the section of the clauses after it.

A clause id is `<school>-<hash of its normalised text>`: re-ingesting the same text gives
the same ids, and a clause whose text did not change keeps its id in a new version of
the policy, so curated intents survive policy updates and changed ones can be listed.
A part of a split paragraph keeps the paragraph's old id in `block`, so a curated
citation of the whole paragraph still resolves (`citable_ids`, `cited_ids`).
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
CONNECTIVES = frozenset("of and the for in on to with a an or by at &".split())  # never end a heading
# "Named Governor with lead responsibility: June Cooke", "To be next reviewed: March 2019":
# a short line that states a fact about the policy itself. It looks like a heading but is
# something staff ask about (who, when), so it is a clause of its own, never a section name.
FACT_LINE = re.compile(
    r"^(?!(?:appendix|annex|section|part|chapter|schedule)\b)[^:]{3,60}"
    r"\b(?:date[sd]?|review(?:ed)?|governors?|lead|written|agreed|approved|ratified|adopted|author|owner"
    r"|responsib\w*|designated|contact|headteacher|principal|chair|version|committee|officer)\b[^:]*:\s+\S",
    re.I,
)


@dataclass(frozen=True)
class Clause:
    id: str
    school: str
    position: int
    section: str  # heading path, e.g. "4. Staff use of social media › 4.1 Reputation"
    text: str  # the rule exactly as the policy words it
    lead_in: str = ""  # the sentence a bullet hangs off ("Staff must not:"), if any
    block: str = ""  # for a part of a paragraph too long to quote whole: the id the whole paragraph had

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
        rest = raw[m.end() :]
        rest = rest[BULLET.match(rest).end() :] if BULLET.match(rest) else rest  # "- o item": one bullet
        return _Line(rest.strip(), raw, True, indent, None)
    n = NUMBERED.match(raw)
    if n:
        return _Line(raw.strip(), raw, False, indent, n.group(1))
    return _Line(raw.strip(), raw, False, indent, None)


def _is_heading(
    line: _Line, next_line: _Line | None, prev_ended: bool, blank_after: bool, wrap: int | None = None
) -> bool:
    """A short line with no sentence ending, standing where a paragraph would start."""
    text = line.text
    words = text.split()
    if line.bullet or not words or len(text) > 80 or len(words) > 12 or FACT_LINE.match(text):
        return False
    if words[-1].lower() in CONNECTIVES:
        return False  # "The following are also not considered acceptable at" runs on
    if wrap and len(line.raw.rstrip()) >= wrap * 0.8 and not blank_after:
        return False  # it fills a narrow column, so the sentence wrapped onto the next line
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
    lengths = sorted(len(line.rstrip()) for line in lines if line.strip())
    if len(lengths) < 20:
        return None
    long_share = sum(1 for n in lengths if n > 130) / len(lengths)
    if long_share > 0.05:
        return None
    return lengths[int(len(lengths) * 0.9)]


@dataclass(frozen=True)
class _Block:
    """A paragraph or list item as the line layout gives it, before long ones are split."""

    text: str
    headings: tuple[tuple[str, str], ...]  # (number or '', heading text), outermost first
    lead_in: str
    bullet: bool


def _push_heading(headings: list[tuple[str, str]], number: str, title: str) -> None:
    """A numbered heading closes headings of its level and deeper; an unnumbered one starts afresh."""
    level = number.count(".") + 1 if number else 1
    if number:
        while headings and headings[-1][0] and headings[-1][0].count(".") + 1 >= level:
            headings.pop()
        if headings and not headings[-1][0]:
            headings.clear()
    else:
        headings.clear()
    headings.append((number, title))


def _blocks(text: str) -> list[_Block]:
    """The paragraphs and list items of a policy laid out in lines, with their headings."""
    raw_lines = [TAG.sub("", line).replace("\u00a0", " ").rstrip() for line in text.splitlines()]
    raw_lines = [line for line in raw_lines if not TABLE_RULE.match(line)]
    wrap = _wrap_width(raw_lines)
    lines: list[_Line | None] = [_classify(line) if line.strip() else None for line in raw_lines]

    blocks: list[_Block] = []
    headings: list[tuple[str, str]] = []  # (number or '', heading text)
    lead_in = ""
    items_are_bullets: bool | None = None
    lead_in_was_bullet, lead_in_indent = False, 0
    current_indent = 0
    current: list[str] = []
    current_is_bullet = False

    def in_plain_list() -> bool:
        return bool(lead_in) and items_are_bullets is False

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
        # Items under a lead-in are all bullets, or (bullets lost in conversion) all short paragraphs.
        is_item = current_is_bullet or (source_lines == 1 and _looks_like_item(body))
        nested = not lead_in_was_bullet or current_indent > lead_in_indent
        if lead_in and is_item and nested and items_are_bullets in (None, current_is_bullet):
            attached = lead_in
            items_are_bullets = current_is_bullet
        else:
            attached = lead_in = ""
        blocks.append(_Block(body, tuple(headings), attached, current_is_bullet))
        if body.endswith(":"):
            lead_in, items_are_bullets = body, None
            lead_in_was_bullet, lead_in_indent = current_is_bullet, current_indent

    def set_heading(line: _Line) -> None:
        nonlocal lead_in
        _push_heading(headings, line.number or "", line.text.rstrip(":").strip())
        lead_in = ""

    prev_ended = True  # did the previous non-blank line end a sentence/paragraph?
    blank_run = 0
    for i, line in enumerate(lines):
        if line is None:
            blank_run += 1
            continue
        nxt = next((line for line in lines[i + 1 : i + 4] if line is not None), None)
        after_blank = blank_run > 0
        blank_run = 0
        ended_before = prev_ended or after_blank
        blank_after = i + 1 < len(lines) and lines[i + 1] is None
        if _is_heading(line, nxt, ended_before, blank_after, wrap):
            flush()
            set_heading(line)
            prev_ended = True
            continue
        fact = bool(FACT_LINE.match(line.text)) and len(line.text) <= 80
        starts_new = (
            line.bullet
            or fact
            or after_blank
            and (prev_ended or line.text[:1].isupper())
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
        prev_ended = fact or bool(TERMINAL.search(line.text))
    flush()
    return blocks


def _continues_wrapped(current: list[str], wrap: int | None) -> bool:
    """In a hard-wrapped document, a full-width line ending in '.' may still be mid-paragraph."""
    if not current or wrap is None:
        return False
    return len(current[-1]) >= wrap * 0.8


def _looks_like_item(text: str) -> bool:
    """Short imperative list items that lost their bullets in conversion ("Keep ... private.")."""
    return len(text) <= 160


# ---- Splitting blocks that are too long to quote, or that hold a whole list ------------
#
# A PDF or web export often arrives as one run of text (or with every paragraph on one
# line), so the line layout above finds one huge block. Such a block is split into
# sentences: at bullet glyphs standing mid-text ("... they: · Communicate ... · Never ..."),
# at sentence ends (not after "e.g.", "Mr.", a list number, or inside a quotation), and at
# a section number followed by a title ("3 3.1 Staff Using Social Networking Websites Staff
# are ..."), which becomes the clause's section. Sentences shorter than SHORT_SENTENCE join
# their neighbour, so a clause is a rule rather than a fragment. The words stay exactly as
# written; only the places where the text is cut change.

MAX_CLAUSE = 600  # longest clause worth quoting; a longer block is split into its sentences
SHORT_SENTENCE = 50  # a sentence shorter than this joins its neighbour
GLYPH_BULLET = r"(?:[·•▪●◦‣∙]|\uf0b7|\uf0a7)"
INLINE_GLYPH = re.compile(rf"\s{GLYPH_BULLET}\s+(?=\S)")
# a dash as a bullet: "... risks - Ensure that ..." or "... advised: - to consider ..." (long blocks only)
INLINE_DASH = re.compile(r"\s[-–]\s+(?=[A-Z])|(?<=[.:;!?])\s[-–]\s+(?=\S)")
INLINE_BULLET = re.compile(f"{INLINE_GLYPH.pattern}|{INLINE_DASH.pattern}")
SENTENCE_END = re.compile(r"[.!?]+[\"”’')\]]*(?=\s+[\"“‘'(\[A-Z0-9])")
QUOTED = re.compile(r"“[^“”]*”|\"[^\"]*\"")
ABBREVIATIONS = frozenset(
    "e.g i.e etc mr mrs ms dr no nos st vs cf approx inc ltd para ref fig pp vol prof rev dept govt a.m p.m viz".split()
)
LIST_NUMBER = re.compile(r"\d{1,2}(?:\.\d{1,2})*\.")
INLINE_HEADING = re.compile(r"(?:\d{1,2}\s+)?((\d{1,2}(?:\.\d{1,2})*)\.?)\s+(?=[A-Z])")
MID_NUMBER = re.compile(r"(?<=\s)(?:(?:\d{1,2}\s+)?\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}\.)\s+(?=[A-Z])")
REFERENCE_WORDS = frozenset("section sections paragraph para clause see appendix annex part page chapter no".split())
# Where a sentence still too long may be cut, best first: between quotations, after ';' or ':',
# before a dash, after a comma, at any space. Each pattern matches where the cut goes.
SOFT_CUTS = [re.compile(p) for p in (r"[”\"](?=\s+[“\"A-Z])", r"[;:](?=\s)", r"(?=\s[-–—]\s)", r",(?=\s)", r"(?=\s)")]


@dataclass(frozen=True)
class _Piece:
    text: str
    headings: tuple[tuple[str, str], ...]
    lead_in: str


def parse_clauses(text: str, school: str) -> list[Clause]:
    """Clauses of a policy in any layout: lines, one run of text, or anything between."""
    blocks = _blocks(text)
    block_ids = _unique([clause_id(school, b.text) for b in blocks])
    taken = set(block_ids)  # a part never takes an id a whole block has
    clauses: list[Clause] = []
    inline: tuple[tuple, tuple] | None = None  # (a block's headings, the headings found inline after them)
    for block, bid in zip(blocks, block_ids):
        headings = inline[1] if inline and inline[0] == block.headings else block.headings
        split = _split_block(block, headings)
        if split is None:  # kept whole, with the id it always had (curated citations quote it)
            clauses.append(Clause(bid, school, len(clauses), _section(headings), block.text, block.lead_in))
            continue
        pieces, last = split
        for piece in pieces:
            cid = _free_id(clause_id(school, piece.text), taken)
            clauses.append(
                Clause(cid, school, len(clauses), _section(piece.headings), piece.text, piece.lead_in, block=bid)
            )
        inline = (block.headings, last) if last != block.headings else None
    return clauses


def citable_ids(clauses) -> set[str]:
    """Every id a curated citation may name: each clause's own id and, for the parts of a
    paragraph too long to quote whole, the id the whole paragraph had before it was split."""
    return {c.id for c in clauses} | {c.block for c in clauses if c.block}


def cited_ids(clause_ids, clauses) -> set[str]:
    """The clauses a citation list stands for: each id itself and, where it names a split
    paragraph, the ids of all its parts."""
    cited = set(clause_ids)
    return cited | {c.id for c in clauses if c.block in cited}


def _split_block(block: _Block, headings: tuple) -> tuple[list[_Piece], tuple] | None:
    """The block's sentence-sized pieces and the headings in force at its end, or None
    when it is a rule to quote whole (short, with no inline bullet or section heading)."""
    long = len(block.text) > MAX_CLAUSE
    units = _units(block.text, long)  # the text before any inline bullet, then one per bullet item
    sentences, end, found_heading = _sentences_under_headings(units, headings)
    if not long and len(units) == 1 and not found_heading:
        return None
    return _pieces(_join_short(sentences), block.lead_in), end


def _sentences_under_headings(units: list[str], headings: tuple) -> tuple[list[tuple[str, tuple, int]], tuple, bool]:
    """(sentence, headings, unit) for each sentence, with inline section headings taken out;
    then the headings in force at the end, and whether any was found."""
    stack = list(headings)
    out, found = [], False
    for u, unit in enumerate(units):
        before_list = u + 1 < len(units)  # the unit's last sentence stands before a bullet
        unit_sentences = _sentences(unit)
        for k in range(len(unit_sentences) - 1):
            # "... Conduct 3. General social media expectations": the number starts the heading
            head, _, number = unit_sentences[k].rpartition(" ")
            joined = f"{number} {unit_sentences[k + 1]}"
            heading = (
                head
                and LIST_NUMBER.fullmatch(number)
                and _inline_heading(joined, before_list and k + 2 == len(unit_sentences))
            )
            if heading and not heading[2]:
                unit_sentences[k : k + 2] = [head, joined]
        for k, sentence in enumerate(unit_sentences):
            before, heading = _find_heading(sentence, before_list and k + 1 == len(unit_sentences))
            if before:
                out.append((before, tuple(stack), u))
            if heading:
                number, title, rest = heading
                _push_heading(stack, number, title)
                found = True
                if rest:
                    out.append((rest, tuple(stack), u))
    return out, tuple(stack), found


def _join_short(sentences: list[tuple[str, tuple, int]]) -> list[list]:
    """A sentence under SHORT_SENTENCE characters joins its neighbour in the same item."""
    groups: list[list] = []  # [text, headings, unit]
    for text, heads, unit in sentences:
        prev = groups[-1] if groups else None
        joinable = prev is not None and prev[1:] == [heads, unit] and len(prev[0]) + 1 + len(text) <= MAX_CLAUSE
        if joinable and (len(text) < SHORT_SENTENCE or len(prev[0]) < SHORT_SENTENCE):
            prev[0] += " " + text
        else:
            groups.append([text, heads, unit])
    return groups


def _pieces(groups: list[list], block_lead_in: str) -> list[_Piece]:
    """The final pieces, each bullet item with the sentence it hangs off ("... they:")."""
    pieces: list[_Piece] = []
    list_lead, last_unit = "", -1
    for text, heads, unit in groups:
        first_of_unit, last_unit = unit != last_unit, unit
        if pieces and heads != pieces[-1].headings:
            list_lead = ""
        lead_in = (block_lead_in if unit == 0 else list_lead) if first_of_unit else ""
        for part in _cut_long(text):
            pieces.append(_Piece(part, heads, lead_in))
            lead_in = ""
        if text.endswith(":"):
            list_lead = text
        elif unit == 0:
            list_lead = ""
    return pieces


def _units(text: str, long: bool) -> list[str]:
    """Cut at bullets standing mid-text; a dash counts as a bullet only in a long block."""
    marker = INLINE_BULLET if long else INLINE_GLYPH
    units, start = [], 0
    for m in marker.finditer(text):
        units.append(text[start : m.start()])
        start = m.end()
    units.append(text[start:])
    units = units[:1] + [BULLET.sub("", u, count=1) for u in units[1:]]  # "- o item" is one bullet
    return [u.strip() for u in units if re.search(r"[A-Za-z0-9]", u)]


def _sentences(text: str) -> list[str]:
    """Cut at sentence ends, except after an abbreviation or initial, after a list number
    ("policy. 4. Staff use"), and inside a quotation."""
    quotes = [(m.start(), m.end()) for m in QUOTED.finditer(text) if m.end() - m.start() <= MAX_CLAUSE]
    cuts = [0]
    for m in SENTENCE_END.finditer(text):
        end = m.end()
        if any(a < end < b for a, b in quotes):
            continue
        words = text[cuts[-1] : end].split()
        word = words[-1].strip("\"“‘'([").rstrip("\"”’')]")
        if word.endswith("."):
            core = word[:-1].lower()
            if core in ABBREVIATIONS or (len(core) == 1 and core.isalpha()):
                continue
            if LIST_NUMBER.fullmatch(word) and (len(words) == 1 or words[-2][-1] in ".!?:"):
                continue
        cuts.append(end)
    cuts.append(len(text))
    return [text[a:b].strip() for a, b in zip(cuts, cuts[1:]) if text[a:b].strip()]


def _find_heading(sentence: str, before_list: bool) -> tuple[str, tuple[str, str, str] | None]:
    """(text before, heading) for a heading at the start of a sentence or inside it, where a
    list item without a full stop ran on into it ("Governors Code of Conduct 3. General ...")."""
    heading = _inline_heading(sentence, before_list)
    if heading:
        return "", heading
    for m in MID_NUMBER.finditer(sentence):
        before = sentence[: m.start()].split()
        if before and before[-1].lower() not in REFERENCE_WORDS:
            heading = _inline_heading(sentence[m.start() :], before_list)
            if heading:
                return sentence[: m.start()].strip(), heading
    return sentence, None


def _inline_heading(sentence: str, before_list: bool) -> tuple[str, str, str] | None:
    """(number, heading, the rest) when a sentence opens with a section number and its title:
    "3 3.1 Staff Using Social Networking Websites Staff are within ..." gives
    ("3.1", "3.1 Staff Using Social Networking Websites", "Staff are within ..."). A title
    in sentence case ("1. Policy aims and scope") counts only when a list follows it."""
    m = INLINE_HEADING.match(sentence)
    if not m:
        return None
    words = sentence[m.end() :].split()
    run = 0
    while run < len(words) and _title_word(words[run], first=run == 0):
        run += 1
    if run == len(words) or (before_list and not re.search(r"[.!?;:,]$", sentence)):
        title, rest = words, []
    elif run >= 2 and words[run][:1].islower():
        title, rest = words[: run - 1], words[run - 1 :]  # the last capital word starts the sentence
    else:
        return None
    if not title or len(title) > 12 or title[-1].lower() in CONNECTIVES:
        return None
    return m.group(2), f"{m.group(1)} {' '.join(title)}".rstrip(":"), " ".join(rest)


def _title_word(word: str, first: bool) -> bool:
    if re.search(r"[.,;!?]$", word):
        return False
    return word[:1].isupper() or word[:1] in "&(" or (not first and word.lower() in CONNECTIVES)


def _cut_long(text: str) -> list[str]:
    """A sentence still longer than MAX_CLAUSE, cut at the best place that keeps parts sizeable."""
    parts = []
    while len(text) > MAX_CLAUSE:
        cut = None
        for pattern in SOFT_CUTS:
            ends = [m.end() for m in pattern.finditer(text) if MAX_CLAUSE // 3 <= m.end() <= MAX_CLAUSE]
            if ends:
                cut = ends[-1]
                break
        cut = cut or MAX_CLAUSE  # one 600-character word: nowhere better to cut
        parts.append(text[:cut].strip())
        text = text[cut:].strip()
    return parts + [text] if text else parts


def _section(headings) -> str:
    return " › ".join(h for _, h in headings)


def _unique(ids: list[str]) -> list[str]:
    """The same text twice gets '-2', '-3' ... after its id, in order of appearance."""
    seen: dict[str, int] = {}
    out = []
    for cid in ids:
        seen[cid] = seen.get(cid, 0) + 1
        out.append(cid if seen[cid] == 1 else f"{cid}-{seen[cid]}")
    return out


def _free_id(cid: str, taken: set[str]) -> str:
    n, candidate = 1, cid
    while candidate in taken:
        n += 1
        candidate = f"{cid}-{n}"
    taken.add(candidate)
    return candidate
