"""A deterministic synthetic world in the project's own ontology, shaped like the curated data.

Firms headquartered in many countries train models in data centres in many jurisdictions (often
outside their home country), on chips of several vendors that carry export classifications; vendors
sell chips to firms; export rules with dates cover chips or classifications and destinations. Every
fact is asserted by a claim: document claims quote a synthetic document verbatim, reference
assertions cite a synthetic source. Nothing here is knowledge: ids and labels say "synthetic".

The world is a plain data structure; `bench.yamlout` writes it as curated YAML (the real loader reads
it unchanged) and `bench.nquads` writes the same RDF straight to N-Quads.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

Facts = dict[str, dict[str, list[str]]]  # subject id -> key -> values (as a curator would type them)

# Per-claim provenance triples the compiler writes (see kg.curation): 18 for a document claim, 4 more
# when it has a time; 5 for a reference assertion (+1 per extra source).
DOC_CLAIM_TRIPLES = 18
TIME_TRIPLES = 4
REF_ASSERTION_TRIPLES = 5
DOC_TRIPLES = 11
CLAIMS_PER_DOCUMENT = 40

VENDORS = {"nvidia": "Nvidia", "amd": "AMD", "intel": "Intel", "huawei": "Huawei", "cambricon": "Cambricon"}
VENDOR_WEIGHTS = [45, 20, 10, 15, 10]
CLASSIFICATIONS = {"eccn-3a090": None, "eccn-3a090-a": "eccn-3a090", "eccn-3a090-b": "eccn-3a090",
                   "eccn-4a090": None, "eccn-ear99": None}
REAL_COUNTRIES = {"china": "China", "united-states": "United States", "malaysia": "Malaysia",
                  "singapore": "Singapore"}
N_SYNTHETIC_COUNTRIES = 40
REGIONS = 6
HOME_COUNTRIES = 10  # countries asserted disjoint from every other country (firm headquarters)


@dataclass
class Claim:
    id: str
    quote: str
    by: str
    status: str
    facts: Facts
    time: str | None = None
    time_expression: str | None = None


@dataclass
class Assertion:
    id: str
    source: str
    facts: Facts


@dataclass
class Document:
    id: str
    title: str
    date: str
    claims: list[Claim] = field(default_factory=list)

    def text(self) -> str:
        """The document body: a title line, then each claim's quote as its own sentence."""
        parts = [f"{self.title}.", ""]
        for i, c in enumerate(self.claims):
            parts.append(f"Paragraph {i + 1}. {c.quote}. Further synthetic detail follows here.")
        return "\n".join(parts) + "\n"


@dataclass
class World:
    documents: list[Document] = field(default_factory=list)
    assertions: list[Assertion] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # id -> citation
    triples: int = 0  # asserted + provenance triples the compiler will produce (excluding the ontology)


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.world = World()
        self.doc: Document | None = None
        self.countries: list[str] = []
        self.homes: list[str] = []
        self.subdivisions: list[str] = []
        self.facilities: list[str] = []
        self.operators: list[str] = []
        self.chips: dict[str, list[str]] = {v: [] for v in VENDORS}
        self.firms: list[str] = []
        self.n_facility = self.n_operator = self.n_chip = self.n_rule = self.n_sale = 0

    # -- bookkeeping ---------------------------------------------------------------------------------

    def _count(self, facts: Facts) -> int:
        return sum(len(values) for body in facts.values() for values in body.values())

    def assert_ref(self, aid: str, facts: Facts, source: str = "synthetic-registry") -> None:
        self.world.assertions.append(Assertion(aid, source, facts))
        self.world.triples += REF_ASSERTION_TRIPLES + self._count(facts)

    def claim(self, cid: str, quote: str, facts: Facts, *, time: str | None = None,
              expression: str | None = None) -> None:
        if self.doc is None or len(self.doc.claims) >= CLAIMS_PER_DOCUMENT:
            n = len(self.world.documents)
            self.doc = Document(f"syn_{n:06d}", f"Synthetic benchmark report {n}",
                                f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}")
            self.world.documents.append(self.doc)
            self.world.triples += DOC_TRIPLES
        status = self.rng.choice(["reported", "reported", "confirmed", "estimated"])
        by = self.rng.choice(["syn-article-author", "syn-industry-sources", "syn-analyst"])
        self.doc.claims.append(Claim(cid, quote, by, status, facts, time, expression))
        self.world.triples += DOC_CLAIM_TRIPLES + (TIME_TRIPLES if time else 0) + self._count(facts)

    def date(self, lo: int = 2022, hi: int = 2025) -> str:
        return f"{self.rng.randint(lo, hi)}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"

    # -- the fixed frame -----------------------------------------------------------------------------

    def frame(self) -> None:
        w = self.world
        w.sources["synthetic-registry"] = "Synthetic benchmark registry (generated, not knowledge)"
        for sid, label in (("syn-article-author", "synthetic article author"),
                           ("syn-industry-sources", "synthetic industry sources"),
                           ("syn-analyst", "synthetic analyst")):
            self.assert_ref(f"agent-{sid}", {sid: {"a": ["AnonymousSource"], "label": [label]}})
        self.assert_ref("gov-us", {"us-government": {"a": ["GovernmentBody"], "label": ["United States government"]}})
        regions = [f"syn-region-{i}" for i in range(REGIONS)]
        for i, r in enumerate(regions):
            label = "South-eastern Asia" if i == 0 else f"Synthetic region {i}"
            self.assert_ref(f"region-{r}", {r: {"a": ["Region"], "label": [label]}})
        countries = dict(REAL_COUNTRIES)
        countries.update({f"syn-country-{i:02d}": f"Synthetic country {i:02d}" for i in range(N_SYNTHETIC_COUNTRIES)})
        for i, (cid, label) in enumerate(countries.items()):
            region = regions[0] if cid in ("malaysia", "singapore") else regions[1 + i % (REGIONS - 1)]
            self.assert_ref(f"country-{cid}", {cid: {"a": ["Country"], "label": [label], "locatedIn": [region]}})
            self.countries.append(cid)
            for k in range(2):
                sub = f"{cid}-sub-{k}"
                self.assert_ref(f"subdivision-{sub}", {sub: {"a": ["Subdivision"], "label": [f"{label} province {k}"],
                                                             "locatedIn": [cid]}})
                self.subdivisions.append(sub)
        self.homes = ["china", "united-states", *self.countries[4:4 + HOME_COUNTRIES - 2]]
        for home in self.homes:
            others = [c for c in self.countries if c != home and not (c in self.homes and c < home)]
            self.assert_ref(f"disjoint-{home}", {home: {"disjointFrom": others}})
        self.assert_ref("disjoint-sea-china", {regions[0]: {"disjointFrom": ["china"]}})
        for cid, parent in CLASSIFICATIONS.items():
            body: dict[str, list[str]] = {"a": ["ExportClassification"], "label": [cid.upper()]}
            if parent:
                body["skos:broader"] = [parent]
            self.assert_ref(f"classification-{cid}", {cid: body})
        for vid, label in VENDORS.items():
            self.assert_ref(f"vendor-{vid}", {vid: {"a": ["ChipVendor"], "label": [label],
                                                     "headquarteredIn": [self.rng.choice(self.homes)]}})
            for _ in range(3):
                self.new_chip(vid)

    # -- growing pools -------------------------------------------------------------------------------

    def new_chip(self, vendor: str) -> str:
        self.n_chip += 1
        cid = f"syn-chip-{vendor}-{self.n_chip:05d}"
        self.assert_ref(f"chip-{cid}", {cid: {
            "a": ["Chip"], "label": [f"{VENDORS[vendor]} synthetic accelerator {self.n_chip}"],
            "chipVendor": [vendor], "exportClassification": [self.rng.choice(list(CLASSIFICATIONS)[:4])],
            "memoryGB": [str(self.rng.choice([48, 80, 96, 141]))]}})
        self.chips[vendor].append(cid)
        return cid

    def new_operator(self) -> str:
        self.n_operator += 1
        oid = f"syn-operator-{self.n_operator:05d}"
        self.assert_ref(f"operator-{oid}", {oid: {"a": ["DataCentreOperator"],
                                                   "label": [f"Synthetic operator {self.n_operator}"],
                                                   "headquarteredIn": [self.rng.choice(self.homes)]}})
        self.operators.append(oid)
        return oid

    def new_facility(self) -> str:
        self.n_facility += 1
        fid = f"syn-dc-{self.n_facility:05d}"
        roll = self.rng.random()
        place = ("malaysia" if roll < 0.25 else "singapore" if roll < 0.35
                 else self.rng.choice(self.subdivisions) if roll < 0.55 else self.rng.choice(self.countries))
        reuse = self.operators and self.rng.random() >= 0.3
        operator = self.rng.choice(self.operators) if reuse else self.new_operator()
        vendor = self.vendor()
        label = f"Synthetic data centre {self.n_facility}"
        self.claim(f"facility-{fid}", f"{label} in {place} is run by {operator} and holds {vendor} chips", {fid: {
            "a": ["DataCentre"], "label": [label], "locatedIn": [place], "operatedBy": [operator],
            "equippedWith": [self.rng.choice(self.chips[vendor])]}})
        self.facilities.append(fid)
        return fid

    def vendor(self) -> str:
        return self.rng.choices(list(VENDORS), VENDOR_WEIGHTS)[0]

    # -- one firm and what it does -------------------------------------------------------------------

    def firm(self, n: int) -> None:
        rng = self.rng
        fid = f"syn-firm-{n:06d}"
        home = "china" if rng.random() < 0.35 else rng.choice(self.homes)
        label = f"Synthetic AI firm {n}"
        self.assert_ref(f"firm-{fid}", {fid: {"a": ["AIDeveloper"], "label": [label], "headquarteredIn": [home]}})
        self.firms.append(fid)
        if n % 20 == 0:
            self.new_chip(self.vendor())
        for k in range(1 + (n % 2)):
            mid = f"{fid}-model-{k}"
            mlabel = f"Synthetic model {n}.{k}"
            self.claim(f"model-{mid}", f"{label} released {mlabel}", {mid: {
                "a": ["LargeLanguageModel"], "label": [mlabel], "developer": [fid]}})
            reuse = self.facilities and rng.random() >= 0.35
            facility = rng.choice(self.facilities) if reuse else self.new_facility()
            vendor = self.vendor()
            aid = f"{fid}-training-{k}"
            body: dict[str, list[str]] = {
                "a": ["TrainingActivity"], "label": [f"Training of {mlabel}"], "trainer": [fid],
                "trainedModel": [mid], "atFacility": [facility],
                "hardwareAccess": [rng.choice(["LeasedCapacity", "Stockpiled", "DomesticChips"])],
                "startDate": [self.date(2023)]}
            if rng.random() < 0.7:
                body["usesChip"] = [rng.choice(self.chips[vendor])]
                what = "chips"
            else:
                body["usesHardwareFrom"] = [vendor]
                what = "hardware"
            start = body["startDate"][0]
            self.claim(f"training-{aid}", f"{label} trains {mlabel} at {facility} on {VENDORS[vendor]} {what}",
                       {aid: body}, time=start[:7], expression=f"since {start[:7]}")
        if n % 2 == 0:
            self.n_sale += 1
            sid = f"syn-sale-{self.n_sale:06d}"
            vendor = self.vendor()
            self.claim(f"sale-{sid}", f"{VENDORS[vendor]} sold chips to {label} (sale {self.n_sale})", {sid: {
                "a": ["ChipSale"], "label": [f"Synthetic chip sale {self.n_sale}"], "seller": [vendor],
                "buyer": [fid], "chipSold": [rng.choice(self.chips[vendor])],
                "destination": [rng.choice(self.countries)], "deliveredToFacility": [rng.choice(self.facilities)]}})
        if n % 25 == 0:
            self.rule()

    def rule(self) -> None:
        rng = self.rng
        self.n_rule += 1
        rid = f"syn-rule-{self.n_rule:05d}"
        body: dict[str, list[str]] = {
            "a": [rng.choice(["LicenceRequirement", "ExportControlRule"])],
            "label": [f"Synthetic export rule {self.n_rule}"], "issuedBy": ["us-government"],
            "jurisdiction": ["united-states"], "effectiveDate": [self.date(2022, 2025)],
            "coversDestination": ["china" if rng.random() < 0.6 else rng.choice(self.countries)],
            "citation": [f"Synthetic FR {self.n_rule}"]}
        if rng.random() < 0.5:
            body["coversChip"] = [rng.choice(self.chips[self.vendor()])]
        else:
            body["coversClassification"] = [rng.choice(["eccn-3a090", "eccn-3a090-a", "eccn-4a090"])]
        if rng.random() < 0.2 and body["effectiveDate"][0] < "2025-05-13":  # rescinded after taking effect
            body["rescissionDate"] = ["2025-05-13"]
        self.assert_ref(f"rule-{rid}", {rid: body})


def generate(triples: int, seed: int = 42) -> World:
    """A world whose compiled asserted + provenance graphs hold about `triples` triples (never fewer)."""
    b = _Builder(seed)
    b.frame()
    n = 0
    while b.world.triples < triples:
        n += 1
        b.firm(n)
    return b.world
