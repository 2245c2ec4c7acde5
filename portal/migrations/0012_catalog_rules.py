from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('portal', '0011_kiosk')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ServiceItem',
            name='instant_approval',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='ServiceItem',
            name='legal_basis',
            field=fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='ServiceItem',
            name='offers',
            field=fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='ServiceItem',
            name='produces',
            field=fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads),
        ),
    ]
