from kisalli_replay.cli import app

app()
