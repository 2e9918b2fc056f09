"""`python app.py eval`: how well the assistant answers the labelled question set.

Per school it prints what a policy owner and a safeguarding lead need to trust the bot:

- top-1 / top-3 clause accuracy: the first (first three) quoted clauses include one the
  school's catalog mapping names for the labelled intent; where the school's policy is silent
  on that intent, the honest answer is a fallback, and that counts as correct;
- disclosure recall (and how many safeguarding messages reached any reporting flow);
- false-alarm rate: ordinary questions (near misses included) sent to a reporting flow;
- fallback accuracy on out-of-scope questions;
- per-intent precision / recall / F1 and the most confused pairs (as `rasa test nlu` does);
- every miss, so a human can judge it.

evaluation/heldout.yaml, when present, is reported separately: nobody tunes against it.
A last section treats each bundled school as if nobody had curated it (its own mappings
hidden from the matcher), which is how an ingested policy is answered.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot import kinds
from bot.question_sets import QUESTION_FILES, read_question_set
from knowledge.clauses import cited_ids


@dataclass
class SchoolScore:
    school: str
    answered: int = 0
    top1: int = 0
    top3: int = 0
    clarified: int = 0
    false_alarms: int = 0
    ordinary: int = 0
    disclosures: int = 0
    disclosures_caught: int = 0
    reports: int = 0
    reports_flowed: int = 0
    out_of_scope: int = 0
    fallbacks: int = 0
    gold: list[str | None] = field(default_factory=list)
    predicted: list[str | None] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)


def _applies(item: dict, school: str) -> bool:
    schools = item.get("schools", "all")
    return schools in (None, "all") or school in schools


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:5.1f}% ({part}/{whole})" if whole else "   n/a"


class _HiddenSchool:
    """The catalog as an uncurated school would see it: that school's mappings removed."""

    def __init__(self, catalog, school: str):
        self._catalog, self._school = catalog, school
        self.intents = catalog.intents

    def curated_schools(self) -> tuple[str, ...]:
        return tuple(s for s in self._catalog.curated_schools() if s != self._school)

    def mapping(self, school: str, intent: str):
        return None if school == self._school else self._catalog.mapping(school, intent)

    def questions_for_clauses(self, school: str):
        return () if school == self._school else self._catalog.questions_for_clauses(school)


def score_school(assistant, catalog, data: dict, school: str) -> SchoolScore:
    score = SchoolScore(school)
    labelled = [(q, "question") for q in data.get("questions") or []]
    labelled += [(q, "near miss") for q in data.get("near_misses") or []]
    for item, source in labelled:
        if not _applies(item, school):
            continue
        text, intent = item["text"], item["intent"]
        answer = assistant.answer(text, school)
        score.ordinary += 1
        if answer.kind in kinds.triage_kinds():
            score.false_alarms += 1
            score.misses.append(f"false alarm ({answer.kind}) [{source}]: {text!r}")
        mapping = catalog.mapping(school, intent)
        # a cited paragraph that is now split into parts is quoted by any of its parts
        ids = cited_ids(mapping.clause_ids, assistant.policies[school].clauses) if mapping else set()
        score.answered += 1
        shown = [c.id for c in answer.clauses]
        if not ids:  # the policy is silent: an honest fallback is right
            ok1 = ok3 = answer.kind == "fallback"
        else:
            ok1 = answer.kind == "answer" and bool(shown) and shown[0] in ids
            ok3 = answer.kind in ("answer", "clarify") and any(c in ids for c in shown[:3])
        score.clarified += answer.kind == "clarify"
        score.top1 += ok1
        score.top3 += ok3
        got = answer.intent  # a silent-policy fallback still names the intent it recognised
        score.gold.append(intent)
        score.predicted.append(got)
        if not ok1:
            detail = f"{answer.kind}" + (f" {got}" if got else "") + (f" clause {shown[0]}" if shown else "")
            want = f"{intent}" + ("" if ids else " (policy silent: fallback expected)")
            score.misses.append(f"miss [{source}]: {text!r}\n      want {want}; got {detail}")
    for item in data.get("safeguarding") or []:
        answer = assistant.answer(item["text"], school)
        score.reports += 1
        score.reports_flowed += answer.kind in kinds.triage_kinds()
        if item["kind"] == "disclosure":
            score.disclosures += 1
            score.disclosures_caught += answer.kind == "disclosure"
        if answer.kind != item["kind"]:
            score.misses.append(f"safeguarding {item['kind']} answered as {answer.kind}: {item['text']!r}")
    for text in data.get("out_of_scope") or []:
        text = text["text"] if isinstance(text, dict) else text
        answer = assistant.answer(text, school)
        score.out_of_scope += 1
        score.fallbacks += answer.kind == "fallback"
        if answer.kind != "fallback":
            score.misses.append(f"out of scope answered as {answer.kind} {answer.intent or ''}: {text!r}")
    return score


def intent_report(gold: list[str | None], predicted: list[str | None], limit_pairs: int = 8) -> list[str]:
    """Per-intent precision, recall, F1 and the most confused (gold -> predicted) pairs."""
    labels = sorted({g for g in gold if g} | {p for p in predicted if p})
    lines = [f"    {'intent':34} {'prec':>6} {'recall':>6} {'f1':>6} {'n':>4}"]
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted) if g == label and p != label)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        n = sum(1 for g in gold if g == label)
        lines.append(f"    {label:34} {prec:6.2f} {rec:6.2f} {f1:6.2f} {n:4d}")
    confused = Counter((g, p or "(fallback)") for g, p in zip(gold, predicted) if g != p)
    if confused:
        lines.append("    most confused (labelled -> predicted):")
        for (g, p), n in confused.most_common(limit_pairs):
            lines.append(f"      {n:3d}  {g} -> {p}")
    return lines


def _print_score(s: SchoolScore, quiet: bool) -> None:
    print(f"  top-1 clause accuracy   {_pct(s.top1, s.answered)}")
    print(f"  top-3 clause accuracy   {_pct(s.top3, s.answered)}   (clarify asked: {s.clarified})")
    print(
        f"  disclosure recall       {_pct(s.disclosures_caught, s.disclosures)}"
        f"   (any report flow: {_pct(s.reports_flowed, s.reports)})"
    )
    print(f"  false-alarm rate        {_pct(s.false_alarms, s.ordinary)}")
    print(f"  out-of-scope fallback   {_pct(s.fallbacks, s.out_of_scope)}")
    if not quiet:
        for line in s.misses:
            print(f"    - {line}")


def evaluate_file(assistant, catalog, path: Path, schools: list[str], quiet: bool, label: str) -> SchoolScore:
    data = read_question_set(path)
    total = SchoolScore("all")
    for school in schools:
        s = score_school(assistant, catalog, data, school)
        print(f"\n== {label}: {school} ==")
        _print_score(s, quiet)
        if not quiet:
            print("  per intent:")
            print("\n".join(intent_report(s.gold, s.predicted, limit_pairs=5)))
        for name in (
            "answered",
            "top1",
            "top3",
            "clarified",
            "false_alarms",
            "ordinary",
            "disclosures",
            "disclosures_caught",
            "reports",
            "reports_flowed",
            "out_of_scope",
            "fallbacks",
        ):
            setattr(total, name, getattr(total, name) + getattr(s, name))
        total.gold += s.gold
        total.predicted += s.predicted
    print(f"\n== {label}: all schools ==")
    _print_score(total, quiet=True)
    print("  per intent:")
    print("\n".join(intent_report(total.gold, total.predicted)))
    return total


def uncurated_check(catalog, policies: dict, data: dict, schools: list[str]) -> None:
    """Each school answered by direct retrieval, as if its policy had just been ingested."""
    from bot.conversation.assistant import Assistant

    print("\n== as if uncurated (each school's own mappings hidden; direct clause retrieval) ==")
    for school in schools:
        hidden = _HiddenSchool(catalog, school)
        assistant = Assistant(hidden, policies)
        hits = hits3 = total = silent_ok = silent = 0
        for item in data.get("questions") or []:
            if not _applies(item, school):
                continue
            mapping = catalog.mapping(school, item["intent"])
            answer = assistant.answer(item["text"], school)
            if mapping is None:
                silent += 1
                silent_ok += answer.kind == "fallback"
                continue
            total += 1
            ids = cited_ids(mapping.clause_ids, policies[school].clauses)
            hits += answer.kind == "answer" and bool(answer.clauses) and answer.clauses[0].id in ids
            hits3 += answer.kind in ("answer", "clarify") and any(c.id in ids for c in answer.clauses[:3])
        print(
            f"  {school:14} top-1 clause {_pct(hits, total)}   top-3 {_pct(hits3, total)}   "
            f"silent-policy fallback {_pct(silent_ok, silent)}"
        )


def run_eval(school: str | None = None, quiet: bool = False) -> int:
    from bot.conversation.assistant import Assistant
    from knowledge.catalog import load_catalog
    from knowledge.policy_file import bundled_policies

    catalog = load_catalog()
    policies = bundled_policies()
    if school is not None and school not in policies:
        print(f"error: unknown school {school!r}; known schools: {', '.join(sorted(policies))}")
        return 2
    assistant = Assistant(catalog, policies)
    schools = [school] if school else sorted(policies)
    if not QUESTION_FILES["questions"].exists():
        print(f"error: {QUESTION_FILES['questions']} not found")
        return 2
    evaluate_file(assistant, catalog, QUESTION_FILES["questions"], schools, quiet, "questions.yaml")
    if QUESTION_FILES["heldout"].exists():
        evaluate_file(
            assistant,
            catalog,
            QUESTION_FILES["heldout"],
            schools,
            quiet,
            "heldout.yaml (held out: no sentence added or tuned for; aggregate figures were seen)",
        )
    data = read_question_set(QUESTION_FILES["questions"])
    uncurated_check(catalog, policies, data, schools)
    return 0
