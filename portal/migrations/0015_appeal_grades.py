from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

from portal.appeals.models import AppealKind


class Migration(migrations.Migration):
    dependencies = [('portal', '0014_single_items')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Appeal',
            name='kind',
            field=fields.CharEnumField(default=AppealKind.COMPLAINT, db_default='COMPLAINT', description='COMPLAINT: COMPLAINT\nCONSULTATION: CONSULTATION\nSUGGESTION: SUGGESTION\nREPORT: REPORT', enum_type=AppealKind, max_length=12),
        ),
        ops.AddField(
            model_name='Appeal',
            name='priority',
            field=fields.IntField(default=2, db_default=2),
        ),
        ops.AddField(
            model_name='Appeal',
            name='clock_name',
            field=fields.CharField(default='', db_default='', max_length=30),
        ),
        ops.AddField(
            model_name='Appeal',
            name='answered_on_the_spot',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        # Appeals recorded before grades had clocks: their rank follows their urgency (they keep their 2115 plan).
        ops.RunSQL("UPDATE appeal SET priority = CASE urgency WHEN 'URGENT' THEN 0 WHEN 'IMPORTANT' THEN 1 ELSE 2 END",
                   reverse_sql="SELECT 1"),
    ]
