"""No secret in any repr(): client secrets, PKCE verifiers, codes, passwords."""

from __future__ import annotations

import entra_consent as ec
from conftest import APP_ID, REDIRECT, SCOPES, admin_client, callback


def test_no_secret_in_any_repr(entra_emulator: ec.Emulator, app: ec.App) -> None:
    e = entra_emulator
    url, pending = ec.LinkRequest(e.tenant_id, APP_ID, REDIRECT, SCOPES, authority=e.login_url).start()
    verifier = __import__("json").loads(pending.to_json())["verifier"]
    outcome = ec.classify_callback(callback(pending.state, code="SECRET-CODE-123"), pending=pending)
    token_request = outcome.token_request()
    assert token_request is not None and token_request["form"]["code_verifier"] == verifier
    client = admin_client(e)
    wrong = admin_client(e, secret="WRONG-SECRET-456")
    try:
        wrong.observe(app)
    except ec.Unauthenticated as err:
        error = err
    admin_url, admin_pending = ec.AdminConsentLink(e.tenant_id, APP_ID, REDIRECT).start()
    objects = [
        e,
        *e.users,
        client,
        wrong,
        error,
        app,
        pending,
        outcome,
        outcome.guidance(),
        ec.LinkRequest(e.tenant_id, APP_ID, REDIRECT, SCOPES),
        ec.PendingLink.from_json(ec.LinkRequest(e.tenant_id, APP_ID, REDIRECT, SCOPES).start()[1].to_json()),
        admin_pending,
        client.observe(app),
        client.approve(app),
    ]
    secrets = [e.admin_client_secret, "WRONG-SECRET-456", verifier, "SECRET-CODE-123"]
    secrets += [u.password for u in e.users]
    for obj in objects:
        for text in (repr(obj), str(obj)):
            for secret in secrets:
                assert secret not in text, f"{type(obj).__name__} shows a secret: {text}"
