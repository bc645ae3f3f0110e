"""The catalogue import's record, and the search index of offers.

The index table differs per database (the model `OfferSearch` declares only its key): on PostgreSQL a
`tsvector` document with a GIN index, on SQLite an FTS5 table of Snowball-stemmed words (rowid = offer
id). Offers that already exist are indexed here; from now on the services keep the index in step."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "learning_offer_search"


def create_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TABLE {TABLE} (offer_id bigint PRIMARY KEY REFERENCES learning_offer (id) "
            "ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED, document tsvector NOT NULL)"
        )
        schema_editor.execute(f"CREATE INDEX learning_offer_search_document ON {TABLE} USING gin (document)")
    elif connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {TABLE} USING fts5(offer_id UNINDEXED, title, body, "
            "tokenize = 'unicode61 remove_diacritics 0')"
        )
    else:
        schema_editor.execute(f"CREATE TABLE {TABLE} (offer_id bigint PRIMARY KEY)")
        return
    backfill(apps, connection)


def backfill(apps, connection):
    from collections import defaultdict

    from kapabel.learning.search.text import stem_text

    Offer = apps.get_model("learning", "Offer")
    OfferCompetence = apps.get_model("learning", "OfferCompetence")
    names = defaultdict(list)
    for offer_id, name_da, name_en, code in OfferCompetence.objects.values_list(
        "offer_id", "competence__name_da", "competence__name_en", "competence__code"
    ):
        names[offer_id].append(" ".join(filter(None, (code, name_da or name_en))))
    docs = [
        (pk, title, " ".join(filter(None, (provider, category, *names[pk], description))))
        for pk, title, description, provider, category in Offer.objects.values_list(
            "pk", "title", "description", "provider__name", "category__name"
        )
    ]
    if not docs:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany(
                f"INSERT INTO {TABLE} (rowid, offer_id, title, body) VALUES (%s, %s, %s, %s)",
                [(pk, pk, stem_text(title), stem_text(body)) for pk, title, body in docs],
            )
        else:
            cursor.executemany(
                f"INSERT INTO {TABLE} (offer_id, document) VALUES (%s, setweight(to_tsvector('danish', %s), "
                "'A') || setweight(to_tsvector('danish', %s), 'B'))",
                docs,
            )


def drop_index(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_municipality_is_the_tenant_root'),
        ('learning', '0002_seed_categories'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='OfferSearch',
                    fields=[
                        ('offer', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='search_document', serialize=False, to='learning.offer')),
                    ],
                    options={
                        'verbose_name': 'search document',
                        'verbose_name_plural': 'search documents',
                        'db_table': 'learning_offer_search',
                    },
                ),
            ],
            database_operations=[migrations.RunPython(create_index, drop_index)],
        ),
        migrations.CreateModel(
            name='CatalogueImport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('actor_label', models.CharField(max_length=200)),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='started')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                ('source', models.CharField(choices=[('web', 'Web page'), ('cli', 'Command line')], max_length=10, verbose_name='source')),
                ('dry_run', models.BooleanField(default=False, verbose_name='dry run')),
                ('status', models.CharField(choices=[('ready', 'Checked, waiting for confirmation'), ('previewed', 'Checked (dry run), nothing written'), ('rejected', 'Rejected, nothing written'), ('succeeded', 'Imported'), ('discarded', 'Discarded, nothing written'), ('failed', 'Failed, nothing written')], default='ready', max_length=20, verbose_name='status')),
                ('file_name', models.CharField(max_length=255, verbose_name='file')),
                ('sha256', models.CharField(max_length=64)),
                ('size', models.PositiveIntegerField(default=0)),
                ('rows', models.PositiveIntegerField(default=0)),
                ('counts', models.JSONField(blank=True, default=dict)),
                ('problems', models.JSONField(blank=True, default=list)),
                ('error_count', models.PositiveIntegerField(default=0)),
                ('warning_count', models.PositiveIntegerField(default=0)),
                ('sample', models.JSONField(blank=True, default=list)),
                ('payload', models.BinaryField(blank=True, null=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.municipality')),
            ],
            options={
                'verbose_name': 'catalogue import',
                'verbose_name_plural': 'catalogue imports',
                'ordering': ['-created_at', '-id'],
            },
        ),
    ]
