"""Modal screens for sessions: open (a picker over the samples and the working folder), save as, and the
unsaved-changes question asked before quitting or opening another session.

The screens only talk to `tui.session` (no workbench, no app internals), so any host app can push them:
    self.push_screen(OpenSessionScreen(), callback)   # callback gets an OpenedSession or None
    self.push_screen(SaveSessionScreen(session, path), callback)  # callback gets the saved Path or None
    self.push_screen(ConfirmDiscardScreen(), callback)  # callback gets "save", "discard" or "cancel"
A file that fails to load or save shows its one-sentence error inside the screen, which stays open: the
user can pick another file or fix the name, and nothing they had is lost.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from tui import samples, session
from tui.limits import MAX_DESCRIPTION, MAX_TITLE, cut
from tui.plain import shown
from tui.replay import ReplayCancelled, Replayer
from tui.session import Session, SessionError
from tui.training_pace import Heartbeat

MAX_LISTED = 200  # a working folder full of JSON should not make the picker slow to open


def sample_folder() -> Path:
    """The sample sessions shipped inside the package (tui/sample_sessions/)."""
    return samples.folder()


@dataclass
class ImportedData:
    """A CSV file read by the open dialog: its name, rows and classes (what `Workbench.import_data` takes)."""

    name: str
    points: list
    labels: list


@dataclass
class OpenedSession:
    path: Path
    session: Session


PROGRESS_INTERVAL = 0.1  # seconds between two progress lines while a session opens


def where(player: Replayer) -> str:
    """How far a session's replay is, for the progress line: "action 12 of 40 (train 300, step 100)"."""
    total = len(player)
    if player.at_end:
        return f"action {total} of {total}"
    action = player.session.actions[player.position]
    what = str(action.get("do"))
    if what == "train":
        what += f" {action.get('steps')}" + (f", step {player.substep:,}" if player.substep else "")
    return f"action {player.position + 1} of {total} ({shown(what)})"


class SessionOpenProgress(Message):
    """How far the open worker is (a pending one is replaced by the next)."""

    def __init__(self, opened: OpenedSession, text: str) -> None:
        super().__init__()
        self.opened, self.text = opened, text

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SessionOpenProgress)


class SessionOpenDone(Message):
    """The open worker's last act: the Replayer at its place, a SessionError's sentence, or None (cancelled)."""

    def __init__(self, opened: OpenedSession, result: Replayer | SessionError | None) -> None:
        super().__init__()
        self.opened, self.result = opened, result


@dataclass
class Opening:
    """A session being opened by the worker: what the app needs to finish or undo the open."""

    opened: OpenedSession
    replay: bool
    speed: float
    heartbeat: Heartbeat
    focused: object = None  # the widget to focus again when the open is cancelled or refused
    cancelled: bool = False


def _session_files(folder: Path) -> list[tuple[Path, str]]:
    """(path, title) of each session file in `folder`; other JSON (an exported mlp.json) is left out by a cheap
    look at the file's start (`samples.peek_title`), not a full load."""
    try:
        candidates = sorted(p for p in folder.glob("*") if p.suffix.lower() in (".json", ".csv") and p.is_file())
    except OSError:
        return []
    found = []
    for path in candidates:
        title = "CSV data: trains on it" if path.suffix.lower() == ".csv" else samples.peek_title(path)
        if title is not None:
            found.append((path, title))
            if len(found) == MAX_LISTED:
                break
    return found


def preview_text(path: Path) -> Text:
    """What the picker shows for a highlighted session file: its title, size and description, or why it cannot be
    opened (`session.load`'s sentence: bounded in size and nesting, a named pipe refused before it is opened)."""
    try:
        loaded = session.load(path)
    except SessionError as err:
        return Text(shown(f"cannot be opened: {err}", lines=True))  # the sentence names the file itself
    return Text.assemble(
        (shown(loaded.title), "bold"),
        f"  ({len(loaded.actions)} actions, {loaded.steps} steps)\n",
        shown(loaded.description, lines=True),
    )


class OpenSessionScreen(ModalScreen[OpenedSession | None]):
    """Pick a session: the samples first, then the working folder; or type a path."""

    DEFAULT_CSS = """
    OpenSessionScreen { align: center middle; }
    OpenSessionScreen > Vertical { width: 90%; max-width: 100; height: 90%; border: thick $primary;
                                   background: $surface; padding: 0 1; }
    /* one line a file, cut with "…" when narrow: a wrapped title read as a file of its own (the preview below
       shows the highlighted one whole) */
    OpenSessionScreen OptionList { height: 1fr; min-height: 4; text-wrap: nowrap; text-overflow: ellipsis; }
    OpenSessionScreen #preview { height: auto; max-height: 8; color: $text-muted; }
    /* 24-27 rows: a shorter preview, so the list shows more than three files */
    OpenSessionScreen.-tall-enough #preview { max-height: 5; }
    OpenSessionScreen #error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, folders: list[tuple[str, Path]] | None = None, recent: list[Path] | None = None) -> None:
        super().__init__()
        self.folders = folders or [("Samples", sample_folder()), ("Working folder", Path.cwd())]
        self.recent = recent or []  # listed first, under "Recent", while they still are session files
        self.paths: dict[str, Path] = {}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("[b]Open a session[/b]  enter opens · type a path · escape cancels")
            yield OptionList(*self._options(), id="files")
            yield Static("", id="preview", markup=False)
            yield Input(
                placeholder="…or type a path (a .json session or .csv data), then enter",
                id="path",
                select_on_focus=False,  # a key typed in the list moves here with its character: keep it
            )
            yield Static("", id="error", markup=False)

    def _options(self) -> list[Option | None]:
        options: list[Option | None] = []
        seen: set[Path] = set()
        recent = [(p, title) for p in self.recent if (title := samples.peek_title(p)) is not None]
        if recent:
            options.append(Option(Text("Recent", "bold"), disabled=True))
            for path, title in recent:
                key = f"file-{len(self.paths)}"
                self.paths[key] = path
                options.append(
                    Option(
                        Text.assemble(f"  {shown(path.name)}  ", (shown(title), "dim"), f"  {shown(path.parent)}"),
                        id=key,
                    )
                )
        for heading, folder in self.folders:
            files = [(p, title) for p, title in _session_files(folder) if p.resolve() not in seen]
            seen.update(p.resolve() for p, _ in files)
            if options:
                options.append(None)
            is_samples = folder == sample_folder()  # shown by name (what --replay NAME takes), not by path
            options.append(
                Option(Text.assemble((heading, "bold"), "" if is_samples else f"  {shown(folder)}"), disabled=True)
            )
            if not files:
                options.append(Option("  (no session files here)", disabled=True))
            names = [shown(p.stem if is_samples else p.name) for p, _ in files]  # a name may hold \x1b
            width = max(map(len, names), default=0)
            for (path, title), name in zip(files, names):
                key = f"file-{len(self.paths)}"
                self.paths[key] = path
                options.append(
                    Option(Text.assemble(f"  {name:<{width}}  ", (shown(title), "dim")), id=key)
                )  # no markup
        return options

    @on(OptionList.OptionHighlighted, "#files")
    def _preview(self, event: OptionList.OptionHighlighted) -> None:
        path = self.paths.get(event.option.id or "")
        if path is None:
            return
        if path.suffix.lower() == ".csv":  # data, not a session (tui/screens/data_edit.py imports it)
            self.query_one("#preview", Static).update(
                Text(f"{shown(path.name)}: CSV data (features, then the class); enter trains on it from now on")
            )
            return
        self.query_one("#preview", Static).update(Text(f"reading {shown(path.name)}…"))
        self._load_preview(path)

    @work(thread=True, exclusive=True, group="preview")
    def _load_preview(self, path: Path) -> None:
        """Load the highlighted file off the UI thread (up to 10 MB of JSON, validated): moving through the
        list never waits for a file, and a newer highlight cancels this one."""
        text = preview_text(path)
        self.app.call_from_thread(self._show_preview, text)

    def _show_preview(self, text: Text) -> None:
        if self.is_attached:
            self.query_one("#preview", Static).update(text)

    @on(OptionList.OptionSelected, "#files")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        path = self.paths.get(event.option.id or "")
        if path is not None:
            self._open(path)

    @on(Input.Submitted, "#path")
    def _typed(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self._open(Path(event.value.strip()).expanduser())

    def _open(self, path: Path) -> None:
        if path.suffix.lower() == ".csv":
            try:  # read here, so a bad row is named in the dialog and the user can pick another file
                from tui.data_edits import read_csv

                self.dismiss(ImportedData(*read_csv(path)))
            except (ValueError, OSError) as err:
                self.query_one("#error", Static).update(Text(shown(err, lines=True)))
            return
        try:
            loaded = session.load(path)
        except SessionError as err:
            self.query_one("#error", Static).update(shown(err, lines=True))
            return
        self.dismiss(OpenedSession(path, loaded))

    def on_key(self, event: events.Key) -> None:
        """As in any file-open dialog, typing is a path whichever part has focus: a printable key in the list
        moves to the path field and is typed there (the list keeps the arrows, Home/End and Enter), and up or
        down in the path field go back to the list, one step along."""
        files, path = self.query_one("#files", OptionList), self.query_one("#path", Input)
        if self.focused is files and event.is_printable and event.character:
            path.focus()
            path.insert_text_at_cursor(event.character)
        elif self.focused is path and event.key in ("up", "down"):
            files.focus()
            files.action_cursor_down() if event.key == "down" else files.action_cursor_up()
        else:
            return
        event.stop()
        event.prevent_default()

    def on_paste(self, event: events.Paste) -> None:
        """A path pasted while the list has focus goes to the path field too."""
        path = self.query_one("#path", Input)
        if self.focused is self.query_one("#files", OptionList) and event.text:
            path.focus()
            path.insert_text_at_cursor(event.text.splitlines()[0])
            event.stop()

    def action_cancel(self) -> None:
        self.dismiss(None)


class SaveSessionScreen(ModalScreen[Path | None]):
    """Save as: file name, title and description; the save itself is atomic (see `session.save`)."""

    DEFAULT_CSS = """
    SaveSessionScreen { align: center middle; }
    SaveSessionScreen > Vertical { width: 80%; max-width: 90; height: auto; border: thick $primary;
                                   background: $surface; padding: 0 1; }
    SaveSessionScreen #error { color: $error; height: auto; }
    SaveSessionScreen Horizontal { height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, recorded: Session, path: Path | None = None) -> None:
        super().__init__()
        self.recorded = recorded
        self.path = path
        self.confirmed_overwrite: Path | None = None

    def compose(self) -> ComposeResult:
        default = self.path or Path.cwd() / "session.json"
        with Vertical():
            yield Label(f"[b]Save session[/b]  ({len(self.recorded.actions)} actions, {self.recorded.steps} steps)")
            yield Label("File")
            yield Input(str(default), id="file")
            yield Label("Title")
            yield Input(self.recorded.title, id="title")
            yield Label("Description (shown when the session is opened)")
            yield Input(self.recorded.description, id="description")
            yield Static("", id="error", markup=False)
            with Horizontal():
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        name = self.query_one("#file", Input).value.strip()
        if not name:
            self.query_one("#error", Static).update("Type a file name to save to.")
            return
        try:  # a NUL, an overlong name, a folder or a pipe: a sentence here, not an exception from the save
            path = session.target_path(name)
        except SessionError as err:
            self.query_one("#error", Static).update(Text(f"Not saved: {err}."))
            return
        if path.exists() and path != self.path and path != self.confirmed_overwrite:
            self.confirmed_overwrite = path  # ask once: a second save means yes
            self.query_one("#error", Static).update(f"{path.name} exists; save again to replace it.")
            return
        # cut to what the format holds (tui/limits.py), so a long paste never makes the session unsaveable
        title = self.query_one("#title", Input).value.strip() or "Untitled session"
        self.recorded.title = cut(title, MAX_TITLE)
        self.recorded.description = cut(self.query_one("#description", Input).value.strip(), MAX_DESCRIPTION)
        try:
            session.save(self.recorded, path)
        except SessionError as err:
            self.query_one("#error", Static).update(str(err))
            return
        self.dismiss(path)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDiscardScreen(ModalScreen[str]):
    """Unsaved changes: save them, discard them, or go back. Answers "save", "discard" or "cancel"."""

    DEFAULT_CSS = """
    ConfirmDiscardScreen { align: center middle; }
    ConfirmDiscardScreen > Vertical { width: 60; height: auto; border: thick $warning; background: $surface;
                                      padding: 0 1; }
    ConfirmDiscardScreen Label { width: 100%; margin: 1 0; }
    ConfirmDiscardScreen Horizontal { height: auto; }
    """
    BINDINGS = [
        Binding("s", "answer('save')", "Save"),
        Binding("d", "answer('discard')", "Discard"),
        Binding("escape", "answer('cancel')", "Cancel"),
    ]

    def __init__(self, doing: str = "continue") -> None:
        super().__init__()
        self.doing = doing

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"This session has unsaved changes. Save them before you {self.doing}?")
            with Horizontal():
                yield Button("Save (s)", variant="primary", id="save")
                yield Button("Discard (d)", variant="error", id="discard")
                yield Button("Cancel (esc)", id="cancel")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)


# ---------------------------------------------------------------------------------------------------------------
# The app side: save, open, replay mode and the unsaved-changes question, as a mixin for the host App.
# The host provides `self.workbench` (assignable) and `self.refresh_all()` (redraw every pane from it), which
# MicrogradApp already has; nothing else of the app is touched.
# ---------------------------------------------------------------------------------------------------------------


class SessionCommands:
    """Mix into the App class (before `App`): ctrl+s/ctrl+o actions, replay mode, confirmation on quit."""

    session_path: Path | None = None
    session_title: str = "Untitled session"
    session_description: str = ""
    opening: Opening | None = None  # a session the worker is replaying into place (the app waits for it)
    replay_moving: bool = False  # the timeline's worker is moving the replay: its workbench is the worker's
    _focus_before_move: object = None
    _session_pending: tuple | None = None
    _session_quit_confirmed: bool = False

    def open_on_start(self, opened: OpenedSession, *, replay: bool = False, speed: float = 1.0) -> None:
        """For the command line: open (or replay) this session once the app has mounted."""
        self._session_pending = (opened, replay, speed)

    def on_mount(self) -> None:
        if self._session_pending is not None:
            # after every on_mount (the app's own focuses the editor), so the timeline ends up focused
            self.call_after_refresh(lambda: self.open_session(*self._session_pending))

    def remember_session(self, path: Path) -> None:
        """Hook: a session was opened or saved here (PreferencesCommands keeps the recent ones)."""

    def recent_sessions(self) -> list[Path]:
        """Hook: the sessions to list first in the open dialog."""
        return []

    def _session_busy(self, doing: str) -> bool:
        if self.opening is not None or self.replay_moving:
            what = "opening a session" if self.opening is not None else "replaying"
            self.notify(f"Still {what}: wait, or press Esc to cancel it, before you {doing}.")
            return True
        if getattr(self.workbench, "training", False):
            self.notify(f"Pause training before you {doing}.", severity="warning")
            return True
        return False

    # ---- save ---------------------------------------------------------------------------------------------

    def action_save_session(self, then=None) -> None:
        if self._session_busy("save"):
            return
        try:
            recorded = Session.from_workbench(
                self.workbench, title=self.session_title, description=self.session_description
            )
        except SessionError as err:
            self.notify(str(err), severity="error", timeout=10)
            return

        def saved(path: Path | None) -> None:
            if path is None:
                return
            self.session_path, self.session_title = path, recorded.title
            self.session_description = recorded.description
            self.workbench.mark_saved()
            self.remember_session(path)
            self.notify(f"Saved {len(recorded.actions)} actions to {path}.")
            if then is not None:
                then()

        self.push_screen(SaveSessionScreen(recorded, self.session_path), saved)

    def _session_unless_unsaved(self, doing: str, then) -> None:
        """Run `then` now, or after the user saved or discarded their unsaved changes."""
        if not self.workbench.dirty:
            then()
            return

        def answered(answer: str | None) -> None:
            if answer == "save":
                self.action_save_session(then=then)
            elif answer == "discard":
                then()

        self.push_screen(ConfirmDiscardScreen(doing), answered)

    # ---- open and replay ----------------------------------------------------------------------------------

    def action_open_session(self) -> None:
        if not self._session_busy("open a session"):
            self._session_unless_unsaved(
                "open another session",
                lambda: self.push_screen(OpenSessionScreen(recent=self.recent_sessions()), self._session_opened),
            )

    def _session_opened(self, opened: OpenedSession | ImportedData | None) -> None:
        if isinstance(opened, ImportedData):
            self.import_rows(opened.name, opened.points, opened.labels)
        elif opened is not None:
            self.open_session(opened)

    def open_session(self, opened: OpenedSession, replay: bool = False, speed: float = 1.0) -> None:
        """Show the session on the timeline: at its end (as saved) or, to replay, playing from the start.

        Building its workbench and replaying its actions (training included: up to the replay budget, minutes)
        is the open worker's job, off the UI thread: progress shows above the footer, keys answer, Esc cancels
        and leaves the app as it was. The panes wait (disabled) meanwhile, so nothing done there is lost when
        the session replaces them."""
        if self.opening is not None:
            self.notify("Still opening a session: wait, or press Esc to cancel it.", severity="warning")
            return
        self.opening = Opening(opened, replay, speed, Heartbeat(), self.focused)
        progress = Static(Text(f"opening {shown(opened.session.title)}… (Esc cancels)"), id="session-progress")
        footer = self.query("Footer")
        self.screen.mount(progress, before=footer.first() if footer else None)
        self._session_panes(disabled=True)
        self.refresh_bindings()
        self._open_beat(self.opening)
        self._open_worker(opened, replay, self.opening.heartbeat)

    def _session_panes(self, *, disabled: bool) -> None:
        for main in self.query("#main"):  # MicrogradApp's grid of panes (a host may have none)
            main.disabled = disabled

    def _open_beat(self, opening: Opening) -> None:
        """The UI's heartbeat while a session opens: the worker gives way when it is late (tui/training_pace.py)."""
        if self.opening is opening:
            opening.heartbeat.beat()
            asyncio.get_running_loop().call_later(opening.heartbeat.period, self._open_beat, opening)

    @work(thread=True, exclusive=True, exit_on_error=False, group="session-open", name="opening the session")
    def _open_worker(self, opened: OpenedSession, replay: bool, heartbeat: Heartbeat) -> None:
        """The session's fresh workbench (its budget checked first: TooMuchWork is a sentence before any work)
        and, unless it is to be played, every action applied. Nothing the UI reads is touched until
        SessionOpenDone hands the Replayer over."""
        worker = get_current_worker()
        last_post = 0.0  # the first action is shown at once

        def check(player: Replayer) -> None:
            nonlocal last_post
            if worker.is_cancelled:
                raise ReplayCancelled
            heartbeat.give_way()
            if perf_counter() - last_post >= PROGRESS_INTERVAL:
                self.post_message(SessionOpenProgress(opened, f"replaying {where(player)}"))
                last_post = perf_counter()

        result: Replayer | SessionError | None = None
        try:
            self.post_message(SessionOpenProgress(opened, "building its starting state"))
            player = Replayer(opened.session, opened.path.name)
            if not replay:
                player.seek(len(player), check=check)
            result = player
        except ReplayCancelled:
            pass
        except SessionError as err:
            result = err
        except MemoryError:
            result = SessionError(f"{opened.path.name}: replaying it ran out of memory, so it was not opened")
        except RecursionError:
            result = SessionError(f"{opened.path.name}: replaying it nested too deeply, so it was not opened")
        except Exception as err:  # a hostile file ends in a sentence, whatever the workbench raised
            result = SessionError(f"{opened.path.name}: replaying it failed ({type(err).__name__}: {err})")
        finally:  # always, so the app never waits for a worker that failed
            self.post_message(SessionOpenDone(opened, result))

    def on_session_open_progress(self, message: SessionOpenProgress) -> None:
        opening = self.opening
        if opening is None or message.opened is not opening.opened or opening.cancelled:
            return
        for progress in self.query("#session-progress"):
            progress.update(Text(f"opening {shown(opening.opened.session.title)}: {message.text}… (Esc cancels)"))

    def action_cancel_replay(self) -> None:
        """Esc while a session opens (the open worker) or the timeline's worker moves the replay."""
        if self.opening is None:
            for timeline in self.query("#timeline"):
                timeline.stop_moving()
            return
        self.opening.cancelled = True
        for worker in self.workers:
            if worker.group == "session-open":
                worker.cancel()  # the worker stops before its next action or chunk and posts SessionOpenDone
        for progress in self.query("#session-progress"):
            progress.update(Text("cancelling the open…"))

    def on_session_open_done(self, message: SessionOpenDone) -> None:
        opening = self.opening
        if opening is None or message.opened is not opening.opened:
            return
        self.opening = None
        for progress in self.query("#session-progress"):
            progress.remove()
        self._session_panes(disabled=False)
        self.refresh_bindings()
        result, title = message.result, opening.opened.session.title
        if isinstance(result, Replayer) and not opening.cancelled:
            self._show_opened(opening.opened, result, opening.replay, opening.speed)
            return
        focused = opening.focused
        if focused is not None and getattr(focused, "is_attached", False):
            focused.focus()
        if isinstance(result, SessionError):
            self.notify(str(result), severity="error", timeout=10)
        else:
            self.notify(f"Opening {title} was cancelled; everything is as it was before.", timeout=8)

    def _show_opened(self, opened: OpenedSession, player: Replayer, replay: bool, speed: float) -> None:
        from tui.widgets.timeline import Timeline  # here, so importing the screens does not need the widget

        self._session_leave_timeline()
        self.session_path, self.session_title = opened.path, opened.session.title
        self.session_description = opened.session.description
        self.remember_session(opened.path)
        timeline = Timeline(player, speed=speed, autoplay=replay, id="timeline")
        footer = self.query("Footer")
        self.screen.mount(timeline, before=footer.first() if footer else None)
        timeline.focus()
        self._session_show(player)
        self.notify(f"{opened.session.title}: {opened.session.description}", title="Session", timeout=12)
        if player.mismatch is not None:
            self.notify(f"This session replays differently: {player.mismatch}", severity="warning", timeout=12)

    def _session_show(self, player) -> None:
        self.workbench = player.workbench
        self.workbench.mark_saved()  # replaying what is on disk is not unsaved work
        self.refresh_all()

    def on_timeline_working(self, event) -> None:
        """A long timeline move runs in its worker: the panes wait (they show the workbench it changes)."""
        self.replay_moving = event.working
        if event.working:
            self._focus_before_move = self.focused
        self._session_panes(disabled=event.working)
        self.refresh_bindings()
        focused = self._focus_before_move
        if not event.working and self.focused is None and getattr(focused, "is_attached", False):
            focused.focus()

    def on_timeline_moved(self, event) -> None:
        self._session_show(event.replayer)

    def on_timeline_left(self, event) -> None:
        self._session_leave_timeline()
        self.workbench = event.workbench
        self.refresh_all()
        player = event.replayer
        self.session_path = None  # saving now writes the branch: never over the session it came from
        where = f"action {player.position}" + (f", step {player.substep}" if player.substep else "")
        self.session_title = f"{player.session.title} (branch at {where})"
        self.notify(f"Left replay at action {player.position} of {len(player)}; keep exploring from here.")

    def _session_leave_timeline(self) -> None:
        for timeline in self.query("#timeline"):
            timeline.playing = False
            timeline.remove()

    # ---- quit ---------------------------------------------------------------------------------------------

    async def action_quit(self) -> None:
        if self.workbench.dirty and not self._session_quit_confirmed and not getattr(self.workbench, "training", False):

            def confirmed() -> None:
                self._session_quit_confirmed = True
                self.call_later(self.action_quit)

            self._session_unless_unsaved("quit", confirmed)
            return
        await super().action_quit()
