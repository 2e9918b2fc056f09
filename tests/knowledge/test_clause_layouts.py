"""Any layout a policy arrives in gives rule-sized clauses, quoted word for word.

Schools bring Word files, PDFs (one or two columns) and text pasted from web pages, where
the whole policy is often one unbroken run. Each bundled policy is rebuilt here in those
layouts, read back through the same reader `app.py ingest` uses, and parsed: no clause may
be a wall of text, the clause count stays near the plain-text parse, and the plain parse's
sentences are all still there, each inside one clause.
"""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from knowledge.catalog import load_catalog, validate_catalog
from knowledge.clauses import BULLET, TABLE_RULE, TAG, citable_ids, cited_ids, clause_id, parse_clauses
from knowledge.ingest import _stale_mappings
from knowledge.matcher import Matcher
from knowledge.policy_file import POLICY_DIR, bundled_policies, make_policy, split_front_matter
from knowledge.readers import read_policy_text

LONGEST = 650  # characters: a clause is something to quote, not a page
POLICIES = sorted(p.stem for p in POLICY_DIR.glob("*.txt"))


def policy_body(slug: str) -> str:
    return split_front_matter((POLICY_DIR / f"{slug}.txt").read_text(encoding="utf-8"))[1]


def write_docx(body: str, path: Path) -> None:
    """One Word paragraph per line, bullets as Word list items, the '|' table as a Word table."""
    document = docx.Document()
    rows = []
    for line in body.splitlines():
        if line.strip().startswith("|"):
            if not TABLE_RULE.match(line):
                rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
            continue
        marker = BULLET.match(line)
        if marker:
            document.add_paragraph(line[marker.end() :].strip(), style="List Bullet")
        else:
            document.add_paragraph(line.strip())
    if rows:
        table = document.add_table(rows=len(rows), cols=max(map(len, rows)))
        for row, cells in zip(table.rows, rows):
            for cell, text in zip(row.cells, cells):
                cell.text = text
    document.save(path)


def write_pdf(body: str, path: Path, columns: int = 1) -> None:
    """A real PDF with a text layer, wrapped to the page (or to two columns) by fpdf2."""
    pdf = FPDF()
    pdf.core_fonts_encoding = "windows-1252"  # the built-in fonts then draw ’ “ ” – · •
    pdf.add_page()
    pdf.set_font("helvetica", size=10 if columns == 1 else 9)
    lines = [line.strip().encode("cp1252", "replace").decode("cp1252") for line in body.splitlines()]
    if columns == 1:
        for line in lines:
            if line:
                pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
            else:
                pdf.ln(3)
    else:
        with pdf.text_columns(ncols=columns, gutter=8) as cols:
            for line in lines:
                cols.write(text=line + "\n") if line else cols.ln()
    pdf.output(str(path))


def write_variant(slug: str, variant: str, directory: Path) -> Path:
    body = policy_body(slug)
    if variant == "docx":
        path = directory / f"{slug}.docx"
        write_docx(body, path)
    elif variant in ("pdf", "two-column pdf"):
        path = directory / f"{slug}-{variant.replace(' ', '-')}.pdf"
        write_pdf(body, path, columns=2 if variant == "two-column pdf" else 1)
    else:  # flattened, as many PDF and web exports arrive
        path = directory / f"{slug}-flat.txt"
        path.write_text(" ".join(body.split()), encoding="utf-8")
    return path


def words(text: str) -> str:
    """Text as the parser may quote it: tags and table rules gone, whitespace collapsed."""
    kept = [line for line in text.splitlines() if not TABLE_RULE.match(line)]
    return " ".join(TAG.sub("", "\n".join(kept)).replace("\u00a0", " ").split())


def sentences(text: str) -> list[str]:
    """The plain parse's sentences of 40+ characters (a deliberately simple splitter)."""
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", " ".join(text.split())) if len(s) >= 40]


@pytest.mark.parametrize("variant", ["docx", "pdf", "flattened", "two-column pdf"])
@pytest.mark.parametrize("slug", POLICIES)
def test_every_layout_gives_rule_sized_clauses(tmp_path, slug, variant):
    plain = parse_clauses(policy_body(slug), slug)
    text = read_policy_text(write_variant(slug, variant, tmp_path))
    clauses = parse_clauses(text, slug)

    longest = max(clauses, key=lambda c: len(c.text))
    assert len(longest.text) <= LONGEST, (
        f"{slug} {variant}: a {len(longest.text)}-character clause: {longest.text[:120]}"
    )
    assert 0.7 <= len(clauses) / len(plain) <= 1.5, (
        f"{slug} {variant}: {len(clauses)} clauses, plain text gives {len(plain)}"
    )

    source = words(text)
    assert all(" ".join(c.text.split()) in source for c in clauses), "clauses quote the policy word for word"

    quoted = [" ".join(c.text.split()) for c in clauses]
    wanted = [s for c in plain for s in sentences(c.text)]
    found = [s for s in wanted if any(s in q for q in quoted)]
    assert len(found) >= 0.9 * len(wanted), (
        f"{slug} {variant}: {len(wanted) - len(found)} of {len(wanted)} sentences were cut or lost, e.g. "
        f"{next(s for s in wanted if s not in found)!r}"
    )


def test_the_plain_policies_have_no_clause_over_600_characters():
    for policy in bundled_policies().values():
        assert max(len(c.text) for c in policy.clauses) <= 600, policy.slug


# --- the pieces of the layout work ------------------------------------------------------------


def test_an_inline_section_number_and_title_give_the_section():
    text = (
        "This policy applies to all staff. 3 3.1 Staff Using Social Networking Websites Staff are within "
        "their rights to use social networking sites in their own time. They must never add current or former pupils as friends on any site. "
        "3.2 Contact With Parents Staff should not message parents from personal accounts. "
        "4. Links with other policies · Anti-bullying policy · Behaviour policy"
    )
    clauses = parse_clauses(text, "demo")
    section = {c.text: c.section for c in clauses}
    assert section["This policy applies to all staff."] == ""
    assert (
        section["Staff are within their rights to use social networking sites in their own time."]
        == "3.1 Staff Using Social Networking Websites"
    )
    assert (
        section["They must never add current or former pupils as friends on any site."]
        == "3.1 Staff Using Social Networking Websites"
    )
    assert section["Staff should not message parents from personal accounts."] == "3.2 Contact With Parents"
    assert section["Behaviour policy"] == "4. Links with other policies"
    assert not any("Websites" in c.text or "Contact With Parents" in c.text for c in clauses), "headings are not rules"


def test_bullets_run_together_become_items_with_their_lead_in():
    clauses = parse_clauses(
        "When using social media staff must: · Never share passwords. "
        "· Keep phones locked away during lessons. · Report concerns to the DSL.",
        "demo",
    )
    assert [c.text for c in clauses] == [
        "When using social media staff must:",
        "Never share passwords.",
        "Keep phones locked away during lessons.",
        "Report concerns to the DSL.",
    ]
    assert clauses[2].lead_in == "When using social media staff must:"


def test_a_long_paragraph_is_split_at_sentences_but_never_after_an_abbreviation_or_inside_a_quotation():
    tricky = [
        "Staff must only use approved apps, e.g. Teams or Class Dojo, to talk to parents about their children.",
        "Concerns go to Mr. Patel or Mrs. Jones, i.e. the safeguarding leads, on the same day they arise.",
        "Staff follow the procedure in section 3.1 of the child protection policy and form No. 7 for every report.",
        "Laptops, tablets, cameras etc. Are kept in the locked cupboard in the school office overnight.",
        "The rule in the staff handbook is clear: “Never share a password. Always lock the screen.” It applies to everyone.",
    ]
    padding = [
        f"Sentence number {n} of this paragraph says something ordinary about online safety at school."
        for n in range(6)
    ]
    paragraph = " ".join(tricky + padding)
    assert len(paragraph) > 1000
    clauses = parse_clauses(f"Online safety\n\n{paragraph}\n", "demo")
    assert len(clauses) > 1 and all(len(c.text) <= 600 for c in clauses)
    for sentence in tricky:
        assert any(sentence in c.text for c in clauses), f"cut inside: {sentence}"
    assert " ".join(c.text for c in clauses) == paragraph  # the same words, in order
    assert all(c.section == "Online safety" for c in clauses)


def test_a_very_short_sentence_joins_its_neighbour():
    paragraph = (
        "Staff must keep their personal mobile phones out of sight in classrooms and corridors at all times. "
        "No exceptions. "
    ) * 6
    clauses = parse_clauses(paragraph, "demo")
    assert all(len(c.text) >= 50 for c in clauses)
    assert not any(c.text == "No exceptions." for c in clauses)


def test_a_clause_of_600_characters_or_less_keeps_its_text_and_id():
    paragraph = "Staff must not friend pupils. " * 19  # 570 characters: a rule to quote whole, as before
    [clause] = parse_clauses(f"Contact\n\n{paragraph}\n", "demo")
    assert clause.text == paragraph.strip() and clause.id == clause_id("demo", paragraph) and clause.block == ""


def test_a_citation_of_a_split_paragraphs_old_id_still_resolves():
    paragraph = " ".join(
        f"Rule {n}: staff must report every online concern to the DSL without delay, by the end of the day."
        for n in range(10)
    )
    old_id = clause_id("demo", paragraph)  # the one clause this paragraph used to be
    parts = [c for c in parse_clauses(f"Reporting\n\n{paragraph}\n", "demo") if c.block == old_id]
    assert len(parts) > 1 and " ".join(p.text for p in parts) == paragraph
    assert old_id in citable_ids(parts)
    assert cited_ids([old_id], parts) == {old_id} | {p.id for p in parts}


def test_the_catalog_still_resolves_the_bundled_paragraphs_it_cited_whole():
    catalog, policies = load_catalog(), bundled_policies()
    validate_catalog(policies, catalog)
    matcher = Matcher(catalog, policies)
    cited = {
        (slug, cid)
        for slug in catalog.curated_schools()
        for m in catalog.mappings[slug].values()
        for cid in m.clause_ids
    }
    split = [(slug, cid) for slug, cid in cited if any(c.block == cid for c in policies[slug].clauses)]
    assert split, "the bundled policies have long paragraphs that curated answers cite"
    for slug, cid in split:
        first = next(c for c in policies[slug].clauses if c.block == cid)
        index = matcher.schools[slug]
        assert index.clauses[index.by_id[cid]] == first  # the old id quotes the paragraph's first part
        assert catalog.citations_missing(slug, citable_ids(policies[slug].clauses)) == {}
        assert not [s for s in _stale_mappings(slug, policies[slug], policies[slug]) if s.clause_id == cid]


def test_rewording_a_split_paragraph_reports_the_citation_with_its_successor():
    policies = bundled_policies()
    old = policies["buckminster"]
    cid = "buckminster-35788907"  # "There are no circumstances ..." (indecent images), over 600 characters
    parts = [c for c in old.clauses if c.block == cid]
    assert len(parts) > 1
    new = make_policy(
        "buckminster", old.name, old.text.replace(parts[-1].text, parts[-1].text.replace("until", "before"))
    )
    stale = [s for s in _stale_mappings("buckminster", old, new) if s.clause_id == cid]
    assert {s.intent for s in stale} == set(load_catalog().intents_citing("buckminster", cid))
    for s in stale:
        assert s.old_text == " ".join(p.text for p in parts)
        assert s.successor_id in citable_ids(new.clauses) and s.successor_id != cid
