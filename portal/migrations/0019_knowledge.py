from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from portal.appeals.models import AppealCategory
from portal.knowledge.models import KnowledgeStatus
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('portal', '0018_oversight')]

    initial = False

    operations = [
        ops.CreateModel(
            name='KnowledgeEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.IntField(default=1)),
                ('current_version_id', fields.IntField(null=True)),
                ('created_by_id', fields.IntField()),
                ('idempotency_key', fields.CharField(max_length=100)),
                ('request_hash', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'knowledge_entry', 'app': 'portal', 'unique_together': (('created_by_id', 'idempotency_key'),), 'pk_attr': 'id', 'table_description': 'One policy answer: its current version (``version`` the number, ``current_version_id`` the row).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='KnowledgeVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('entry', fields.ForeignKeyField('portal.KnowledgeEntry', source_field='entry_id', db_constraint=True, to_field='id', related_name='versions', on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField()),
                ('status', fields.CharEnumField(description='DRAFT: DRAFT\nPUBLISHED: PUBLISHED\nWITHDRAWN: WITHDRAWN', enum_type=KnowledgeStatus, max_length=10)),
                ('title', fields.CharField(max_length=100)),
                ('phrasings', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('answer', fields.TextField(unique=False)),
                ('basis_title', fields.CharField(max_length=200)),
                ('basis_department_code', fields.CharField(max_length=20)),
                ('basis_url', fields.CharField(default='', max_length=500)),
                ('category', fields.CharEnumField(description='POLICY: POLICY\nAPPROVAL: APPROVAL\nFINANCING: FINANCING\nTAX: TAX\nLABOUR: LABOUR\nLAND: LAND\nENERGY: ENERGY\nMARKET: MARKET\nLEGAL: LEGAL\nOTHER: OTHER', enum_type=AppealCategory, max_length=12)),
                ('region_code', fields.CharField(max_length=6)),
                ('valid_from', fields.DateField()),
                ('valid_until', fields.DateField(null=True)),
                ('action', fields.CharField(max_length=20)),
                ('note', fields.CharField(default='', max_length=200)),
                ('author_id', fields.IntField(null=True)),
                ('author', fields.CharField(max_length=120)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'knowledge_version', 'app': 'portal', 'unique_together': (('entry', 'number'),), 'pk_attr': 'id', 'table_description': 'One version of an entry as it stood after a change, with who changed what and when.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='KnowledgeCitation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('appeal_id', fields.IntField(unique=True)),
                ('entry', fields.ForeignKeyField('portal.KnowledgeEntry', source_field='entry_id', db_constraint=True, to_field='id', related_name='citations', on_delete=OnDelete.RESTRICT)),
                ('version', fields.ForeignKeyField('portal.KnowledgeVersion', source_field='version_id', db_constraint=True, to_field='id', related_name='citations', on_delete=OnDelete.RESTRICT)),
                ('cited_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'knowledge_citation', 'app': 'portal', 'pk_attr': 'id', 'table_description': 'An answer given on the spot that cites a version of an entry: one per appeal (the use figure counts these).'},
            bases=['Model'],
        ),
    ]
