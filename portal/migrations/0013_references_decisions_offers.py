from tortoise import migrations
from tortoise.migrations import operations as ops
from portal.applications.models import DecidedBy, OfferStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

from portal.references import ReferenceKind, compose

SHANGHAI_DAY = {"sqlite": "strftime('%Y%m%d', datetime({0}, '+8 hours'))",
                "postgres": "to_char({0} AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD')"}


async def number_existing_rows(apps, schema_editor) -> None:
    """Rows made before reference numbers get theirs: per kind, region and Shanghai day in the order they were
    made, and the counters continue after them."""
    client = schema_editor.client
    dialect = client.capabilities.dialect
    day = SHANGHAI_DAY["postgres" if dialect == "postgres" else "sqlite"]
    param = "$1" if dialect == "postgres" else "?"
    queries = {
        ReferenceKind.APPLICATION: (
            "application",
            'SELECT a.id, COALESCE((SELECT d.region_code FROM task t JOIN service_item i ON i.id = t.item_id '
            'JOIN department d ON d.id = i.department_id WHERE t.application_id = a.id ORDER BY t.sort LIMIT 1), '
            "'370000') AS region, " + day.format("a.created_at") + " AS day FROM application a ORDER BY a.id"),
        ReferenceKind.APPEAL: (
            "appeal",
            "SELECT id, region_code AS region, " + day.format("created_at") + " AS day FROM appeal ORDER BY id"),
    }
    counters: dict[str, int] = {}
    for kind, (table, query) in queries.items():
        _, rows = await client.execute_query(query)
        for row in rows:
            region = row["region"] if str(row["region"]).isdigit() and len(row["region"]) == 6 else "370000"
            key = f"{kind.value}:{region}:{row['day']}"
            counters[key] = counters.get(key, 0) + 1
            number = compose(kind, region, row["day"], counters[key])
            await client.execute_query(f'UPDATE "{table}" SET "number" = {param} WHERE "id" = ' + str(int(row["id"])),
                                       [number])
    for key, value in counters.items():
        await client.execute_query(
            'INSERT INTO "reference_counter" ("key", "value") VALUES ('
            + ("$1, $2" if dialect == "postgres" else "?, ?") + ")", [key, value])

class Migration(migrations.Migration):
    dependencies = [('portal', '0012_catalog_rules')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Offer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('portal.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='offers', on_delete=OnDelete.CASCADE)),
                ('bundle', fields.ForeignKeyField('portal.Bundle', source_field='bundle_id', db_constraint=True, to_field='id', related_name='offers', on_delete=OnDelete.CASCADE)),
                ('reason', fields.CharField(max_length=200)),
                ('status', fields.CharEnumField(default=OfferStatus.OPEN, description='OPEN: OPEN\nACCEPTED: ACCEPTED\nDECLINED: DECLINED', enum_type=OfferStatus, max_length=10)),
                ('source_application', fields.ForeignKeyField('portal.Application', source_field='source_application_id', null=True, db_constraint=True, to_field='id', related_name='offers_made', on_delete=OnDelete.SET_NULL)),
                ('source_item_code', fields.CharField(default='', max_length=40)),
                ('accepted_application', fields.ForeignKeyField('portal.Application', source_field='accepted_application_id', null=True, db_constraint=True, to_field='id', related_name='from_offers', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'offer', 'app': 'portal', 'indexes': [Index(fields=['account_id', 'status'])], 'pk_attr': 'id', 'table_description': '免申即享: a follow-up bundle offered to a person because an item of theirs was approved.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReferenceCounter',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=24)),
                ('value', fields.IntField()),
            ],
            options={'table': 'reference_counter', 'app': 'portal', 'pk_attr': 'key', 'table_description': 'The last sequence number given for one kind, region and day (``B:370100:20261129``).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Appeal',
            name='number',
            field=fields.CharField(unique=True, null=True, max_length=22),
        ),
        ops.AddField(
            model_name='Application',
            name='number',
            field=fields.CharField(unique=True, null=True, max_length=22),
        ),
        ops.RunPython(number_existing_rows),
        ops.AddField(
            model_name='Task',
            name='decided_by',
            field=fields.CharEnumField(null=True, description='PERSON: PERSON\nRULE: RULE', enum_type=DecidedBy, max_length=10),
        ),
        ops.AddField(
            model_name='Task',
            name='rule',
            field=fields.CharField(null=True, max_length=100),
        ),
    ]
