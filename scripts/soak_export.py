"""`make soak-export`: a real `kasuhara-recorder export` SIGKILLed 20 times at random moments,
each followed by the next start's cleanup (`kasuhara-recorder recover`) and a search of the raw
bytes of every file on the destination filesystem (a tmpfs made for the run; needs root) for
slices of the exported PCM. Prints what each kill found; exit 1 if audio was left anywhere.

Half the kills on the O_TMPFILE path, half on the portable one (vfat sticks, SMB, Windows: the
seam made unavailable in the child). Moments: when the partial-export record appears, when the
file being written reaches a random size, when the bundle has its name. `make test` runs three
of these (tests/bundle/test_export_kill.py).

    python scripts/soak_export.py [--kills 20] [--seed N] [--seconds 60]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.bundle.conftest import make_workstation  # noqa: E402
from tests.support.export_kill import (  # noqa: E402
    MODES,
    kill_and_clean,
    pcm_needles,
    recover_cli,
)


def schedule(kills: int, rng: random.Random) -> list[tuple[str, str]]:
    moments = ["record"] + ["writing"] * 7 + ["named"] * 2  # per ten kills
    plan = [(MODES[i % 2], moments[(i // 2) % len(moments)]) for i in range(kills)]
    rng.shuffle(plan)
    return plan


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--seed", type=int, default=random.SystemRandom().randrange(2**32))
    ap.add_argument("--seconds", type=float, default=60.0, help="length of the recording")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    print(f"soak-export: {args.kills} kills, seed {args.seed} (--seed repeats the run)")
    with tempfile.TemporaryDirectory(prefix="kasuhara-soak-export-") as tmp:
        tmp = Path(tmp)
        ws = make_workstation(tmp / "ws", seconds=args.seconds)
        ref = tmp / "reference.zip"
        ws.export(ref)
        needles, size = pcm_needles(ref), ref.stat().st_size
        ref.unlink()
        print(f"  bundle {size:,} bytes, {len(needles)} PCM slices of 64 bytes searched for")
        stick = tmp / "stick"
        stick.mkdir()
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(stick)],
                           capture_output=True, text=True)  # fmt: skip
        if r.returncode != 0:
            print(f"cannot mount a tmpfs for the destination (needs root): {r.stderr}")
            return 2
        bad = 0
        counts = {"killed": 0, "retried": 0, "plaintext before cleanup": 0, "removed": 0,
                  "finished bundles removed": 0, "kept (in the chain)": 0}  # fmt: skip
        started = time.monotonic()
        try:
            for i, (mode, moment) in enumerate(schedule(args.kills, rng), 1):
                try:
                    trials = kill_and_clean(ws, stick, mode, moment, rng, tmp / "child.log",
                                            size, needles, lambda: recover_cli(ws))  # fmt: skip
                except KeyboardInterrupt:
                    raise
                except BaseException as e:  # noqa: BLE001 - an assertion, or pytest.fail (a deadline): counted
                    bad += 1
                    print(f"{i:3}. FAILED {mode} {moment}: {e}")
                    continue
                for t in trials[:-1]:
                    print(f"     (ended by itself, tried again) {t.line()}")
                t = trials[-1]
                counts["retried"] += len(trials) - 1
                counts["killed"] += t.killed
                counts["plaintext before cleanup"] += bool(t.before)
                for o in t.recover.get("partial_exports", []):
                    counts["removed"] += o["action"] == "removed"
                    counts["finished bundles removed"] += bool(o.get("complete"))
                counts["kept (in the chain)"] += t.exported
                print(f"{i:3}. {t.line()}")
                if t.exported:
                    (stick / "bundle.zip").unlink()
        finally:
            subprocess.run(["umount", str(stick)], check=False)
    print(f"soak-export: {args.kills} kills in {time.monotonic() - started:.0f} s; "
          + ", ".join(f"{k}: {v}" for k, v in counts.items()))  # fmt: skip
    print("no PCM left on the destination after any kill" if not bad else f"{bad} FAILED")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
