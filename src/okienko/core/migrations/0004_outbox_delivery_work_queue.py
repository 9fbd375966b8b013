"""The outbox deliveries become a claimable work queue (ADR 0046): ``locked_until`` is renamed
``claimed_until`` (its values kept) and ``claimed_by`` names the claim that holds a delivery."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_worker_heartbeat"),
    ]

    operations = [
        migrations.RenameField(model_name="outboxdelivery", old_name="locked_until", new_name="claimed_until"),
        migrations.AlterField(
            model_name="outboxdelivery",
            name="claimed_until",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="claimed until"),
        ),
        migrations.AddField(
            model_name="outboxdelivery",
            name="claimed_by",
            field=models.CharField(blank=True, default="", editable=False, max_length=100, verbose_name="claimed by"),
        ),
        migrations.AlterField(
            model_name="outboxdelivery",
            name="last_error",
            field=models.TextField(blank=True, default="", verbose_name="last error"),
        ),
    ]
