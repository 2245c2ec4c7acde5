from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

# Issue 19, data scale: the indexes the reads of a 10-million-application database need (bench/scale.py).


class Migration(migrations.Migration):
    dependencies = [('portal', '0019_knowledge')]

    initial = False

    operations = [
        ops.AddIndex(model_name='Application', index=Index(fields=['applicant_id', 'id'])),
        ops.AddIndex(model_name='Task', index=Index(fields=['application_id'])),
        ops.AddIndex(model_name='Task', index=Index(fields=['department_code', 'status', 'deadline'])),
        ops.AddIndex(model_name='ApplicationMaterial', index=Index(fields=['application_id'])),
        ops.AddIndex(model_name='Appeal', index=Index(fields=['region_code', 'created_at'])),
        ops.AddIndex(model_name='Appeal', index=Index(fields=['created_at'])),
        ops.AddIndex(model_name='AppealStep', index=Index(fields=['appeal_id'])),
        # A unit's open tasks in deadline order (departmentTasks(overdue: true)'s first page): without it
        # PostgreSQL walks the deadline index of every unit's tasks. The statuses are applications.rules.OPEN_STATES.
        ops.RunSQL(
            'CREATE INDEX "task_open_by_deadline" ON "task" ("department_code", "deadline", "id") '
            "WHERE \"status\" IN ('SUBMITTED', 'ACCEPTED')",
            reverse_sql='DROP INDEX "task_open_by_deadline"',
        ),
    ]
