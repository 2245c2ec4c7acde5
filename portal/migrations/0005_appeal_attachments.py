from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('portal', '0004_appeals')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AppealAttachment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('appeal', fields.ForeignKeyField('portal.Appeal', source_field='appeal_id', db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.CASCADE)),
                ('file', fields.ForeignKeyField('portal.UploadedFile', source_field='file_id', db_constraint=True, to_field='id', related_name='appeal_uses', on_delete=OnDelete.RESTRICT)),
                ('added_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'appeal_attachment', 'app': 'portal', 'unique_together': (('appeal', 'file'),), 'pk_attr': 'id', 'table_description': 'An uploaded file attached to an appeal (photos, contracts, notices).'},
            bases=['Model'],
        ),
    ]
