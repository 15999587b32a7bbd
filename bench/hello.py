"""The yardstick: a bare Flask "hello" page, served by the same gunicorn settings as the shop."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello"
