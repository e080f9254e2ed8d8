"""Shared helpers: the demo tenant's fixed values, and a tiny browser for the emulator's login pages.

The browser is test scaffolding (what a person's browser does: fetch a page, post its form, read a
redirect); every consent decision in these tests is made by the library under test.
"""

from __future__ import annotations

import html
import urllib.error
import urllib.parse
import urllib.request
from typing import Dict, Optional, Tuple

import pytest

import entra_consent as ec

APP_ID = "4b3c6a52-2f1d-4c7e-9a38-6f0e4d2b8c11"
APP_NAME = "Carerix Calendar - Production"
SCOPES = "Calendars.ReadWrite User.Read offline_access"
REVIEWERS_GROUP = "b0000001-0000-4000-8000-000000000001"
PASSWORD = "Contoso-Demo-2026!"
REDIRECT = "http://127.0.0.1:9/callback"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def http(url: str, form: Optional[Dict[str, str]] = None) -> Tuple[int, str, Optional[str]]:
    """GET (or POST `form`) without following redirects: (status, body, Location)."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    try:
        with _opener.open(urllib.request.Request(url, data=data), timeout=10) as r:
            return r.status, r.read().decode(), r.headers.get("Location")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), e.headers.get("Location")


def _between(page: str, marker: str) -> str:
    start = page.index(marker) + len(marker)
    return page[start:].split('"', 1)[0]


class Browser:
    """Signs a demo user in on the emulator's pages and answers its forms."""

    def __init__(self, emulator: ec.Emulator, url: str) -> None:
        self.url = url
        self.action = emulator.login_url + urllib.parse.urlsplit(url).path
        self.flow = ""

    def sign_in(self, upn: str) -> str:
        status, page, _ = http(self.url)
        assert status == 200, page
        self.flow = _between(page, 'name="flow" value="')
        status, page, _ = http(self.action, {"flow": self.flow, "action": "signin", "upn": upn, "password": PASSWORD})
        return page

    def post(self, **form: str) -> Tuple[int, str, Optional[str]]:
        return http(self.action, {"flow": self.flow, **form})

    @staticmethod
    def back_link(page: str) -> str:
        return html.unescape(_between(page, 'id="back-to-app" href="'))


def admin_client(emulator: ec.Emulator, secret: Optional[str] = None) -> ec.GraphClient:
    return ec.GraphClient.client_credentials(
        emulator.tenant_id,
        emulator.admin_client_id,
        secret if secret is not None else emulator.admin_client_secret,
        graph_url=emulator.graph_url,
        login_url=emulator.login_url,
    )


@pytest.fixture
def app() -> ec.App:
    return ec.App(APP_ID, APP_NAME, SCOPES)


def callback(state: str, **params: str) -> str:
    """A callback URL as Microsoft would send it."""
    return REDIRECT + "?" + urllib.parse.urlencode({**params, "state": state})


def aadsts(code: int, error: str = "access_denied", **extra: str) -> Dict[str, str]:
    return {
        "error": error,
        "error_codes": f"[{code}]",
        "error_description": f"AADSTS{code}: something happened.",
        **extra,
    }
