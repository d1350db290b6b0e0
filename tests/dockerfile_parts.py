"""The Dockerfile as the tests read it: its stages' instructions, the files its
build stage copies (with .dockerignore applied, as Docker applies it) and that
stage's ``pip wheel`` command."""

from __future__ import annotations

import fnmatch
import shlex
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def stages() -> list[list[str]]:
    """The Dockerfile's stages, each its instructions after its FROM, continuation
    lines joined and comments left out."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()
             if line.strip() and not line.strip().startswith("#")]
    starts = [i for i, line in enumerate(lines) if line.split()[0].upper() == "FROM"]
    return [lines[start + 1:end] for start, end in zip(starts, [*starts[1:], len(lines)],
                                                       strict=True)]


def build_stage() -> list[str]:
    """The first stage's instructions, which build the wheel."""
    found = stages()
    assert len(found) >= 2, "the Dockerfile no longer has a build stage"
    return found[0]


def final_stage() -> list[str]:
    """The last stage's instructions: the image that runs."""
    return stages()[-1]


def dockerignore_patterns() -> list[list[str]]:
    """The .dockerignore patterns, each split into its path parts (``!`` exceptions
    are not supported, and none are used)."""
    path = ROOT / ".dockerignore"
    lines = path.read_text().splitlines() if path.is_file() else []
    patterns = [line.strip().strip("/") for line in lines
                if line.strip() and not line.strip().startswith("#")]
    assert not any(p.startswith("!") for p in patterns), "teach dockerignored() about '!'"
    return [p.split("/") for p in patterns]


def _matches(pattern: list[str], parts: list[str]) -> bool:
    """Whether a path's parts match a pattern's parts; ``**`` spans any number."""
    if not pattern:
        return not parts
    if pattern[0] == "**":
        return any(_matches(pattern[1:], parts[i:]) for i in range(len(parts) + 1))
    return bool(parts) and fnmatch.fnmatchcase(parts[0], pattern[0]) \
        and _matches(pattern[1:], parts[1:])


def dockerignored(relative: Path, patterns: list[list[str]]) -> bool:
    """Whether the build context leaves out ``relative`` (a path in the checkout),
    as Docker matches .dockerignore: a pattern naming a folder leaves out all in it."""
    parts = list(relative.parts)
    return any(_matches(pattern, parts[:n]) for pattern in patterns
               for n in range(1, len(parts) + 1))


def copy_context(destination: Path) -> None:
    """Copy what the build stage's COPY instructions copy into ``destination``,
    which stands for the stage's WORKDIR."""
    patterns = dockerignore_patterns()
    copies = [shlex.split(line)[1:] for line in build_stage() if line.split()[0] == "COPY"]
    assert copies, "the build stage copies nothing"
    for args in copies:
        assert not any(a.startswith("--") for a in args), f"COPY {args}: flags not handled"
        *sources, target = args
        for source in sources:
            src = ROOT / source
            into = destination / target if target not in ("./", ".") else destination
            files = [src] if src.is_file() else sorted(p for p in src.rglob("*") if p.is_file())
            for file in files:
                relative = file.relative_to(ROOT)
                if dockerignored(relative, patterns):
                    continue
                if src.is_file():
                    out = into / src.name if target.endswith("/") else into
                else:
                    out = into / file.relative_to(src)
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(file, out)


def wheel_command(wheel_dir: Path) -> list[str]:
    """The build stage's ``pip wheel`` command, for this Python, writing into
    ``wheel_dir``."""
    runs = [shlex.split(line)[1:] for line in build_stage() if line.split()[0] == "RUN"]
    wheel_runs = [args for args in runs if args[:2] == ["pip", "wheel"]]
    assert len(wheel_runs) == 1, f"expected one 'RUN pip wheel ...' in the build stage: {runs}"
    args = wheel_runs[0][2:]
    assert "--no-deps" in args, "the build stage's wheel is no longer built alone"
    at = args.index("--wheel-dir")
    args[at + 1] = str(wheel_dir)
    return [sys.executable, "-m", "pip", "wheel", *args]
