from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from portal.packs.models import PackStatus
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('portal', '0016_surveys')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PolicyPack',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=100)),
                ('summary', fields.CharField(max_length=500)),
                ('sections', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('links', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('region_code', fields.CharField(db_index=True, max_length=6)),
                ('industries', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('department_code', fields.CharField(null=True, db_index=True, max_length=20)),
                ('status', fields.CharEnumField(default=PackStatus.DRAFT, description='DRAFT: DRAFT\nPUBLISHED: PUBLISHED', enum_type=PackStatus, max_length=10)),
                ('version', fields.IntField(default=1)),
                ('created_by', fields.ForeignKeyField('portal.Account', source_field='created_by_id', db_constraint=True, to_field='id', related_name='packs_created', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('published_by', fields.ForeignKeyField('portal.Account', source_field='published_by_id', null=True, db_constraint=True, to_field='id', related_name='packs_published', on_delete=OnDelete.RESTRICT)),
                ('targeted', fields.IntField(default=0)),
                ('idempotency_key', fields.CharField(max_length=100)),
                ('request_hash', fields.CharField(max_length=64)),
            ],
            options={'table': 'policy_pack', 'app': 'portal', 'unique_together': (('created_by', 'idempotency_key'),), 'pk_attr': 'id', 'table_description': 'A pack of policies written plainly (明白纸) for the enterprises of a region and of some industries.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PackDelivery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('pack', fields.ForeignKeyField('portal.PolicyPack', source_field='pack_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('enterprise', fields.ForeignKeyField('portal.Account', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='pack_deliveries', on_delete=OnDelete.CASCADE)),
                ('region_code', fields.CharField(max_length=6)),
                ('pushed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('read', fields.BooleanField(default=False)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('read_by', fields.ForeignKeyField('portal.Account', source_field='read_by_id', null=True, db_constraint=True, to_field='id', related_name='pack_reads', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'pack_delivery', 'app': 'portal', 'unique_together': (('pack', 'enterprise'),), 'indexes': [Index(fields=['enterprise_id', 'read'])], 'pk_attr': 'id', 'table_description': 'One pack pushed to one enterprise: delivered when its app first lists it, read when first opened (by the'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Account',
            name='industry',
            field=fields.CharField(null=True, max_length=1),
        ),
    ]
