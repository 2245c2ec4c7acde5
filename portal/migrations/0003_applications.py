from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from portal.applications.models import MaterialSource, TaskStatus
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('portal', '0002_identity_audit')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Application',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('bundle', fields.ForeignKeyField('portal.Bundle', source_field='bundle_id', db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.RESTRICT)),
                ('applicant', fields.ForeignKeyField('portal.Account', source_field='applicant_id', db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.RESTRICT)),
                ('submitted_by', fields.ForeignKeyField('portal.Account', source_field='submitted_by_id', db_constraint=True, to_field='id', related_name='submissions', on_delete=OnDelete.RESTRICT)),
                ('channel', fields.CharField(max_length=10)),
                ('form_values', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('idempotency_key', fields.CharField(max_length=100)),
                ('request_hash', fields.CharField(max_length=64)),
                ('event_seq', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'application', 'app': 'portal', 'unique_together': (('submitted_by', 'idempotency_key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Certificate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('holder', fields.ForeignKeyField('portal.Account', source_field='holder_id', db_constraint=True, to_field='id', related_name='certificates', on_delete=OnDelete.CASCADE)),
                ('type_code', fields.CharField(db_index=True, max_length=60)),
                ('number', fields.CharField(max_length=60)),
                ('issuer_code', fields.CharField(max_length=20)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('valid_until', fields.DateField(null=True)),
                ('data', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('source_task_id', fields.IntField(null=True)),
            ],
            options={'table': 'certificate', 'app': 'portal', 'pk_attr': 'id', 'table_description': "One e-licence in a holder's wallet, issued by a department or by an approved task of the portal."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Event',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('stream', fields.CharField(max_length=60)),
                ('seq', fields.IntField()),
                ('kind', fields.CharField(max_length=40)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('payload', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('published_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'event', 'app': 'portal', 'unique_together': (('stream', 'seq'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Supplement',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('portal.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='supplements', on_delete=OnDelete.CASCADE)),
                ('submitted_by_id', fields.IntField()),
                ('idempotency_key', fields.CharField(max_length=100)),
                ('request_hash', fields.CharField(max_length=64)),
                ('form_values', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'supplement', 'app': 'portal', 'unique_together': (('application', 'submitted_by_id', 'idempotency_key'),), 'pk_attr': 'id', 'table_description': "An applicant's answer to 补正 requests, kept for idempotency and the record."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Task',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('portal.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='tasks', on_delete=OnDelete.CASCADE)),
                ('item', fields.ForeignKeyField('portal.ServiceItem', source_field='item_id', db_constraint=True, to_field='id', related_name='tasks', on_delete=OnDelete.RESTRICT)),
                ('department_code', fields.CharField(db_index=True, max_length=20)),
                ('prerequisites', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharEnumField(db_index=True, description='WAITING: WAITING\nSUBMITTED: SUBMITTED\nACCEPTED: ACCEPTED\nAPPROVED: APPROVED\nREJECTED: REJECTED\nSUPPLEMENT_REQUIRED: SUPPLEMENT_REQUIRED', enum_type=TaskStatus, max_length=20)),
                ('version', fields.IntField(default=1)),
                ('sort', fields.IntField()),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('deadline', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('deadline_provisional', fields.BooleanField(default=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('note', fields.TextField(default='', unique=False)),
                ('supplement', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'task', 'app': 'portal', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UploadedFile',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('portal.Account', source_field='owner_id', db_constraint=True, to_field='id', related_name='uploads', on_delete=OnDelete.RESTRICT)),
                ('sha256', fields.CharField(db_index=True, max_length=64)),
                ('size', fields.IntField()),
                ('media_type', fields.CharField(max_length=60)),
                ('name', fields.CharField(max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'uploaded_file', 'app': 'portal', 'pk_attr': 'id', 'table_description': 'A file stored content-addressed under PORTAL_UPLOAD_DIR (sha256/ab/cdef...).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApplicationMaterial',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('portal.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='materials', on_delete=OnDelete.CASCADE)),
                ('material_code', fields.CharField(max_length=80)),
                ('source', fields.CharEnumField(description='UPLOAD: UPLOAD\nLICENCE: LICENCE\nISSUED: ISSUED', enum_type=MaterialSource, max_length=10)),
                ('file', fields.ForeignKeyField('portal.UploadedFile', source_field='file_id', null=True, db_constraint=True, to_field='id', related_name='uses', on_delete=OnDelete.RESTRICT)),
                ('certificate', fields.ForeignKeyField('portal.Certificate', source_field='certificate_id', null=True, db_constraint=True, to_field='id', related_name='uses', on_delete=OnDelete.RESTRICT)),
                ('attached_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'application_material', 'app': 'portal', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
