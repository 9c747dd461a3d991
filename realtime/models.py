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


class OutboxFrame(models.Model):
    """A frame written in the transaction of the command that made it, until the channel layer
    has taken it (``realtime.publish``).

    Committed with the state it describes, so no committed event is lost when the layer is
    down at commit time (a Redis restart) or the process dies right after the commit: the row
    stays until a publication succeeds, and the fan-out publishes what is left as soon as the
    layer answers again, and at every heartbeat.
    """

    group = models.CharField(max_length=100)
    text = models.TextField()
    seq = models.BigIntegerField(null=True)
    close_code = models.PositiveIntegerField(null=True)
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.group} {self.seq}"
