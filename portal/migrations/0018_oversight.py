from tortoise import migrations
from tortoise.migrations import operations as ops
from portal.appeals.models import SlaStep
from portal.oversight.models import NoticeKind
from tortoise.fields.base import OnDelete
from tortoise import fields

class AlterDescriptionOnly(ops.AlterField):
    """deadline_miss.step gains two members (CARRY_OUT, RECTIFY_REPORT): only the field's description, the list of
    its members, changes, and the column stays VARCHAR(15). Applied as an AlterField it would rebuild the table on
    SQLite and drop its unique (target, step, deadline), which keeps a miss from being alerted twice."""

    async def database_forward(self, *args, **kwargs) -> None:
        return None

    async def database_backward(self, *args, **kwargs) -> None:
        return None


class Migration(migrations.Migration):
    dependencies = [('portal', '0017_packs')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ExecutiveMeeting',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=100)),
                ('session_number', fields.CharField(max_length=40)),
                ('held_on', fields.DateField()),
                ('region_code', fields.CharField(db_index=True, max_length=6)),
                ('created_by_id', fields.IntField()),
                ('idempotency_key', fields.CharField(max_length=100)),
                ('request_hash', fields.CharField(max_length=64)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'executive_meeting', 'app': 'portal', 'unique_together': (('created_by_id', 'idempotency_key'),), 'pk_attr': 'id', 'table_description': "A session of the executive meeting of a region (the province's 省政府常务会议, a city's 市政府常务会议)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MeetingInvitation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('meeting', fields.ForeignKeyField('portal.ExecutiveMeeting', source_field='meeting_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('credit_code', fields.CharField(db_index=True, max_length=18)),
                ('enterprise_name', fields.CharField(max_length=100)),
                ('invited_by_id', fields.IntField()),
                ('invited_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'meeting_invitation', 'app': 'portal', 'unique_together': (('meeting', 'credit_code'),), 'pk_attr': 'id', 'table_description': 'An entrepreneur invited to attend (列席) a meeting: an enterprise account, by its credit code.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MeetingTopic',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('appeal', fields.OneToOneField('portal.Appeal', source_field='appeal_id', db_constraint=True, to_field='id', related_name='meeting_topic', on_delete=OnDelete.CASCADE)),
                ('region_code', fields.CharField(db_index=True, max_length=6)),
                ('reason', fields.TextField(default='', unique=False)),
                ('listed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('meeting', fields.ForeignKeyField('portal.ExecutiveMeeting', source_field='meeting_id', null=True, db_constraint=True, to_field='id', related_name='topics', on_delete=OnDelete.SET_NULL)),
                ('scheduled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decision', fields.TextField(default='', unique=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_by_id', fields.IntField(null=True)),
                ('responsible_department_code', fields.CharField(null=True, db_index=True, max_length=20)),
                ('carry_out_days', fields.IntField(null=True)),
                ('carry_out_by', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('provisional', fields.BooleanField(default=False)),
                ('carried_out_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('carried_out_note', fields.TextField(default='', unique=False)),
                ('version', fields.IntField(default=1)),
            ],
            options={'table': 'meeting_topic', 'app': 'portal', 'pk_attr': 'id', 'table_description': "An appeal listed as a meeting topic (议题), scheduled into a meeting, and the meeting's decision on it: the"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UnitNotice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='NOTICE: NOTICE\nTALK: TALK', enum_type=NoticeKind, max_length=10)),
                ('department_code', fields.CharField(db_index=True, max_length=20)),
                ('region_code', fields.CharField(db_index=True, max_length=6)),
                ('reason', fields.TextField(unique=False)),
                ('period_from', fields.DateField()),
                ('period_to', fields.DateField()),
                ('received', fields.IntField()),
                ('satisfaction_rate', fields.FloatField(null=True)),
                ('missed_deadlines', fields.IntField()),
                ('issued_by_id', fields.IntField()),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('report_days', fields.IntField()),
                ('report_by', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('provisional', fields.BooleanField(default=False)),
                ('report', fields.TextField(default='', unique=False)),
                ('reported_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reported_by_id', fields.IntField(null=True)),
                ('idempotency_key', fields.CharField(max_length=100)),
                ('request_hash', fields.CharField(max_length=64)),
                ('version', fields.IntField(default=1)),
            ],
            options={'table': 'unit_notice', 'app': 'portal', 'unique_together': (('issued_by_id', 'idempotency_key'),), 'pk_attr': 'id', 'table_description': 'A notice (通报) or talk (约谈) issued to a unit for low satisfaction or repeated missed deadlines, with the'},
            bases=['Model'],
        ),
        AlterDescriptionOnly(
            model_name='DeadlineMiss',
            name='step',
            field=fields.CharEnumField(description='CONTACT: CONTACT\nOPINION: OPINION\nRESOLVE: RESOLVE\nRETURN_VISIT: RETURN_VISIT\nRECTIFY: RECTIFY\nCARRY_OUT: CARRY_OUT\nRECTIFY_REPORT: RECTIFY_REPORT', enum_type=SlaStep, max_length=15),
        ),
        # Appeals listed for the meeting before topics had rows of their own become unscheduled topics.
        ops.RunSQL(
            'INSERT INTO "meeting_topic" ("appeal_id", "region_code", "reason", "listed_at", "decision", "provisional", '
            '"carried_out_note", "version") SELECT "id", "region_code", \'\', "meeting_topic_at", \'\', FALSE, \'\', 1 '
            'FROM "appeal" WHERE "meeting_topic_at" IS NOT NULL',
            reverse_sql='DELETE FROM "meeting_topic"',
        ),
    ]
