"""Where the network view puts each neuron map and each weight picture, in terminal cells — no Textual here.

Left to right: the inputs, then per layer its incoming weights and its neurons, as TensorFlow Playground draws
a network. A neuron is a square tile (`tile` rows tall, 2 x `tile` columns wide: half blocks make a cell two
pixels tall, so that is square in pixels); a layer too tall for one column of tiles wraps into several. The
weights into a layer are drawn as short strokes beside each neuron (colour = sign, stroke = size) when the
layer is one column of tiles and has at most STROKES_MAX inputs; otherwise as a weight-matrix heatmap (one
pixel per weight: a row per target neuron, a column per source neuron). The largest tile that fits is chosen,
and the output layer takes the width left over: it is the decision boundary in miniature.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

GAP = 2  # columns between blocks
STROKES_MAX = 4  # at most this many inputs per neuron are drawn as strokes
STROKE = 2  # columns per stroke, plus one between strokes


@dataclass(frozen=True)
class Tile:
    x: int
    y: int
    width: int
    height: int

    def contains(self, col: int, row: int) -> bool:
        return self.x <= col < self.x + self.width and self.y <= row < self.y + self.height


@dataclass(frozen=True)
class Block:
    """One column of the picture: a layer's neuron tiles, or the weights into a layer."""

    kind: str  # "neurons" or "strokes" or "matrix"
    layer: int  # -1 for the inputs; for weights, the layer they feed
    x: int
    y: int
    width: int
    height: int
    tiles: tuple[Tile, ...] = ()  # one per neuron, for "neurons" and "strokes"


@dataclass(frozen=True)
class Layout:
    blocks: tuple[Block, ...]
    width: int
    height: int
    tile: int  # rows per hidden-neuron tile
    out_tile: int  # rows per output-neuron tile

    def neurons(self, layer: int) -> Block:
        return next(b for b in self.blocks if b.kind == "neurons" and b.layer == layer)

    def weights(self, layer: int) -> Block:
        return next(b for b in self.blocks if b.kind != "neurons" and b.layer == layer)

    def neuron_at(self, col: int, row: int) -> tuple[int, int] | None:
        """(layer, neuron) of the tile under a cell, or None."""
        for block in self.blocks:
            if block.kind == "neurons":
                for i, tile in enumerate(block.tiles):
                    if tile.contains(col, row):
                        return block.layer, i
        return None


def _stack(count: int, tile_h: int, tile_w: int, height: int) -> tuple[int, int, int] | None:
    """(tile columns, block width, block height) for `count` tiles of tile_h x tile_w in `height` rows."""
    if tile_h > height:
        return None
    per_column = height // tile_h
    columns = math.ceil(count / per_column)
    rows = math.ceil(count / columns)
    return columns, columns * (tile_w + 1) - 1, rows * tile_h


def _strokes_width(fan_in: int) -> int:
    return fan_in * (STROKE + 1) - 1


def layout(sizes: list[int], width: int, height: int) -> Layout | None:
    """The picture of a network with layer sizes [inputs, hidden..., outputs] in width x height cells, using
    the largest tile that fits; None when not even one-row tiles fit (the view then says so)."""
    fits = [
        found for tile in range(max(height // 2, 1), 0, -1) if (found := _try(sizes, width, height, tile)) is not None
    ]
    # The output is the picture a learner reads first: prefer hidden tiles small enough to leave it twice their
    # size, then the largest hidden tiles.
    roomy = [found for found in fits if found.out_tile >= 2 * found.tile]
    return (roomy or fits or [None])[0]


def _try(sizes: list[int], width: int, height: int, tile: int) -> Layout | None:
    tile_w = 2 * tile
    stacks = [_stack(n, tile, tile_w, height) for n in sizes]
    if any(s is None for s in stacks):
        return None
    weight_kinds, weight_widths = [], []
    for layer in range(1, len(sizes)):
        fan_in, columns = sizes[layer - 1], stacks[layer][0]
        if columns == 1 and fan_in <= STROKES_MAX:
            weight_kinds.append("strokes")
            weight_widths.append(_strokes_width(fan_in))
        else:
            weight_kinds.append("matrix")
            weight_widths.append(fan_in)
    used = sum(s[1] for s in stacks) + sum(weight_widths) + GAP * 2 * (len(sizes) - 1)
    if used > width:
        return None
    # The output layer grows into what is left: a bigger miniature of the decision boundary.
    out_tile, others = tile, used - stacks[-1][1]
    for bigger in range(tile + 1, height + 1):
        grown = _stack(sizes[-1], bigger, 2 * bigger, height)
        if grown is None or grown[0] > 1 or others + grown[1] > width:
            break
        out_tile, stacks[-1] = bigger, grown
    blocks, x = [], 0
    for layer, n in enumerate(sizes):
        if layer:
            kind, w = weight_kinds[layer - 1], weight_widths[layer - 1]
            target = stacks[layer]
            tall = target[2] if kind == "strokes" or (target[0] == 1 and n > 1) else min(math.ceil(n / 2), height)
            y = (height - tall) // 2
            tiles = (
                _tiles(n, target[0], out_tile if layer == len(sizes) - 1 else tile, x, y, w)
                if kind == "strokes"
                else ()
            )
            blocks.append(Block(kind, layer - 1, x, y, w, tall, tiles))
            x += w + GAP
        columns, w, h = stacks[layer]
        size = out_tile if layer == len(sizes) - 1 else tile
        y = (height - h) // 2
        blocks.append(Block("neurons", layer - 1, x, y, w, h, _tiles(n, columns, size, x, y, 2 * size)))
        x += w + GAP
    return Layout(tuple(blocks), x - GAP, height, tile, out_tile)


def _tiles(count: int, columns: int, size: int, x: int, y: int, tile_w: int) -> tuple[Tile, ...]:
    rows = math.ceil(count / columns)
    return tuple(Tile(x + (i // rows) * (tile_w + 1), y + (i % rows) * size, tile_w, size) for i in range(count))
