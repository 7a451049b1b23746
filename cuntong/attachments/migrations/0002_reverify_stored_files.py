"""Files stored before whole-file checking were typed from their first bytes only: check each one again and serve
any that is not what it was recorded as as an opaque download, without a thumbnail."""

from django.db import migrations

from cuntong.attachments.rules import UNVERIFIED, content_kind


def reverify(apps, schema_editor):
    Attachment = apps.get_model("attachments", "Attachment")
    for attachment in Attachment.objects.exclude(mime_type=UNVERIFIED.mime_type).iterator():
        try:
            with attachment.file.open("rb") as stream:
                data = stream.read()
        except OSError:
            continue  # a missing file serves nothing either way
        kind = content_kind(data, attachment.original_name)
        if kind is None or kind.mime_type != attachment.mime_type:
            Attachment.objects.filter(pk=attachment.pk).update(mime_type=UNVERIFIED.mime_type, thumbnail="")


class Migration(migrations.Migration):
    dependencies = [("attachments", "0001_initial")]

    operations = [migrations.RunPython(reverify, migrations.RunPython.noop)]
