"""The audit log becomes a hash chain (one per municipality, see kapabel.core.audit.chain): existing
events are linked in the order they were written, and on PostgreSQL a trigger refuses UPDATE and DELETE
of events (except blanking the personal part of an event once, when its person is anonymised)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import datetime
import hashlib
import json
import secrets


# Frozen copies of the hashing in kapabel.core.audit.chain (format version 1), so this migration
# keeps producing the same links whatever that module becomes.
def _normalised(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(key): _normalised(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normalised(item) for item in value]
    return value


def _canonical(value):
    return json.dumps(_normalised(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def link_existing_events(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    heads = {}
    batch = []
    for event in AuditEvent.objects.order_by("id").iterator(2000):
        chain = event.municipality_id or 0
        last_seq, last_hash = heads.get(chain, (0, "0" * 64))
        if event.object_type == "organisation.employee" and event.object_id.isdigit():
            event.person = int(event.object_id)
        event.changes = json.loads(json.dumps(event.changes or {}))
        event.chain = chain
        event.seq = last_seq + 1
        event.detail_salt = secrets.token_hex(16)
        detail = _canonical(
            {"actor_label": event.actor_label, "object_repr": event.object_repr, "changes": event.changes}
        )
        event.detail_digest = hashlib.sha256(f"{event.detail_salt}\n{detail}".encode()).hexdigest()
        payload = _canonical(
            {
                "v": 1,
                "chain": chain,
                "seq": event.seq,
                "at": event.at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
                "kind": event.kind,
                "action": event.action,
                "municipality": event.municipality_id,
                "actor": event.actor_id,
                "object_type": event.object_type,
                "object_id": event.object_id,
                "person": event.person,
                "detail": event.detail_digest,
            }
        )
        event.hash = hashlib.sha256(f"{last_hash}\n{payload}".encode()).hexdigest()
        heads[chain] = (event.seq, event.hash)
        batch.append(event)
        if len(batch) >= 500:
            AuditEvent.objects.bulk_update(
                batch, ["person", "changes", "chain", "seq", "detail_salt", "detail_digest", "hash"]
            )
            batch = []
    if batch:
        AuditEvent.objects.bulk_update(
            batch, ["person", "changes", "chain", "seq", "detail_salt", "detail_digest", "hash"]
        )
    for chain, (last_seq, last_hash) in heads.items():
        AuditChainHead.objects.create(chain=chain, last_seq=last_seq, last_hash=last_hash)


GUARD_SQL = """
CREATE OR REPLACE FUNCTION kapabel_audit_event_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit events are append-only: DELETE refused' USING ERRCODE = 'restrict_violation';
    END IF;
    -- The one change allowed: blanking the personal part, once, when its person is anonymised.
    IF OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL AND NEW.redacted_by IS NOT NULL
       AND (NEW.id, NEW.chain, NEW.seq, NEW.at, NEW.kind, NEW.action, NEW.municipality_id, NEW.actor_id,
            NEW.object_type, NEW.object_id, NEW.person, NEW.detail_digest, NEW.hash)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.chain, OLD.seq, OLD.at, OLD.kind, OLD.action, OLD.municipality_id, OLD.actor_id,
            OLD.object_type, OLD.object_id, OLD.person, OLD.detail_digest, OLD.hash) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: UPDATE refused' USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION kapabel_audit_event_guard();
"""
UNGUARD_SQL = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS kapabel_audit_event_guard();
"""


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD_SQL)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD_SQL)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_jobrun'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditChainHead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('chain', models.PositiveBigIntegerField(unique=True)),
                ('last_seq', models.PositiveBigIntegerField(default=0)),
                ('last_hash', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64)),
            ],
        ),
        migrations.AlterModelOptions(
            name='auditevent',
            options={'base_manager_name': 'objects', 'ordering': ['-at', '-id'], 'verbose_name': 'audit event', 'verbose_name_plural': 'audit events'},
        ),
        migrations.AddField(
            model_name='auditevent',
            name='chain',
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='detail_digest',
            field=models.CharField(default='', max_length=64),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='detail_salt',
            field=models.CharField(blank=True, default='', max_length=32),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='hash',
            field=models.CharField(default='', max_length=64),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='kind',
            field=models.CharField(choices=[('change', 'Change'), ('read', 'Read')], default='change', max_length=10, verbose_name='kind'),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='person',
            field=models.BigIntegerField(blank=True, db_index=True, null=True, verbose_name='person'),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='redacted_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='redacted_by',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='seq',
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(db_index=True, max_length=100, verbose_name='action'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='actor',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='actor_label',
            field=models.CharField(max_length=200, verbose_name='who'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='when'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='changes',
            field=models.JSONField(blank=True, default=dict, verbose_name='changes'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='object_id',
            field=models.CharField(max_length=64, verbose_name='object id'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='object_repr',
            field=models.CharField(max_length=300, verbose_name='object'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='object_type',
            field=models.CharField(max_length=100, verbose_name='object type'),
        ),
        migrations.RunPython(link_existing_events, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='auditevent',
            constraint=models.UniqueConstraint(fields=('chain', 'seq'), name='audit_event_chain_seq'),
        ),
        migrations.RunPython(guard, unguard),
    ]
