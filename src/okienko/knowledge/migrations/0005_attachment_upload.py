import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import okienko.knowledge.models


def give_uuids(apps, schema_editor):
    Attachment = apps.get_model("knowledge", "Attachment")
    for attachment in Attachment.objects.filter(uuid__isnull=True):
        attachment.uuid = uuid.uuid4()
        attachment.save(update_fields=["uuid"])


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0004_review_reminder"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(model_name="attachment", name="uuid", field=models.UUIDField(editable=False, null=True)),
        migrations.RunPython(give_uuids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="attachment",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddField(
            model_name="attachment",
            name="original_name",
            field=models.CharField(default="", max_length=200, verbose_name="file name"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="attachment",
            name="content_type",
            field=models.CharField(default="", max_length=100, verbose_name="type"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="attachment",
            name="size",
            field=models.PositiveBigIntegerField(default=0, verbose_name="size"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="attachment",
            name="sha256",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="attachment",
            name="uploaded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="attachment",
            name="file",
            field=models.FileField(
                max_length=200, upload_to=okienko.knowledge.models.attachment_path, verbose_name="file"
            ),
        ),
        migrations.AlterModelOptions(
            name="attachment",
            options={
                "ordering": ["article", "title", "id"],
                "verbose_name": "attachment",
                "verbose_name_plural": "attachments",
            },
        ),
    ]
