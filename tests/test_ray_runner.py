"""The Ray runner on a real 2-CPU local cluster (started once for the session, no mocks).

Outputs equal the local runner's but for the run date, a file finished by
one runner is skipped by the other, a resume with nothing to do starts no
pool, a worker killed mid-run is replaced, inputs that fail become failed
rows, and the memory ends as a local run leaves it. Tests that need Ray skip
when it is not installed (``pip install -e '.[test,ray]'``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from translate_cli.config import Settings
from translate_cli.runner import run_paths
from translate_cli.vocabulary import Status

from .conftest import ROOT, SAMPLES
from .support import ray_engines
from .support.object_stores import Stores, start_stores, stop_stores

HAS_RAY = importlib.util.find_spec("ray") is not None
needs_ray = pytest.mark.skipif(
    not HAS_RAY, reason="Ray is not installed: pip install -e '.[test,ray]'"
)
# Run dates as outputs write them: ISO 8601 (JSON, XLIFF, HTML) and TMX's.
_DATES = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ|\d{8}T\d{6}Z")


@pytest.fixture(scope="module")
def stores():
    """Local S3 and GCS servers for this module, started before the cluster so that its
    workers get their settings (see tests/support/object_stores.py)."""
    running = start_stores()
    yield running
    stop_stores(running)


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory: pytest.TempPathFactory, _private_cache: None, stores: Stores):
    """One local cluster for this module (started once, shut down after it, so that no
    Ray thread runs behind later tests): 2 CPUs, no dashboard."""
    if not HAS_RAY:
        pytest.skip("Ray is not installed: pip install -e '.[test,ray]'")
    import logging

    import ray

    flag = tmp_path_factory.mktemp("crash") / "crashed-once"
    env = {
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "TRANSLATE_CACHE_DIR": os.environ["TRANSLATE_CACHE_DIR"],
        ray_engines.CRASH_FLAG_ENV: str(flag),
        **stores.env,
    }
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        logging_level=logging.WARNING,
        runtime_env={"env_vars": env},
    )
    yield flag
    ray.shutdown()


def _corpus(folder: Path, count: int = 6, extra: dict[str, str] | None = None) -> Path:
    """Distinct articles sharing sentences (cross-file duplicates), plus ``extra`` files."""
    folder.mkdir()
    text = (SAMPLES / "marche-lyon.fr.txt").read_text(encoding="utf-8")
    for i in range(count):
        (folder / f"doc{i}.txt").write_text(text.replace("Lyon", f"Lyon {i}"), encoding="utf-8")
    for name, body in (extra or {}).items():
        (folder / name).write_text(body, encoding="utf-8")
    return folder


def _settings(model: Path, out: Path, memory: str = "off", workers: str = "2") -> Settings:
    return Settings(model=str(model), output_dir=str(out), memory=memory, workers=workers)


def _undated(out: Path) -> dict[str, bytes]:
    """Every output file's bytes with run dates blanked; manifests without their hashes
    (which hash the dated files) or times."""
    files: dict[str, bytes] = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.name.endswith(".meta.json"):
            meta = json.loads(data)
            for key in ("output_sha256", "pending_sha256", "date"):
                meta.pop(key, None)
            data = json.dumps(meta, sort_keys=True).encode()
        files[str(path.relative_to(out))] = _DATES.sub(b"DATE", data)
    return files


def _ray_run(paths: list[Path] | list[str], settings: Settings, **kwargs: object):
    from translate_cli.ray_runner import run_paths_ray

    return run_paths_ray([str(p) for p in paths], settings, **kwargs)  # type: ignore[arg-type]


@needs_ray
def test_outputs_equal_the_local_runners_and_each_skips_the_others(
    ray_cluster, copy_model, tmp_path
):
    corpus = _corpus(tmp_path / "corpus", extra={"image.txt": "\x00\x01PNG"})
    local = run_paths([corpus], _settings(copy_model, tmp_path / "local"), combined="all")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ray_report = _ray_run([corpus], _settings(copy_model, tmp_path / "ray"), combined="all")
    # Capping retries needs Ray's deprecated **ray_remote_args; the run hides that warning.
    assert not [w for w in caught if "ray_remote_args" in str(w.message)]

    statuses = [(o.name, o.status) for o in ray_report.outcomes]
    assert statuses == [(o.name, o.status) for o in local.outcomes]
    assert ray_report.count(Status.TRANSLATED) == 6
    assert [o.error for o in ray_report.failed] == [o.error for o in local.failed]
    assert "binary" in ray_report.failed[0].error
    assert ray_report.counters.sentences == local.counters.sentences
    assert ray_report.counters.flags == local.counters.flags
    assert ray_report.workers == 2
    assert _undated(tmp_path / "ray") == _undated(tmp_path / "local")
    assert len(_undated(tmp_path / "ray")) > 6 * 7  # every format and manifest, combined too

    # A file finished by one runner is skipped by the other.
    again = run_paths([corpus], _settings(copy_model, tmp_path / "ray"))
    assert again.count(Status.SKIPPED) == 6
    started = time.perf_counter()
    resumed = _ray_run(
        [corpus / f"doc{i}.txt" for i in range(6)], _settings(copy_model, tmp_path / "local")
    )
    seconds = time.perf_counter() - started
    assert resumed.count(Status.SKIPPED) == 6
    assert resumed.workers == 0  # no pool was started
    assert seconds < 5, f"a resume with nothing to do took {seconds:.1f} s"


@needs_ray
def test_resume_skips_unread_and_redoes_a_changed_input(ray_cluster, copy_model, tmp_path):
    corpus = _corpus(tmp_path / "corpus", count=3)
    out = tmp_path / "out"
    _ray_run([corpus], _settings(copy_model, out))
    # Touched but unchanged: the hash confirms, still skipped; changed: redone.
    os.utime(corpus / "doc0.txt", ns=(1, 1))
    with (corpus / "doc1.txt").open("a", encoding="utf-8") as fh:
        fh.write("Une phrase de plus.\n")
    report = _ray_run([corpus], _settings(copy_model, out))
    assert [o.status for o in report.outcomes] == [
        Status.SKIPPED,
        Status.TRANSLATED,
        Status.SKIPPED,
    ]


@needs_ray
def test_memory_write_back_equals_a_local_runs(ray_cluster, copy_model, tmp_path):
    corpus = _corpus(tmp_path / "corpus", count=4)
    local_tm, ray_tm = tmp_path / "local.sqlite", tmp_path / "ray.sqlite"
    run_paths([corpus], _settings(copy_model, tmp_path / "local", memory=str(local_tm)))
    report = _ray_run([corpus], _settings(copy_model, tmp_path / "ray", memory=str(ray_tm)))
    assert report.count(Status.TRANSLATED) == 4

    def entries(path: Path) -> set[tuple[object, ...]]:
        with sqlite3.connect(path) as db:
            rows = db.execute("SELECT source_key, context, target, score, cut, origin FROM entries")
            return set(rows.fetchall())

    assert entries(ray_tm) == entries(local_tm)
    assert entries(ray_tm)
    # The workers read the memory: a forced rerun translates nothing anew.
    again = _ray_run(
        [corpus], _settings(copy_model, tmp_path / "ray2", memory=str(ray_tm)), force=True
    )
    assert again.counters.engine_inputs == 0
    assert again.counters.memory > 0


@needs_ray
def test_an_input_that_makes_the_engine_raise_is_a_failed_row(ray_cluster, copy_model, tmp_path):
    marked = f"Une phrase {ray_engines.RAISES} ici.\n"
    corpus = _corpus(tmp_path / "corpus", count=3, extra={"panne.txt": marked})
    report = _ray_run(
        [corpus],
        _settings(copy_model, tmp_path / "out"),
        engine_loader=ray_engines.marked_engine,
    )
    failed = {o.name: o.error for o in report.failed}
    assert list(failed) == [str(corpus / "panne.txt")]
    assert "simulated engine error" in failed[str(corpus / "panne.txt")]
    assert report.count(Status.TRANSLATED) == 3
    assert not list((tmp_path / "out").glob("panne*"))


@needs_ray
def test_a_worker_killed_mid_run_is_replaced_and_the_run_completes(
    ray_cluster, copy_model, tmp_path
):
    flag = ray_cluster
    flag.unlink(missing_ok=True)
    marked = f"Un texte {ray_engines.CRASHES} ici.\n"
    corpus = _corpus(tmp_path / "corpus", count=6, extra={"doc9.txt": marked})
    report = _ray_run(
        [corpus],
        _settings(copy_model, tmp_path / "ray"),
        engine_loader=ray_engines.marked_engine,
    )
    assert flag.exists(), "the worker was not killed"
    assert report.count(Status.TRANSLATED) == 7, report.failed
    local = tmp_path / "local"
    run_paths([corpus], _settings(copy_model, local))
    assert _undated(tmp_path / "ray") == _undated(local)
    assert not list((tmp_path / "ray").rglob(".*.part"))


@needs_ray
def test_an_input_that_kills_every_worker_fails_after_capped_retries(
    ray_cluster, copy_model, tmp_path
):
    from translate_cli.ray_runner import docs_per_call

    marked = f"Un texte {ray_engines.ALWAYS_CRASHES} ici.\n"
    corpus = _corpus(tmp_path / "corpus", count=2, extra={"zzz.txt": marked})
    report = _ray_run(
        [corpus],
        _settings(copy_model, tmp_path / "out", workers="1"),
        engine_loader=ray_engines.marked_engine,
    )
    failed = {o.name: o.error for o in report.failed}
    assert str(corpus / "zzz.txt") in failed
    assert "died" in failed[str(corpus / "zzz.txt")]
    # Only the inputs that shared its batch can fail with it.
    assert len(failed) <= docs_per_call(3, 1)


def _upload(folder: Path, uri: str) -> None:
    from translate_cli.storage import Location, write_bytes

    root = Location.parse(uri)
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            write_bytes(root / path.relative_to(folder).as_posix(), path.read_bytes())


def _download(uri: str, folder: Path) -> None:
    from translate_cli.storage import Location, list_objects, read_bytes

    root = Location.parse(uri)
    for info in list_objects(root):
        (folder / info.relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / info.relative).write_bytes(read_bytes(root / info.relative))


@needs_ray
@pytest.mark.parametrize("scheme", ["s3", "gs"])
def test_a_corpus_in_a_bucket_gives_the_local_runners_outputs_and_resumes(
    ray_cluster, stores, copy_model, tmp_path, scheme
):
    bucket = stores.bucket(scheme)
    if bucket is None:
        pytest.skip(stores.missing[scheme])
    shown = bucket.split("?")[0]
    options = bucket[len(shown) :]
    corpus = _corpus(tmp_path / "corpus", count=4, extra={"image.txt": "\x00\x01PNG"})
    (corpus / "sub").mkdir()
    (corpus / "sub" / "doc9.txt").write_text("Une autre page. Elle est courte.\n", "utf-8")
    _upload(corpus, f"{shown}/in{options}")
    out = f"{shown}/out{options}"

    local = run_paths([corpus], _settings(copy_model, tmp_path / "local"), combined="all")
    report = _ray_run([f"{shown}/in{options}"], _settings(copy_model, out), combined="all")
    assert [(o.status, o.error) for o in report.outcomes] == [
        (o.status, o.error.replace(str(corpus), f"{shown}/in")) for o in local.outcomes
    ]
    assert report.count(Status.TRANSLATED) == 5
    assert str(report.output_dir) == f"{shown}/out"
    assert [str(p) for p in report.outcomes[0].outputs][-1] == f"{shown}/out/doc0.meta.json"
    _download(out, tmp_path / "remote")
    # Outputs name their input: the object's URI there, the file's path here, and
    # the review checks (16 hex digits) hash that name.
    checks = re.compile(rb"(?<![0-9a-f])[0-9a-f]{16}(?![0-9a-f])")
    remote_files = {
        name: checks.sub(b"CHECK", data.replace(f"{shown}/in".encode(), str(corpus).encode()))
        for name, data in _undated(tmp_path / "remote").items()
    }
    local_files = {n: checks.sub(b"CHECK", d) for n, d in _undated(tmp_path / "local").items()}
    assert sorted(remote_files) == sorted(local_files)
    for name, data in local_files.items():
        if name.endswith(".meta.json"):  # the object's time is the store's
            data = re.sub(rb'"source_mtime_ns": \d+', b"T", data)
            remote_files[name] = re.sub(rb'"source_mtime_ns": \d+', b"T", remote_files[name])
        assert remote_files[name] == data, name

    # Nothing to do: decided from the manifests in the bucket, no pool started.
    from translate_cli.storage import Location, delete, write_bytes

    delete(Location.parse(f"{shown}/in/image.txt{options}"))  # it would fail again
    started = time.perf_counter()
    again = _ray_run([f"{shown}/in{options}"], _settings(copy_model, out))
    assert again.count(Status.SKIPPED) == 5 and again.workers == 0
    assert time.perf_counter() - started < 5
    # A changed object is redone, alone.
    changed = (corpus / "doc1.txt").read_bytes() + b"Une phrase de plus.\n"
    write_bytes(Location.parse(f"{shown}/in/doc1.txt{options}"), changed)
    third = _ray_run([f"{shown}/in{options}"], _settings(copy_model, out))
    assert [o.status for o in third.outcomes].count(Status.TRANSLATED) == 1
    assert third.outcomes[1].status == Status.TRANSLATED


def test_runner_ray_without_ray_names_the_extra_in_one_line(tmp_path):
    code = (
        "import sys; sys.modules['ray'] = None\n"
        "from translate_cli.cli import app\n"
        f"app([{str(SAMPLES / 'marche-lyon.fr.txt')!r}, '--runner', 'ray', '-o', "
        f"{str(tmp_path / 'out')!r}])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "translate: error: --runner ray needs Ray, which is not installed: "
        "pip install 'translate-cli[ray]'"
    ]
    assert not (tmp_path / "out").exists()


def test_a_local_run_imports_no_ray(tmp_path, copy_model):
    code = (
        "import sys; from translate_cli.cli import app\n"
        "try:\n"
        f"    app([{str(SAMPLES / 'marche-lyon.fr.txt')!r}, '-m', {str(copy_model)!r}, "
        f"'-o', {str(tmp_path / 'out')!r}, '-f', 'tsv', '-q', '--no-tm'])\n"
        "except SystemExit as exc:\n"
        "    print('CODE', exc.code)\n"
        "print('RAY', 'ray' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "CODE 0" in done.stdout and "RAY False" in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("workers", "cpus", "expected"),
    [("3", 16, (3, 3)), ("2-8", 16, (2, 8)), ("auto", 16, (1, 8)), ("auto", 1, (1, 1))],
)
def test_pool_size(workers, cpus, expected):
    from translate_cli.ray_runner import pool_size

    assert pool_size(workers, 2, cpus) == expected


@pytest.mark.parametrize(
    ("inputs", "workers", "expected"), [(3, 1, 8), (64, 1, 32), (64, 2, 16), (10**6, 32, 64)]
)
def test_inputs_per_worker_call(inputs, workers, expected):
    from translate_cli.ray_runner import docs_per_call

    assert docs_per_call(inputs, workers) == expected


@pytest.mark.parametrize("bad", ["0", "4-2", "x", "1-", "-3"])
def test_bad_workers_setting_is_refused(bad):
    from translate_cli.errors import ConfigError

    with pytest.raises(ConfigError, match="workers"):
        Settings(workers=bad)


def test_ray_settings_from_the_environment_and_a_file(tmp_path):
    from translate_cli.config import load_settings

    cfg = tmp_path / "c.toml"
    cfg.write_text('runner = "ray"\nworkers = 4\ngpus_per_worker = 1\n')
    env = {"TRANSLATE_GPUS_PER_WORKER": "0.5", "TRANSLATE_RAY_ADDRESS": "auto"}
    s = load_settings(cfg, {}, environ=env)
    assert (s.runner, s.workers, s.gpus_per_worker, s.ray_address) == ("ray", "4", 0.5, "auto")


def test_temporaries_carry_the_host_and_another_hosts_are_kept_for_a_day(tmp_path):
    from translate_cli import fsutil

    target = tmp_path / "a.tsv"
    with fsutil.StagedFiles() as staged:
        with staged.open(target) as fh:
            fh.write("x")
        (part,) = tmp_path.glob(".a.tsv.*.part")
        assert part.name.startswith(f".a.tsv.{os.getpid()}@{fsutil._HOST}.")
    dead_here = tmp_path / f".a.tsv.999999999@{fsutil._HOST}.x1.part"
    elsewhere = tmp_path / ".a.tsv.999999999@other-host.x2.part"
    old_elsewhere = tmp_path / ".a.tsv.999999999@other-host.x3.part"
    for path in (dead_here, elsewhere, old_elsewhere):
        path.write_text("partial")
    day_ago = time.time() - fsutil.STALE_FOREIGN_S - 60
    os.utime(old_elsewhere, (day_ago, day_ago))
    fsutil.remove_stale_parts(target)
    assert sorted(p.name for p in tmp_path.glob(".*.part")) == [elsewhere.name]


def test_rays_routine_lines_are_dropped_and_its_warnings_kept():
    import logging

    from translate_cli.ray_runner import _Chatter

    def shown(level: int, message: str) -> bool:
        record = logging.LogRecord("ray.data", level, __file__, 1, message, None, None)
        return _Chatter().filter(record)

    assert not shown(logging.INFO, "Dataset d_0 execution finished in 36.83 seconds")
    assert not shown(logging.WARNING, "Progress bars disabled. To enable, set ...")
    assert not shown(logging.WARNING, "Token authentication is enabled for this Ray cluster.")
    assert shown(logging.WARNING, "Token authentication is disabled for this Ray cluster.")
    assert shown(logging.WARNING, "Operator MapBatches is running out of memory")
    assert shown(logging.ERROR, "Exception raised in creation task")
