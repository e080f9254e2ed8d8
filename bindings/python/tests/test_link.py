"""Link flows: LinkRequest/start, PendingLink JSON, classify_callback, the admin-consent link."""

from __future__ import annotations

import urllib.parse

import pytest

import entra_consent as ec
from conftest import APP_ID, REDIRECT, SCOPES, aadsts, callback

TENANT = "contoso.onmicrosoft.com"
TENANT_GUID = "5f1e6c2a-8d7b-4e3f-9a10-2b6c4d8e0f11"


def start() -> "tuple[str, ec.PendingLink]":
    return ec.LinkRequest(TENANT, APP_ID, REDIRECT, SCOPES).start()


def test_start_builds_the_authorize_url_with_pkce_and_state() -> None:
    url, pending = start()
    parts = urllib.parse.urlsplit(url)
    q = dict(urllib.parse.parse_qsl(parts.query))
    assert url.startswith(f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/authorize?")
    assert q["client_id"] == APP_ID and q["redirect_uri"] == REDIRECT
    assert q["code_challenge_method"] == "S256" and q["state"] == pending.state
    assert q["scope"] == SCOPES
    assert pending.tenant == TENANT and pending.client_id == APP_ID and pending.redirect_uri == REDIRECT
    assert pending.scopes == SCOPES.split() and not pending.finished


def test_scopes_as_a_list_and_other_authorities() -> None:
    url, _ = ec.LinkRequest("organizations", APP_ID, REDIRECT, SCOPES.split(), authority="china").start()
    assert url.startswith("https://login.chinacloudapi.cn/organizations/")
    url, _ = ec.LinkRequest(TENANT, APP_ID, REDIRECT, SCOPES, authority="http://127.0.0.1:8400").start()
    assert url.startswith("http://127.0.0.1:8400/")


def test_pending_link_round_trips_through_json() -> None:
    _, pending = start()
    restored = ec.PendingLink.from_json(pending.to_json())
    assert restored.state == pending.state and restored.created_at == pending.created_at
    outcome = ec.classify_callback(callback(pending.state, code="abc123"), pending=restored)
    assert outcome.kind == "authorized" and outcome.redeemable and outcome.code == "abc123"


def test_from_json_refuses_what_is_not_a_pending_link() -> None:
    with pytest.raises(ec.InvalidInput, match="is not JSON"):
        ec.PendingLink.from_json("{nope")
    with pytest.raises(ec.InvalidInput, match="is not a pending link"):
        ec.PendingLink.from_json('{"state": "x"}')


@pytest.mark.parametrize(
    "params, kind, can_request",
    [
        (aadsts(90094), "admin_approval_required", False),
        (aadsts(90095), "admin_approval_required", True),
        (aadsts(65001, error="consent_required"), "consent_required", None),
        (aadsts(65004, error_subcode="cancel"), "user_cancelled", None),
        (aadsts(700016, error="unauthorized_client"), "app_not_in_tenant", None),
        (aadsts(900981), "risky_app_blocked", True),
        (aadsts(50011, error="invalid_request"), "misconfigured", None),
        (aadsts(123456, error="server_error"), "other", None),
    ],
)
def test_classify_callback_names_outcomes_like_consentctl(params, kind, can_request) -> None:  # type: ignore[no-untyped-def]
    _, pending = start()
    outcome = ec.classify_callback(callback(pending.state, **params), pending=pending)
    assert outcome.kind == kind
    assert outcome.can_request == can_request
    assert outcome.error_codes == [int(params["error_codes"].strip("[]"))]
    assert outcome.error == params["error"]
    assert outcome.code is None and not outcome.redeemable and outcome.token_request() is None


def test_90094_guidance_hands_over_the_admin_consent_link() -> None:
    _, pending = start()
    admin_url, _ = pending.admin_consent_link("https://crm.example.com/admin-callback").start()
    outcome = ec.classify_callback(callback(pending.state, **aadsts(90094)), pending=pending)
    assert outcome.needs_admin_consent_link
    g = outcome.guidance(product="Carerix", admin_consent_url=admin_url, button="Link calendar")
    assert g is not None and "Carerix" in g.title
    assert "Need admin approval" in g.to_text()
    assert admin_url in [link["url"] for link in g.links]


def test_authorized_with_pending_gives_the_token_request() -> None:
    _, pending = start()
    outcome = ec.classify_callback(callback(pending.state, code="0.AX-code"), pending=pending)
    req = outcome.token_request()
    assert req is not None
    assert req["url"] == f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token"
    assert req["form"]["grant_type"] == "authorization_code" and req["form"]["code"] == "0.AX-code"
    assert len(req["form"]["code_verifier"]) >= 43
    assert outcome.guidance() is not None


def test_authorized_without_pending_is_not_redeemable() -> None:
    outcome = ec.classify_callback(callback("s1", code="abc"), state="s1")
    assert outcome.kind == "authorized" and not outcome.redeemable and outcome.code is None
    assert outcome.guidance() is None


def test_a_state_mismatch_is_refused_as_its_own_outcome() -> None:
    # As in the Rust library and `consentctl link classify`: a callback whose state does not belong
    # to the link is an outcome (nothing in it was believed), not an exception.
    _, pending = start()
    outcome = ec.classify_callback(callback("forged", code="abc"), pending=pending)
    assert outcome.kind == "state_mismatch" and outcome.state_problem == "different"
    assert outcome.code is None and not outcome.redeemable
    assert ec.classify_callback(REDIRECT + "?code=abc", state="s").state_problem == "missing"
    g = outcome.guidance()
    assert g is not None and g.title


def test_a_pending_link_yields_one_outcome() -> None:
    _, pending = start()
    ec.classify_callback(callback(pending.state, **aadsts(90094)), pending=pending)
    assert pending.finished
    with pytest.raises(ec.InvalidInput, match="already used"):
        ec.classify_callback(callback(pending.state, code="abc"), pending=pending)
    with pytest.raises(ec.InvalidInput):
        pending.to_json()


@pytest.mark.parametrize(
    "bad, message",
    [
        ("not a url", "has neither `code` nor `error`"),
        ("https://crm.example.com/callback", "has neither `code` nor `error`"),
        ("code=a&code=b&state=s", "code"),
    ],
)
def test_malformed_callbacks_raise_invalid_input(bad: str, message: str) -> None:
    with pytest.raises(ec.InvalidInput, match=message) as info:
        ec.classify_callback(bad)
    assert isinstance(info.value, ec.ConsentError) and not info.value.retryable
    assert str(info.value).startswith("invalid ")


def test_pending_and_state_together_are_refused() -> None:
    _, pending = start()
    with pytest.raises(ec.InvalidInput, match="not both"):
        ec.classify_callback(callback(pending.state, code="a"), pending=pending, state=pending.state)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"tenant": "common"}, "tenant"),
        ({"client_id": "not-a-guid"}, "app_id"),
        ({"redirect_uri": "http://crm.example.com/cb"}, "redirect"),
        ({"redirect_uri": "not a url"}, "redirect"),
        ({"scopes": ""}, "scope"),
        ({"authority": "https://evil.example.com"}, "authority"),
        ({"prompt": "sometimes"}, "prompt"),
    ],
)
def test_link_request_validates_its_arguments(kwargs, field) -> None:  # type: ignore[no-untyped-def]
    args = {"tenant": TENANT, "client_id": APP_ID, "redirect_uri": REDIRECT, "scopes": SCOPES, **kwargs}
    with pytest.raises(ec.InvalidInput) as info:
        ec.LinkRequest(**args)
    assert field in str(info.value).lower()


def test_admin_consent_link_and_its_outcomes() -> None:
    link = ec.AdminConsentLink(TENANT_GUID, APP_ID, REDIRECT)
    url, pending = link.start()
    assert url.startswith(f"https://login.microsoftonline.com/{TENANT_GUID}/v2.0/adminconsent?")
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert q["scope"] == "https://graph.microsoft.com/.default" and q["state"] == pending.state
    restored = ec.PendingAdminConsent.from_json(pending.to_json())
    granted = ec.classify_admin_consent(
        callback(pending.state, admin_consent="True", tenant=TENANT_GUID), pending=restored
    )
    assert granted.kind == "granted" and granted.tenant == TENANT_GUID and granted.tenant_check == "matched"
    assert "granted" in granted.guidance(product="Carerix").to_text().lower() or granted.guidance().title

    declined = ec.classify_admin_consent(
        callback("s", **aadsts(65004, error="consent_required"), admin_consent="True"), state="s", tenant=TENANT_GUID
    )
    assert declined.kind == "declined" and declined.error_codes == [65004]
    mismatch = ec.classify_admin_consent(
        callback("other", admin_consent="True", tenant=TENANT_GUID), state="s", tenant=TENANT_GUID
    )
    assert mismatch.kind == "state_mismatch"
    forged = ec.classify_admin_consent(
        callback("s", admin_consent="True", tenant="11111111-1111-4111-8111-111111111111"), state="s", tenant=TENANT_GUID
    )
    assert forged.kind == "tenant_mismatch" and forged.tenant is None


def test_classify_admin_consent_needs_pending_or_state_and_tenant() -> None:
    with pytest.raises(ec.InvalidInput, match="either pending, or both state and tenant"):
        ec.classify_admin_consent(callback("s", admin_consent="True"), state="s")
    with pytest.raises(ec.InvalidInput, match="admin_consent=True"):
        ec.classify_admin_consent(REDIRECT + "?state=s", state="s", tenant=TENANT_GUID)
    with pytest.raises(ec.InvalidInput):
        ec.AdminConsentLink("common", APP_ID, REDIRECT)
