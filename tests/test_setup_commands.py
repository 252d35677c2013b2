"""The README's set-up path in a fresh interpreter: migrate an empty database, load the demo data,
import the app the way `python run.py`, gunicorn and the Huey consumer do."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(args, env):
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result.stdout


def test_fresh_database_migrates_seeds_and_serves(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL", "HUEY_URL")}
    env.update(INSTANCE_DIR=str(tmp_path), FLASK_APP="run.py", PORTAL_ENV="development")
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    _run([flask, "db", "upgrade"], env)
    out = _run([flask, "portal", "seed-demo", "--if-empty"], env)
    assert "Demo data loaded" in out
    assert "not loaded" in _run([flask, "portal", "seed-demo", "--if-empty"], env)
    probe = (
        "import re, run, app.worker as w\n"
        "c = run.app.test_client()\n"
        "page = c.get('/login/').get_data(as_text=True)\n"
        'token = re.search(r\'name="csrf_token" type="hidden" value="([^"]+)\', page).group(1)\n'
        "form = {'username': 'pembeli', 'password': 'Demo12345!', 'csrf_token': token}\n"
        "assert c.post('/login/', data=form).status_code == 302\n"
        "assert 'Toko E-Order' in c.get('/toko/').get_data(as_text=True)\n"
        "print(type(w.huey).__name__)\n"
    )
    assert _run([sys.executable, "-c", probe], env).strip().endswith("SqliteHuey")
