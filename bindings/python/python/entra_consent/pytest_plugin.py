"""pytest plugin (registered through the ``pytest11`` entry point): the ``entra_emulator`` fixture.

A test gets a running :class:`entra_consent.Emulator`, stopped after the test::

    def test_observe(entra_emulator):
        client = GraphClient.client_credentials(
            entra_emulator.tenant_id, entra_emulator.admin_client_id,
            entra_emulator.admin_client_secret,
            graph_url=entra_emulator.graph_url, login_url=entra_emulator.login_url)

Pick the preset and tenant count with a marker::

    @pytest.mark.entra_emulator(preset="user-consent-disabled", tenants=3)
    def test_enable(entra_emulator): ...
"""

from __future__ import annotations

from typing import Iterator

import pytest

from ._native import Emulator


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "entra_emulator(preset='workflow-on', tenants=1): how the entra_emulator fixture starts the emulator",
    )


@pytest.fixture
def entra_emulator(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """A running emulator (default preset ``workflow-on``, one tenant), closed after the test."""
    marker = request.node.get_closest_marker("entra_emulator")
    kwargs = dict(marker.kwargs) if marker else {}
    with Emulator(**kwargs) as emulator:
        yield emulator
