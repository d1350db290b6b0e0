"""nnplay's training engine: NumPy only (and threadpoolctl, which keeps BLAS at one
thread while it computes), usable from a notebook as a library.

Modules, from the bottom up: ``activations``, ``initializers``, ``layers``,
``losses``, ``optimizers`` and ``network`` (the parts); ``data`` (data sets and
features); ``spec`` and ``build`` (a JSON spec and what it builds); ``trainer`` (a
seeded run); ``telemetry`` (what a frame shows); ``lessons`` (the notes' claims as
presets and measurements); ``gradcheck`` (central-difference checks).
"""
