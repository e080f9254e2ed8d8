"""GraphClient against the in-process emulator: observe, enable_requests, approve, async twins, errors."""

from __future__ import annotations

import asyncio
import threading

import pytest

import entra_consent as ec
from conftest import APP_ID, REVIEWERS_GROUP, admin_client


def test_observe_returns_the_state_with_guidance_and_data(entra_emulator: ec.Emulator, app: ec.App) -> None:
    state = admin_client(entra_emulator).observe(app)
    assert state.state == "requests_enabled" and not state.users_can_link
    d = state.to_dict()
    assert d["state"] == "requests_enabled" and d["app"]["app_id"] == APP_ID
    g = state.guidance(locale="nl")
    assert g.locale == "nl" and "Carerix Calendar - Production" in g.to_text()


@pytest.mark.entra_emulator(preset="user-consent-disabled")
def test_enable_requests_turns_the_workflow_on(entra_emulator: ec.Emulator, app: ec.App) -> None:
    client = admin_client(entra_emulator)
    assert client.observe(app).state == "requests_disabled"
    policy = client.enable_requests([f"group:{REVIEWERS_GROUP}"], duration_days=14)
    assert policy["isEnabled"] is True and policy["requestDurationInDays"] == 14
    assert REVIEWERS_GROUP in policy["reviewers"][0]["query"]
    assert client.observe(app).state == "requests_enabled"


def test_enable_requests_validates_reviewers(entra_emulator: ec.Emulator) -> None:
    client = admin_client(entra_emulator)
    with pytest.raises(ec.InvalidInput, match="user:ID, group:ID or role:ID"):
        client.enable_requests(["the reviewers"])
    with pytest.raises(ec.InvalidInput, match="reviewer"):
        client.enable_requests([])


def test_approve_is_idempotent(entra_emulator: ec.Emulator, app: ec.App) -> None:
    client = admin_client(entra_emulator)
    first = client.approve(app)
    assert first.created_service_principal and first.grants_created == 1 and not first.is_noop
    assert first.to_dict()["service_principal_id"] == first.service_principal_id
    assert client.approve(app).is_noop
    assert client.observe(app).state == "approved" and client.observe(app).users_can_link


def test_async_twins(entra_emulator: ec.Emulator, app: ec.App) -> None:
    client = admin_client(entra_emulator)

    async def run() -> "tuple[str, bool, str]":
        before = await client.observe_async(app)
        report = await client.approve_async(app)
        after = await client.observe_async(app)
        return before.state, report.created_service_principal, after.state

    assert asyncio.run(run()) == ("requests_enabled", True, "approved")


def test_calls_from_threads_run_in_parallel_with_the_gil_released(entra_emulator: ec.Emulator, app: ec.App) -> None:
    client = admin_client(entra_emulator)
    results: "list[str]" = []

    def worker() -> None:
        for _ in range(5):
            results.append(client.observe(app).state)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["requests_enabled"] * 20


def test_a_wrong_secret_raises_unauthenticated(entra_emulator: ec.Emulator, app: ec.App) -> None:
    client = admin_client(entra_emulator, secret="not-the-secret")
    with pytest.raises(ec.Unauthenticated, match="client secret is invalid") as info:
        client.observe(app)
    assert isinstance(info.value, ec.PermissionDenied) and isinstance(info.value, ec.ConsentError)
    assert "not-the-secret" not in str(info.value)


def test_an_unknown_app_is_not_found_on_approve(entra_emulator: ec.Emulator) -> None:
    client = admin_client(entra_emulator)
    ghost = ec.App("11111111-1111-4111-8111-111111111111", "Ghost", "User.Read")
    with pytest.raises(ec.ConsentError) as info:
        client.approve(ghost)
    assert type(info.value) is not ec.ConsentError, "a specific subclass"


def test_client_credentials_validates_its_arguments(entra_emulator: ec.Emulator) -> None:
    e = entra_emulator
    with pytest.raises(ec.InvalidInput, match="needs login_url"):
        ec.GraphClient.client_credentials(e.tenant_id, e.admin_client_id, "s", graph_url=e.graph_url)
    with pytest.raises(ec.InvalidInput, match="needs graph_url"):
        ec.GraphClient.client_credentials(e.tenant_id, e.admin_client_id, "s", login_url=e.login_url)
    with pytest.raises(ec.InvalidInput):
        ec.GraphClient.client_credentials(
            e.tenant_id, e.admin_client_id, "s", graph_url="http://example.com/v1.0", login_url=e.login_url
        )
    with pytest.raises(ec.InvalidInput, match="app_id"):
        ec.GraphClient.client_credentials(e.tenant_id, "nope", "s")
    with pytest.raises(ec.InvalidInput, match="scopes"):
        ec.App(APP_ID, "x", 5)  # type: ignore[arg-type]
