"""Where the shipped model artifacts live (JSON and .npz files under pipeline/models/)."""

from __future__ import annotations

from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent / "models"
