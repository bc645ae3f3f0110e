"""Seed the standard catalogue categories for the municipalities that exist already; new ones get
them from `kapabel.learning.services.learning_setup`."""

from django.db import migrations

SEED = (
    ("leadership", "Ledelse"),
    ("economy_budget", "Økonomistyring og budget"),
    ("production_management", "Produktionsstyring"),
    ("it_tools", "IT-værktøjer"),
    ("legislation", "Lovgivning"),
    ("company_contact", "Virksomhedskontakt"),
    ("communication", "Kommunikation"),
    ("result_review", "Resultatopfølgning"),
)


def seed(apps, schema_editor):
    Municipality = apps.get_model("core", "Municipality")
    Category = apps.get_model("learning", "Category")
    for municipality_id in Municipality.objects.values_list("pk", flat=True):
        existing = set(Category.objects.filter(municipality_id=municipality_id).values_list("code", flat=True))
        Category.objects.bulk_create(
            Category(municipality_id=municipality_id, code=code, name=name, position=position)
            for position, (code, name) in enumerate(SEED)
            if code not in existing
        )


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
