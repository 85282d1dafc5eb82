"""test_slow_durability.py - the kill -9 drills of test_durability.py, longer and repeated
(label slow: `deploy/setup.sh --slow`; about 2 minutes on 2 cores when vigil-server runs
every drill, since each drill also runs on redis-server as the reference).

Rounds: appendfsync always and everysec, 3 rounds each of 3 s of writes, with 1, 8 and 32
requests in flight; BGREWRITEAOF and BGSAVE killed mid-way over 20,000 and 50,000 keys.
Same invariants as the short test (see its docstring).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_durability as d  # noqa: E402

PLAN = []
for depth in (1, 8, 32):
    PLAN.append((f"always-depth{depth}", d.drill_fsync, ("always", 3.0, depth)))
    PLAN.append((f"everysec-depth{depth}", d.drill_fsync, ("everysec", 3.0, depth)))
for keys in (20000, 50000):
    PLAN.append((f"rewrite-{keys}", d.drill_rewrite, (keys, 1.0)))
    PLAN.append((f"bgsave-{keys}", d.drill_bgsave, (keys, 1.0)))

if __name__ == "__main__":
    sys.exit(1 if d.run_drills(PLAN) else 0)
