"""The learned triage layer: harm described in words no rule lists reaches a report or the
confirm card; ordinary questions stay questions; the rules stay the floor.

Messages here are invented for these tests (none comes from an evaluation set)."""

import numpy as np
import pytest

from bot.triage import classify, learned, rules

REPORT_OR_CONFIRM = {"disclosure", "incident", "allegation", "confirm"}


@pytest.mark.parametrize(
    "text",
    [
        "the little lad in nursery has had the same vest on all week and he eats everyone's leftovers at lunch",
        "one of my year 8 girls gets picked up in a different car most days by men much older than her, she has a new phone and nails done",
        "a quiet boy in Y10 has started carrying a bag he won't let go of and has a lot of cash, says he does jobs for his cousin's mates",
        "Y3 girl said she's going on a long holiday to see family and there's a special party for her where she becomes a woman",
        "she told me at the end of the day that mummy's boyfriend shouts and throws things at mummy when he's had a drink",
    ],
)
def test_harm_in_plain_words_is_never_answered_as_a_question(text):
    assert classify(text).kind in REPORT_OR_CONFIRM


@pytest.mark.parametrize(
    "text",
    [
        "the new football coach keeps giving one boy lifts home and messaging him late, it feels a bit off",
        "a TA in year 6 follows several of the girls on TikTok and comments on their videos",
    ],
)
def test_an_adult_at_school_with_mild_words_goes_to_the_adult_flow_or_asks(text):
    result = classify(text)
    assert result.kind in ("allegation", "confirm")
    if result.kind == "confirm":
        assert result.likely == "allegation"


@pytest.mark.parametrize(
    "text",
    [
        "can I accept a friend request from a parent?",
        "who reviews this policy and when?",
        "are we allowed to use our own phones in the staffroom at lunch",
        "hello",
        "thanks, that's really helpful",
        "0×Y0",
    ],
)
def test_ordinary_questions_stay_questions(text):
    assert classify(text).kind == "question"


@pytest.mark.parametrize(
    "text",
    [
        "where can I find lesson resources about county lines for year 9?",
        "is there a good video on grooming I can use in a year 8 PSHE lesson",
        "planning a parents workshop on online grooming, who should I run the slides past?",
    ],
)
def test_planning_teaching_about_a_harm_stays_a_question(text):
    """Naming a harm is not reporting one: the neighbours of a lesson plan are lesson plans."""
    assert classify(text).kind == "question"


def _bank() -> learned.Bank:
    """Two tight clusters of situations: questions near one axis, disclosures near another."""
    rng = np.random.default_rng(0)
    questions = np.eye(8)[0] + 0.05 * rng.standard_normal((30, 8))
    disclosures = np.eye(8)[1] + 0.05 * rng.standard_normal((10, 8))
    return learned.Bank(np.vstack([questions, disclosures]).astype(np.float32), np.array([0] * 30 + [1] * 10))


def test_the_nearest_situations_vote_for_their_label_though_they_are_fewer():
    bank = _bank()
    near_a_disclosure = np.eye(8, dtype=np.float32)[1:2] * 3.0 + 0.1  # any length: the vote reads its direction
    vote = bank.vote(near_a_disclosure)[0]
    assert vote.argmax() == learned.LABELS.index("disclosure") and vote.sum() == pytest.approx(1.0)
    assert bank.vote(np.eye(8, dtype=np.float32)[0:1])[0].argmax() == learned.LABELS.index("question")


def test_the_bank_survives_being_stored_as_int8():
    bank = _bank()
    stored = learned.Bank.load(bank.packed())
    probe = np.eye(8, dtype=np.float32)[1:2] + 0.2
    assert np.allclose(stored.vote(probe), bank.vote(probe), atol=0.02)


def test_a_bank_of_full_width_embeddings_keeps_its_principal_directions_and_still_finds_neighbours():
    rng = np.random.default_rng(1)
    width = learned.BANK_DIMS * 3
    centres = rng.standard_normal((2, width))
    vectors = np.vstack(
        [centres[0] + 0.1 * rng.standard_normal((200, width)), centres[1] + 0.1 * rng.standard_normal((100, width))]
    )
    bank = learned.Bank(vectors.astype(np.float32), np.array([0] * 200 + [2] * 100))
    assert bank.vectors.shape == (300, learned.BANK_DIMS) and bank.dims == width
    stored = learned.Bank.load(bank.packed())
    probe = (centres[1] + 0.1 * rng.standard_normal(width)).astype(np.float32)[None, :]
    assert stored.vote(probe)[0].argmax() == learned.LABELS.index("incident")


def test_the_rules_are_the_floor(monkeypatch):
    """Whatever the model says, a message the rules call a report is never answered: when the
    model is sure it is an ordinary question, the bot asks, ready to start the rules' report."""
    text = "a pupil told me her dad hit her with a belt last night"
    assert rules.classify(text).kind == "disclosure"
    assert classify(text).kind == "disclosure"
    monkeypatch.setattr(learned.classifier(), "probabilities", lambda _t, _flags=None: np.array([1.0, 0.0, 0.0, 0.0]))
    result = classify(text)
    assert (result.kind, result.likely) == ("confirm", "disclosure")


def _model_says(monkeypatch, p_question: float) -> None:
    """P(question) as given, the rest spread over the report kinds (so the model names none)."""
    probs = np.array([p_question, *[(1.0 - p_question) / 3] * 3])
    monkeypatch.setattr(learned.classifier(), "probabilities", lambda _t, _flags=None: probs)


def test_a_question_the_rules_misread_is_answered_with_the_report_a_tap_away(monkeypatch):
    """A question about the policy that names a harm: the rules call it a report; a model all but
    certain it is a question answers it, and the reply keeps "Report a concern" beside the answer."""
    text = "is child sexual exploitation covered in the policy?"
    assert rules.classify(text).is_report
    _model_says(monkeypatch, 0.995)
    result = classify(text)
    assert result.kind == "question" and result.may_concern_child
    _model_says(monkeypatch, 0.97)  # only sure: the bot asks
    assert classify(text).kind == "confirm"


def test_an_imagined_situation_starts_a_report_only_when_the_model_agrees(monkeypatch):
    """'if a governor posted ...': the rules see an adult at school doing something, but nothing may
    have happened, so the bot asks unless the model is sure it is a report."""
    text = "if a governor posted a photo of the school disco with pupils in it, would that be against the rules"
    assert rules.classify(text).is_report and rules.reads_as_imagined(text)
    _model_says(monkeypatch, 0.5)
    result = classify(text)
    assert (result.kind, result.likely) == ("confirm", rules.classify(text).kind)
    _model_says(monkeypatch, 0.02)
    assert classify(text).kind == rules.classify(text).kind
    told = "a pupil told me her dad hit her with a belt last night"  # reported, not imagined
    assert not rules.reads_as_imagined(told)
    _model_says(monkeypatch, 0.5)
    assert classify(told).kind == "disclosure"


def test_a_narrated_event_is_never_overruled(monkeypatch):
    """Not phrased as a question: however sure the model is, the rules' report is asked about."""
    text = "a pupil told me her dad hit her with a belt last night"
    _model_says(monkeypatch, 1.0)
    assert classify(text).kind == "confirm"


def test_an_urgent_rule_report_is_never_disputed(monkeypatch):
    text = "a man in a van tried to get a year 4 girl to come with him at the gate"
    monkeypatch.setattr(learned.classifier(), "probabilities", lambda _t, _flags=None: np.array([1.0, 0.0, 0.0, 0.0]))
    result = classify(text)
    assert (result.kind, result.urgent) == ("disclosure", True)


def test_a_rule_report_the_model_only_doubts_is_still_started(monkeypatch):
    text = "a pupil told me her dad hit her with a belt last night"
    monkeypatch.setattr(learned.classifier(), "probabilities", lambda _t, _flags=None: np.array([0.9, 0.1, 0.0, 0.0]))
    assert classify(text).kind == "disclosure"


def test_unsure_means_ask(monkeypatch):
    monkeypatch.setattr(learned.classifier(), "probabilities", lambda _t, _flags=None: np.array([0.4, 0.1, 0.45, 0.05]))
    result = classify("something happened on the class chat yesterday afternoon")
    assert (result.kind, result.likely) == ("confirm", "incident")
    assert not result.is_report


@pytest.mark.parametrize(
    "text",
    [
        "year 8s made a group chat called 'kill jodie' and keep adding her back",
        "kids in year 6 keep commenting 'kys' under a classmate's videos",
    ],
)
def test_an_online_incident_the_rules_read_as_a_disclosure_gets_the_incident_report(text):
    """A harm word ("kill", "kys") makes the rules call it a disclosure; the model knows bullying
    in a group chat or under videos is an online-safety incident, and that report starts."""
    assert rules.classify(text).kind == "disclosure"
    assert classify(text).kind == "incident"


def test_a_coach_outside_school_is_reported_though_the_model_reads_him_as_staff():
    """A known trade of letting the model pick the kind: a coach at a weekend club is read as an
    adult at school, so the adult-concern report starts where the disclosure one would be right.
    It is still a report, started at once and alerted."""
    text = "A Year 6 pupil said that a coach at his weekend football club asked him to keep their messages private."
    assert rules.classify(text).kind == "disclosure"
    assert classify(text).kind in ("disclosure", "allegation")


def _kinds_say(monkeypatch, probs: list[float]) -> None:
    monkeypatch.setattr(learned.classifier(), "probabilities", lambda _t, _flags=None: np.array(probs))


def test_the_model_picks_the_report_only_when_it_is_sure_of_another_kind(monkeypatch):
    text = "the netball coach gives a year 7 girl a lift home on her own most weeks"
    assert rules.classify(text).kind == "allegation"
    _kinds_say(monkeypatch, [0.0, 0.1, 0.85, 0.05])
    assert classify(text).kind == "incident"
    _kinds_say(monkeypatch, [0.0, 0.3, 0.55, 0.15])  # only leaning: the rules' kind stands
    assert classify(text).kind == "allegation"


def test_a_disclosure_of_exploitation_keeps_its_own_report(monkeypatch):
    """Sextortion told by a child: the disclosure report keeps the child's words, whatever kind the
    model leans to."""
    text = "a year 9 lad said someone online has his pics and wants money or they'll send them to everyone"
    assert "harm_exploitation" in rules.classify(text).reasons
    _kinds_say(monkeypatch, [0.0, 0.05, 0.95, 0.0])
    assert classify(text).kind == "disclosure"


def test_the_confirm_card_offers_the_report_of_the_kind_the_model_is_sure_of(monkeypatch):
    text = "the netball coach gives a year 7 girl a lift home on her own most weeks"
    _kinds_say(monkeypatch, [0.97, 0.0, 0.03, 0.0])  # all but sure it is a question, and of the kind if not
    result = classify(text)
    assert (result.kind, result.likely) == ("confirm", "incident")


@pytest.mark.parametrize(
    "for_model, bank",
    [
        ("some-other-model", {}),  # another encoder's weights
        ("this model", {}),  # from before the neighbours' vote
        (
            "this model",
            {"bank": np.zeros((2, 384), np.int8), "bank_labels": np.zeros(2, np.int8)},
        ),  # before its projection
    ],
)
def test_weights_that_do_not_fit_this_build_are_a_clear_error(tmp_path, for_model, bank):
    """Refit with make train-triage, rather than a KeyError or nonsense mid-message."""
    from knowledge.embedding import model_id

    path = tmp_path / "classifier.npz"
    np.savez(
        path,
        coef=np.zeros((4, 401), np.float32),
        intercept=np.zeros(4, np.float32),
        labels=np.array(learned.LABELS),
        model_id=np.array(model_id() if for_model == "this model" else for_model),
        **bank,
    )
    with pytest.raises(RuntimeError, match="make train-triage"):
        learned._Classifier(path)
