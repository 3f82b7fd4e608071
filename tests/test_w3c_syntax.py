"""The W3C SPARQL query and update syntax tests (sparql11/syntax-query, sparql10/syntax-sparql1..5,
sparql11/syntax-update-1/2), one pytest test each, against a real `kg serve` on loopback: a positive test
must be accepted (2xx, or a documented cap: 422 result cap, 503 time limit; LOAD, and FROM/USING naming a
graph the store does not hold, are refused with 400 by policy: named in tests/w3c/runner.py), a negative
one must be 400 (never 500, never a dead worker)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.w3c import QUERY_SYNTAX_DIRS, SPARQL, UPDATE_SYNTAX_DIRS, missing_reason

if (_missing := missing_reason()) is not None:
    pytest.skip(_missing, allow_module_level=True)

from tests.w3c.manifest import SyntaxTest, syntax_tests
from tests.w3c.runner import (
    POLICY_KEYWORDS,
    REFUSED_BY_POLICY,
    Service,
    check_syntax,
    kg_serve,
    refused_by_policy,
    send_syntax,
)

QUERY_TESTS = [t for suite in QUERY_SYNTAX_DIRS for t in syntax_tests(SPARQL, suite)]
UPDATE_TESTS = [t for suite in UPDATE_SYNTAX_DIRS for t in syntax_tests(SPARQL, suite)]


def _id(test: SyntaxTest) -> str:
    keyword = refused_by_policy(test)
    return f"{test.id}-refused-by-policy-{keyword}" if keyword else test.id


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """One `kg serve` for the module on a throwaway store (the protocol suite's data1-3); updates may
    change it, the syntax tests do not look at answers."""
    with kg_serve(tmp_path_factory.mktemp("w3c-syntax")) as s:
        yield s


def test_manifests_read() -> None:
    assert len(QUERY_TESTS) == 293 and len(UPDATE_TESTS) == 55
    assert len({t.id for t in QUERY_TESTS + UPDATE_TESTS}) == len(QUERY_TESTS) + len(UPDATE_TESTS)
    assert all(t.action.is_file() for t in QUERY_TESTS + UPDATE_TESTS)


def _keywords(test: SyntaxTest) -> set[str]:
    """The policy keywords in the test's text, comment lines aside."""
    text = "\n".join(line for line in test.action.read_text().splitlines() if not line.lstrip().startswith("#"))
    return {k for k in POLICY_KEYWORDS if re.search(rf"\b{k}\b", text, re.IGNORECASE)}


def test_policy_refusals_are_named_exactly() -> None:
    """The positive tests counted as refused by policy hold the keyword, and no other positive test does."""
    positive = {t.id: t for t in QUERY_TESTS + UPDATE_TESTS if t.positive}
    assert set(REFUSED_BY_POLICY) <= set(positive)
    for test_id, keyword in REFUSED_BY_POLICY.items():
        assert keyword in _keywords(positive[test_id]), test_id
    assert {i for i, t in positive.items() if _keywords(t)} == set(REFUSED_BY_POLICY)


@pytest.mark.parametrize("test", QUERY_TESTS, ids=_id)
def test_query_syntax(service: Service, test: SyntaxTest) -> None:
    problem = check_syntax(test, send_syntax(service, test))
    assert problem is None, f"{test.iri} ({test.action.name}): {problem}"


@pytest.mark.parametrize("test", UPDATE_TESTS, ids=_id)
def test_update_syntax(service: Service, test: SyntaxTest) -> None:
    problem = check_syntax(test, send_syntax(service, test))
    assert problem is None, f"{test.iri} ({test.action.name}): {problem}"


def test_server_survived(service: Service) -> None:
    """Runs last in the module: the server still answers, and no query worker crashed on the way."""
    assert service.alive(), service.log.read_text()
    assert not service.worker_deaths()
