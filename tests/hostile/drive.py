"""What the hostile suite's cases run: one entry point of the workbench driven with one hostile input, without the
UI (the app calls exactly these), then the session saved and loaded back, so a case also proves the input left
work that can be saved. Arguments are JSON (so a case can pass a NUL or a lone surrogate through argv).

    python -m tests.hostile.drive evaluate SOURCE_FILE       the editor's F5
    python -m tests.hostile.drive control KEY TEXT_JSON      a training-form field: parse, check, configure
    python -m tests.hostile.drive api ACTION_JSON            a logged action through Workbench.apply
    python -m tests.hostile.drive train STEPS                F9 with "steps" (0 is "until paused": 150,000 here)
    python -m tests.hostile.drive select LABEL_FILE          a node labelled with the file's text, then select it
    python -m tests.hostile.drive csv FILE                   the open dialog's CSV import
    python -m tests.hostile.drive export KIND OUT_JSON [SOURCE_FILE]   ctrl+l
    python -m tests.hostile.drive save PATH_JSON             the save dialog's path text

Prints "REFUSED: <sentence>" when the input is refused, "DONE" when accepted, then "SAVED <n> actions" after the
round trip. Exit 0; 1 when the session cannot be saved or reads back different (work would be lost); 3 for an
exception that is not a sentence (printed as one line, so the harness sees the exit code, not a traceback).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from micrograd.files import printable


def say(word: str, text: str = "") -> None:
    print(f"{word}: {printable(text, 300)}" if text else word, flush=True)


def _read(name: str) -> str:
    return Path(name).read_bytes().decode("utf-8", "surrogatepass")


def run(op: str, args: list[str]) -> None:
    from micrograd.expression import ExpressionError
    from tui import session
    from tui.session import Session, SessionError
    from tui.workbench import Workbench

    sentences = (ValueError, ExpressionError, SessionError)  # SettingError is a ValueError

    wb = Workbench()
    try:
        if op == "evaluate":
            wb.evaluate(_read(args[0]))
        elif op == "control":
            from tui.settings import BY_KEY

            setting = BY_KEY[args[0]]
            text = json.loads(args[1])
            value = setting.parse(text) if setting.parse else text
            value = setting.check(value, setting.label)
            if setting.section:
                wb.configure({setting.section: {setting.name: value}})
        elif op == "api":
            wb.apply(json.loads(args[0]))
        elif op == "train":
            from tui.limits import MAX_TRAIN_STEPS

            steps = int(args[0]) or MAX_TRAIN_STEPS + 50_000  # "until paused", paused after that many steps
            run = wb.start_training()
            try:
                for _ in range(steps):
                    if run.step() is None:
                        break
            finally:
                wb.finish_training(run)
        elif op == "select":
            label = _read(args[0])
            wb.evaluate("a = Value(1.0)\nb = a * 2\n")
            wb.output.label = label
            wb.select(label)
        elif op == "csv":
            from tui.data_edits import read_csv

            wb.import_data(*read_csv(args[0]))
        elif op == "export":
            from tui import exports

            if len(args) > 2:
                wb.evaluate(_read(args[2]))
            exports.write_atomic(json.loads(args[1]), wb.export_text(args[0]))
        elif op == "save":
            target = session.target_path(json.loads(args[0]))
            session.save(Session.from_workbench(wb), target)
        else:
            raise SystemExit(f"unknown op {op}")
    except sentences as err:
        say("REFUSED", str(err))
    else:
        say("DONE")
    try:
        recorded = Session.from_workbench(wb)
        session.save(recorded, "saved.json")
        back = session.load("saved.json")
    except SessionError as err:
        say("UNSAVEABLE", str(err))
        raise SystemExit(1) from None
    Path("saved.json").unlink()
    if json.loads(session.dumps(back)) != json.loads(session.dumps(recorded)):
        say("LOST", "the saved session reads back different")
        raise SystemExit(1)
    say(f"SAVED {len(back.actions)} actions")


def main() -> None:
    args = [_read(arg[1:]) if arg.startswith("@") else arg for arg in sys.argv[2:]]  # a long one came by file
    try:
        run(sys.argv[1], args)
    except SystemExit:
        raise
    except BaseException as err:
        say("CRASH", f"{type(err).__name__}: {err}")
        raise SystemExit(3) from None


if __name__ == "__main__":
    main()
