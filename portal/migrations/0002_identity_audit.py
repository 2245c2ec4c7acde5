from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from portal.identity.models import AccountKind, Role
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('portal', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Account',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='CITIZEN: CITIZEN\nENTERPRISE: ENTERPRISE\nSTAFF: STAFF', enum_type=AccountKind, max_length=10)),
                ('name', fields.CharField(max_length=100)),
                ('id_number', fields.CharField(null=True, unique=True, max_length=18)),
                ('credit_code', fields.CharField(null=True, unique=True, max_length=18)),
                ('legal_representative_id_number', fields.CharField(null=True, max_length=18)),
                ('username', fields.CharField(null=True, unique=True, max_length=40)),
                ('phone', fields.CharField(null=True, max_length=11)),
                ('role', fields.CharEnumField(null=True, description='WINDOW_CLERK: WINDOW_CLERK\nDEPARTMENT_HANDLER: DEPARTMENT_HANDLER\nAPPEALS_COORDINATOR: APPEALS_COORDINATOR\nSUPERVISOR: SUPERVISOR\nADMIN: ADMIN', enum_type=Role, max_length=20)),
                ('department_code', fields.CharField(null=True, max_length=20)),
                ('region_code', fields.CharField(null=True, max_length=6)),
                ('password_hash', fields.CharField(max_length=200)),
                ('password_changed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('disabled', fields.BooleanField(default=False)),
            ],
            options={'table': 'account', 'app': 'portal', 'unique_together': (('kind', 'phone'),), 'pk_attr': 'id', 'table_description': 'A real-name account: a citizen (ID number), an enterprise (credit code) or a staff member (username).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('action', fields.CharField(db_index=True, max_length=60)),
                ('actor_account_id', fields.IntField(null=True)),
                ('actor', fields.CharField(max_length=120)),
                ('subject_account_id', fields.IntField(null=True, db_index=True)),
                ('target', fields.CharField(default='', max_length=120)),
                ('detail', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('address', fields.CharField(default='', max_length=64)),
                ('terminal', fields.CharField(default='', max_length=10)),
                ('prev_hash', fields.CharField(unique=True, max_length=64)),
                ('hash', fields.CharField(unique=True, max_length=64)),
            ],
            options={'table': 'audit_entry', 'app': 'portal', 'pk_attr': 'id', 'table_description': "One audited event. ``prev_hash`` is the previous entry's ``hash`` and unique, so two writers that"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EnterpriseAgent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('enterprise', fields.ForeignKeyField('portal.Account', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='agents', on_delete=OnDelete.CASCADE)),
                ('agent', fields.ForeignKeyField('portal.Account', source_field='agent_id', db_constraint=True, to_field='id', related_name='agent_of', on_delete=OnDelete.CASCADE)),
                ('granted_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'enterprise_agent', 'app': 'portal', 'pk_attr': 'id', 'table_description': "An employee's citizen account authorised to act for an enterprise (经办人)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FamilyAuthorisation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('grantor', fields.ForeignKeyField('portal.Account', source_field='grantor_id', db_constraint=True, to_field='id', related_name='family_grants', on_delete=OnDelete.CASCADE)),
                ('grantee', fields.ForeignKeyField('portal.Account', source_field='grantee_id', db_constraint=True, to_field='id', related_name='family_received', on_delete=OnDelete.CASCADE)),
                ('bundle_code', fields.CharField(max_length=60)),
                ('relationship', fields.CharField(max_length=20)),
                ('granted_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'family_authorisation', 'app': 'portal', 'pk_attr': 'id', 'table_description': "A citizen's authorisation of a family member to apply for one named bundle on their behalf (代办)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RateCounter',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=200)),
                ('failures', fields.IntField(default=0)),
                ('window_started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('blocked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'rate_counter', 'app': 'portal', 'pk_attr': 'key', 'table_description': 'Failed attempts of one kind from one key (an account or an address) in the current window.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('portal.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('address', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'session', 'app': 'portal', 'pk_attr': 'id', 'table_description': 'A bearer token, stored as its SHA-256 digest.'},
            bases=['Model'],
        ),
    ]
