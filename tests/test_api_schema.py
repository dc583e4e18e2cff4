"""The API keeps its published schema: schemathesis generates requests for every operation in
/api/v1/openapi.json, as every role and without a token, and each answer must be documented —
its status, its content type, its headers and its body — and never a 5xx.

The cases are derandomized and bounded (``EXAMPLES`` per operation and role, half of them
schema-valid and half not), and steered towards real tasks, plans, files and periods so the
answers include 200s, 403s and 409s, not only 404s and 422s.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from planflow.application.queries import BoardFilter, list_tasks
from planflow.workflow.loader import LoadedPlan
from webkit import PDF, WebWorld, make_world, seed_database

EXAMPLES = 16
ROLES = ("director", "staff", "officer-a", "auditor", "admin", None)
CHECKS = [
    not_a_server_error,  # first: the outage test leaves it out
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
PLAN = "mini-2022"
REVOKE = "DELETE /api/v1/token"


@dataclass
class Tally:
    cases: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    answered: dict[str, set[int]] = field(default_factory=dict)
    violations: set[tuple[str, str, int]] = field(default_factory=set)
    examples: dict[tuple[str, str, int], str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, template: Path) -> Iterator[WebWorld]:
    yield from make_world(tmp_path_factory.mktemp("world"), template)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, mini_plan: LoadedPlan) -> Path:
    return seed_database(tmp_path_factory.mktemp("seed") / "seed.db", mini_plan)


@pytest.fixture(scope="module")
def known(world: WebWorld) -> dict[str, list[str]]:
    """Real task ids, one stored file and the plan: the values the generated cases may use."""
    views = list_tasks(world.app.engine, world.clock(), BoardFilter(), as_of=False)
    tasks = [v.id for v in views if v.agency == "so-a"][:3] + [
        v.id for v in views if v.agency == "so-b"
    ][:2]
    sent = world.client.post(
        f"/api/v1/tasks/{tasks[0]}/report",
        files={"file": ("report.pdf", PDF, "application/pdf")},
        headers=world.token("officer-a"),
    )
    assert sent.status_code == 200, sent.text
    return {"task": tasks, "sha256": [hashlib.sha256(PDF).hexdigest()], "code": [PLAN]}


@pytest.fixture(scope="module")
def schema(world: WebWorld) -> Any:
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", world.web)


def _strategy(operation: Any, known: dict[str, list[str]]) -> st.SearchStrategy[Any]:
    """Generated cases, positive and negative, some of them on real tasks, files and plans."""
    names = {p.name for p in operation.path_parameters}
    fixed: list[dict[str, Any]] = [{}]
    if "task" in names:
        fixed += [{"task": task} for task in known["task"]]
    if "sha256" in names:
        fixed += [{"task": known["task"][0], "sha256": known["sha256"][0]}]
    if "code" in names:
        fixed += [{"code": PLAN}]
    query_names = {p.name for p in operation.query}
    queries: list[dict[str, Any] | None] = [None]
    if {"plan", "period"} <= query_names:
        queries += [{"plan": PLAN, "period": "2022-Q1", "format": "html"}]
    options = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        for path in fixed:
            for query in queries:
                extra = {"query": query} if query else {}
                options.append(operation.as_strategy(mode, path_parameters=path or None, **extra))
    return st.one_of(options)


@pytest.fixture(scope="module")
def cases(schema: Any, known: dict[str, list[str]]) -> dict[str, list[Any]]:
    """The generated cases, per operation: drawn once, then sent as every role."""
    return {result.ok().label: _draw(result.ok(), known) for result in schema.get_all_operations()}


def _draw(operation: Any, known: dict[str, list[str]]) -> list[Any]:
    found: list[Any] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategy(operation, known))
    def draw(case: Any) -> None:
        found.append(case)

    draw()
    return found


def _send(world: WebWorld, cases: dict[str, list[Any]], role: str | None) -> Tally:
    tally = Tally()
    headers = world.token(role) if role else {}
    with asgi.get_client(world.web) as client:
        for label, found in cases.items():
            for case in found:
                sent = headers
                if label == REVOKE and role:
                    sent = world.token(role)  # each revocation spends its own token
                if not role:
                    for name in list(case.headers or {}):
                        if name.lower() == "authorization":
                            del case.headers[name]
                response = case.call(session=client, headers=sent)
                tally.cases += 1
                status = response.status_code
                tally.statuses[status] = tally.statuses.get(status, 0) + 1
                tally.answered.setdefault(label, set()).add(status)
                try:
                    case.validate_response(response, checks=CHECKS, headers=sent)
                except FailureGroup as group:
                    for failure in group.exceptions:
                        _record(tally, label, failure, response)
                except Failure as failure:
                    _record(tally, label, failure, response)
    return tally


def _record(tally: Tally, label: str, failure: Failure, response: Any) -> None:
    key = (label, failure.title, response.status_code)
    tally.violations.add(key)
    tally.examples.setdefault(key, f"{failure.message[:400]}\n    {response.text[:300]}")


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "no-token")
def test_every_operation_answers_as_its_schema_says(
    world: WebWorld, cases: dict[str, list[Any]], role: str | None
) -> None:
    tally = _send(world, cases, role)
    print(f"\n{role or 'no token'}: {len(cases)} operations, {tally.cases} cases, {tally.statuses}")
    report = "\n".join(
        f"{label}: {title} (HTTP {status})\n    {tally.examples[(label, title, status)]}"
        for label, title, status in sorted(tally.violations)
    )
    assert not tally.violations, f"{len(tally.violations)} violations:\n{report}"
    assert tally.cases >= len(cases) * EXAMPLES // 2
    if role == "director":  # the cases reach real data: every read succeeds at least once
        unread = [
            label
            for label, statuses in tally.answered.items()
            if label.startswith("GET") and not any(200 <= s < 300 for s in statuses)
        ]
        assert not unread, unread


def test_while_the_database_is_out_every_operation_answers_a_documented_503(
    tmp_path: Path, template: Path, cases: dict[str, list[Any]]
) -> None:
    store, away = tmp_path / "store", tmp_path / "away"
    store.mkdir()
    for outage in make_world(store, template):
        headers = outage.token("director")
        store.rename(away)  # the database file's folder is gone: no connection can open
        outage.app.engine.dispose()
        try:
            tally = Tally()
            with asgi.get_client(outage.web) as client:
                for label, found in cases.items():
                    case = found[0]
                    response = case.call(session=client, headers=headers)
                    tally.statuses[response.status_code] = 1 + tally.statuses.get(
                        response.status_code, 0
                    )
                    assert int(response.headers["retry-after"][0]) > 0, (label, response.text)
                    try:
                        case.validate_response(response, checks=CHECKS[1:], headers=headers)
                    except (Failure, FailureGroup) as failure:
                        raise AssertionError(f"{label}: {failure}") from None
        finally:
            away.rename(store)
        outage.app.engine.dispose()
    assert set(tally.statuses) == {503}, tally.statuses


def test_fastapis_own_refusals_on_the_api_are_problems_too(world: WebWorld) -> None:
    headers = world.token("director")
    task = list_tasks(world.app.engine, world.clock(), BoardFilter(), as_of=False)[0].id
    unreadable = world.client.post(
        f"/api/v1/tasks/{task}/accept",
        content=b"\xff{",
        headers={**headers, "Content-Type": "application/json"},
    )
    missing = world.client.get("/api/v1/no-such-thing", headers=headers)
    wrong_method = world.client.put("/api/v1/plans", headers=headers)
    for response, status in ((unreadable, 400), (missing, 404), (wrong_method, 405)):
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == status
    assert wrong_method.headers["Allow"] == "GET"
    spec = world.client.get("/api/v1/openapi.json").json()
    documented = spec["paths"]["/api/v1/tasks/{task}/accept"]["post"]["responses"]["400"]
    assert documented["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    assert "HTTPValidationError" not in spec["components"]["schemas"]
