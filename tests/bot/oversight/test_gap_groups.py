"""Unanswered questions asked in different words land in one group named after the most asked."""

from __future__ import annotations

from bot.oversight.gap_groups import Gap, group_gaps


def test_questions_about_one_topic_group_together_and_other_topics_stay_apart():
    groups = group_gaps(
        [
            Gap("can I livestream the school play", 1),
            Gap("is a staff WhatsApp group allowed", 3),
            Gap("are we allowed to message colleagues in a whatsapp chat", 2),
            Gap("can staff have a whatsapp group with each other", 4),
            Gap("can I wear a smartwatch in class", 2),
            Gap("are smart watches allowed for staff", 1),
        ]
    )
    assert [(g.label, g.questions, len(g.examples)) for g in groups] == [
        ("can staff have a whatsapp group with each other", 9, 3),
        ("can I wear a smartwatch in class", 3, 2),
        ("can I livestream the school play", 1, 1),
    ]
    assert groups[0].describe() == "9 questions like \u201ccan staff have a whatsapp group with each other\u201d"


def test_no_gaps_no_groups():
    assert group_gaps([]) == []
