from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('portal', '0013_references_decisions_offers')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Bundle',
            name='single_item',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
