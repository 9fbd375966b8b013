from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractingExchangeConfig(AppConfig):
    """Kontraktor part 2: institution identity and keys, partners, and the signed exchange of
    messages between installations (ADR 0063)."""

    name = "okienko.contracting.exchange"
    label = "contracting_exchange"
    verbose_name = _("Exchange between institutions")

    def ready(self) -> None:
        from okienko.accounts.roles import Perm
        from okienko.core.navigation import NavItem, register

        # Contract managers of an office and agency staff: their institution's exchange.
        for permission in (Perm.CONTRACTING_OFFICE, Perm.CONTRACTING_AGENCY):
            register(NavItem("desk:exchange_institution", _("Exchange between institutions"), permission, order=320))
        from okienko.contracting import replication
        from okienko.contracting.exchange import certificates, directory, sync

        directory.connect()
        replication.listen(sync.on_change)
        # After sync's: the partner gets contract.status first, then contract.end.
        replication.listen(certificates.on_change)
