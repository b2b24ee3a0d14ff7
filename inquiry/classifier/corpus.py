"""The labelled examples the router learns from: the corpus in data/, plus agents' corrections."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

from inquiry import taxonomy

HEADS = ("topic", "audience", "priority")
ALLOWED = {"topic": set(taxonomy.TOPICS), "audience": set(taxonomy.AUDIENCES), "priority": set(taxonomy.PRIORITIES)}


@dataclass(frozen=True)
class Example:
    text: str
    channel: str
    lang: str
    topic: str
    audience: str
    priority: str
    id: str = ""
    source: str = "corpus"

    def label(self, head: str) -> str:
        return getattr(self, head)


def parse_line(line: str, *, where: str = "") -> Example:
    """One JSON line in the corpus format; ValueError naming the problem if it is not one."""
    row = json.loads(line)
    for head in HEADS:
        if row.get(head) not in ALLOWED[head]:
            raise ValueError(f"{where}: {head} {row.get(head)!r} is not a taxonomy label")
    if not isinstance(row.get("text"), str) or not row["text"].strip():
        raise ValueError(f"{where}: empty text")
    return Example(text=row["text"], channel=row.get("channel") or "", lang=row.get("lang") or "",
                   topic=row["topic"], audience=row["audience"], priority=row["priority"], id=row.get("id", ""))


def read_jsonl(path: str | Path) -> list[Example]:
    examples = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                examples.append(parse_line(line, where=f"{path}:{number}"))
    return examples


def load_corpus() -> list[Example]:
    """Every corpus file shipped in inquiry/classifier/data/, in a stable order."""
    folder = resources.files("inquiry.classifier").joinpath("data")
    examples = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".jsonl"):
            examples.extend(read_jsonl(str(entry)))
    return examples


def data_hash(examples: list[Example]) -> str:
    """Identifies the training data of a model (order-independent)."""
    digest = hashlib.sha256()
    for line in sorted(json.dumps(asdict(e), sort_keys=True, ensure_ascii=False) for e in examples):
        digest.update(line.encode())
    return digest.hexdigest()[:16]
