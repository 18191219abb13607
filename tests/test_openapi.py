"""schemathesis against the OpenAPI schema: no 5xx, and every answer matches the schema.

Positive (schema-valid) and negative (schema-violating) requests are both generated.
Every check runs except two about the status class: "schema-valid data is accepted" (the
schema cannot say that a cursor must come from a previous page, that ``If-Match`` must
name the latest revision, or that node references must exist, so such requests rightly
get 400, 412 or 422) and "schema-violating data is rejected" (unknown query parameters
are ignored, as HTTP APIs conventionally do). No 5xx and schema-conformant answers,
headers and content types are checked for all of them.

The server has tokens and the requests carry a write token, so schemathesis also checks
that requests with a missing or made-up token are refused. Examples are bounded so that
the whole run takes seconds; the store holds the bundled examples, so generated requests
hit existing incidents as well as missing ones. The event stream is left out: it never
ends by design (tests/test_service_processes.py covers it over real HTTP).

Generated bodies are rarely valid incidents, so the render and analysis operations are
also called with the bundled examples in every format and with view options, and those
answers are validated against the schema in the same way.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import negative_data_rejection, positive_data_acceptance
from schemathesis.core.result import Ok

from causemap.loader import dump, load
from causemap.service import Settings, Tokens, create_app
from causemap.store import Store
from tests.conftest import EXAMPLES
from tests.test_service import TOKENS, WRITE

EXAMPLES_PER_OPERATION = 30
NEW_OPERATIONS = {
    "POST /render",
    "GET /render/{format}/{encoded}",
    "GET /incidents/{incident_id}/render.{format}",
    "GET /incidents/{incident_id}/analysis",
    "POST /analyze",
    "POST /lint",
    "POST /suggest",
    "POST /patterns",
    "GET /patterns",
    "GET /whoami",
    "GET /catalog",
    "GET /incidents/{incident_id}/layout",
    "PUT /incidents/{incident_id}/layout",
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    db = f"sqlite:///{tmp_path_factory.mktemp('openapi') / 'api.db'}"
    with Store.open(db) as store:
        for path in EXAMPLES:
            store.create(load(path))
    web = Path(tmp_path_factory.mktemp("web"))
    application = create_app(Settings(db=db, web_dir=web, tokens=Tokens.parse(TOKENS)))
    yield application
    application.state.store.close()


@pytest.mark.slow
@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode))
def test_api_conforms_to_its_schema(app: FastAPI, mode: schemathesis.GenerationMode) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # every operation's schema loads
        operations.append(result.ok())
    tested = [op for op in operations if not op.path.endswith("/events")]
    assert len(tested) >= 10
    paths = {f"{op.method.upper()} {op.path.removeprefix('/api/v1')}" for op in tested}
    assert paths >= NEW_OPERATIONS, NEW_OPERATIONS - paths
    for operation in tested:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(
                headers={"Authorization": f"Bearer {WRITE}"},
                excluded_checks=[positive_data_acceptance, negative_data_rejection],
            )

        try:
            check()
        except Unsatisfiable:
            # No parameters or body to break: nothing negative to send.
            assert mode is schemathesis.GenerationMode.NEGATIVE


def _operation(schema: Any, method: str, path: str) -> Any:
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() == method and operation.path == f"/api/v1{path}":
            return operation
    raise AssertionError(f"no operation {method} {path}")


@pytest.mark.dot
@pytest.mark.slow
def test_valid_requests_get_schema_conformant_answers(app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    auth = {"Authorization": f"Bearer {WRITE}"}
    incidents = [load(path) for path in EXAMPLES]
    documents = [json.loads(dump(incident, "json")) for incident in incidents]
    first = incidents[0]
    views = [{}, {"lanes": "level", "actions": True, "highlight": "uncovered", "legend": False}]
    calls: list[tuple[str, str, dict[str, Any]]] = []
    for fmt in ("svg", "png", "pdf", "dot", "mermaid", "markdown", "json"):
        for view in views:
            calls.append(
                ("POST", "/render", {"query": {"format": fmt, **view}, "body": documents[0]})
            )
        encoded = base64.urlsafe_b64encode(zlib.compress(json.dumps(documents[1]).encode()))
        params = {"format": fmt, "encoded": encoded.decode()}
        calls.append(("GET", "/render/{format}/{encoded}", {"path_parameters": params}))
        params = {"incident_id": first.id, "format": fmt}
        calls.append(
            ("GET", "/incidents/{incident_id}/render.{format}", {"path_parameters": params})
        )
    focus = {"focus": first.nodes[0].id, "direction": "TB", "download": True}
    calls.append(("POST", "/render", {"query": focus, "body": documents[0]}))
    for document in documents:
        calls.append(("POST", "/analyze", {"body": document}))
        calls.append(("POST", "/lint", {"query": {"fail_on": "info"}, "body": document}))
        calls.append(("POST", "/suggest", {"query": {"top": 5}, "body": document}))
    calls.append(
        ("GET", "/incidents/{incident_id}/analysis", {"path_parameters": {"incident_id": first.id}})
    )
    for fmt in ("json", "html", "markdown"):
        calls.append(("POST", "/patterns", {"query": {"format": fmt}, "body": documents}))
        calls.append(("GET", "/patterns", {"query": {"format": fmt, "since": "2020-01-01"}}))
    calls.append(("GET", "/whoami", {}))
    calls.append(("GET", "/catalog", {}))
    for method, path, parts in calls:
        if "body" in parts:
            parts["media_type"] = "application/json"
        case = _operation(schema, method, path).Case(**parts)
        response = case.call_and_validate(headers=auth)
        assert response.status_code == 200, (method, path, parts.get("query"), response.text[:300])


class TestBodyCapIsDocumented:
    """The body cap refuses an oversized body on every route, before the route runs, so
    every operation lists 413: thirteen that take no body (every GET, ``DELETE``,
    ``restore``) answered a 413 their OpenAPI entry did not list."""

    def test_every_operation_lists_the_413_it_answers(self, tmp_path: Path) -> None:
        import jsonschema
        from fastapi.testclient import TestClient

        db = f"sqlite:///{tmp_path / 'cap.db'}"
        stored = load(EXAMPLES[0])
        with Store.open(db) as store:
            store.create(stored)
        app = create_app(Settings(db=db, web_dir=tmp_path, max_body=1000))
        with TestClient(app) as client:
            document = client.get("/api/v1/openapi.json").json()
            error = {
                "$ref": "#/components/schemas/ErrorResponse",
                "components": document["components"],
            }
            undocumented = []
            for path, operations in document["paths"].items():
                url = path.format(incident_id=stored.id, number=1, format="svg", encoded="x")
                for method, operation in operations.items():
                    response = client.request(method, url, content=b"x" * 2000)
                    assert response.status_code == 413, (method, path, response.text)
                    jsonschema.validate(response.json(), error)
                    if "413" not in operation["responses"]:
                        undocumented.append(f"{method.upper()} {path}")
        assert not undocumented
