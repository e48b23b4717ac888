from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('progress', '0011_status_today_index'),
        ('targets', '0004_years_side_by_side'),
    ]

    operations = [
        migrations.AddField(
            model_name='statussnapshot',
            name='day_entry_records',
            field=models.PositiveIntegerField(default=0, verbose_name='当日填报记录数'),
        ),
        migrations.AddField(
            model_name='statussnapshot',
            name='judged_entry_id',
            field=models.BigIntegerField(blank=True, null=True, verbose_name='评判依据（填报编号）'),
        ),
        migrations.AddField(
            model_name='statussnapshot',
            name='judged_is_final',
            field=models.BooleanField(blank=True, null=True, verbose_name='评判依据为最终数据'),
        ),
        migrations.AddField(
            model_name='statussnapshot',
            name='reasons',
            field=models.JSONField(default=list, verbose_name='判定说明'),
        ),
        migrations.AddField(
            model_name='statussnapshot',
            name='taken_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='评估时间'),
        ),
        migrations.AddIndex(
            model_name='statussnapshot',
            index=models.Index(fields=['date'], name='snapshot_date_idx'),
        ),
    ]
