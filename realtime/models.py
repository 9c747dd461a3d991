from django.db import models


class CommandReceipt(models.Model):
    """The answer given to one client command, so that repeating its ``id`` is harmless.

    A client that lost its connection resends its command with the same id; it gets the same
    ack again and the action is not done twice.
    """

    actor = models.CharField(max_length=40)
    command_id = models.CharField(max_length=64)
    command_type = models.CharField(max_length=64)
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["actor", "command_id"], name="command_once_per_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.actor} {self.command_id} {self.command_type}"
