"""Guidance: rendered by the Rust catalogue, in English and Dutch."""

from __future__ import annotations

import pytest

import entra_consent as ec
from conftest import aadsts, callback


def guidance(locale: str = "en") -> ec.Guidance:
    outcome = ec.classify_callback(callback("s", **aadsts(90095)), state="s")
    g = outcome.guidance(product="Carerix", locale=locale, task="link your calendar", button="Link calendar")
    assert g is not None
    return g


def test_title_summary_and_the_three_renderings() -> None:
    g = guidance()
    assert g.title and g.summary and g.locale == "en"
    assert g.title in g.to_text() and g.summary in g.to_text()
    assert g.to_markdown().startswith("#") or g.title in g.to_markdown()
    assert g.to_html().startswith("<section")
    assert str(g) == g.to_text()
    assert {s["audience"] for s in g.steps} <= {"user", "admin"}


def test_dutch_and_unknown_locales() -> None:
    nl = guidance("nl_NL.UTF-8")
    assert nl.locale == "nl" and nl.title != guidance().title
    with pytest.raises(ec.InvalidInput, match="unsupported locale"):
        guidance("fr")


def test_for_audience_and_to_dict() -> None:
    g = guidance()
    user = g.for_audience("user")
    assert all(s["audience"] == "user" for s in user.steps) and user.title == g.title
    assert g.to_dict()["title"] == g.title
    with pytest.raises(ec.InvalidInput, match="audience"):
        g.for_audience("everyone")


def test_html_escapes_the_product_name() -> None:
    outcome = ec.classify_callback(callback("s", **aadsts(90094)), state="s")
    g = outcome.guidance(product="<script>x</script>")
    assert g is not None and "<script>" not in g.to_html()
