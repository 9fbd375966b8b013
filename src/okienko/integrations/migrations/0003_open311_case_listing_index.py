"""Open311 ``GET requests`` lists a jurisdiction's cases newest first within a date window; with
millions of cases that needs an index on (organisation, created_at) of the cases table (ADR 0034)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0002_webhooksubscription_webhookdelivery"),
        ("cases", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS open311_case_org_created ON cases_case (organisation_id, created_at)",
            reverse_sql="DROP INDEX IF EXISTS open311_case_org_created",
        )
    ]
