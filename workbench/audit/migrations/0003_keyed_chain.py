"""Key the audit chain with a secret kept outside the database.

Events written before this migration keep their plain SHA-256 hashes (scheme 1) and still verify;
the head is sealed, with the audit key, at the last of them, so every later event must carry an
HMAC made with the key (scheme 2), and rewriting the older ones changes the sealed hash.
"""

from django.db import migrations, models


def seal_existing_chain(apps, schema_editor):  # type: ignore[no-untyped-def]
    from workbench.audit import keys

    head_model = apps.get_model("audit", "AuditHead")
    head, _ = head_model.objects.using(schema_editor.connection.alias).get_or_create(pk=1)
    for name, value in keys.seal_fields(head.seq, head.hash).items():
        setattr(head, name, value)
    head.save()


def unseal(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Going back leaves keyed events behind that the older code cannot verify; it is refused."""
    if apps.get_model("audit", "AuditHead").objects.using(schema_editor.connection.alias).filter(keyed_from__isnull=False, seq__gte=models.F("keyed_from")).exists():
        raise RuntimeError("the audit chain has events hashed with the audit key; unapplying keying would leave them unverifiable")


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='client_request_id',
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name='audithead',
            name='head_seal',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='audithead',
            name='key_id',
            field=models.CharField(blank=True, help_text='Which audit key wrote the chain (a fingerprint, not the key).', max_length=16),
        ),
        migrations.AddField(
            model_name='audithead',
            name='keyed_from',
            field=models.BigIntegerField(blank=True, help_text='The first event hashed with the audit key.', null=True),
        ),
        migrations.AddField(
            model_name='audithead',
            name='keyed_seal',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(seal_existing_chain, unseal),
    ]
