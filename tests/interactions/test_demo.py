import io

from okienko.accounts import demo as accounts_demo
from okienko.catalogue import demo as catalogue_demo
from okienko.clients import demo as clients_demo
from okienko.clients import identifiers
from okienko.clients.models import Client, ClientContact
from okienko.interactions import demo as interactions_demo
from okienko.interactions.models import Callback, Interaction


def _load() -> None:
    for module in (accounts_demo, clients_demo, catalogue_demo, interactions_demo):
        module.load(stdout=io.StringIO())


def test_demo_data_is_realistic_and_idempotent(db: None) -> None:
    _load()
    counts = (
        Client.objects.count(),
        ClientContact.objects.count(),
        Interaction.objects.count(),
        Callback.objects.count(),
    )
    _load()
    assert (
        Client.objects.count(),
        ClientContact.objects.count(),
        Interaction.objects.count(),
        Callback.objects.count(),
    ) == counts
    assert counts[0] == 14 * 20 + 45
    offices = set(Client.objects.values_list("home_office__code", flat=True))
    assert len(offices) == 15
    for client in Client.objects.exclude(pesel=""):
        assert identifiers.validate_pesel(client.pesel) == client.pesel
    for client in Client.objects.exclude(nip=""):
        assert identifiers.validate_nip(client.nip) == client.nip
    for client in Client.objects.filter(home_office__code="pup-lomza", gmina__isnull=False):
        assert str(client.gmina_id)[:4] in {"2007", "2062"}
    assert set(Interaction.objects.values_list("channel", flat=True)) >= {"phone", "email", "counter"}
