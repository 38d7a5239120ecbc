from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def payment_dates(apps, schema_editor):
    """An allocation made before this field existed takes effect on its payment's date."""
    Allocation = apps.get_model("payments", "Allocation")
    Payment = apps.get_model("payments", "Payment")
    Allocation.objects.update(date=Subquery(Payment.objects.filter(pk=OuterRef("payment_id")).values("date")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="allocation", name="date", field=models.DateField(null=True, verbose_name="date"),
        ),
        migrations.RunPython(payment_dates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="allocation", name="date", field=models.DateField(verbose_name="date"),
        ),
    ]
