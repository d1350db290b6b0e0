"""A fuzz test of the whole REST API from its OpenAPI description: schemathesis
generates requests for every operation (valid and invalid bodies, paths and
queries), and no answer may be a 500, nor a status, a body or a header the
description does not list for that operation. The classroom is on and every
request carries the teacher's token, so its routes are reached too."""

from __future__ import annotations

import tempfile

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.app.conftest import TEST_HOSTS

_DATA = tempfile.TemporaryDirectory()
TOKEN = "fuzz-teacher-token"
APP = create_app(Settings(data_dir=_DATA.name, engine_processes=0, max_steps_per_request=50,
                          max_runs=50, teacher_token=TOKEN, runs_per_minute=100000,
                          allowed_hosts=TEST_HOSTS))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module")
def client():
    with TestClient(APP) as opened:  # runs the lifespan: registry, stores, players
        yield opened


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_a_server_error_or_an_undocumented_answer(case, client) -> None:
    case.call_and_validate(session=client, checks=[
        not_a_server_error, status_code_conformance, response_schema_conformance,
        response_headers_conformance], headers={"Authorization": f"Bearer {TOKEN}"})
