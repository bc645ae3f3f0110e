"""Seed the funding schemes and their dated parameters (the data lives in kapabel.programmes.seed)."""

from django.db import migrations

from kapabel.programmes.seed import seed


def forwards(apps, schema_editor):
    seed(apps.get_model("programmes", "FundingScheme"), apps.get_model("programmes", "SchemeParameter"))


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
