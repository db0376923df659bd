from kisalli_replay.cli import app

app(prog_name="kisalli-replay")
