"""An uncurated clause's verdict comes from its own wording, and only plain wording gives one."""

import pytest

from knowledge.modality import clause_verdict


@pytest.mark.parametrize(
    "text, verdict",
    [
        ("Staff must not accept friend requests from current pupils.", "no"),
        ("Images of pupils must never be posted on personal accounts.", "no"),
        ("Use of personal devices in classrooms is not permitted.", "no"),
        ("No current pupils as friends or followers.", "no"),
        ("3.2 Staff are advised not to accept friend requests from parents.", "no"),
        ("Former pupils may only be added once they are 18 or over.", "conditional"),
        ("Photos of pupils must only be taken on school-owned devices.", "conditional"),
        ("Parents may film their own child but must not share footage of other children.", "conditional"),
        (
            "Personal use in work time is not permitted unless permission has been given by the Headteacher.",
            "ask_first",
        ),
        ("References to pupils need the Headteacher's prior agreement.", "ask_first"),
        ("Staff may use their own phones in the staff room.", "yes"),
        ("Volunteers are permitted to join the school's page.", "yes"),
        ("A breach of this policy may lead to disciplinary action.", "info"),
        ("This policy applies to all staff and volunteers.", "info"),
    ],
)
def test_clause_wording_gives_the_verdict(text, verdict):
    assert clause_verdict(text) == verdict
