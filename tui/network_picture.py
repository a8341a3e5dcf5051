"""The network view as a grid of cells (character, foreground, background), computed with NumPy — no Textual.

`picture()` evaluates every neuron over the input plane at its tile's pixel size (micrograd/network_maps.py)
and paints the tiles and weights where `tui.network_layout` put them; the widget only turns rows of cells into
styled segments. A cell is a half block "▀" whose foreground is the upper pixel and background the lower one.

Colours: one scale per layer, so neurons of a layer compare. Symmetric around 0 (orange negative, blue positive)
for linear and tanh outputs and for weights; 0 (dark) to the layer's largest output (blue) for relu, 0 to 1 for
sigmoid. Colours are indices into PALETTE; -1 is the terminal's background.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from micrograd.network_maps import Architecture, neuron_maps
from tui.network_layout import STROKE, Layout

LEVELS = 8  # colour steps on each side of 0
NEGATIVE, ZERO, POSITIVE = (245, 147, 34), (78, 78, 88), (8, 119, 189)  # TensorFlow Playground's orange/blue
SELECTED = 2 * LEVELS + 1  # the selection marker's colour
POINT = SELECTED + 1  # data points on the output's maps
MARKS = ("○", "●")  # class 0, class 1 (as the decision boundary draws them)
PALETTE = [
    "#{:02x}{:02x}{:02x}".format(
        *(round(z + (e - z) * abs(k) / LEVELS) for z, e in zip(ZERO, NEGATIVE if k < 0 else POSITIVE))
    )
    for k in range(-LEVELS, LEVELS + 1)
] + ["#ffd166", "#f4f4f4"]
STROKES = ("╶╴", "──", "━━", "██")  # a weight's size, smallest to largest, as a short stroke


def level(values: np.ndarray, scale: float, *, symmetric: bool) -> np.ndarray:
    """Palette indices for values on a scale: symmetric -scale..scale, or 0..scale."""
    scale = scale if scale > 0 and np.isfinite(scale) else 1.0
    t = np.clip(np.nan_to_num(values / scale), -1.0 if symmetric else 0.0, 1.0)
    return (LEVELS + np.rint(t * LEVELS)).astype(np.int16)


def layer_scale(values: np.ndarray, activation: str) -> tuple[float, bool]:
    """(scale, symmetric) for one layer's maps."""
    if activation == "sigmoid":
        return 1.0, False
    if activation == "tanh":
        return 1.0, True
    biggest = float(np.max(np.abs(values))) if values.size else 0.0
    return biggest, activation != "relu"


@dataclass
class Picture:
    chars: np.ndarray  # (rows, columns) one character per cell
    fg: np.ndarray  # palette index per cell, -1 for the default
    bg: np.ndarray
    header: str
    maps: list  # per layer (inputs first): the (neurons, rows, columns) arrays the tiles were painted from


def picture(
    arch: Architecture,
    params,
    layout: Layout,
    bounds,
    *,
    selected: tuple[int, int] | None = None,
    input_names: list[str] | None = None,
    featurize=None,
    points=None,
) -> Picture:
    """The whole picture. `points` = (X, y): the data, drawn on the output's maps so they read as the decision
    boundary (one output: every point, ○ class 0, ● class 1; one output per class: map k shows class k's)."""
    rows, cols = layout.height, layout.width
    pixels = np.full((2 * rows, cols), -1, dtype=np.int16)
    chars = np.full((rows, cols), "▀", dtype="<U1")
    fg = np.full((rows, cols), -1, dtype=np.int16)
    activations = ("linear",) + arch.activations
    weights = arch.unpack(params)
    maps_by_layer = []
    for block in layout.blocks:
        if block.kind == "neurons":
            tile = block.tiles[0]
            maps = neuron_maps(arch, params, bounds, tile.width, 2 * tile.height, featurize)[block.layer + 1]
            maps_by_layer.append(maps)
            scale, symmetric = layer_scale(maps, activations[block.layer + 1])
            levels = level(maps, scale, symmetric=symmetric)
            for t, lv in zip(block.tiles, levels):
                pixels[2 * t.y : 2 * t.y + 2 * t.height, t.x : t.x + t.width] = lv
                pixels[2 * t.y + 2 * t.height - 1, t.x : t.x + t.width] = -1  # a one-pixel gap under each tile
        elif block.kind == "matrix":
            W = weights[block.layer][0]
            levels = level(W, float(np.max(np.abs(W))), symmetric=True)
            tall = 2 * block.height
            stretched = tall > len(W) + 1
            for r in range(min(tall, tall if stretched else len(W))):
                target = r * len(W) // tall if stretched else r
                pixels[2 * block.y + r, block.x : block.x + block.width] = levels[target, : block.width]
        else:  # strokes beside each target neuron: colour = sign, stroke = size
            W = weights[block.layer][0]
            biggest = float(np.max(np.abs(W))) or 1.0
            for t, row in zip(block.tiles, W):
                y = t.y + (t.height - 1) // 2
                for j, w in enumerate(row):
                    size = min(int(abs(w) / biggest * len(STROKES)), len(STROKES) - 1)
                    x = block.x + j * (STROKE + 1)
                    chars[y, x : x + STROKE] = list(STROKES[size])
                    fg[y, x : x + STROKE] = int(level(np.array(w), biggest, symmetric=True))
    top, bottom = pixels[0::2], pixels[1::2]
    painted = fg >= 0
    fg = np.where(painted, fg, top)
    bg = np.where(painted, -1, bottom)
    chars = np.where(~painted & (top < 0) & (bottom < 0), " ", chars)
    if points is not None:
        _draw_points(chars, fg, bg, layout.neurons(len(arch.widths) - 1).tiles, bounds, *points)
    if selected is not None:
        tile = layout.neurons(selected[0]).tiles[selected[1]]
        for y in range(tile.y, tile.y + tile.height):
            chars[y, tile.x - 1], fg[y, tile.x - 1], bg[y, tile.x - 1] = "▐", SELECTED, -1
    return Picture(chars, fg, bg, header_line(arch, layout, input_names), maps_by_layer)


def _draw_points(chars, fg, bg, tiles, bounds, X, y) -> None:
    xmin, xmax, ymin, ymax = (float(b) for b in bounds)
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    for k, tile in enumerate(tiles):
        chosen = np.ones(len(y), bool) if len(tiles) == 1 else y == k
        cols = ((X[chosen, 0] - xmin) / (xmax - xmin) * tile.width).astype(int)
        rows = ((ymax - X[chosen, 1]) / (ymax - ymin) * (2 * tile.height - 1)).astype(int) // 2
        for col, row, label in zip(cols.tolist(), rows.tolist(), y[chosen].tolist()):
            if 0 <= col < tile.width and 0 <= row < tile.height:
                x, r = tile.x + col, tile.y + row
                if chars[r, x] == "▀":  # the cell's upper pixel colour becomes its background
                    bg[r, x] = fg[r, x]
                chars[r, x], fg[r, x] = MARKS[1 if len(tiles) > 1 else min(int(label), 1)], POINT


def header_line(arch: Architecture, layout: Layout, input_names: list[str] | None) -> str:
    """Layer names above their columns: the inputs, L1 relu ..., out."""
    names = input_names or [f"x{j}" for j in range(arch.inputs)]
    line = [" "] * layout.width
    last = len(arch.widths) - 1
    for block in layout.blocks:
        if block.kind == "neurons":
            if block.layer < 0:
                label = ",".join(names)
            else:
                label = f"{'out' if block.layer == last else f'L{block.layer + 1}'} {arch.activations[block.layer]}"
        else:
            label = "w"
        label = label[: max(block.width, 1) + 1]
        line[block.x : block.x + len(label)] = label
    return "".join(line[: layout.width])
