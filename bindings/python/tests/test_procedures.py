"""The three procedures end to end against Emulator(): enable requests, request consent, approve;
and approval through the admin-consent link. Users sign in on the emulator's pages (a tiny test
browser); every classification and state comes from the library."""

from __future__ import annotations

import entra_consent as ec
from conftest import APP_ID, REDIRECT, REVIEWERS_GROUP, SCOPES, Browser, admin_client


def link(e: ec.Emulator) -> "tuple[str, ec.PendingLink]":
    return ec.LinkRequest(e.tenant_id, APP_ID, REDIRECT, SCOPES, authority=e.login_url).start()


def test_procedure_1_enable_requests_turns_90094_into_90095() -> None:
    with ec.Emulator(preset="user-consent-disabled") as e:
        url, pending = link(e)
        page = Browser(e, url).sign_in("eva@contoso.example")
        assert "Need admin approval" in page
        back = Browser.back_link(page)
        outcome = ec.classify_callback(back, pending=pending)
        assert outcome.kind == "admin_approval_required" and outcome.can_request is False

        admin_client(e).enable_requests([f"group:{REVIEWERS_GROUP}"])

        url, pending = link(e)
        page = Browser(e, url).sign_in("eva@contoso.example")
        assert "Approval required" in page and "Request approval" in page


def test_procedures_2_and_3_request_then_approve() -> None:
    with ec.Emulator() as e:
        app = ec.App(e.app_id or APP_ID, "Carerix Calendar - Production", SCOPES)
        client = admin_client(e)
        # 2. Request consent: Eva gets "Approval required" and sends a justification.
        url, pending = link(e)
        browser = Browser(e, url)
        assert "Approval required" in browser.sign_in("eva@contoso.example")
        status, page, _ = browser.post(action="request", justification="Interviews belong in my calendar")
        assert status == 200 and "Request sent" in page
        outcome = ec.classify_callback(Browser.back_link(page), pending=pending)
        assert outcome.kind == "admin_approval_required" and outcome.can_request is True
        assert outcome.error_codes == [90095]
        assert client.observe(app).state == "pending"
        mails = e.outbox()
        assert mails and all("Carerix Calendar - Production" in m["subject"] for m in mails)
        assert {"to", "subject", "body", "sentDateTime"} <= set(mails[0])

        # 3. Approve: the tenant-wide grant; then Eva links without a prompt and gets a code.
        report = client.approve(app)
        assert report.grants_created == 1
        state = client.observe(app)
        assert state.state == "approved" and state.users_can_link
        url, pending = link(e)
        status, _, location = http_sign_in(e, url, "sam@contoso.example")
        assert status == 302 and location is not None
        outcome = ec.classify_callback(location, pending=pending)
        assert outcome.kind == "authorized" and outcome.redeemable and outcome.code


def test_approval_through_the_admin_consent_link() -> None:
    with ec.Emulator(preset="user-consent-disabled") as e:
        _, user_pending = link(e)
        admin_link = user_pending.admin_consent_link(REDIRECT)
        url, pending = admin_link.start()
        browser = Browser(e, url)
        page = browser.sign_in("admin@contoso.example")
        assert "Accept" in page
        status, _, location = browser.post(action="accept")
        assert status == 302 and location is not None
        outcome = ec.classify_admin_consent(location, pending=pending)
        assert outcome.kind == "granted" and outcome.tenant == e.tenant_id
        app = ec.App(APP_ID, "Carerix Calendar - Production", SCOPES)
        assert admin_client(e).observe(app).state == "approved"


def test_requests_expire_when_the_clock_passes_their_lifetime() -> None:
    with ec.Emulator() as e:
        app = ec.App(APP_ID, "Carerix Calendar - Production", SCOPES)
        url, _ = link(e)
        browser = Browser(e, url)
        browser.sign_in("eva@contoso.example")
        browser.post(action="request", justification="Interviews")
        assert admin_client(e).observe(app).state == "pending"
        e.advance_clock(31 * 86400)
        assert admin_client(e).observe(app).state == "expired"


def http_sign_in(e: ec.Emulator, url: str, upn: str) -> "tuple[int, str, str | None]":
    from conftest import PASSWORD, http

    browser = Browser(e, url)
    status, page, _ = http(url)
    browser.flow = page.split('name="flow" value="', 1)[1].split('"', 1)[0]
    return browser.post(action="signin", upn=upn, password=PASSWORD)
