"""Scale-out: the same per-article coding run by several processes on one machine
(`flashpoint.scale.workers`) or by a Ray cluster (`flashpoint.scale.ray_engine`).

Both engines run the coder that `flashpoint.default_pipeline` builds, article by article,
so they give the same Documents as a single process; only where the work runs differs.
"""
