import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0006_channel_import_resolution_monitoring"),
    ]

    operations = [
        migrations.CreateModel(
            name="InboundMail",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("message_id", models.CharField(max_length=255, unique=True, verbose_name="message id")),
                ("mailbox", models.CharField(max_length=255, verbose_name="mailbox")),
                ("sender", models.CharField(blank=True, max_length=254, verbose_name="sender")),
                ("subject", models.CharField(blank=True, max_length=255, verbose_name="subject")),
                (
                    "received_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="imported"),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("created", "Ticket created"),
                            ("replied", "Reply added"),
                            ("unknown_sender", "Unknown sender"),
                            ("auto_reply", "Automatic message or loop"),
                            ("refused", "Refused"),
                            ("failed", "Could not be imported"),
                        ],
                        max_length=20,
                        verbose_name="outcome",
                    ),
                ),
                (
                    "ticket",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="inbound_mails",
                        to="tickets.ticket",
                        verbose_name="ticket",
                    ),
                ),
                ("reason", models.TextField(blank=True, verbose_name="reason")),
            ],
            options={
                "verbose_name": "inbound email",
                "verbose_name_plural": "inbound emails",
                "ordering": ["-received_at"],
                "indexes": [models.Index(fields=["outcome", "received_at"], name="inboundmail_outcome")],
            },
        ),
    ]
