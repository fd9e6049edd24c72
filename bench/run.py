"""`make bench`: the project's bot against Rasa's default pipeline (the peer).

Phases: full training of both (timed), NLU held-out + 5-fold CV of both, serving
(cold start, memory, latency and throughput at 1 and 10 conversations) of both,
and the 20-conversation, 60-second load test of the project. Writes
bench/results/latest.json, latest.md, latency.png, confusion.png,
confusion_peer.png and prints a summary. It records and prints; it does not fail
on a missed target (only when the bench itself breaks).

    python -m bench.run [--quick] [--reuse-models]
    python -m bench.run --serving-only   # only the comparison with Rasa's starter bot (bench/versus.py)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any, Dict, List

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import plots  # noqa: E402
from bench.serve import BenchBot, bench_bot  # noqa: E402
from bench.stats import check_target, render_markdown, summary_lines  # noqa: E402

BUILD = ROOT / "build" / "bench"
RESULTS = ROOT / "bench" / "results"
PY = ROOT / ".venv" / "bin" / "python"
RASA = ROOT / ".venv" / "bin" / "rasa"
CONFIGS = {"project": ROOT / "config.yml", "peer": ROOT / "bench" / "peer" / "config.yml"}


def log(message: str) -> None:
    print(f"[bench {dt.datetime.now().strftime('%H:%M:%S')}] {message}", flush=True)


def bench_env() -> Dict[str, str]:
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        PYTHONHASHSEED="0",
        # Rasa's training cache of the bench, apart from the project's
        RASA_CACHE_DIRECTORY=str(BUILD / "cache"),
    )
    return env


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True).stdout.strip()


def environment() -> Dict[str, Any]:
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(terse=True),
        "python": platform.python_version(),
        "rasa_version": version("rasa"),
        "git_commit": git("rev-parse", "--short", "HEAD"),
        "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "loadavg_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def run_logged(cmd: List[str], logfile: Path) -> float:
    """Run a command with output to logfile; seconds taken. Fails loudly."""
    logfile.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(logfile, "wb") as out:
        code = subprocess.run(cmd, cwd=ROOT, env=bench_env(), stdout=out, stderr=subprocess.STDOUT).returncode
    if code:
        tail = logfile.read_text("utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {code}; log {logfile}:\n{tail}")
    return time.monotonic() - started


def train(name: str, reuse: bool) -> Dict[str, Any]:
    model = BUILD / "models" / f"{name}.tar.gz"
    if reuse and model.exists():
        log(f"reusing {model.relative_to(ROOT)} (training time not measured)")
        return {"duration_s": None, "model": str(model), "model_mb": round(model.stat().st_size / 2**20, 1)}
    seconds = run_logged(
        [
            str(RASA),
            "train",
            "--config",
            str(CONFIGS[name]),
            "--domain",
            "domain.yml",
            "--data",
            "data",
            "--out",
            str(BUILD / "models"),
            "--fixed-model-name",
            name,
            "--force",
            "--quiet",
        ],
        BUILD / "logs" / f"train-{name}.log",
    )
    log(f"trained {name} in {seconds:.1f} s")
    return {
        "duration_s": round(seconds, 1),
        "model": str(model),
        "model_mb": round(model.stat().st_size / 2**20, 1),
    }


def nlu(folds: Dict[str, int]) -> Dict[str, Any]:
    """Held-out split once, then both pipelines' held-out + CV in two processes
    side by side (NLU timings are not targets; the wall time halves)."""
    split = BUILD / "nlu" / "split"
    shutil.rmtree(split, ignore_errors=True)
    run_logged(
        [
            str(RASA),
            "data",
            "split",
            "nlu",
            "--nlu",
            "data/nlu",
            "--training-fraction",
            "0.8",
            "--random-seed",
            "42",
            "--out",
            str(split),
            "--quiet",
        ],
        BUILD / "logs" / "split.log",
    )
    procs = {}
    for name, config in CONFIGS.items():
        out = BUILD / "nlu" / name
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        logfile = open(BUILD / "logs" / f"nlu-{name}.log", "wb")
        procs[name] = (
            subprocess.Popen(
                [
                    str(PY),
                    "-m",
                    "bench.nlu",
                    "--config",
                    str(config),
                    "--name",
                    name,
                    "--split",
                    str(split),
                    "--out",
                    str(out),
                    "--folds",
                    str(folds[name]),
                    "--seed",
                    "42",
                ],
                cwd=ROOT,
                env=bench_env(),
                stdout=logfile,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            ),
            logfile,
        )
    try:
        for name, (proc, logfile) in procs.items():
            code = proc.wait()
            logfile.close()
            if code:
                raise RuntimeError(f"NLU bench of {name} exited {code}; see {logfile.name}")
            log(f"NLU {name} done")
    finally:
        for proc, _ in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, 15)
                proc.wait(timeout=30)
    return {name: json.loads((BUILD / "nlu" / name / "nlu.json").read_text("utf-8")) for name in CONFIGS}


def serving(models: Dict[str, Path], quick: bool) -> Dict[str, Any]:
    runs = [(1, 60), (10, 100)] if quick else [(1, 300), (10, 600)]
    workdir = Path(tempfile.mkdtemp(prefix="bench-serve-", dir=BUILD))
    actions = BenchBot(workdir=workdir / "actions")
    (workdir / "actions").mkdir()
    results: Dict[str, Any] = {}
    try:
        actions.start_actions()
        for name in ("project", "peer"):
            log(
                f"serving {name}: cold start, warm-up, {runs}"
                + (" and the load test" if name == "project" else "")
            )
            results[name] = bench_bot(
                name, models[name], workdir / name, actions.actions_port, runs, with_load=(name == "project")
            )
            s = results[name]
            log(
                f"{name}: cold start {s['cold_start_s']} s, RSS {s['rss_mb']} MB, "
                + ", ".join(
                    f"c={c}: p95 {s[f'c{c}']['p95_ms']} ms {s[f'c{c}']['msg_per_s']} msg/s" for c, _ in runs
                )
            )
    finally:
        actions.stop_actions()
    if not quick:
        shutil.rmtree(workdir, ignore_errors=True)
    return results


def targets(result: Dict[str, Any]) -> List[Dict[str, Any]]:
    nlu, serve, train_ = result["nlu"], result["serving"], result["training"]
    return [
        check_target(
            "intent macro-F1, held-out",
            nlu["project"]["heldout"]["intent_macro_f1"],
            ">=",
            0.97,
            nlu["peer"]["heldout"]["intent_macro_f1"],
        ),
        check_target(
            "intent macro-F1, 5-fold CV",
            nlu["project"]["cv"]["intent_macro_f1"],
            ">=",
            0.95,
            nlu["peer"]["cv"].get("intent_macro_f1"),
        ),
        check_target(
            "p95 latency at 1 conversation (ms)",
            serve["project"]["c1"]["p95_ms"],
            "<=",
            150,
            serve["peer"]["c1"]["p95_ms"],
            unit=" ms",
        ),
        check_target(
            "throughput at 10 conversations (msg/s)",
            serve["project"]["c10"]["msg_per_s"],
            ">=",
            1.5,
            serve["peer"]["c10"]["msg_per_s"],
            relative=True,
        ),
        check_target(
            "Rasa server RSS after warm-up (MB)",
            serve["project"]["rss_mb"],
            "<=",
            1.0,
            serve["peer"]["rss_mb"],
            relative=True,
        ),
        check_target(
            "full training (s)",
            train_["project"]["duration_s"],
            "<",
            180,
            train_["peer"]["duration_s"],
            unit=" s",
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="2 folds, fewer turns, 15 s load (a smoke run)")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    parser.add_argument(
        "--peer-folds",
        type=int,
        default=None,
        help="folds for the peer only (default: --folds; 0 = held-out only, when time is short)",
    )
    parser.add_argument("--reuse-models", action="store_true", help="skip training when bench models exist")
    parser.add_argument(
        "--serving-only",
        action="store_true",
        help="only serve the project and Rasa's stock starter bot side by side (bench/results/serving.md)",
    )
    args = parser.parse_args()
    os.chdir(ROOT)
    os.environ.update(bench_env())
    if args.serving_only:
        from bench import versus

        versus.run(bench_env(), environment(), log)
        return 0
    # A fresh training cache every run: a cache hit (same data and config as the
    # last run) would make the NLU training times meaningless.
    shutil.rmtree(BUILD / "cache", ignore_errors=True)
    for d in ("models", "logs"):
        (BUILD / d).mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.quick:
        args.folds = 2
        import bench.serve as serve_module

        original = serve_module.load_test
        serve_module.load_test = lambda bot, concurrency=20, duration_s=60: original(bot, concurrency, 15)

    result: Dict[str, Any] = {"environment": environment(), "phases": {}, "notes": []}
    phases = result["phases"]
    started = time.monotonic()

    t = time.monotonic()
    log("phase 1/3: full `rasa train` of the project and the peer, one after the other")
    result["training"] = {name: train(name, args.reuse_models) for name in CONFIGS}
    phases["training"] = round(time.monotonic() - t, 1)

    t = time.monotonic()
    log("phase 2/3: serving over REST on 127.0.0.1 (project with the 20x60 s load test, then the peer)")
    models = {name: Path(result["training"][name]["model"]) for name in CONFIGS}
    for name in CONFIGS:
        result["training"][name]["model"] = str(models[name].relative_to(ROOT))
    serve = serving(models, args.quick)
    phases["serving"] = round(time.monotonic() - t, 1)
    result["load"] = serve["project"].pop("load")
    result["serving"] = serve
    t = time.monotonic()
    folds = {"project": args.folds, "peer": args.folds if args.peer_folds is None else args.peer_folds}
    log(
        f"phase 3/3: NLU held-out and CV ({folds} folds), both pipelines side by side (the peer is the slow one)"
    )
    nlu_results = nlu(folds)
    phases["nlu"] = round(time.monotonic() - t, 1)
    for name in CONFIGS:
        phases[f"nlu {name} (in parallel)"] = nlu_results[name]["duration_s"]
    annotated = nlu_results["project"]["entities_annotated"]
    result["nlu"] = {
        name: {k: v for k, v in r.items() if k != "heldout"}
        | {"heldout": {k: v for k, v in r["heldout"].items() if k != "pairs"}}
        for name, r in nlu_results.items()
    }
    if annotated == 0:
        result["nlu"]["entity_note"] = (
            "data/nlu has 0 annotated entities, so entity F1 is not measurable on this data (n/a). "
            "The project's entities come from a rule-based spaCy EntityRuler (patterns generated "
            "from data/spacy and zhtext/data, tested by the unit tests of licence/extract.py and the "
            "interview end-to-end tests); the peer's DIET has no entity to learn."
        )
    plots.confusion_plot(
        nlu_results["project"]["heldout"]["pairs"],
        "Project intents, held-out split (faq = all FAQ sub-topics)",
        RESULTS / "confusion.png",
    )
    plots.confusion_plot(
        nlu_results["peer"]["heldout"]["pairs"],
        "Peer (default pipeline) intents, held-out split",
        RESULTS / "confusion_peer.png",
    )

    phases["total"] = round(time.monotonic() - started, 1)

    result["targets"] = targets(result)
    if args.quick:
        result["notes"].append("quick smoke run (--quick): 2 folds, fewer turns, 15 s load test")
    if args.reuse_models:
        result["notes"].append("models reused (--reuse-models): training time not measured")
    result["notes"].append(
        f"peer NLU: one training of DIET + ResponseSelector (100 epochs each, the defaults) took "
        f"{nlu_results['peer']['mean_train_s']} s on average against {nlu_results['project']['mean_train_s']} s "
        "for the project; both NLU processes ran at the same time, so each is slower than alone."
    )
    if folds["peer"] < folds["project"]:
        one = nlu_results["peer"]["mean_train_s"]
        result["notes"].append(
            f"peer cross-validation: {folds['peer']} folds in this run (--peer-folds {folds['peer']}), "
            f"not {folds['project']}, to fit the time available; at {one} s per peer NLU training, "
            f"{folds['project']} folds would add about {folds['project'] * one / 60:.0f} min."
        )
    plots.latency_plot(result["serving"], result["load"], RESULTS / "latency.png")
    (RESULTS / "latest.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", "utf-8")
    (RESULTS / "latest.md").write_text(render_markdown(result), "utf-8")
    print()
    print(
        f"bench done in {phases['total']:.0f} s: bench/results/latest.md, latest.json, latency.png, confusion.png"
    )
    for line in summary_lines(result):
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
