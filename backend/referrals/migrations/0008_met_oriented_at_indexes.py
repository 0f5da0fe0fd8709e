# The indexes on the columns 0007 filled, in a transaction of their own: PostgreSQL cannot
# build an index on a table whose rows the same transaction updated (pending FK triggers).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0007_met_oriented_at'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(fields=['met_at'], name='referral_met_idx'),
        ),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(fields=['oriented_at'], name='referral_oriented_idx'),
        ),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(fields=['closed_at'], name='referral_closed_idx'),
        ),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(fields=['first_contact_due_on'], name='referral_due_idx'),
        ),
    ]
