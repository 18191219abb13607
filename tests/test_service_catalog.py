"""``GET /catalog``: the factor catalog the service matches with, for the web editor's
factor keys."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient

from causemap.catalog import builtin_catalog, load_catalog, loads_catalog
from causemap.service import Tokens
from tests.test_service import API, READ, TOKENS, WRITE, MakeClient, make_client
from tests.test_service_analysis import OWN_CATALOG

__all__ = ["make_client"]

SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "catalog.schema.json"


def as_file(catalog: Any) -> dict[str, Any]:
    """A catalog as the JSON of a catalog file."""
    found: dict[str, Any] = catalog.model_dump(mode="json", by_alias=True, exclude_none=True)
    return found


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()


@pytest.fixture
def own_path(tmp_path: Path) -> Path:
    path = tmp_path / "ours.yaml"
    path.write_text(OWN_CATALOG, encoding="utf-8")
    return path


class TestCatalog:
    def test_the_built_in_catalog_as_a_catalog_file(self, client: TestClient) -> None:
        response = client.get(f"{API}/catalog")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert body == as_file(builtin_catalog())
        jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(body)
        # Saved, the answer is a catalog the CLI reads back as the same catalog.
        assert loads_catalog(response.text) == builtin_catalog()

    def test_a_served_catalog_is_answered_merged(
        self, make_client: MakeClient, own_path: Path
    ) -> None:
        response = make_client(catalog=own_path).get(f"{API}/catalog")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body == as_file(load_catalog(own_path))
        assert body["name"] == "causemap built-in catalog + ours"
        assert "extends" not in body  # already merged: every entry is in it
        keys = [entry["key"] for entry in body["entries"]]
        assert keys == [*builtin_catalog().keys(), "flag-day"]

    def test_etag_and_304(self, client: TestClient) -> None:
        first = client.get(f"{API}/catalog")
        tag = first.headers["ETag"]
        assert re.fullmatch(r'"[0-9a-f]{64}"', tag), tag
        assert first.headers["Cache-Control"] == "no-cache"
        assert first.headers["Vary"] == "Authorization"  # a browser keeps it per token
        again = client.get(f"{API}/catalog", headers={"If-None-Match": tag})
        assert again.status_code == 304
        assert again.headers["ETag"] == tag
        assert again.headers["Cache-Control"] == "no-cache"
        assert again.headers["Vary"] == "Authorization"
        assert not again.content
        assert client.get(f"{API}/catalog", headers={"If-None-Match": '"x"'}).status_code == 200
        refused = client.get(f"{API}/catalog", headers={"If-Match": '"x"'})
        assert refused.status_code == 412, refused.text
        assert refused.json()["error"]["code"] == "precondition-failed"
        assert client.get(f"{API}/catalog", headers={"If-Match": tag}).status_code == 200

    def test_another_catalog_has_another_etag(
        self, client: TestClient, make_client: MakeClient, own_path: Path
    ) -> None:
        builtin = client.get(f"{API}/catalog").headers["ETag"]
        ours = make_client(catalog=own_path)
        stale = ours.get(f"{API}/catalog", headers={"If-None-Match": builtin})
        assert stale.status_code == 200
        assert stale.headers["ETag"] != builtin

    @pytest.mark.parametrize(
        ("token", "status"), [(None, 401), ("x" * 20, 401), (READ, 200), (WRITE, 200)]
    )
    def test_a_read_token_may_read_it(
        self, make_client: MakeClient, token: str | None, status: int
    ) -> None:
        client = make_client(tokens=Tokens.parse(TOKENS))
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = client.get(f"{API}/catalog", headers=headers)
        assert response.status_code == status, response.text
