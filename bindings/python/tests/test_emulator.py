"""Emulator: attributes, control API methods, many tenants, the pytest fixture."""

from __future__ import annotations

import datetime
import json

import pytest

import entra_consent as ec
from conftest import APP_ID, admin_client


def test_attributes(entra_emulator: ec.Emulator) -> None:
    e = entra_emulator
    assert e.graph_url.startswith("http://127.0.0.1:") and e.graph_url.endswith("/v1.0")
    assert e.login_url.startswith("http://127.0.0.1:") and not e.login_url.endswith("/")
    assert e.tenants == [e.tenant_id] and e.app_id == APP_ID and e.preset == "workflow-on"
    assert e.admin_client_id and e.admin_client_secret and e.running
    upns = {u.upn for u in e.users}
    assert {"admin@contoso.example", "eva@contoso.example"} <= upns
    admin = next(u for u in e.users if u.upn == "admin@contoso.example")
    assert "Global Administrator" in admin.roles and admin.password
    assert "workflow-on" in ec.Emulator.presets()


def test_advance_clock_and_outbox(entra_emulator: ec.Emulator) -> None:
    before = entra_emulator.advance_clock(0)
    after = entra_emulator.advance_clock(86400)
    assert isinstance(after, datetime.datetime) and after - before == datetime.timedelta(days=1)
    assert after.tzinfo is not None
    assert entra_emulator.outbox() == []
    with pytest.raises(ec.InvalidInput, match="seconds"):
        entra_emulator.advance_clock(-1)
    with pytest.raises(ec.InvalidInput):
        entra_emulator.advance_clock(200 * 365 * 86400)


def test_state_reset_and_stats(entra_emulator: ec.Emulator, app: ec.App) -> None:
    saved = entra_emulator.state()
    assert json.loads(saved)
    admin_client(entra_emulator).approve(app)
    assert entra_emulator.stats()["requests"] > 0
    entra_emulator.reset()
    assert admin_client(entra_emulator).observe(app).state == "requests_enabled"
    entra_emulator.load_state(saved)
    with pytest.raises(ec.InvalidInput):
        entra_emulator.load_state("{}")


@pytest.mark.entra_emulator(tenants=3)
def test_many_tenants(entra_emulator: ec.Emulator, app: ec.App) -> None:
    e = entra_emulator
    assert len(e.tenants) == 3 and e.tenants[0] == e.tenant_id and len(set(e.tenants)) == 3
    second = ec.GraphClient.client_credentials(
        e.tenants[1], e.admin_client_id, e.admin_client_secret, graph_url=e.graph_url, login_url=e.login_url
    )
    second.approve(app)
    assert second.observe(app).state == "approved"
    assert admin_client(e).observe(app).state == "requests_enabled", "tenants keep their own state"
    e.advance_clock(60, tenant=e.tenants[2])
    with pytest.raises(ec.NotFound, match="tenant"):
        e.outbox(tenant="11111111-1111-4111-8111-111111111111")


def test_context_manager_closes_and_closed_emulators_refuse() -> None:
    with ec.Emulator(preset="allow-user-consent") as e:
        assert e.running and e.preset == "allow-user-consent"
    assert not e.running
    e.close()  # idempotent
    with pytest.raises(ec.InvalidInput, match="closed"):
        e.outbox()


def test_bad_presets_and_tenant_counts() -> None:
    with pytest.raises(ec.InvalidInput, match="is not a preset; use one of"):
        ec.Emulator(preset="wide-open")
    with pytest.raises(ec.InvalidInput, match="at least 1"):
        ec.Emulator(tenants=0)


def test_the_plugin_is_registered_through_its_entry_point(pytestconfig: pytest.Config) -> None:
    assert pytestconfig.pluginmanager.has_plugin("entra_consent")


@pytest.mark.entra_emulator(tenants=2)
def test_one_tenant_throttles(entra_emulator: ec.Emulator, app: ec.App) -> None:
    e = entra_emulator
    e.set_rate_limit("3/1", tenant=e.tenants[1])
    assert (e.rate_limit(), e.rate_limit(e.tenants[1])) == (None, "3/1")
    second = ec.GraphClient.client_credentials(
        e.tenants[1], e.admin_client_id, e.admin_client_secret, graph_url=e.graph_url, login_url=e.login_url
    )
    # The snapshot batch has more items than the bucket: the client waits Retry-After and resends.
    assert second.observe(app).state == "requests_enabled"
    stats = e.stats()
    assert stats["throttled"] > 0 and stats["early_retries"] == 0
    with pytest.raises(ec.InvalidInput, match="N/S"):
        e.set_rate_limit("fast")
    e.set_rate_limit(None, tenant=e.tenants[1])
    assert e.rate_limit(e.tenants[1]) is None
