"""Sessions in an app, through real keys: open a sample, play, pause, step back, leave replay, keep training,
save; corrupt files and the unsaved-changes question. A small host app stands in for MicrogradApp: it has the
two things the sessions mixin needs (`workbench`, `refresh_all`) and one workbench key (f8 = one step).

Playback is driven by calling the timeline's `advance()` (what its timer calls) rather than by waiting, and the
`tick` fixture makes the timer's own ticks do nothing, so no assertion depends on wall-clock time (under load
a 1/3 s tick used to land between two assertions). One test lets the real timer play, waiting only for the end.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Footer, Input, OptionList, Static

from tui import samples, session
from tui.replay import TOLERANCE, Replayer, replay
from tui.screens.session_files import (
    ConfirmDiscardScreen,
    OpenedSession,
    OpenSessionScreen,
    SaveSessionScreen,
    SessionCommands,
)
from tui.widgets.timeline import Timeline, describe

SAMPLES = samples.folder()
SIZE = (100, 30)


class Host(SessionCommands, App[None]):
    BINDINGS = [
        ("ctrl+s", "save_session", "Save"),
        ("ctrl+o", "open_session", "Open"),
        ("f8", "step", "Step"),
        ("ctrl+q", "quit", "Quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.workbench = session.new_workbench({"data": {"samples": 30}, "model": {"layers": [4, 1]}})
        self.notes: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="view")
        yield Footer()

    def refresh_all(self) -> None:
        wb = self.workbench
        self.query_one("#view", Static).update(f"{len(wb.log)} actions, {len(wb.history)} steps")

    def action_step(self) -> None:
        self.workbench.step()
        self.refresh_all()

    def notify(self, message, *args, **kwargs) -> None:
        self.notes.append(str(message))
        super().notify(message, *args, **kwargs)


@pytest.fixture
def tick(monkeypatch):
    """The timeline's timer ticks do nothing; the test calls `tick(line)` for each tick it wants."""
    advance = Timeline.advance
    monkeypatch.setattr(Timeline, "advance", lambda self: None)
    return advance


def timeline(app) -> Timeline:
    return app.query_one(Timeline)


async def open_sample(pilot, name: str) -> None:
    await pilot.press("ctrl+o")
    screen = pilot.app.screen
    assert isinstance(screen, OpenSessionScreen)
    files = screen.query_one("#files", OptionList)
    key = next(k for k, p in screen.paths.items() if p.name == name)
    files.highlighted = files.get_option_index(key)
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def test_open_a_sample_play_pause_step_back_leave_and_keep_training(tmp_path, tick):
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        picker = app.screen
        names = [p.name for p in picker.paths.values()]
        assert {"moons_demo.json", "tanh_vs_relu.json", "yinyang_adamw.json"} <= set(names)
        files = picker.query_one("#files", OptionList)
        files.highlighted = files.get_option_index(
            next(k for k, p in picker.paths.items() if p.name == "tanh_vs_relu.json")
        )
        await pilot.pause()
        preview = str(picker.query_one("#preview", Static).render())
        assert "relu, then tanh, on the moons" in preview and "(3 actions, 200 steps)" in preview
        await pilot.press("enter")
        await pilot.pause()

        # opened at its end, as saved; the description is shown
        line = timeline(app)
        assert not isinstance(app.screen, OpenSessionScreen) and app.focused is line
        assert line.replayer.position == 3 and len(app.workbench.history) == 100  # tanh run after the rebuild
        assert any("relu, then tanh" in note and "same random weights" in note for note in app.notes)
        assert "3 actions, 100 steps" in str(app.query_one("#view", Static).render())

        await pilot.press("home")
        assert line.replayer.position == 0 and app.workbench.history == []
        await pilot.press("space")
        assert line.playing
        for _ in range(20):  # the recorded train 100 plays in 20 ticks of 5 steps, then the configure is one
            tick(line)
        await pilot.pause()
        assert line.replayer.position == 1 and len(app.workbench.history) == 100
        tick(line)
        await pilot.pause()
        assert line.replayer.position == 2 and app.workbench.config.model["activation"] == "tanh"
        await pilot.press("space")
        assert not line.playing
        await pilot.press("left")
        assert line.replayer.position == 1 and app.workbench.history[-1]["step"] == 99
        assert "train 100 steps" in str(line.render())
        assert line.replayer.mismatch is None

        await pilot.press("escape")  # leave replay: explore on from action 1
        await pilot.pause()
        assert not app.query(Timeline) and app.session_path is None
        await pilot.press("f8")
        assert [a["do"] for a in app.workbench.log] == ["train", "step"]
        assert app.workbench.history[-1]["step"] == 100 and app.workbench.dirty

        await pilot.press("ctrl+s")
        save = app.screen
        assert isinstance(save, SaveSessionScreen)
        assert save.query_one("#title", Input).value == "relu, then tanh, on the moons (branch at action 1)"
        save.query_one("#file", Input).value = str(tmp_path / "branch")
        await pilot.click("#save")
        await pilot.pause()
        assert not isinstance(app.screen, SaveSessionScreen) and not app.workbench.dirty
    saved = session.load(tmp_path / "branch.json")
    assert [a["do"] for a in saved.actions] == ["train", "step"] and replay(saved).ok


async def test_replay_from_the_command_line_plays_from_the_start(tick):
    app = Host()
    path = SAMPLES / "tiny_mlp_mse.json"
    app.open_on_start(OpenedSession(path, session.load(path)), replay=True, speed=3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        line = timeline(app)
        assert line.playing and line.replayer.position == 0 and line.speed == 3
        await pilot.press("plus")
        assert line.speed == 6
        await pilot.press("minus", "minus")
        assert line.speed == 1.5
        while line.playing:
            tick(line)
        await pilot.pause()
        assert line.replayer.at_end and line.replayer.mismatch is None
        assert len(app.workbench.history) == 50 and "train 47 steps" in str(line.render())
        await pilot.press("left", "home", "end")
        assert line.replayer.position == 4 and len(app.workbench.history) == 50


async def test_the_timer_plays_on_its_own_to_the_end():
    app = Host()
    path = SAMPLES / "tiny_mlp_mse.json"
    app.open_on_start(OpenedSession(path, session.load(path)), replay=True, speed=64)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        line = timeline(app)
        for _ in range(400):  # 4 actions at 64 a second; waits at most 20 s on a loaded machine
            if not line.playing:
                break
            await asyncio.sleep(0.05)
        await pilot.pause()
        assert not line.playing and line.replayer.at_end and len(app.workbench.history) == 50
        assert "|| paused" in str(line.render())


async def test_the_backprop_walkthrough_steps_node_by_node(tick):
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await open_sample(pilot, "backprop_walkthrough.json")
        line = timeline(app)
        assert any("one node per action" in note for note in app.notes)
        await pilot.press("home")
        assert app.workbench.stepping is None and line.replayer.position == 0
        await pilot.press("right", "right", "right", "right")
        state = app.workbench.stepping
        assert (state.mode, state.position, state.total) == ("forward", 3, 10)
        assert "forward stepper at step 3" in str(line.render())
        for _ in range(8):  # the rest of the forward pass (to 10/10), then the backward stepper on
            await pilot.press("right")
        state = app.workbench.stepping
        assert (state.mode, state.position, state.total) == ("backward", 0, 5)
        await pilot.press("right", "right", "right", "right")
        x1 = app.workbench.program.values["x1"]
        assert state.stepper.grad_of(x1) == pytest.approx(-1.5) and x1.grad == 0  # the Values never change
        assert "x1.grad += w1.data × x1w1.grad" in "\n".join(state.lines())
        await pilot.press("left")
        assert (
            app.workbench.stepping.position == 3
            and app.workbench.stepping.stepper.grad_of(app.workbench.program.values["x1"]) is None
        )  # pending again
        await pilot.press("end")
        assert app.workbench.stepping is None and app.workbench.program.values["x1"].grad == pytest.approx(-1.5)
        assert line.replayer.mismatch is None


async def test_replay_in_the_real_app_keeps_every_footer_key_and_lists_the_timeline_keys(tick):
    """At 100 columns the app's own keys fill the footer; the timeline's keys are spelled out in its bar."""
    from tests.tui.conftest import screen_text
    from tui.app import MicrogradApp

    app = MicrogradApp()
    path = SAMPLES / "tanh_vs_relu.json"
    app.open_on_start(OpenedSession(path, session.load(path)), replay=True, speed=1)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):  # the session opens after the first refresh; under load the footer comes later
            await pilot.pause()
            if app.query(Timeline) and "Quit" in screen_text(app).splitlines()[-1]:
                break
        text = screen_text(app)
        footer = text.splitlines()[-1]
        for key in ("^q Quit", "f5 Eval", "f9 Train", "^s Save", "^o Open", "f1 Help", "^p Commands"):
            assert key in footer, (key, footer)
        assert "space play · ←/→ step · home/end · +/- speed · esc leave" in text
        assert {b.action for b in Timeline.BINDINGS} >= {
            "toggle_play",
            "forward",
            "back",
            "to_start",
            "to_end",
            "faster",
            "slower",
            "leave",
        }


async def test_acting_during_replay_leaves_replay_as_a_branch():
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await open_sample(pilot, "moons_demo.json")
        line = timeline(app)
        await pilot.press("f8")  # the host's own key acts on the replayed workbench
        line._check_branch()  # what the timeline's periodic check does
        await pilot.pause()
        assert not app.query(Timeline)
        assert [a["do"] for a in app.workbench.log] == ["train", "step"]


async def test_a_corrupt_file_shows_its_sentence_and_the_app_stays_up(tmp_path):
    bad = tmp_path / "bad.json"
    data = json.loads((SAMPLES / "moons_demo.json").read_text())
    data["actions"][0]["steps"] = "many"
    bad.write_text(json.dumps(data))
    before = bad.read_bytes()
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        app.screen.query_one("#path", Input).focus()
        await pilot.press(*str(bad), "enter")
        await pilot.pause()
        assert isinstance(app.screen, OpenSessionScreen)
        error = str(app.screen.query_one("#error", Static).render())
        assert "bad.json: actions[0].steps: expected a positive integer" in error
        await pilot.press("escape")
        assert not isinstance(app.screen, OpenSessionScreen) and not app.query(Timeline)
        assert app.is_running
    assert bad.read_bytes() == before


async def test_save_errors_stay_in_the_screen_and_existing_files_need_a_second_save(tmp_path):
    existing = tmp_path / "old.json"
    existing.write_text("keep me")
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8", "ctrl+s")
        screen = app.screen
        field = screen.query_one("#file", Input)
        field.value = str(tmp_path / "missing folder" / "x.json")
        await pilot.click("#save")
        await pilot.pause()
        assert "x.json was not saved" in str(screen.query_one("#error", Static).render())
        # enter in a field saves too (a second click on the button within its press animation is ignored)
        field.value = str(existing)
        field.focus()
        await pilot.press("enter")
        assert "old.json exists" in str(screen.query_one("#error", Static).render())
        assert existing.read_text() == "keep me"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is not screen and app.session_path == existing
    assert [a["do"] for a in session.load(existing).actions] == ["step"]


async def test_unsaved_changes_are_asked_about_before_quit_and_open(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")  # nothing done yet: nothing to ask
        await pilot.pause()
        assert not app.is_running
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8", "ctrl+q")
        assert isinstance(app.screen, ConfirmDiscardScreen)
        await pilot.press("escape")
        assert app.is_running and not isinstance(app.screen, ConfirmDiscardScreen)
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, ConfirmDiscardScreen)
        await pilot.press("s")  # save first, then the picker opens
        assert isinstance(app.screen, SaveSessionScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert (tmp_path / "session.json").exists() and isinstance(app.screen, OpenSessionScreen)
        await pilot.press("escape", "f8", "ctrl+q", "d")
        await pilot.pause()
        assert not app.is_running


def test_describe_names_what_each_action_did():
    assert describe(None) == "the starting state"
    assert (
        describe(
            {
                "do": "train",
                "steps": 2,
                "results": [
                    {"step": 4, "loss": float("nan"), "accuracy": 0.5},
                    {"step": 5, "loss": float("inf"), "accuracy": 0.5},
                ],
            }
        )
        == "train 2 steps: loss inf, accuracy 50% at step 5"
    )
    assert (
        describe({"do": "configure", "changes": {"model": {"activation": "tanh"}}}) == "configure act = tanh"
    )  # the form's own words (issue 10)
    assert (
        describe({"do": "evaluate", "source": "a = 1\nb = +", "error": "line 2, col 5: x"})
        == "evaluate (2 lines): line 2, col 5: x"
    )


async def test_playing_a_train_action_shows_it_step_by_step_and_pauses_inside_it(tick):
    """A recorded train 100 plays in chunks: pause inside it and the panes show the run up to that step."""
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await open_sample(pilot, "moons_demo.json")
        line = timeline(app)
        recorded = line.replayer.session.actions[0]["results"]
        await pilot.press("home")
        assert line.replayer.at_start and app.workbench.history == []
        await pilot.press("space")
        seen = []
        for _ in range(3):
            tick(line)
            await pilot.pause()
            seen.append(len(app.workbench.history))  # the host redrew from the replayer after each tick
        await pilot.press("space")
        assert not line.playing
        player = line.replayer
        k = player.substep
        assert seen == [5, 10, 15] and k == 15 and (player.position, player.steps) == (0, 100)
        assert app.workbench is player.workbench and 0 < len(app.workbench.history) == k < 100
        # the run so far: bit-identical to an independent run in this process, and the stored recording (made on
        # another CPU, whose BLAS kernels may round the last bit differently) within replay's tolerance
        fresh = Replayer(line.replayer.session)
        fresh.seek(0, k)
        assert app.workbench.history == fresh.workbench.history and player.mismatch is None
        assert [
            {
                **r,
                **{
                    f: pytest.approx(r[f], rel=TOLERANCE, abs=TOLERANCE)
                    for f in ("loss", "data_loss", "reg_loss", "accuracy", "lr")
                },
            }
            for r in recorded[:k]
        ] == app.workbench.history
        assert f"1 actions, {k} steps" in str(app.query_one("#view", Static).render())
        text = str(line.render())
        assert f"action 1/1 · step {k}/100" in text and f"train {k} of 100 steps" in text
        await pilot.press("space", "space")  # play, pause again (no ticks between): still where it was
        assert (player.position, player.substep) == (0, 15) and not line.playing
        await pilot.press("left")  # back to the start of the train action
        assert (player.position, player.substep) == (0, 0) and app.workbench.history == []
        await pilot.press("space")
        tick(line)
        await pilot.pause()
        assert player.substep == 5
        await pilot.press("right")  # finishes the action
        assert not line.playing and player.at_end and len(app.workbench.history) == 100
        assert "action 1/1" in str(line.render()) and "step " not in str(line.render()).splitlines()[0]


async def test_leaving_replay_inside_a_train_action_branches_from_that_step(tick):
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await open_sample(pilot, "moons_demo.json")
        line = timeline(app)
        await pilot.press("home", "space")
        for _ in range(4):
            tick(line)
        await pilot.press("space", "escape")
        await pilot.pause()
        assert not app.query(Timeline)
        assert [(a["do"], a["steps"]) for a in app.workbench.log] == [("train", 20)]
        assert app.session_title == "micrograd's moons demo (branch at action 0, step 20)"
        await pilot.press("f8")
        assert app.workbench.history[-1]["step"] == 20 and len(app.workbench.history) == 21
        assert replay(session.Session.from_workbench(app.workbench)).ok
