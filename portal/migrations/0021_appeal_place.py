from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [('portal', '0020_scale')]

    initial = False

    operations = [
        ops.AddField(model_name='Appeal', name='address', field=fields.CharField(max_length=200, null=True)),
        ops.AddField(model_name='Appeal', name='latitude', field=fields.FloatField(null=True)),
        ops.AddField(model_name='Appeal', name='longitude', field=fields.FloatField(null=True)),
        ops.AddField(model_name='Appeal', name='media_url', field=fields.CharField(max_length=500, null=True)),
        ops.AddField(model_name='Appeal', name='open311_token',
                     field=fields.CharField(max_length=43, null=True, unique=True)),
    ]
