"""A large generated dataset for benchmarks (`manage.py generate_dataset`, `make bench`).

Not the demo seed (backend.demo.seed): no published logins, sizes in the hundreds of
thousands, written with PostgreSQL's COPY in minutes. `network` plans the territories, staff,
capteurs, codes and visits; `referrals` the referral stream and what it wrote; `generate`
writes it all, table by table, through `pg`.
"""
