"""Webhook deliveries and Open311 receipts become claimable work queues (ADR 0046).

``WebhookDelivery.locked_until`` is renamed ``claimed_until`` (values kept); both tables get
``claimed_by`` and the receipts ``claimed_until`` and ``last_error``; a small partial index finds
the receipts that failed for good (dead letters) without reading the rest."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0005_api_token_in_accounts"),
    ]

    operations = [
        migrations.RenameField(model_name="webhookdelivery", old_name="locked_until", new_name="claimed_until"),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="claimed_until",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="claimed until"),
        ),
        migrations.AddField(
            model_name="webhookdelivery",
            name="claimed_by",
            field=models.CharField(blank=True, default="", editable=False, max_length=100, verbose_name="claimed by"),
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="last_error",
            field=models.TextField(blank=True, default="", verbose_name="last error"),
        ),
        migrations.AddField(
            model_name="open311intake",
            name="claimed_by",
            field=models.CharField(blank=True, default="", editable=False, max_length=100, verbose_name="claimed by"),
        ),
        migrations.AddField(
            model_name="open311intake",
            name="claimed_until",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="claimed until"),
        ),
        migrations.AddField(
            model_name="open311intake",
            name="last_error",
            field=models.TextField(blank=True, default="", verbose_name="last error"),
        ),
        migrations.AddIndex(
            model_name="open311intake",
            index=models.Index(
                condition=models.Q(("state", "rejected"), models.Q(("last_error", ""), _negated=True)),
                fields=["id"],
                name="open311_intake_dead",
            ),
        ),
    ]
