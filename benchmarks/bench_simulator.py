"""Persons per second: our simulator against Faker's own sv_SE profile(), measured in the same run.

Anchor: ``Faker("sv_SE").profile()``, a person with name, ssn, address, job and company.
Targets (issue 2): ≥ 2,000 persons/s and ≥ 0.5 × the anchor's rate.
"""

from __future__ import annotations

import argparse
import statistics
import time

from faker import Faker

from simulator import generate


def rate(fn, n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        fn(i)
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=3000, help="persons per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    fake = Faker("sv_SE")
    fake.seed_instance(1)
    generate(None, 0, 0)  # load the data tables before timing
    ours, anchor = [], []
    for r in range(args.rounds):  # interleaved, so both see the same machine noise
        ours.append(rate(lambda i: generate(None, r, i), args.n))
        anchor.append(rate(lambda i: fake.profile(), args.n))
    o, a = statistics.median(ours), statistics.median(anchor)
    print(f"simulator:           {o:8.0f} personer/s (median av {args.rounds} × {args.n})")
    print(f"Faker sv_SE profile: {a:8.0f} personer/s (ankare)")
    print(f"kvot simulator/ankare: {o / a:.2f}  (mål ≥ 0.5; mål ≥ 2000 personer/s: {'uppnått' if o >= 2000 else 'EJ uppnått'})")


if __name__ == "__main__":
    main()
