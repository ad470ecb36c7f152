"""Start-up cost of ``translate --help`` against a hello-world typer app.

The budget is 1.5x the hello-world app's ``--help`` (one command, two
options). Both run as ``python -m`` / ``python FILE`` in fresh processes;
the table gives medians of 21 runs and the ratio.

    python benchmarks/startup.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HELLO = '''
import typer

app = typer.Typer()


@app.command()
def main(name: str = "world", count: int = 1) -> None:
    """Say hello."""
    print(("hello " + name + "\\n") * count)


if __name__ == "__main__":
    app()
'''


def median_seconds(cmd: list[str], runs: int = 21) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        hello = Path(tmp) / "hello.py"
        hello.write_text(HELLO)
        base = median_seconds([sys.executable, str(hello), "--help"])
        ours = median_seconds([sys.executable, "-m", "translate_cli", "--help"])
    print("| command | median s | ratio |")
    print("|---|---:|---:|")
    print(f"| hello-world typer `--help` | {base:.3f} | 1.00 |")
    print(f"| `python -m translate_cli --help` | {ours:.3f} | {ours / base:.2f} |")


if __name__ == "__main__":
    main()
