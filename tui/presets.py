"""Ready-made setups, one action each: micrograd's demo, the lecture's tiny MLP, yin-yang, circles, xor.

Each preset is a whole config (missing keys take the defaults of tui/settings.py). Choosing one builds a new
model and is logged as one `preset` action that records the config it applied, so a session replays the same
setup even if a preset is edited later. No Textual here.
"""

from __future__ import annotations

import copy

from tui.settings import DEFAULTS

PRESETS: dict[str, dict] = {
    "demo": {
        "title": "micrograd's demo: moons, MLP(2, [16, 16, 1]), svm loss, SGD 1.0 → 0.1",
        "config": copy.deepcopy(DEFAULTS),
    },
    "lecture": {
        "title": "the lecture: MLP(3, [4, 4, 1]), tanh, on its 4 samples, squared error, lr 0.05",
        "config": {
            "data": {"name": "tiny"},
            "model": {"layers": [4, 4, 1], "activation": "tanh", "output_activation": "tanh"},
            "training": {"loss": "mse", "l2": 0.0, "lr": {"schedule": "constant", "lr": 0.05}},
        },
    },
    "yinyang": {
        "title": "yin-yang: 3 classes, cross-entropy, AdamW 0.02",
        "config": {
            "data": {"name": "yinyang", "samples": 300, "noise": 0.0},
            "model": {"layers": [16, 16, 3]},
            "training": {
                "loss": "cross_entropy",
                "optimizer": "adamw",
                "l2": 0.0,
                "lr": {"schedule": "constant", "lr": 0.02},
            },
        },
    },
    "circles": {
        "title": "circles with tanh: MLP(2, [16, 16, 1]), svm loss, SGD 0.1",
        "config": {
            "data": {"name": "circles", "noise": 0.05},
            "model": {"activation": "tanh"},
            "training": {"lr": {"schedule": "constant", "lr": 0.1}},
        },
    },
    "xor": {
        "title": "xor: four clusters, MLP(2, [16, 16, 1]), svm loss, SGD 1.0 → 0.1",
        "config": {"data": {"name": "xor"}},
    },
}


def preset_config(name: str) -> dict:
    """The preset's whole config dict (defaults filled in), to pass to Config.from_dict."""
    partial = PRESETS[name]["config"]
    return {
        section: {**copy.deepcopy(DEFAULTS[section]), **copy.deepcopy(partial.get(section, {}))} for section in DEFAULTS
    }
