from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from portal.surveys.models import SurveyHalf, SurveyStatus
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('portal', '0015_appeal_grades')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Survey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=100)),
                ('region_code', fields.CharField(db_index=True, max_length=6)),
                ('year', fields.IntField()),
                ('half', fields.CharEnumField(description='H1: H1\nH2: H2', enum_type=SurveyHalf, max_length=2)),
                ('opens_on', fields.DateField()),
                ('closes_on', fields.DateField()),
                ('questions', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('sample_percent', fields.IntField()),
                ('status', fields.CharEnumField(default=SurveyStatus.DRAFT, description='DRAFT: DRAFT\nPUBLISHED: PUBLISHED\nRESULTS_PUBLISHED: RESULTS_PUBLISHED', enum_type=SurveyStatus, max_length=20)),
                ('version', fields.IntField(default=1)),
                ('event_seq', fields.IntField(default=0)),
                ('created_by_id', fields.IntField()),
                ('idempotency_key', fields.CharField(max_length=100)),
                ('request_hash', fields.CharField(max_length=64)),
                ('published_period', fields.CharField(null=True, unique=True, max_length=16)),
                ('population', fields.IntField(null=True)),
                ('sample_seed', fields.BigIntField(null=True)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('results_published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'survey', 'app': 'portal', 'unique_together': (('created_by_id', 'idempotency_key'),), 'pk_attr': 'id', 'table_description': '营商环境满意度调查 of one region and half-year, its questions as data, its sample drawn when published.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SurveyInvitation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('survey', fields.ForeignKeyField('portal.Survey', source_field='survey_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('enterprise', fields.ForeignKeyField('portal.Account', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='survey_invitations', on_delete=OnDelete.RESTRICT)),
                ('credit_code', fields.CharField(db_index=True, max_length=18)),
                ('region_code', fields.CharField(max_length=6)),
                ('invited_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('answered_by_id', fields.IntField(null=True)),
                ('answers', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'survey_invitation', 'app': 'portal', 'unique_together': (('survey', 'enterprise'),), 'pk_attr': 'id', 'table_description': "A sampled enterprise's invitation, with its answers (by question key) once given."},
            bases=['Model'],
        ),
    ]
