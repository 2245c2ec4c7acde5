from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('portal', '0010_device_sign_in')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Hall',
            name='kiosk_elder_mode',
            field=fields.BooleanField(default=True),
        ),
    ]
