from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    """A person's applications of a bundle, by index: every submission reads them (a likely duplicate)."""

    dependencies = [('portal', '0021_appeal_place')]

    initial = False

    operations = [
        ops.AddIndex(model_name='Application', index=Index(fields=['applicant_id', 'bundle_id'])),
    ]
