"""`python run.py` serves the portal with Flask's server (gunicorn in production: `gunicorn run:app`)."""

import os

from app import create_app

app = create_app()

if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", 5000)), use_reloader=False)
