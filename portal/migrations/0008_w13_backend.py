from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('portal', '0007_sec_identity_halls')]

    initial = False

    operations = [
        ops.CreateModel(
            name='WindowAuthorisation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('holder', fields.ForeignKeyField('portal.Account', source_field='holder_id', db_constraint=True, to_field='id', related_name='window_grants', on_delete=OnDelete.CASCADE)),
                ('clerk', fields.ForeignKeyField('portal.Account', source_field='clerk_id', db_constraint=True, to_field='id', related_name='window_received', on_delete=OnDelete.CASCADE)),
                ('scan_nonce', fields.CharField(unique=True, max_length=40)),
                ('scanned_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('hall_code', fields.CharField(null=True, max_length=30)),
                ('counter_code', fields.CharField(null=True, max_length=30)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'window_authorisation', 'app': 'portal', 'pk_attr': 'id', 'table_description': "窗口代办: a person's consent, given by showing their 鲁通码 to a window clerk (scene GOVERNMENT_SERVICE), for"},
            bases=['Model'],
        ),
    ]
