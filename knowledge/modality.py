"""What a policy clause's own wording says a member of staff may do: its modality.

An uncurated school (an ingested policy) has no hand-written verdict, but most rules say
plainly whether something is forbidden ("must not", "never", "not permitted"), allowed only
under a condition ("only once they are 18", "unless", "with the Headteacher's permission") or
allowed ("may", "can", "are permitted"). Reading that wording gives an honest verdict next
to the quoted clause; anything less plain stays `info` (the clause is quoted, no verdict).

Rules that both allow and forbid ("Parents may film their own child ... but must not share
footage of others") are `conditional`: the answer depends on which part applies.
"""

from __future__ import annotations

import re

_FLAGS = re.IGNORECASE

_PERMISSION = re.compile(
    r"\b(?:with|without|seek|get|obtain|ask for|given|gives?|granted|prior|express|written)\b[^.;]{0,40}"
    r"\b(?:permission|approval|agreement|consent|authori[sz]ation)\b"
    r"|\b(?:permission|approval|agreement|consent)\b[^.;]{0,30}\b(?:given|granted|obtained|sought|from)\b"
    r"|\bunless (?:authori[sz]ed|approved|agreed)\b|\bcheck with\b|\bask (?:the|your) \w+ first\b",
    _FLAGS,
)

_CONDITION = re.compile(
    r"\bonly\b[^.;]{0,80}\b(?:if|once|when|where|after|with|until|through|via|on|in)\b|\bonly (?:be|once|if|when|after)\b"
    r"|\bunless\b|\bexcept\b|\bprovided(?: that)?\b|\bas long as\b|\bsubject to\b|\bnot before\b"
    r"|\bnot until\b|\bat least\b",
    _FLAGS,
)

_FORBID = re.compile(
    r"\b(?:must|should|shall|will|may|can|are to|is to)\s+(?:not|never)\b|\bcannot\b|\bmustn'?t\b|\bshouldn'?t\b"
    r"|\bnever\b|\bnot (?:be )?(?:permitted|allowed|acceptable|appropriate|tolerated)\b|\bprohibited\b|\bforbidden\b"
    r"|\bbanned\b|\bunder no circumstances\b|\bdo not\b|\bdon'?t\b|\bno (?:member|staff|one|adult|employee)\b"
    r"|\badvised not to\b|\bnot to (?:accept|add|post|use|share|contact|give|take)\b|\bmust be declined\b"
    r"|\brefrain from\b|^\s*(?:\d+(?:\.\d+)*\s+)?no\s+\w+",
    _FLAGS,
)

_ALLOW = re.compile(
    r"\b(?:may|can|are free to|is fine to|are welcome to)\b(?!\s+(?:not|never|lead|result|be treated|constitute|bring the|cause))"
    r"|\b(?:are|is) (?:permitted|allowed|acceptable)\b|^\s*[\w ,'-]{0,40}:\s*allowed\b",
    _FLAGS,
)


def clause_verdict(text: str) -> str:
    """`no`, `conditional`, `ask_first`, `yes` or `info` from the clause's own wording."""
    forbid, allow = bool(_FORBID.search(text)), bool(_ALLOW.search(text))
    if _PERMISSION.search(text):
        return "ask_first"
    if _CONDITION.search(text) and (allow or forbid or re.search(r"\bonly\b", text, _FLAGS)):
        return "conditional"
    if forbid and allow:
        return "conditional"
    if forbid:
        return "no"
    if allow:
        return "yes"
    return "info"
