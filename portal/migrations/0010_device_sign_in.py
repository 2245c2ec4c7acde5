from tortoise import migrations
from tortoise.migrations import operations as ops
from portal.catalog.models import Terminal
from portal.identity.models import DeviceSignInStatus
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('portal', '0009_device_sessions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DeviceSignIn',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('device_code_hash', fields.CharField(unique=True, max_length=64)),
                ('user_code', fields.CharField(db_index=True, max_length=8)),
                ('terminal', fields.CharEnumField(description='TV: TV\nDESKTOP: DESKTOP\nMOBILE: MOBILE\nWINDOW: WINDOW\nKIOSK: KIOSK', enum_type=Terminal, max_length=10)),
                ('address', fields.CharField(default='', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('interval', fields.IntField()),
                ('last_polled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=DeviceSignInStatus.PENDING, description='PENDING: PENDING\nAPPROVED: APPROVED\nDENIED: DENIED\nREDEEMED: REDEEMED', enum_type=DeviceSignInStatus, max_length=10)),
                ('account', fields.ForeignKeyField('portal.Account', source_field='account_id', null=True, db_constraint=True, to_field='id', related_name='device_sign_ins', on_delete=OnDelete.CASCADE)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'device_sign_in', 'app': 'portal', 'pk_attr': 'id', 'table_description': 'A TV or a kiosk asking to be signed in by a phone (RFC 8628 device authorisation).'},
            bases=['Model'],
        ),
    ]
