"""Entry point of the Huey consumer: `huey_consumer app.worker.huey` (an app + its tasks)."""

from app import create_app
from app.extensions import huey
from app.tasks import bind

app = create_app()
bind(app)

__all__ = ["huey"]
