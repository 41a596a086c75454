#!/usr/bin/env python3
"""Write a knowledge base of N entries for search size and latency benchmarks.

    python3 bench/generate.py N OUT_DIR [--seed S]
    python3 build.py check -f OUT_DIR/mkdocs.yml

OUT_DIR (created if missing, refused if not empty) gets a complete project: this
repository's mkdocs.yml with `strict: false` for the policykb plugin, a copy of its real
content/ and cases/, and generated entries (gen-case-00001, gen-rule-00001,
gen-negative-00001 …: 70% cases, 15% rules, 15% negatives) so that the total is N. With N
at or below the real count only the real content is written.

The generated entries are recombined, deterministically for a seed, from the real
knowledge base: its regions (and 某市/某省 + a real county or city name), problem, remedy,
rule and source ids, clauses of its summaries, bodies and signs (split on ，。；), figure
labels with new values, tags and keywords. Uses only the standard library and PyYAML.
"""

from __future__ import annotations

import argparse
import calendar
import re
import shutil
import sys
from collections import Counter
from pathlib import Path
from random import Random

import yaml

REPO = Path(__file__).resolve().parent.parent
FOLDERS = {
    "source": "content/sources",
    "rule": "content/rules",
    "negative": "content/negatives",
    "problem": "content/problems",
    "remedy": "content/remedies",
    "case": "cases",
}
PAIRS = ("“”", "《》", "（）", "()", "「」", "‘’", "[]")
EDITORIAL = re.compile(r"原文|隐去|不列|截断|种子|该篇|如此")  # maintainers' notes, not prose
PLACE = re.compile(r"[^省市区县乡镇街道社园]{2,4}?(?:新区|市|区|县)")
LEVEL = {"市": "市级", "区": "县级", "县": "县级"}
PREFIX = {"市级": "某省", "县级": "某市"}  # what an anonymous place of that level lies in
PLAN = {"case": 0.70, "rule": 0.15}  # negatives take the rest


def load_real() -> dict[str, dict[str, dict]]:
    """{kind: {id: data}} for every real entry."""
    return {
        kind: {
            p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in sorted((REPO / folder).glob("*.yaml"))
        }
        for kind, folder in FOLDERS.items()
    }


def clauses(texts, links: bool = False, seps: str = "，。；") -> list[str]:
    """Clauses of the texts split on seps and lines; no unbalanced brackets, no notes."""
    out = []
    for text in texts:
        for frag in re.split(f"[{seps}\n]", (text or "").replace("**", "")):
            frag = frag.strip().lstrip("-").strip()
            if (
                len(frag) >= 4
                and not EDITORIAL.search(frag)
                and (links or "[[" not in frag)
                and all(frag.count(a) == frag.count(b) for a, b in PAIRS)
            ):
                out.append(frag)
    return out


def compose(rng: Random, pool: list[str], lo: int, hi: int) -> str:
    """Clauses joined by ， into sentences of 2-4 ending in 。, lo to hi characters long."""
    text, count, target = "", 0, rng.randint(2, 4)
    for _ in range(10_000):
        frag = rng.choice(pool)
        if len(text) + len(frag) + 1 > hi:
            continue
        text, count = text + frag, count + 1
        if len(text) + 1 >= lo or count >= target:
            text, count, target = text + "。", 0, rng.randint(2, 4)
            if len(text) >= lo:
                return text
        else:
            text += "，"
    raise RuntimeError(f"cannot compose {lo}-{hi} characters from the pool")


class Vocabulary:
    """What generated entries borrow from the real knowledge base."""

    def __init__(self, real: dict[str, dict[str, dict]]):
        # a case of several regions (a list) is no model for a generated one's region
        cases = [c for c in real["case"].values() if isinstance(c.get("region"), str)]
        problems = real["problem"]
        self.cases, self.rules = cases, list(real["rule"].values())
        self.negatives = list(real["negative"].values())
        self.problem_ids, self.remedies = sorted(problems), real["remedy"]
        self.rule_ids = sorted(real["rule"])
        signs = [s for p in problems.values() for s in p.get("signs", [])]
        texts = [c["summary"] for c in cases] + [c.get("body") for c in cases] + signs
        self.prose, self.linked = clauses(texts), clauses(texts, links=True)
        titles = [c["title"].removeprefix(c["region"]) for c in cases]
        self.case_titles = [f for f in clauses(titles, seps="，。；：") if len(f) <= 24]
        self.rule_titles = [f for r in self.rules for f in clauses([r.get("title")])]
        self.rule_text = clauses([r["text"] for r in self.rules] + signs)
        self.items = clauses([n["item"] for n in self.negatives] + signs)
        self.figures = [f for c in cases for f in c.get("figures", [])]
        self.tags = sorted({t for c in cases for t in c.get("tags", [])})
        self.keywords = sorted({k for r in self.rules for k in r.get("keywords", [])})
        leveled = [c for c in cases if c.get("level")]
        self.regions = [c["region"] for c in leveled]  # as often as the real cases name them
        levels: dict[str, Counter] = {}
        for c in leveled:
            levels.setdefault(c["region"], Counter())[c["level"]] += 1
        self.level = {region: n.most_common(1)[0][0] for region, n in levels.items()}
        places: dict[str, str] = {}  # a real county or city name: its level
        for region, level in self.level.items():
            for p in PLACE.findall(region):
                if region.endswith(p) or p not in places:
                    places[p] = level if region.endswith(p) else LEVEL[p[-1]]
        self.places = sorted((p, lv) for p, lv in places.items() if "某" not in p and lv in PREFIX)

    def region(self, rng: Random) -> tuple[str, str]:
        """(region, level): a real one, or 某省 + a real city, 某市 + a real county/district."""
        if rng.random() < 0.5:
            region = rng.choice(self.regions)
            return region, self.level[region]
        place, level = rng.choice(self.places)
        return PREFIX[level] + place, level

    def remedies_for(self, rng: Random, problems: list[str]) -> list[str]:
        """0-2 remedies, chosen among those that address one of the problems."""
        fit = sorted(r for r, d in self.remedies.items() if set(d["problems"]) & set(problems))
        return rng.sample(fit, min(len(fit), rng.randint(0, 2)))


def date(rng: Random) -> str:
    """2019-2025: a year, a month or a day."""
    year, shape = rng.randint(2019, 2025), rng.random()
    if shape < 0.4:
        return str(year)
    month = rng.randint(1, 12)
    if shape < 0.6:
        return f"{year}-{month:02d}"
    return f"{year}-{month:02d}-{rng.randint(1, calendar.monthrange(year, month)[1]):02d}"


def figure(rng: Random, real: dict) -> dict:
    """A real figure's label, unit and prefix with a new value."""
    value = real["value"] * rng.uniform(0.3, 3)
    value = round(value, 1) if isinstance(real["value"], float) else max(1, round(value))
    return dict(real, value=min(value, 99) if real.get("unit", "").startswith("%") else value)


def make_case(rng: Random, v: Vocabulary) -> dict:
    region, level = v.region(rng)
    problems = rng.sample(v.problem_ids, rng.randint(1, 3))
    model = rng.choice(v.cases)  # kind, source and source_section as a real case has them
    title = region + rng.choice(v.case_titles)
    if rng.random() < 0.4:
        title += "：" + rng.choice(v.case_titles)
    paragraphs = rng.randint(2, 4)
    share = rng.randint(265, 535) // paragraphs  # so the body has 200-600 characters
    body = "\n\n".join(compose(rng, v.linked, share - 15, share + 15) for _ in range(paragraphs))
    return {
        "title": title,
        "kind": model["kind"],
        "date": date(rng),
        "region": region,
        "level": level,
        "summary": region + compose(rng, v.prose, 60 - len(region), 150 - len(region)),
        "body": body,
        "problems": problems,
        "remedies": v.remedies_for(rng, problems),
        "figures": [figure(rng, f) for f in rng.sample(v.figures, rng.randint(0, 3))],
        "source": model["source"],
        "source_section": model.get("source_section"),
        "tags": rng.sample(v.tags, rng.randint(1, 4)),
    }


def make_rule(rng: Random, v: Vocabulary) -> dict:
    model = rng.choice(v.rules)  # source, article and cited_in as a real rule has them
    return {
        "source": model["source"],
        "article": model["article"],
        "title": rng.choice(v.rule_titles),
        "text": compose(rng, v.rule_text, 30, 160),
        "verbatim": True,
        "plain": compose(rng, v.linked, 60, 200),
        "cited_in": model.get("cited_in"),
        "problems": rng.sample(v.problem_ids, rng.randint(1, 2)),
        "keywords": rng.sample(v.keywords, rng.randint(3, 6)),
        "status": "现行",
    }


def make_negative(rng: Random, v: Vocabulary) -> dict:
    model = rng.choice(v.negatives)  # list, source, issuer and region as a real item has them
    return {
        "list": model["list"],
        "item": compose(rng, v.items, 12, 60).rstrip("。"),
        "problems": rng.sample(v.problem_ids, rng.randint(1, 2)),
        "source": model.get("source"),
        "source_section": model.get("source_section"),
        "rules": rng.sample(v.rule_ids, rng.randint(0, 1)),
        "issuer": model.get("issuer"),
        "region": model.get("region"),
    }


def mkdocs_yml(text: str) -> str:
    """The real mkdocs.yml with `strict: false` for policykb, everything else as it is."""
    option = re.compile(r"^(\s*- policykb:[ \t]*\n(?:\s+(?!strict:)\w+:.*\n)*\s+strict:).*$", re.M)
    if option.search(text):
        return option.sub(r"\1 false", text, count=1)
    plugin = re.compile(r"^(\s*)- policykb(:?)[ \t]*$", re.M)
    if not plugin.search(text):
        sys.exit("Error: mkdocs.yml does not enable the policykb plugin")
    return plugin.sub(r"\1- policykb:\n\1    strict: false", text, count=1)


def write(out: Path, n: int, seed: int) -> Counter:
    """The project in out (an empty folder); the number of entries of each kind."""
    real = load_real()
    shutil.copytree(REPO / "content", out / "content")
    shutil.copytree(REPO / "cases", out / "cases")
    config = mkdocs_yml((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    (out / "mkdocs.yml").write_text(config, encoding="utf-8")
    counts = Counter({kind: len(entries) for kind, entries in real.items()})
    extra = max(0, n - sum(counts.values()))
    plan = {kind: round(extra * share) for kind, share in PLAN.items()}
    plan["negative"] = extra - sum(plan.values())
    vocab, rng = Vocabulary(real), Random(seed)
    makers = {"case": make_case, "rule": make_rule, "negative": make_negative}
    for kind, count in plan.items():
        for i in range(1, count + 1):
            data = {k: v for k, v in makers[kind](rng, vocab).items() if v not in (None, [])}
            path = out / FOLDERS[kind] / f"gen-{kind}-{i:05d}.yaml"
            path.write_text(
                yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
            )
        counts[kind] += count
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, metavar="N", help="total number of entries")
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="an empty or new folder")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args()
    if args.out_dir.exists() and (not args.out_dir.is_dir() or any(args.out_dir.iterdir())):
        sys.exit(f"Error: {args.out_dir} exists and is not an empty folder")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    counts = write(args.out_dir, args.n, args.seed)
    print(
        f"{sum(counts.values())} entries in {args.out_dir}: "
        + ", ".join(f"{counts[kind]} {kind}" for kind in FOLDERS)
    )


if __name__ == "__main__":
    main()
