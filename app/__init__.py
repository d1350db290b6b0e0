"""nnplay's web application: a FastAPI server around the NumPy engine in `engine`.

The app depends on the engine, never the other way round. For now it only answers a
health check and a small description of itself; pages, the REST API and the
websocket come later.
"""

__version__ = "0.1.0"
