from __future__ import annotations

from typing import Any

from okienko.clients.actions import merge_clients, register_client
from tests.cases.conftest import City, open_pothole


def test_merging_clients_moves_their_cases_to_the_surviving_record(city: City, frozen: Any) -> None:
    survivor = register_client(actor=None, home_office=city.city, first_name="Jan", last_name="Kowalski")
    merged = register_client(
        actor=None, home_office=city.city, first_name="Jan", last_name="Kowalsky", accept_duplicates=True
    )
    case = open_pothole(city, client=merged)
    merge = merge_clients(actor=None, survivor=survivor, merged=merged, reason="same person")
    case.refresh_from_db()
    assert case.client_id == survivor.pk
    assert merge.moved["cases"] == 1
