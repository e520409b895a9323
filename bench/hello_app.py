"""The baseline of the sharing benchmark: a bare FastAPI hello-world, served like govshare."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/hello")
def hello() -> dict[str, str]:
    return {"hello": "world"}
