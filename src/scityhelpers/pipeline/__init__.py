"""From official source to validated tidy table, in the order a number passes through.

``manifest`` (what each raw file must hash to) → ``fetch`` (network, retries, atomic writes) →
``snapshot`` (local copy, mirror or network, verified) → ``tidy`` (parse with the source module,
validate with ``validate``, write parquet) and ``staleness`` (one checksum: is a result current?).
``data_verbs`` holds ``scity data pull|verify|list``; ``yaml_text`` reads YAML (with libyaml
when present).
"""
