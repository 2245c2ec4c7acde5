from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from portal.halls.models import AppointmentStatus, TicketStatus
from portal.identity.models import Role
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('portal', '0005_appeal_attachments')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Hall',
            fields=[
                ('code', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=30)),
                ('name', fields.CharField(max_length=100)),
                ('region_code', fields.CharField(max_length=6)),
                ('address', fields.CharField(max_length=200)),
                ('sort', fields.IntField(default=0)),
            ],
            options={'table': 'hall', 'app': 'portal', 'pk_attr': 'code'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Appointment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('hall', fields.ForeignKeyField('portal.Hall', source_field='hall_id', db_constraint=True, to_field='code', related_name='appointments', on_delete=OnDelete.CASCADE)),
                ('category_code', fields.CharField(max_length=30)),
                ('slot_start', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('account_id', fields.IntField(db_index=True)),
                ('status', fields.CharEnumField(description='BOOKED: BOOKED\nCHECKED_IN: CHECKED_IN\nCANCELLED: CANCELLED', enum_type=AppointmentStatus, max_length=12)),
                ('idempotency_key', fields.CharField(max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'appointment', 'app': 'portal', 'unique_together': (('account_id', 'idempotency_key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Counter',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('hall', fields.ForeignKeyField('portal.Hall', source_field='hall_id', db_constraint=True, to_field='code', related_name='counters', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(unique=True, max_length=30)),
                ('categories', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'counter', 'app': 'portal', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HallCategory',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('hall', fields.ForeignKeyField('portal.Hall', source_field='hall_id', db_constraint=True, to_field='code', related_name='categories', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(max_length=30)),
                ('name', fields.CharField(max_length=100)),
                ('letter', fields.CharField(max_length=2)),
                ('service_minutes', fields.IntField()),
                ('slot_minutes', fields.IntField()),
                ('slot_capacity', fields.IntField()),
                ('sort', fields.IntField(default=0)),
            ],
            options={'table': 'hall_category', 'app': 'portal', 'unique_together': (('hall', 'code'),), 'pk_attr': 'id', 'table_description': 'A queue of the hall: its ticket letter, the minutes a service takes, and appointment slots.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LegacyCode',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code_type', fields.CharField(max_length=40)),
                ('value', fields.CharField(max_length=80)),
                ('holder', fields.ForeignKeyField('portal.Account', source_field='holder_id', db_constraint=True, to_field='id', related_name='legacy_codes', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'legacy_code', 'app': 'portal', 'unique_together': (('code_type', 'value'),), 'pk_attr': 'id', 'table_description': 'One of the 500+ older codes (health, social security, medical insurance, transport, library, park ...)'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Ticket',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('hall', fields.ForeignKeyField('portal.Hall', source_field='hall_id', db_constraint=True, to_field='code', related_name='tickets', on_delete=OnDelete.CASCADE)),
                ('category_code', fields.CharField(max_length=30)),
                ('day', fields.DateField()),
                ('seq', fields.IntField()),
                ('number', fields.CharField(max_length=10)),
                ('priority', fields.BooleanField(default=False)),
                ('status', fields.CharEnumField(db_index=True, description='WAITING: WAITING\nCALLED: CALLED\nDONE: DONE\nSKIPPED: SKIPPED', enum_type=TicketStatus, max_length=10)),
                ('version', fields.IntField(default=1)),
                ('account_id', fields.IntField(null=True)),
                ('appointment_id', fields.IntField(null=True, unique=True)),
                ('counter_code', fields.CharField(null=True, max_length=30)),
                ('called_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('calls', fields.IntField(default=0)),
                ('idempotency_key', fields.CharField(null=True, max_length=100)),
                ('taken_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'ticket', 'app': 'portal', 'unique_together': (('hall', 'category_code', 'day', 'seq'), ('account_id', 'idempotency_key')), 'pk_attr': 'id', 'table_description': 'A queue ticket, numbered per category per day (A023). A ticket from an appointment has priority.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UsedCode',
            fields=[
                ('nonce', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=40)),
                ('holder_id', fields.IntField()),
                ('scanned_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'used_code', 'app': 'portal', 'pk_attr': 'nonce', 'table_description': 'A 鲁通码 payload already scanned: its nonce, kept until the code expires (single use).'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Account',
            name='role',
            field=fields.CharEnumField(null=True, description='WINDOW_CLERK: WINDOW_CLERK\nDEPARTMENT_HANDLER: DEPARTMENT_HANDLER\nAPPEALS_COORDINATOR: APPEALS_COORDINATOR\nSUPERVISOR: SUPERVISOR\nADMIN: ADMIN\nSCENE_OPERATOR: SCENE_OPERATOR', enum_type=Role, max_length=20),
        ),
        ops.AddField(
            model_name='Account',
            name='scene',
            field=fields.CharField(null=True, max_length=20),
        ),
        # On SQLite, Tortoise applies the AlterField above by rebuilding the table, which drops the
        # unique_together (kind, phone). Restore it; on PostgreSQL the constraint survives and this index
        # merely repeats it.
        ops.RunSQL(
            'CREATE UNIQUE INDEX IF NOT EXISTS "uid_account_kind_phone" ON "account" ("kind", "phone")',
            reverse_sql='DROP INDEX IF EXISTS "uid_account_kind_phone"',
        ),
    ]
