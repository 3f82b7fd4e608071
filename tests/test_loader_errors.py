"""Every kind of bad input fails the load with file, line and term, and leaves the store as it was."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.errors import InconsistencyError, LoadError
from kg.loader import Sources, load
from kg.store import Store, open_store

from .conftest import ONTOLOGY

DOC = "000_27b38dd4aa941715"
GOOD_QUOTE = "DeepSeek, a prominent Chinese AI developer"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    from .conftest import DATA

    store = open_store("oxigraph", tmp_path_factory.mktemp("errors-store"))
    load(store, Sources(ONTOLOGY, DATA))
    yield store
    store.close()


def snapshot(store: Store) -> tuple[str, frozenset[tuple[object, ...]]]:
    return store.version, frozenset(store.quads())


def claim_file(data: Path, body: str) -> Path:
    path = data / "claims" / "zz-test.yaml"
    path.write_text(f'document: "{DOC}"\nclaims:\n{body}', encoding="utf-8")
    return path


def expect_refused(store: Store, sources: Sources, *fragments: str) -> LoadError:
    before = snapshot(store)
    with pytest.raises(LoadError) as info:
        load(store, sources)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    assert snapshot(store) == before, "a failed load must leave the store unchanged"
    return info.value


def test_quote_not_in_document(loaded: Store, data_copy: Path) -> None:
    path = claim_file(data_copy, """  - id: invented
    quote: "DeepSeek trains on the Moon"
    by: article-author
    status: reported
    facts:
      deepseek: {a: AIDeveloper}
""")
    err = expect_refused(loaded, Sources(ONTOLOGY, data_copy), f"{path}:4:", "quote not found", DOC)
    assert err.line == 4


def test_quote_with_straight_quotes_suggests_the_document_wording(loaded: Store, data_copy: Path) -> None:
    claim_file(data_copy, """  - id: straight
    quote: "It's an obvious choice to come here."
    by: article-author
    status: reported
    facts:
      deepseek: {a: AIDeveloper}
""")
    expect_refused(loaded, Sources(ONTOLOGY, data_copy), "the document has it as", "It\u2019s an obvious choice")


def test_unknown_entity(loaded: Store, data_copy: Path) -> None:
    path = claim_file(data_copy, f"""  - id: unknown-entity
    quote: "{GOOD_QUOTE}"
    by: article-author
    status: reported
    facts:
      deepseek:
        a: AIDeveloper
        headquarteredIn: atlantis
""")
    err = expect_refused(loaded, Sources(ONTOLOGY, data_copy), f"{path}:10:", "unknown entity 'atlantis'")
    assert err.term == "atlantis"


def test_unknown_property(loaded: Store, data_copy: Path) -> None:
    path = claim_file(data_copy, f"""  - id: unknown-property
    quote: "{GOOD_QUOTE}"
    by: article-author
    status: reported
    facts:
      deepseek:
        a: AIDeveloper
        trainsOnTuesdays: true
""")
    expect_refused(loaded, Sources(ONTOLOGY, data_copy), f"{path}:10:", "unknown property 'trainsOnTuesdays'")


def test_unknown_class(loaded: Store, data_copy: Path) -> None:
    claim_file(data_copy, f"""  - id: unknown-class
    quote: "{GOOD_QUOTE}"
    by: article-author
    status: reported
    facts:
      deepseek: {{a: Unicorn}}
""")
    expect_refused(loaded, Sources(ONTOLOGY, data_copy), "unknown class 'Unicorn'", "[term: Unicorn]")


def test_unknown_vocabulary_term(loaded: Store, data_copy: Path) -> None:
    claim_file(data_copy, f"""  - id: unknown-term
    quote: "{GOOD_QUOTE}"
    by: article-author
    status: reported
    facts:
      deepseek:
        a: AIDeveloper
        foaf:nick: deep
""")
    expect_refused(loaded, Sources(ONTOLOGY, data_copy), "unknown property 'foaf:nick'")


def test_unknown_status(loaded: Store, data_copy: Path) -> None:
    claim_file(data_copy, f"""  - id: bad-status
    quote: "{GOOD_QUOTE}"
    by: article-author
    status: rumoured
    facts:
      deepseek: {{a: AIDeveloper}}
""")
    expect_refused(loaded, Sources(ONTOLOGY, data_copy), "unknown status 'rumoured'")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2025-02-30", "not a calendar date"),
        ("2025-13", "month 13"),
        ("1066-10-14", "out of range"),
        ("April 2025", "not a date of the form"),
    ],
)
def test_bad_dates(loaded: Store, data_copy: Path, value: str, reason: str) -> None:
    path = claim_file(data_copy, f"""  - id: bad-date
    quote: "{GOOD_QUOTE}"
    by: article-author
    status: reported
    facts:
      deepseek-domestic-training:
        a: TrainingActivity
        startDate: "{value}"
""")
    err = expect_refused(loaded, Sources(ONTOLOGY, data_copy), f"{path}:10:", reason)
    assert err.term == value


def test_bad_number(loaded: Store, data_copy: Path) -> None:
    claim_file(data_copy, f"""  - id: bad-number
    quote: "{GOOD_QUOTE}"
    by: article-author
    status: reported
    facts:
      h20:
        a: Chip
        memoryGB: lots
""")
    expect_refused(loaded, Sources(ONTOLOGY, data_copy), "'lots' is not a decimal")


def test_unparsable_yaml(loaded: Store, data_copy: Path) -> None:
    path = claim_file(data_copy, "  - id: [unclosed\n    quote: x\n")
    expect_refused(loaded, Sources(ONTOLOGY, data_copy), str(path), "YAML does not parse")


def test_duplicate_claim_id(loaded: Store, data_copy: Path) -> None:
    entry = f"""  - id: twice
    quote: "{GOOD_QUOTE}"
    by: article-author
    status: reported
    facts:
      deepseek: {{a: AIDeveloper}}
"""
    claim_file(data_copy, entry + entry)
    expect_refused(loaded, Sources(ONTOLOGY, data_copy), "duplicate claim id")


def test_unknown_document(loaded: Store, data_copy: Path) -> None:
    (data_copy / "claims" / "zz-test.yaml").write_text(
        'document: "no-such-doc"\nclaims: []\n', encoding="utf-8")
    expect_refused(loaded, Sources(ONTOLOGY, data_copy), "unknown document 'no-such-doc'")


def test_edited_document_text_is_detected(loaded: Store, data_copy: Path) -> None:
    text = data_copy / "documents" / f"{DOC}.txt"
    text.write_text(text.read_text(encoding="utf-8").replace("25%", "35%"), encoding="utf-8")
    expect_refused(loaded, Sources(ONTOLOGY, data_copy), "changed: sha256")


def test_unparsable_ontology(loaded: Store, data_copy: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    text = ONTOLOGY.read_text(encoding="utf-8") + '\naic:oops a owl:Class ; rdfs:label "unterminated .\n'
    broken.write_text(text, encoding="utf-8")
    expect_refused(loaded, Sources(broken, data_copy), str(broken), "ontology does not parse")


def test_inconsistent_data_is_refused(loaded: Store, data_copy: Path) -> None:
    # Passes the integrity shapes, but a person cannot be an organisation: the ontology makes them disjoint.
    claim_file(data_copy, f"""  - id: think-tank-as-person
    quote: "{GOOD_QUOTE}"
    by: article-author
    status: reported
    facts:
      hinrich-foundation:
        a: Person
""")
    before = snapshot(loaded)
    with pytest.raises(InconsistencyError, match="inconsisten"):
        load(loaded, Sources(ONTOLOGY, data_copy))
    assert snapshot(loaded) == before


def test_a_good_load_after_failures_still_works(loaded: Store, data_copy: Path) -> None:
    before = loaded.version
    load(loaded, Sources(ONTOLOGY, data_copy))
    assert loaded.version != before
    assert loaded.count() > 0
