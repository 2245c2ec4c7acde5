from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from portal.catalog.models import Audience, FieldType, RegionLevel, Terminal
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Bundle',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=60)),
                ('name', fields.CharField(db_index=True, max_length=100)),
                ('description', fields.TextField(unique=False)),
                ('keywords', fields.CharField(default='', max_length=300)),
                ('audience', fields.CharEnumField(db_index=True, description='CITIZEN: CITIZEN\nENTERPRISE: ENTERPRISE\nBOTH: BOTH', enum_type=Audience, max_length=10)),
                ('national', fields.BooleanField()),
                ('promised_days', fields.IntField()),
                ('sort', fields.IntField()),
            ],
            options={'table': 'bundle', 'app': 'portal', 'pk_attr': 'id', 'table_description': '一件事: a life or business event served by several items along a dependency graph.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BundleChannel',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('bundle', fields.ForeignKeyField('portal.Bundle', source_field='bundle_id', db_constraint=True, to_field='id', related_name='channel_links', on_delete=OnDelete.CASCADE)),
                ('terminal', fields.CharEnumField(description='TV: TV\nDESKTOP: DESKTOP\nMOBILE: MOBILE\nWINDOW: WINDOW\nKIOSK: KIOSK', enum_type=Terminal, max_length=10)),
            ],
            options={'table': 'bundle_channel', 'app': 'portal', 'unique_together': (('bundle', 'terminal'),), 'pk_attr': 'id', 'table_description': 'A terminal on which every item of the bundle can be applied for (kept for filtering in SQL).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CalendarDay',
            fields=[
                ('day', fields.DateField(primary_key=True, unique=True, db_index=True)),
                ('year', fields.IntField(db_index=True)),
                ('working', fields.BooleanField()),
                ('name', fields.CharField(max_length=50)),
            ],
            options={'table': 'calendar_day', 'app': 'portal', 'pk_attr': 'day', 'table_description': 'A day that differs from Monday–Friday: a weekday off or a make-up working weekend day (调休).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CalendarYear',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('year', fields.IntField(unique=True)),
                ('imported_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'calendar_year', 'app': 'portal', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CertificateType',
            fields=[
                ('code', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=60)),
                ('name', fields.CharField(max_length=100)),
                ('issuer_code', fields.CharField(max_length=20)),
                ('holder', fields.CharField(max_length=10)),
            ],
            options={'table': 'certificate_type', 'app': 'portal', 'pk_attr': 'code'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Department',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=20)),
                ('name', fields.CharField(max_length=100)),
                ('region_code', fields.CharField(db_index=True, max_length=6)),
                ('sort', fields.IntField()),
            ],
            options={'table': 'department', 'app': 'portal', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FieldDefinition',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=80)),
                ('label', fields.CharField(max_length=100)),
                ('type', fields.CharEnumField(description='TEXT: TEXT\nDATE: DATE\nNUMBER: NUMBER\nPHONE: PHONE\nID_NUMBER: ID_NUMBER\nCREDIT_CODE: CREDIT_CODE\nSELECT: SELECT\nBOOLEAN: BOOLEAN\nADDRESS: ADDRESS', enum_type=FieldType, max_length=12)),
                ('hint', fields.CharField(default='', max_length=200)),
                ('validation', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('options', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'field_definition', 'app': 'portal', 'pk_attr': 'key', 'table_description': 'A canonical form field (数据元): asked once per bundle form, whichever items need it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MaterialDefinition',
            fields=[
                ('code', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=80)),
                ('name', fields.CharField(max_length=100)),
                ('certificate_type_code', fields.CharField(null=True, max_length=60)),
            ],
            options={'table': 'material_definition', 'app': 'portal', 'pk_attr': 'code'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PublicVersion',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=30)),
                ('version', fields.BigIntField(default=0)),
            ],
            options={'table': 'public_version', 'app': 'portal', 'pk_attr': 'name'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Region',
            fields=[
                ('code', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=6)),
                ('name', fields.CharField(max_length=50)),
                ('level', fields.CharEnumField(description='PROVINCE: PROVINCE\nCITY: CITY\nCOUNTY: COUNTY', enum_type=RegionLevel, max_length=10)),
                ('parent_code', fields.CharField(null=True, max_length=6)),
                ('market_entities', fields.IntField()),
            ],
            options={'table': 'region', 'app': 'portal', 'pk_attr': 'code'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ServiceItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=30)),
                ('name', fields.CharField(db_index=True, max_length=100)),
                ('department', fields.ForeignKeyField('portal.Department', source_field='department_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.RESTRICT)),
                ('audience', fields.CharEnumField(db_index=True, description='CITIZEN: CITIZEN\nENTERPRISE: ENTERPRISE\nBOTH: BOTH', enum_type=Audience, max_length=10)),
                ('legal_days', fields.IntField()),
                ('promised_days', fields.IntField()),
                ('fee', fields.DecimalField(max_digits=10, decimal_places=2)),
                ('description', fields.TextField(unique=False)),
                ('keywords', fields.CharField(default='', max_length=300)),
                ('channels', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('issues', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('sort', fields.IntField()),
            ],
            options={'table': 'service_item', 'app': 'portal', 'pk_attr': 'id', 'table_description': '事项: one legally defined procedure of one department.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BundleItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('bundle', fields.ForeignKeyField('portal.Bundle', source_field='bundle_id', db_constraint=True, to_field='id', related_name='item_links', on_delete=OnDelete.CASCADE)),
                ('item', fields.ForeignKeyField('portal.ServiceItem', source_field='item_id', db_constraint=True, to_field='id', related_name='bundle_links', on_delete=OnDelete.RESTRICT)),
                ('prerequisites', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('sort', fields.IntField()),
            ],
            options={'table': 'bundle_item', 'app': 'portal', 'unique_together': (('bundle', 'item'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ItemField',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.ForeignKeyField('portal.ServiceItem', source_field='item_id', db_constraint=True, to_field='id', related_name='field_links', on_delete=OnDelete.CASCADE)),
                ('field_key', fields.CharField(max_length=80)),
                ('required', fields.BooleanField()),
                ('sort', fields.IntField()),
            ],
            options={'table': 'item_field', 'app': 'portal', 'unique_together': (('item', 'field_key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ItemMaterial',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.ForeignKeyField('portal.ServiceItem', source_field='item_id', db_constraint=True, to_field='id', related_name='material_links', on_delete=OnDelete.CASCADE)),
                ('material_code', fields.CharField(max_length=80)),
                ('required', fields.BooleanField()),
                ('sort', fields.IntField()),
            ],
            options={'table': 'item_material', 'app': 'portal', 'unique_together': (('item', 'material_code'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
