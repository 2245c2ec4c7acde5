from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('portal', '0006_lutong_halls')]

    initial = False

    operations = [
        ops.CreateModel(
            name='HallClerk',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('portal.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='halls', on_delete=OnDelete.CASCADE)),
                ('hall', fields.ForeignKeyField('portal.Hall', source_field='hall_id', db_constraint=True, to_field='code', related_name='clerks', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'hall_clerk', 'app': 'portal', 'unique_together': (('account', 'hall'),), 'pk_attr': 'id', 'table_description': "A window clerk's hall (所属大厅): the clerk calls and handles tickets at this hall's counters only."},
            bases=['Model'],
        ),
    ]
