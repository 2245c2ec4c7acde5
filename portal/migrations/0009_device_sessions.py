from tortoise import migrations
from tortoise.migrations import operations as ops
from portal.catalog.models import Terminal
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('portal', '0008_w13_backend')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Session',
            name='device',
            field=fields.CharField(default='', max_length=100),
        ),
        ops.AddField(
            model_name='Session',
            name='terminal',
            field=fields.CharEnumField(null=True, description='TV: TV\nDESKTOP: DESKTOP\nMOBILE: MOBILE\nWINDOW: WINDOW\nKIOSK: KIOSK', enum_type=Terminal, max_length=10),
        ),
    ]
