"""The default catalogue of shareable fields and sharing purposes (editable afterwards)."""

from django.db import migrations

from okienko.contracting.catalogue import ensure_catalogue


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    ensure_catalogue(apps.get_model("contracting", "SharedField"), apps.get_model("contracting", "SharingPurpose"))


class Migration(migrations.Migration):
    dependencies = [("contracting", "0002_access_log_append_only")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
